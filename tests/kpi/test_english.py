"""In English the KPIs speak English: names, units, notes and descriptions from the KPI's
English texts, and the charts use the same year labels as the text (FY2022, not R4)."""

import re

import pytest

from kpi.demo import load_kpis

pytestmark = pytest.mark.django_db


@pytest.fixture
def kpis():
    load_kpis()


def test_the_dashboard_in_english(client, kpis, manager):
    client.force_login(manager)

    html = client.get("/kpi/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Support given to businesses etc. taking advanced initiatives" in html
    assert "91 cases" in html
    assert "90.0% or more" in html
    assert "57 initiatives" in html
    assert "DXや革新的な技術・サービスを活用した先進的な取組を行う事業者等への支援件数" not in html
    ticks = re.findall(r'<text [^>]*text-anchor="middle">([^<]+)</text>', html)
    assert ticks and all(re.fullmatch(r"FY20\d\d", tick) for tick in ticks)
    assert "FY2021" in html


def test_the_kpi_page_in_english_and_japanese(client, kpis, manager):
    client.force_login(manager)

    english = client.get("/kpi/gyosei-6-a/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    japanese = client.get("/kpi/gyosei-6-a/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert "a yearly count, not cumulative" in english
    assert "100 initiatives" in english
    assert "年度ごとの件数で、累計ではありません" in japanese
    assert ">R3</text>" in japanese and ">FY2021</text>" in english
