"""The survey's dated record (InventorySurvey): kept in the admin by the procedures office,
read by every officer and manager, shown on /procedures/ beside the live inventory; bad input
saves nothing."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from mie_dx.models import AuditLog
from procedures import selectors
from procedures.demo import SURVEY_RECORD, SURVEY_TITLE, load_survey
from procedures.models import InventorySurvey, InventorySurveyRow
from tests.procedures.factories import ProcedureFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:procedures_inventorysurvey_add")
CHANGELIST = reverse("admin:procedures_inventorysurvey_changelist")


def change_url(survey: InventorySurvey) -> str:
    return reverse("admin:procedures_inventorysurvey_change", args=[survey.pk])


def survey_form(rows: list[tuple[str, str, int, int]], *, initial: list[int] = (), **changes):
    """The admin's form: the survey's fields and its table's rows (kind, column, n, apps);
    `initial` gives the primary keys of rows that exist already (in the same order)."""
    data = {
        "title": "行政手続のデジタル化に関する調査",
        "source": "行政手続デジタル化方針",
        "scope": "年間受付件数100件以上の行政手続",
        "notes": "",
        "conducted_from": "2021-12-14",
        "conducted_to": "2022-01-14",
        "published_on": "2022-04-01",
        "all_procedures": "4273",
        "all_applications": "987514",
        "own_procedures": "1337",
        "own_procedures_over_100": "111",
        "priority_procedures": "75",
        "priority_applications": "110145",
        "own_digitised_share": "31",
        "own_digitised_applications_approx": "46000",
        "own_applications_approx": "148000",
        "aim_fiscal_year": "2024",
        "aim_own_share": "74",
        "aim_statutory_share": "78",
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": str(len(initial)),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }
    for i, (kind, column, n, applications) in enumerate(rows):
        data.update(
            {
                f"rows-{i}-kind": kind,
                f"rows-{i}-column": column,
                f"rows-{i}-procedures": str(n),
                f"rows-{i}-applications": str(applications),
            }
        )
        if i < len(initial):
            data[f"rows-{i}-id"] = str(initial[i])
    data.update(changes)
    return data


ROWS = [("own", "2020", 26, 27_674), ("own", "r9_or_later", 12, 9_557)]


@pytest.fixture
def office(procedure_officer):
    """The procedures office: a procedure officer with every division's procedures."""
    procedure_officer.user_permissions.add(Permission.objects.get(codename="change_all_procedures"))
    return procedure_officer


def test_the_procedures_office_records_a_survey_with_its_table_and_it_is_logged(client, office):
    client.force_login(office)

    response = client.post(ADD, survey_form(ROWS))

    assert response.status_code == 302
    survey = InventorySurvey.objects.get()
    assert (survey.all_procedures, survey.conducted_to) == (4273, date(2022, 1, 14))
    assert sorted(survey.rows.values_list("kind", "column", "procedures", "applications")) == [
        ("own", "2020", 26, 27_674),
        ("own", "r9_or_later", 12, 9_557),
    ]
    entry = AuditLog.objects.get(action="procedure.survey_created")
    assert entry.user == office
    assert entry.data == {"rows": {"added": 2, "changed": 0, "deleted": 0}}


def test_a_correction_of_one_row_is_logged(client, office):
    load_survey()
    survey = InventorySurvey.objects.get()
    rows = list(survey.rows.order_by("pk"))
    client.force_login(office)
    data = survey_form(
        [(r.kind, r.column, r.procedures, r.applications) for r in rows],
        initial=[r.pk for r in rows],
        **{"rows-0-applications": "27675"},
    )

    response = client.post(change_url(survey), data)

    assert response.status_code == 302
    assert InventorySurveyRow.objects.get(pk=rows[0].pk).applications == 27_675
    entry = AuditLog.objects.get(action="procedure.survey_updated")
    assert entry.data["rows"] == {"added": 0, "changed": 1, "deleted": 0}


