"""The consultation figures (seed §4, 相談件数): cases per fiscal year by requester type ×
category and by month, with totals; who may read them; the CSV and XLSX downloads; a fixed
number of queries; and the demo's 34 samples giving the seed's totals over R3 + R4."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.figures import consultation_figures
from consultations.models import Consultation
from mie_dx.fiscal import fiscal_year
from mie_dx.registry import demo_loaders
from tests.consultations.factories import ConsultationFactory, bulk_consultations

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
FIGURES = reverse("consultations:figures")
EXPORT = reverse("consultations:figures_export")


def received(at: datetime, requester_type="business", category="info", **kwargs) -> Consultation:
    consultation = ConsultationFactory(requester_type=requester_type, category=category, **kwargs)
    Consultation.objects.filter(pk=consultation.pk).update(created_at=at)
    return consultation


@pytest.fixture
def fy2022():
    """Cases of 令和4年度 (FY2022) and around it, with the counts worked out by hand below."""
    received(datetime(2022, 4, 1, 0, 0, tzinfo=TOKYO), "business", "info")  # the first minute
    received(datetime(2022, 4, 20, tzinfo=TOKYO), "business", "problem")
    received(datetime(2022, 6, 3, tzinfo=TOKYO), "group", "training", organization="見本の会")
    received(datetime(2022, 6, 9, tzinfo=TOKYO), "municipality", "training")
    received(datetime(2022, 12, 24, tzinfo=TOKYO), "prefecture", "other")
    received(
        datetime(2023, 3, 31, 23, 59, tzinfo=TOKYO),
        "individual",
        "problem",
        name="見本 花子",
        email="hanako@example.jp",
    )
    # Outside FY2022: 31 March 2022 and 1 April 2023 (Tokyo).
    received(datetime(2022, 3, 31, 23, 59, tzinfo=TOKYO), "business", "info")
    received(datetime(2023, 4, 1, 0, 0, tzinfo=TOKYO), "business", "info")


# --- Who may read them -----------------------------------------------------------------------


@pytest.mark.parametrize("url", [FIGURES, f"{EXPORT}?fy=2022"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [FIGURES, f"{EXPORT}?fy=2022"])
@pytest.mark.parametrize("who", ["public_user", "training_officer", "procedure_officer"])
def test_everyone_else_is_refused(client, request, url, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [FIGURES, f"{EXPORT}?fy=2022"])
@pytest.mark.parametrize("who", ["manager", "center_staff"])
def test_managers_and_center_staff_may_read(client, request, url, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url).status_code == 200


# --- What they say ---------------------------------------------------------------------------


def test_the_tables_count_by_requester_category_and_month_with_totals(fy2022):
    figures = consultation_figures(2022)

    table = figures.by_requester
    assert table.columns == [
        "DXに関する情報提供",
        "人材育成（セミナー開催等の相談）",
        "課題解決のための相談",
        "その他",
    ]
    assert [(row.label, row.cells, row.total) for row in table.rows] == [
        ("県内事業者", [1, 0, 1, 0], 2),
        ("県民グループ", [0, 1, 0, 0], 1),
        ("市町", [0, 1, 0, 0], 1),
        ("県", [0, 0, 0, 1], 1),
        ("個人（県民）", [0, 0, 1, 0], 1),
    ]
    assert table.column_totals == [1, 2, 2, 1]
    assert table.total == figures.total == 6
    months = {row.key: row.cells for row in figures.by_month.rows}
    assert [row.key for row in figures.by_month.rows] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
    assert months[4] == [1, 0, 1, 0]
    assert months[6] == [0, 2, 0, 0]
    assert months[12] == [0, 0, 0, 1]
    assert months[3] == [0, 0, 1, 0]  # 31 March 2023, 23:59 in Tokyo
    assert sum(sum(cells) for cells in months.values()) == 6
    assert figures.by_month.rows[0].label == "2022年4月"
    assert figures.by_month.rows[-1].label == "2023年3月"
    assert figures.samples == 0


def test_the_page_shows_the_chosen_year_without_personal_data(client, manager, fy2022):
    client.force_login(manager)

    response = client.get(FIGURES, {"fy": "2022"})

    html = response.content.decode()
    assert "令和4年度の相談件数" in html
    assert "<caption" in html and 'scope="row"' in html and 'scope="col"' in html
    assert 'class="table-responsive" tabindex="0" role="region"' in html
    assert "サンプルデータは含まれていません。" in html
    for personal in ("見本 花子", "hanako@example.jp", "見本の会", "株式会社サンプル商事"):
        assert personal not in html
    assert f"{EXPORT}?fy=2022&amp;_format=xlsx" in html
    # 令和3年度 (the center's first) to this year can be chosen.
    assert '<option value="2021"' in html


def test_sample_cases_are_counted_and_the_page_says_so(client, manager):
    received(datetime(2022, 5, 1, tzinfo=TOKYO), is_sample=True)
    received(datetime(2022, 5, 2, tzinfo=TOKYO))
    client.force_login(manager)

    html = client.get(FIGURES, {"fy": "2022"}).content.decode()

    assert consultation_figures(2022).samples == 1
    assert "デモ用のサンプルの相談1件が含まれています" in html


def test_a_bad_year_gets_a_clear_message_and_the_current_year(client, manager):
    client.force_login(manager)

    page = client.get(FIGURES, {"fy": "1999"})
    export = client.get(EXPORT, {"fy": "abc"})

    assert page.status_code == 200
    assert "その年度は選べません。一覧から年度を選んでください。" in page.content.decode()
    assert page.context["figures"].fiscal_year == page.context["form"].fields["fy"].choices[0][0]
    assert export.status_code == 400
    assert "年度の指定が正しくありません" in export.content.decode()


# --- Downloads -------------------------------------------------------------------------------


def test_the_csv_has_both_tables_with_their_totals(client, manager, fy2022):
    client.force_login(manager)

    response = client.get(EXPORT, {"fy": "2022"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="consultation-figures-2022-' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == [
        "年度",
        "表",
        "区分",
        "DXに関する情報提供",
        "人材育成（セミナー開催等の相談）",
        "課題解決のための相談",
        "その他",
        "合計",
    ]
    assert [
        "令和4年度",
        "相談者の区分・相談内容の種類別",
        "県内事業者",
        "1",
        "0",
        "1",
        "0",
        "2",
    ] in (rows)
    assert ["令和4年度", "相談者の区分・相談内容の種類別", "合計", "1", "2", "2", "1", "6"] in rows
    assert ["令和4年度", "月別・相談内容の種類別", "2022年6月", "0", "2", "0", "0", "2"] in rows
    assert len(rows) == (5 + 1) + (12 + 1)


def test_the_xlsx_keeps_numbers_as_numbers(client, center_staff, fy2022):
    client.force_login(center_staff)

    response = client.get(EXPORT, {"fy": "2022", "_format": "xlsx"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "相談件数 令和4年度"
    rows = list(sheet.iter_rows(values_only=True))
    total = next(r for r in rows if r[1] == "相談者の区分・相談内容の種類別" and r[2] == "合計")
    assert total[3:] == (1, 2, 2, 1, 6)
    assert all(isinstance(value, int) for row in rows[1:] for value in row[3:])


# --- A fixed number of queries ----------------------------------------------------------------


def test_the_page_and_the_download_run_a_fixed_number_of_queries(client, manager):
    client.force_login(manager)
    client.get(FIGURES)  # the session is saved once
    this_year = str(fiscal_year(timezone.localdate()))

    def queries_with(count: int, start: int) -> tuple[int, int]:
        bulk_consultations(count, start=start)  # received in the last 40 days
        with CaptureQueriesContext(connection) as page:
            assert client.get(FIGURES).status_code == 200
        with CaptureQueriesContext(connection) as download:
            assert client.get(EXPORT, {"fy": this_year}).status_code == 200
        return len(page), len(download)

    few = queries_with(2, 1000)
    many = queries_with(200, 2000)

    assert few == many
    # The session (read, then saved in a savepoint: 4), the user, the permissions (2), the
    # second factor's devices (2) and one query for the figures.
    assert few[0] <= 10


# --- The demo gives the seed's totals -----------------------------------------------------------


def test_the_demo_samples_give_the_seeds_totals_over_r3_and_r4():
    dict(demo_loaders())["consultations"]()

    r3, r4 = consultation_figures(2021), consultation_figures(2022)

    def by_requester(key: str) -> int:
        return sum(
            row.total for row in (*r3.by_requester.rows, *r4.by_requester.rows) if row.key == key
        )

    assert (r3.total, r4.total) == (29, 5)
    assert by_requester("business") == 19
    assert by_requester("group") == 5
    assert by_requester("municipality") + by_requester("prefecture") == 10
    assert by_requester("individual") == 0
    by_content = [
        a + b
        for a, b in zip(r3.by_requester.column_totals, r4.by_requester.column_totals, strict=True)
    ]
    assert by_content == [10, 12, 9, 3]
    assert r3.samples + r4.samples == 34


@pytest.mark.parametrize("who", ["center_staff", "manager"])
def test_the_consultation_list_links_to_the_figures(client, request, who):
    client.force_login(request.getfixturevalue(who))

    html = client.get(reverse("admin:consultations_consultation_changelist")).content.decode()

    assert f'href="{FIGURES}"' in html
    assert "相談の集計（年度別・月別）" in html
