"""KPI 10-2 a has one set of targets: the KPI app's. The procedures pages read them (and the
baseline) through kpi.selectors.kpi_plan, so a target changed once shows everywhere — the
public progress page included, though it is served from the page cache."""

from datetime import date
from decimal import Decimal

import pytest

from kpi.demo import load_kpis
from kpi.models import Kpi, KpiTarget
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/procedures/"
PROGRESS = "/procedures/progress/"
KPI_PAGE = "/kpi/10-2-a/"


@pytest.fixture
def plan():
    """The demo's KPIs (10-2 a: R3 39 %, R4 76 %, R5 92 %, R6–R8 100 %) and an inventory whose
    priority procedures are 60 % digitised by the end of R4."""
    load_kpis()
    ProcedureFactory(annual_applications=6000, digitised=True, digitised_on=date(2022, 6, 1))
    ProcedureFactory(annual_applications=4000, planned_fiscal_year=2023)
    return KpiTarget.objects.get(kpi__code="10-2 a", fiscal_year=2022)


def progress_row(response, fy: int):
    return next(row for row in response.context["progress"] if row.fiscal_year == fy)


def test_a_target_changed_once_shows_on_the_procedures_page_and_the_kpi_page(client, manager, plan):
    client.force_login(manager)
    before = client.get(DASHBOARD, {"fy": 2022})
    assert progress_row(before, 2022).target.value == 76
    assert progress_row(before, 2022).achievement == Decimal("0.79")  # 60 ÷ 76

    # What the KPI admin's target row saves when a manager's office corrects R4's target.
    plan.value = Decimal("80.0")
    plan.approx_count = 88_000
    plan.save()

    dashboard = client.get(DASHBOARD, {"fy": 2022})
    row = progress_row(dashboard, 2022)
    assert row.target.value == 80 and row.achievement == Decimal("0.75")  # 60 ÷ 80
    page = dashboard.content.decode()
    assert "80%（約88,000件）" in page
    assert "76%" not in page
    kpi_page = client.get(KPI_PAGE)
    targets = {y.fiscal_year: y.target for y in kpi_page.context["figures"].years}
    assert targets[2022] == Decimal("80.0")
    assert "80.0%" in kpi_page.content.decode()


def test_the_cached_public_page_is_renewed_when_a_target_or_the_baseline_changes(
    client, plan, django_capture_on_commit_callbacks
):
    first = client.get(PROGRESS)
    assert first["X-Page-Cache"] == "miss"
    assert "76%" in first.content.decode()
    assert client.get(PROGRESS)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        plan.value = Decimal("80.0")
        plan.save()
    renewed = client.get(PROGRESS)
    assert renewed["X-Page-Cache"] == "miss"
    page = renewed.content.decode()
    assert "80%" in page and "76%" not in page

    with django_capture_on_commit_callbacks(execute=True):
        Kpi.objects.filter(code="10-2 a").get().delete()
    without = client.get(PROGRESS)
    assert without["X-Page-Cache"] == "miss"
    assert "KPI 10-2 a が登録されていないため、目標は表示していません。" in without.content.decode()


def test_targets_show_in_applications_where_the_kpi_gives_them(client, manager, plan):
    KpiTarget.objects.filter(kpi__code="10-2 a", fiscal_year=2023).update(approx_count=100_000)
    plan.approx_count = 80_000
    plan.save()
    client.force_login(manager)

    page = client.get(DASHBOARD, {"fy": 2022}).content.decode()
    public = client.get(PROGRESS).content.decode()

    for body in (page, public):
        assert "76%（約80,000件）" in body
        assert "92%（約100,000件）" in body
        assert "100%" in body  # R6–R8: no count given, the percentage alone


def test_the_procedures_pages_work_without_the_kpi(client, manager):
    ProcedureFactory(annual_applications=1000, digitised=True)
    client.force_login(manager)

    response = client.get(DASHBOARD, {"fy": 2022})

    assert response.status_code == 200
    assert response.context["plan"] is None
    assert response.context["share"].target is None
    assert "目標 " not in response.content.decode()