@pytest.mark.parametrize(
    ("changes", "rows", "message"),
    [
        ({"conducted_to": "2021-12-01"}, ROWS, "調査期間の終了は開始より後の日付にしてください。"),
        ({"own_procedures": "5000"}, ROWS, "県独自手続は全行政手続の数以下にしてください。"),
        ({"priority_procedures": "112"}, ROWS, "重点手続は年間受付件数100件以上の県独自手続"),
        ({"aim_own_share": "174"}, ROWS, "この値は 100 以下でなければなりません。"),
        ({}, [*ROWS, ("own", "2020", 1, 100)], "同じ区分・予定年度の行が重複しています。"),
        ({}, [("own", "R2", 1, 100)], "正しく選択してください"),
        ({}, [("own", "2020", -1, 100)], "この値は 0 以上でなければなりません。"),
    ],
    ids=["period", "own-above-all", "priority-above-own", "share", "duplicate", "column", "n"],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(
    client, office, changes, rows, message
):
    client.force_login(office)

    response = client.post(ADD, survey_form(rows, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InventorySurvey.objects.exists()
    assert not InventorySurveyRow.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="procedure.survey").exists()


def test_a_divisions_officer_and_a_manager_read_but_do_not_change_it(
    client, procedure_officer, manager
):
    load_survey()
    survey = InventorySurvey.objects.get()
    rows = list(survey.rows.order_by("pk"))
    data = survey_form(
        [(r.kind, r.column, r.procedures, r.applications) for r in rows],
        initial=[r.pk for r in rows],
        title="書き換え",
    )
    for user in (procedure_officer, manager):
        client.force_login(user)
        assert client.get(CHANGELIST).status_code == 200
        page = client.get(change_url(survey))
        assert page.status_code == 200 and "4273" in page.content.decode()
        assert client.get(ADD).status_code == 403
        assert client.post(change_url(survey), data).status_code == 403
    survey.refresh_from_db()
    assert survey.title == SURVEY_TITLE


@pytest.mark.parametrize("who", ["center_staff", "training_officer"])
def test_other_roles_do_not_see_the_survey(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.parametrize("count", [1, 40])
def test_the_survey_list_runs_a_fixed_number_of_queries(
    client, superuser, django_assert_max_num_queries, count
):
    for i in range(count):
        InventorySurvey.objects.create(
            **{
                **SURVEY_RECORD,
                "title": f"調査{i}",
                "conducted_from": date(1980 + i, 1, 1),
                "conducted_to": date(1980 + i, 2, 1),
            }
        )
    client.force_login(superuser)

    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert response.context["cl"].result_count == count


def test_the_procedures_page_shows_the_survey_dated_beside_the_live_inventory(client, manager):
    load_survey()
    ProcedureFactory(annual_applications=4000, digitised=True, digitised_on=date(2022, 5, 1))
    ProcedureFactory(annual_applications=6000, planned_fiscal_year=2024)
    client.force_login(manager)

    response = client.get("/procedures/", {"fy": 2022})

    page = response.content.decode()
    assert "調査時点の予定（2021年12月14日〜2022年1月14日の調査）" in page
    assert "行政手続のデジタル化に関する調査（令和4年4月公表）" in page
    assert "調査時点（令和4年4月公表）" in page and "現在の台帳（令和4年度末）" in page
    assert "4,273手続" in page and "年間受付件数 987,514件" in page
    assert "約46,000件 / 約148,000件" in page
    # The live figures beside them: 2 procedures; 40 % of the own applications digitised;
    # 100 % planned by R6 (the survey's 74 % for the prefecture's own procedures).
    facts = response.context["facts"]
    assert (facts.all_procedures, facts.all_applications) == (2, 10_000)
    assert facts.own_digitised_share == 40 and facts.own_planned_share == 100
    assert "令和6年度までにデジタル化（県独自手続、受付件数ベース）" in page
    survey_rows = {row.label: row.total.procedures for row in response.context["survey_table"].rows}
    assert survey_rows == {"独自": 111, "法定": 349}
    live = response.context["schedule"]
    assert live.priority.total.applications == 10_000


def test_without_a_survey_the_page_shows_the_live_figures_and_says_so(client, manager):
    ProcedureFactory()
    client.force_login(manager)

    response = client.get("/procedures/")

    assert response.status_code == 200
    assert response.context["survey_table"] is None
    assert "調査の記録は登録されていません" in response.content.decode()


def test_the_survey_table_is_its_own_record_not_the_live_inventory():
    load_survey()
    ProcedureFactory(kind="own", plan="r9_or_later", planned_fiscal_year=None)

    table = selectors.survey_table(selectors.latest_survey())

    own = next(row for row in table.rows if row.kind == "own")
    assert own.total.procedures == 111  # as published, whatever the inventory holds now
