"""A manager records a year's 進展度 and 備考 on the KPI's own page, for a year chosen in 令和:
through kpi.services.enter_actual (history kept), refused to anyone who may not enter figures."""

from decimal import Decimal

import pytest

from kpi.models import KpiActual, SourceKind
from mie_dx.audit import entries_for
from tests.kpi.factories import KpiFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed_kpi():
    return KpiFactory(
        slug="t-computed",
        source=SourceKind.COMPUTED,
        first_computed_fiscal_year=2022,
        final_target_fiscal_year=2026,
    )


def test_the_year_is_chosen_in_reiwa_and_the_form_speaks_reiwa(client, manager, computed_kpi):
    client.force_login(manager)

    html = client.get("/kpi/t-computed/?fy=2025").content.decode()

    assert '<option value="2025" selected>令和7年度</option>' in html
    assert "令和7年度の評価を記録します" in html
    # A computed year takes no value: only the grade and the note.
    assert 'name="value"' not in html
    assert 'name="grade"' in html and 'name="note"' in html


def test_a_manager_grades_a_computed_year_and_the_change_is_kept(client, manager, computed_kpi):
    client.force_login(manager)

    response = client.post(
        "/kpi/t-computed/", {"fiscal_year": "2025", "grade": "B", "note": "相談が増えた"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/kpi/t-computed/?fy=2025#assessment"
    actual = KpiActual.objects.get(kpi=computed_kpi, fiscal_year=2025)
    assert (actual.value, actual.grade, actual.note, actual.entered_by) == (
        None,
        "B",
        "相談が増えた",
        manager,
    )
    client.post("/kpi/t-computed/", {"fiscal_year": "2025", "grade": "C", "note": "見直し"})
    assert [h.grade for h in actual.history.order_by("history_date")] == ["B", "C"]
    assert [e.action for e in entries_for(actual)] == ["kpi.actual_entered", "kpi.actual_corrected"]
    page = client.get("/kpi/t-computed/").content.decode()
    assert "C（あまり進まなかった）" in page


def test_an_entered_year_needs_its_value_and_nothing_is_saved_without_it(client, manager):
    KpiFactory(slug="t-entered", source=SourceKind.ENTERED)
    client.force_login(manager)

    response = client.post("/kpi/t-entered/", {"fiscal_year": "2023", "grade": "A"})

    assert response.status_code == 400
    assert "実績値を入力してください。" in response.content.decode()
    assert not KpiActual.objects.exists()
    response = client.post(
        "/kpi/t-entered/", {"fiscal_year": "2023", "value": "17", "grade": "A", "note": ""}
    )
    assert response.status_code == 302
    assert KpiActual.objects.get().value == Decimal(17)


def test_a_value_for_a_computed_year_or_a_year_to_come_is_refused(client, manager, computed_kpi):
    client.force_login(manager)

    future = client.post("/kpi/t-computed/", {"fiscal_year": "2030", "grade": "A"})

    assert future.status_code == 400
    assert "この年度は入力できません。" in future.content.decode()
    assert not KpiActual.objects.exists()


@pytest.mark.parametrize("who", ["center_staff", "training_officer", "public_user"])
def test_anyone_who_may_not_enter_figures_is_refused(client, request, computed_kpi, who):
    client.force_login(request.getfixturevalue(who))

    response = client.post("/kpi/t-computed/", {"fiscal_year": "2025", "grade": "A"})

    assert response.status_code == 403
    assert not KpiActual.objects.exists()


def test_the_admin_asks_for_the_year_in_reiwa(client, manager):
    client.force_login(manager)

    html = client.get("/admin/kpi/kpiactual/add/").content.decode()

    assert "令和7年度</option>" in html


def test_a_year_the_kpi_has_not_is_a_404_never_another_years_form(client, manager, computed_kpi):
    client.force_login(manager)

    assert client.get("/kpi/t-computed/?fy=2019").status_code == 404
    assert client.get("/kpi/t-computed/?fy=2300").status_code == 404


@pytest.mark.parametrize("path", ["/kpi/t-computed/", "/kpi/reports/"])
def test_a_malformed_year_is_a_400_with_a_message(client, manager, computed_kpi, path):
    client.force_login(manager)

    response = client.get(path, {"fy": "abc"})

    assert response.status_code == 400
    assert "年度の指定が正しくありません" in response.content.decode()
