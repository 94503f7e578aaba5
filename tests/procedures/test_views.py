"""Pages: who may open them, what they show, and a fixed number of queries at 10 and 5,000
procedures."""

from datetime import date

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from kpi.demo import load_kpis
from mie_dx.audit import log_action
from procedures.demo import load_survey
from procedures.models import Procedure
from tests.mie_dx.factories import DivisionFactory
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/procedures/"
PROGRESS = "/procedures/progress/"
OPEN_DATA = "/procedures/progress/online.csv"


def detail_url(procedure: Procedure) -> str:
    return reverse("procedures:detail", args=[procedure.code])


# --- Who may open what ---------------------------------------------------------------------


def test_anonymous_visitors_get_only_the_public_page(client):
    procedure = ProcedureFactory(digitised=True)

    for url in (DASHBOARD, detail_url(procedure)):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(PROGRESS).status_code == 200
    assert client.get(OPEN_DATA).status_code == 200
    assert client.get(reverse("admin:procedures_procedure_changelist")).status_code == 302


@pytest.mark.parametrize("who", ["procedure_officer", "manager", "superuser"])
def test_procedure_officers_and_managers_open_the_officers_pages(client, request, who):
    procedure = ProcedureFactory()
    client.force_login(request.getfixturevalue(who))

    assert client.get(DASHBOARD).status_code == 200
    assert client.get(detail_url(procedure)).status_code == 200


@pytest.mark.parametrize("who", ["center_staff", "training_officer", "public_user"])
def test_other_roles_and_the_public_are_refused(client, request, who):
    procedure = ProcedureFactory()
    client.force_login(request.getfixturevalue(who))

    assert client.get(DASHBOARD).status_code == 403
    assert client.get(detail_url(procedure)).status_code == 403
    assert client.get(PROGRESS).status_code == 200


# --- What the pages show -------------------------------------------------------------------


def test_the_dashboard_shows_the_figures_for_the_chosen_year_and_the_rules(client, manager):
    ProcedureFactory(annual_applications=3000, digitised=True, digitised_on=date(2022, 6, 1))
    ProcedureFactory(annual_applications=1000)
    client.force_login(manager)

    r3 = client.get(DASHBOARD, {"fy": 2021})
    r4 = client.get(DASHBOARD, {"fy": 2022})

    assert r3.context["share"].by_applications == 0
    assert r4.context["share"].by_applications == 75
    page = r4.content.decode()
    assert "令和4年度末の重点手続のデジタル化率" in page
    assert "75.0%" in page and "3,000件 / 4,000件" in page
    assert "「対象外」とした手続は分母からも除きます。" in page
    assert "実施スケジュール（予定年度別）" in page


def test_the_list_filters_by_division_status_planned_year_and_priority(client, manager):
    division = DivisionFactory()
    wanted = ProcedureFactory(division=division, digitised=True, planned_fiscal_year=2021)
    ProcedureFactory(division=division, planned_fiscal_year=2021)  # other status
    ProcedureFactory(division=division, digitised=True, planned_fiscal_year=2022)  # other year
    ProcedureFactory(division=division, digitised=True, planned_fiscal_year=2021, is_priority=False)
    ProcedureFactory(digitised=True, planned_fiscal_year=2021)  # other division
    adjusted = ProcedureFactory(plan="needs_adjustment", planned_fiscal_year=None)
    client.force_login(manager)

    response = client.get(
        DASHBOARD,
        {"division": division.pk, "status": "digitised", "plan": "2021", "priority": "1"},
    )
    assert list(response.context["procedures"]) == [wanted]
    response = client.get(DASHBOARD, {"plan": "needs_adjustment"})
    assert list(response.context["procedures"]) == [adjusted]


