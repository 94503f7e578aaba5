"""The annual evaluation report (県政レポート) made from the portal's figures: the R3 report
reproduces the seed's page (§1, 令和4年版県政レポート（案）) figure by figure, on the page and in
the XLSX; who may read and edit it; a fixed number of queries."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils.html import strip_tags

from kpi.demo import load_kpis
from kpi.models import AnnualReport, ReportBudget, ReportIndicator, ReportParagraph
from tests.kpi.factories import KpiActualFactory, KpiFactory, KpiTargetFactory

pytestmark = pytest.mark.django_db

# The seed's 県政レポート page, as printed: item → (現状値 R1, R2 target, R2 actual,
# R3 target, R3 actual, 目標達成状況).
SEED_INDICATORS = {
    "スマート自治体の進展を実感する職員の割合": ("—", "10.0%", "31.7%", "40.0%", "31.8%", "0.80"),
    "テレワーク（モバイルワークやサテライトオフィス等）を利用した所属数": (
        "—",
        "60所属",
        "258所属",
        "167所属",
        "265所属",
        "1.00",
    ),
    "電子申請・届出システムによる申請件数": (
        "22,299件",
        "22,400件",
        "32,870件",
        "23,000件",
        "62,457件",
        "1.00",
    ),
}


@pytest.fixture
def r3_report() -> AnnualReport:
    load_kpis()
    return AnnualReport.objects.get(fiscal_year=2021)


def cells(row_html: str) -> list[str]:
    return [strip_tags(c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)]


def test_the_r3_report_reproduces_every_figure_of_the_seed(client, manager, r3_report):
    client.force_login(manager)

    html = client.get(f"/kpi/reports/{r3_report.pk}/").content.decode()

    rows = {c[0]: c[1:] for c in map(cells, re.findall(r"<tr>(.*?)</tr>", html, re.S)) if c}
    for item, figures in SEED_INDICATORS.items():
        assert tuple(rows[item]) == figures
    assert "令和元年度" in html and "令和2年度" in html and "令和3年度" in html
    assert "進展度 <strong>C（あまり進まなかった）</strong>" in html
    assert rows["予算額等"] == ["—", "1,459", "1,287"]
    assert rows["概算人件費"] == ["—", "237", "193"]
    assert rows["（配置人員）"] == ["—", "（26人）", "（21人）"]
    assert "単位：百万円" in html
    for mark in "①②③④⑤⑥⑦":
        assert f'<span class="kpi-report-number">{mark}</span>' in html
    assert "⑧" not in html
    assert "ICTの新しい技術の活用により" in html  # めざす姿
    assert "81%となり、昨年度から6.8ポイント増加しましたが" in html  # the grade's reasoning


def test_the_xlsx_keeps_the_layout_and_the_numbers_as_numbers(client, manager, r3_report):
    client.force_login(manager)

    response = client.get(f"/kpi/reports/{r3_report.pk}/report.xlsx")

    assert response["Cache-Control"] == "private, no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {
        row[0]: row[1:]
        for row in sheet.iter_rows(values_only=True)
        if row and isinstance(row[0], str)
    }
    main = rows["スマート自治体の進展を実感する職員の割合"]
    assert [v if v == "—" else float(v) for v in main[:6]] == ["—", 10.0, 31.7, 40.0, 31.8, 0.8]
    telework = rows["テレワーク（モバイルワークやサテライトオフィス等）を利用した所属数"]
    assert [float(v) if v != "—" else v for v in telework[:6]] == ["—", 60, 258, 167, 265, 1.0]
    applications = rows["電子申請・届出システムによる申請件数"]
    assert [float(v) for v in applications[:6]] == [22299, 22400, 32870, 23000, 62457, 1.0]
    assert rows["予算額等"][:3] == (None, 1459, 1287)
    assert rows["概算人件費"][:3] == (None, 237, 193)
    assert rows["（配置人員）"][:3] == (None, 26, 21)
    texts = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert "C（あまり進まなかった）" in texts
    assert sum(1 for t in texts if isinstance(t, str) and t[:1] in "①②③④⑤⑥⑦") == 7
    assert sheet.page_setup.orientation == "portrait"


def test_the_report_follows_the_kpis_an_edited_actual_is_on_the_report(client, manager, r3_report):
    actual = r3_report.main_indicator.actuals.get(fiscal_year=2021)
    actual.value = Decimal("36.0")
    actual.save()
    client.force_login(manager)

    html = client.get(f"/kpi/reports/{r3_report.pk}/").content.decode()

    assert "36.0%" in html
    assert "0.90" in html  # 36.0 ÷ 40.0


def test_managers_edit_the_texts_in_the_admin_with_history(client, manager, r3_report):
    client.force_login(manager)
    url = f"/admin/kpi/annualreport/{r3_report.pk}/change/"
    assert client.get(url).status_code == 200

    r3_report.vision = "新しいめざす姿"
    r3_report.save()
    assert r3_report.history.count() == 2
    paragraph = r3_report.paragraphs.get(number=1)
    paragraph.text = "修正した取組概要"
    paragraph.save()
    assert paragraph.history.count() == 2


@pytest.mark.parametrize("who", ["center_staff", "training_officer", "procedure_officer"])
def test_only_managers_read_the_reports(client, request, r3_report, who):
    client.force_login(request.getfixturevalue(who))
    for url in (
        "/kpi/reports/",
        f"/kpi/reports/{r3_report.pk}/",
        f"/kpi/reports/{r3_report.pk}/report.xlsx",
    ):
        assert client.get(url).status_code == 403


def _report_with(n: int) -> AnnualReport:
    main = KpiFactory()
    KpiTargetFactory(kpi=main, fiscal_year=2022)
    KpiActualFactory(kpi=main, fiscal_year=2022)
    report = AnnualReport.objects.create(fiscal_year=2022, title=f"試験{n}", main_indicator=main)
    for i in range(n):
        sub = KpiFactory()
        KpiTargetFactory(kpi=sub, fiscal_year=2022)
        KpiActualFactory(kpi=sub, fiscal_year=2022)
        ReportIndicator.objects.create(report=report, kpi=sub, order=i)
        ReportParagraph.objects.create(report=report, number=i + 1, text="取組")
        ReportBudget.objects.create(report=report, fiscal_year=2000 + i, budget=i)
    return report


@pytest.mark.parametrize("size", [1, 8])
def test_the_report_page_runs_a_fixed_number_of_queries(
    client, manager, django_assert_num_queries, size
):
    report = _report_with(size)
    client.force_login(manager)
    client.get("/kpi/")  # the session's and permissions' first reads
    # session, user, permissions (2), second-factor device (2), the report with its
    # indicators, budgets and paragraphs (4), the KPIs with targets and actuals (3), and the
    # idle timeout's session save (savepoint, update, release).
    with django_assert_num_queries(16):
        assert client.get(f"/kpi/reports/{report.pk}/").status_code == 200
