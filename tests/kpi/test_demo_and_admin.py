"""The demo KPIs (the seed's figures, idempotent) and entering a figure in the admin."""

from decimal import Decimal

import pytest

from kpi.demo import load_kpis
from kpi.models import Kpi, KpiActual
from mie_dx.registry import demo_loaders

pytestmark = pytest.mark.django_db


def test_load_demo_loads_every_kpi_once_and_runs_last():
    first = load_kpis()
    again = load_kpis()

    assert first["kpis_created"] == 9
    assert again == {
        "kpis_created": 0,
        "targets_created": 0,
        "actuals_created": 0,
        "reports_created": 0,
    }
    assert demo_loaders()[-1][0] == "kpi"
    b = Kpi.objects.get(code="10-1 b")
    assert (b.baseline_value, b.baseline_fiscal_year) == (Decimal(26), 2021)
    assert (b.final_target_value, b.final_target_fiscal_year) == (Decimal(91), 2026)
    assert [t.value for t in b.targets.order_by("fiscal_year")] == [39, 52, 65, 78, 91]
    a = Kpi.objects.get(code="10-2 a")
    assert [t.value for t in a.targets.order_by("fiscal_year")] == [76, 92, 100, 100, 100]
    assert Kpi.objects.get(code="行政運営6 b").baseline_note == "調査中"
    report = KpiActual.objects.get(kpi__code="県政レポート 主指標", fiscal_year=2021)
    assert (report.value, report.grade) == (Decimal("31.8"), "C")


def test_a_manager_enters_a_figure_in_the_admin_and_corrects_it(client, manager):
    load_kpis()
    kpi = Kpi.objects.get(code="県政レポート 副指標1")
    client.force_login(manager)

    response = client.post(
        "/admin/kpi/kpiactual/add/",
        {"kpi": kpi.pk, "fiscal_year": 2022, "value": "17", "grade": "", "note": "報告"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    actual = KpiActual.objects.get(kpi=kpi, fiscal_year=2022)
    assert actual.entered_by == manager

    response = client.post(
        f"/admin/kpi/kpiactual/{actual.pk}/change/",
        {"value": "18", "grade": "B", "note": "修正"},
    )
    assert response.status_code == 302
    actual.refresh_from_db()
    assert actual.value == Decimal(18)
    assert [h.value for h in actual.history.order_by("history_date")] == [17, 18]
    history = client.get(f"/admin/kpi/kpiactual/{actual.pk}/history/")
    assert history.status_code == 200
    assert client.get("/kpi/report-telework/").content.decode().count("18所属") >= 1


def test_the_admin_refuses_a_figure_for_a_computed_year(client, manager):
    load_kpis()
    kpi = Kpi.objects.get(code="10-1 b")
    client.force_login(manager)

    response = client.post(
        "/admin/kpi/kpiactual/add/",
        {"kpi": kpi.pk, "fiscal_year": 2023, "value": "40", "grade": "", "note": ""},
    )

    assert response.status_code == 200
    assert "手入力できません" in response.content.decode()
    assert not KpiActual.objects.filter(kpi=kpi, fiscal_year=2023).exists()


def test_a_manager_grades_a_computed_year_without_a_value(client, manager):
    load_kpis()
    kpi = Kpi.objects.get(code="10-1 b")
    client.force_login(manager)

    response = client.post(
        "/admin/kpi/kpiactual/add/",
        {"kpi": kpi.pk, "fiscal_year": 2023, "value": "", "grade": "B", "note": "相談は増加"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assessed = KpiActual.objects.get(kpi=kpi, fiscal_year=2023)
    assert (assessed.value, assessed.grade, assessed.entered_by) == (None, "B", manager)
    page = client.get("/kpi/10-1-b/").content.decode()
    assert "ある程度進んだ" in page and "相談は増加" in page
    # Still no hand-entered value for that year.
    response = client.post(
        f"/admin/kpi/kpiactual/{assessed.pk}/change/", {"value": "40", "grade": "B", "note": ""}
    )
    assert response.status_code == 200 and "空欄のまま" in response.content.decode()
    assessed.refresh_from_db()
    assert assessed.value is None


def test_a_year_the_portal_does_not_compute_needs_its_value(client, manager):
    load_kpis()
    kpi = Kpi.objects.get(code="県政レポート 副指標1")
    client.force_login(manager)

    response = client.post(
        "/admin/kpi/kpiactual/add/",
        {"kpi": kpi.pk, "fiscal_year": 2022, "value": "", "grade": "A", "note": ""},
    )

    assert response.status_code == 200
    assert "実績値を入力してください。" in response.content.decode()
    assert not KpiActual.objects.filter(kpi=kpi, fiscal_year=2022).exists()