def test_a_procedure_page_shows_its_details_and_history(client, procedure_officer):
    procedure = ProcedureFactory(
        name="<script>alert(1)</script>", digitised=True, adjustment_reason=""
    )
    log_action(procedure, "procedure.updated", by=procedure_officer, data={"fields": ["name"]})
    client.force_login(procedure_officer)

    page = client.get(detail_url(procedure)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert procedure.online_url in page
    assert "手続の更新" in page


def test_the_public_page_lists_online_procedures_without_people_and_is_cacheable(client):
    load_kpis()  # the baseline and targets come from KPI 10-2 a
    online = ProcedureFactory(name="オンライン手続", digitised=True)
    ProcedureFactory(name="窓口のみの手続")
    log_action(online, "procedure.updated", by=None)

    response = client.get(PROGRESS)

    page = response.content.decode()
    assert "オンライン手続" in page and online.online_url in page
    assert "窓口のみの手続" not in page
    # Served from the page cache to anyone (mie_dx.pagecache): a proxy may keep it briefly.
    assert response["Cache-Control"] == f"public, max-age={settings.PAGE_CACHE_MAX_AGE}"
    assert "三重県は" in page and "（基準：令和3年度 39%）" in page
    assert "令和6年度までに受付件数ベースで100%のデジタル化を目指しています" in page


def test_without_the_kpi_the_public_page_shows_no_target_and_still_works(client):
    ProcedureFactory(annual_applications=1000, digitised=True)

    response = client.get(PROGRESS)

    assert response.status_code == 200
    assert all(row.target is None for row in response.context["progress"])
    page = response.content.decode()
    assert "KPI 10-2 a が登録されていないため、目標は表示していません。" in page
    assert "基準：" not in page


def test_the_open_data_csv_lists_the_online_procedures_with_a_formula_guard(client):
    ProcedureFactory(code="O-1", name="=HYPERLINK(1)", digitised=True)
    ProcedureFactory(code="O-2")

    response = client.get(OPEN_DATA)

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "手続コード,手続名,様式名,所属,区分,デジタル化日,URL,サンプルデータ"
    assert len(lines) == 2 and lines[1].startswith("O-1,'=HYPERLINK(1),")
    # Open data: proxies and browsers may keep it (the core's download helper, public).
    assert response["Cache-Control"] == "public, max-age=600"
    assert response["Content-Disposition"].startswith('attachment; filename="online-procedures-')


# --- A fixed number of queries ---------------------------------------------------------------


def make_procedures(count: int) -> None:
    divisions = [DivisionFactory() for _ in range(5)]
    Procedure.objects.bulk_create(
        [
            Procedure(
                code=f"BULK-{i:05d}",
                name=f"手続{i}",
                division=divisions[i % 5],
                kind=Procedure.Kind.OWN if i % 3 else Procedure.Kind.STATUTORY,
                annual_applications=100 + i,
                is_priority=i % 2 == 0,
                plan=Procedure.Plan.FISCAL_YEAR if i % 4 else Procedure.Plan.R9_OR_LATER,
                planned_fiscal_year=2020 + i % 5 if i % 4 else None,
                status=Procedure.Status.DIGITISED if i % 5 == 0 else Procedure.Status.NOT_STARTED,
                digitised_on=date(2021, 4, 1) if i % 5 == 0 else None,
                online_url="https://example.jp/x" if i % 5 == 0 else "",
                online_applications=10 if i % 10 == 0 else None,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )


@pytest.mark.parametrize("count", [10, 5000])
def test_the_officers_page_runs_a_fixed_number_of_queries(
    client, manager, django_assert_max_num_queries, count
):
    make_procedures(count)
    load_kpis()
    load_survey()
    client.force_login(manager)

    # session, user, permissions (2), the list's count and rows, divisions for the filter;
    # KPI 10-2 a and its targets (kpi_plan, 2), the shares of every year with the planned
    # path (1), the live schedule, the survey and its rows (2), the inventory-wide figures,
    # availability; the session's save (3); the second factor's device (2).
    with django_assert_max_num_queries(20):
        response = client.get(DASHBOARD, {"fy": 2022})
    assert response.status_code == 200
    assert response.context["paginator"].count == count
    assert response.context["survey_table"] is not None


@pytest.mark.parametrize("count", [10, 5000])
def test_the_public_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, count
):
    make_procedures(count)
    load_kpis()

    # KPI 10-2 a and its targets (kpi_plan, 2), the shares with the planned path, the
    # procedures online.
    with django_assert_max_num_queries(4):
        response = client.get(PROGRESS)
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 5000])
def test_the_admin_list_runs_a_fixed_number_of_queries(
    client, superuser, django_assert_max_num_queries, count
):
    make_procedures(count)
    client.force_login(superuser)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("admin:procedures_procedure_changelist"))
    assert response.status_code == 200


def test_malformed_filters_show_the_whole_list_instead_of_failing(client, manager):
    ProcedureFactory()
    client.force_login(manager)

    response = client.get(DASHBOARD, {"division": "x", "status": "nope", "page": 1})

    assert response.status_code == 200
    assert response.context["paginator"].count == 1


def test_a_malformed_year_is_a_400_with_a_message_never_another_years_figures(client, manager):
    client.force_login(manager)

    response = client.get(DASHBOARD, {"fy": "abc"})

    assert response.status_code == 400
    assert "年度の指定が正しくありません" in response.content.decode()


def test_years_still_to_come_show_no_figure(client):
    ProcedureFactory(annual_applications=1000, digitised=True, digitised_on=date(2021, 5, 1))
    with time_machine.travel(date(2023, 6, 1)):  # 令和5年度
        response = client.get(PROGRESS)

    page = response.content.decode()
    assert "令和5年度の状況（2023年6月1日時点）" in page  # the year has not ended
    assert page.count("（今後の年度）") == 3  # R6, R7, R8


@pytest.mark.parametrize("code", ["%00", "P%00-1", "あいう", "P 1", "-P1", "P" * 31])
def test_a_malformed_procedure_code_is_a_404_before_the_database(
    client, django_assert_num_queries, code
):
    # Anonymous: a well-formed code would be sent to the sign-in page; a malformed one never
    # matches the URL at all.
    with django_assert_num_queries(0):
        response = client.get(f"/procedures/p/{code}/")
    assert response.status_code == 404


def test_the_year_picker_offers_the_plans_years_and_no_other(client, manager):
    client.force_login(manager)

    with time_machine.travel(date(2023, 6, 1)):
        outside = client.get(DASHBOARD, {"fy": 2019})
        default = client.get(DASHBOARD)
        chosen = client.get(DASHBOARD, {"fy": 2025})

    assert outside.status_code == 404  # outside the plan: no figures, never another year's
    assert default.context["fiscal_year"] == 2023  # the current year, the one offered
    assert chosen.context["fiscal_year"] == 2025
    choices = [value for value, _label in chosen.context["year_form"].fields["fy"].choices]
    assert choices == [2026, 2025, 2024, 2023, 2022, 2021]
