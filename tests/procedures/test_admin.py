"""The admin: each division's officer changes their divisions' procedures, the procedures
office (change_all_procedures) every one, managers only read; every change is logged."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from mie_dx.models import AuditLog
from procedures import selectors, services
from procedures.models import Procedure, ProcedureEditor
from tests.mie_dx.factories import DivisionFactory
from tests.procedures.factories import (
    InventorySurveyFactory,
    ProcedureEditorFactory,
    ProcedureFactory,
)
from tests.procedures.factories import admin_form_data as form_data

pytestmark = pytest.mark.django_db


def change_url(procedure: Procedure) -> str:
    return reverse("admin:procedures_procedure_change", args=[procedure.pk])


@pytest.fixture
def own_and_other(procedure_officer):
    own = ProcedureFactory()
    other = ProcedureFactory()
    ProcedureEditorFactory(user=procedure_officer, division=own.division)
    return own, other


def test_a_divisions_officer_changes_their_own_procedure_and_it_is_logged(
    client, procedure_officer, own_and_other
):
    own, _other = own_and_other
    client.force_login(procedure_officer)

    response = client.post(
        change_url(own),
        form_data(own, status="digitised", digitised_on="2023-01-10", annual_applications=1500),
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.status, own.digitised_on, own.annual_applications) == (
        "digitised", date(2023, 1, 10), 1500
    )  # fmt: skip
    # Each change named once, by its service: the details, then the status.
    entry = AuditLog.objects.get(action="procedure.updated")
    assert entry.user == procedure_officer
    assert entry.data == {"fields": ["annual_applications"]}
    digitised = AuditLog.objects.get(action="procedure.digitised")
    assert digitised.user == procedure_officer
    assert digitised.data == {
        "from": "not_started",
        "to": "digitised",
        "digitised_on": "2023-01-10",
    }
    assert AuditLog.objects.count() == 2
    page = client.get(change_url(own)).content.decode()
    assert "操作記録" in page and "手続の更新" in page and "デジタル化済" in page


def test_another_divisions_procedure_is_read_only_for_them(
    client, procedure_officer, own_and_other
):
    _own, other = own_and_other
    client.force_login(procedure_officer)

    assert client.get(change_url(other)).status_code == 200  # they may view it
    response = client.post(change_url(other), form_data(other, name="書き換え"))

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name != "書き換え"


def test_they_cannot_move_a_procedure_into_another_division(
    client, procedure_officer, own_and_other
):
    own, other = own_and_other
    client.force_login(procedure_officer)

    response = client.post(change_url(own), form_data(own, division=other.division_id))

    assert response.status_code == 200  # the form says the choice is not valid
    own.refresh_from_db()
    assert own.division_id != other.division_id


def test_the_procedures_office_changes_every_division(client, procedure_officer, own_and_other):
    _own, other = own_and_other
    procedure_officer.user_permissions.add(Permission.objects.get(codename="change_all_procedures"))
    client.force_login(procedure_officer)

    response = client.post(change_url(other), form_data(other, name="所管課で修正"))

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.name == "所管課で修正"


def test_managers_only_read(client, manager):
    procedure = ProcedureFactory()
    client.force_login(manager)

    assert client.get(reverse("admin:procedures_procedure_changelist")).status_code == 200
    assert client.get(reverse("admin:procedures_procedure_add")).status_code == 403
    assert client.post(change_url(procedure), form_data(procedure, name="x")).status_code == 403
    assert client.get(reverse("admin:procedures_procedure_import")).status_code == 403


@pytest.mark.parametrize("who", ["center_staff", "training_officer"])
def test_other_roles_do_not_see_the_inventory(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("admin:procedures_procedure_changelist")).status_code == 403


def test_the_admin_refuses_a_digitised_procedure_without_a_date(
    client, procedure_officer, own_and_other
):
    own, _other = own_and_other
    client.force_login(procedure_officer)

    response = client.post(change_url(own), form_data(own, status="digitised"))

    assert response.status_code == 200
    own.refresh_from_db()
    assert own.status == "not_started"


def test_services_check_the_division_and_log(procedure_officer, own_and_other):
    own, other = own_and_other

    services.change_status(
        procedure=own, status="digitised", digitised_on=date(2022, 8, 1), by=procedure_officer
    )
    with pytest.raises(PermissionDenied):
        services.change_status(
            procedure=other, status="digitised", digitised_on=date(2022, 8, 1), by=procedure_officer
        )

    own.refresh_from_db()
    assert own.status == "digitised"
    entry = AuditLog.objects.get(action="procedure.digitised")
    assert entry.data == {"from": "not_started", "to": "digitised", "digitised_on": "2022-08-01"}
    assert Procedure.objects.get(pk=other.pk).status == "not_started"


def test_the_divisions_each_may_edit(procedure_officer, public_user, own_and_other):
    """A command edits every division; a visitor, an account without the right or no longer
    active none; an officer their own; the procedures office every one."""
    own, other = own_and_other

    assert selectors.editable_division_ids(None) is None
    assert selectors.editable_division_ids(AnonymousUser()) == set()
    assert selectors.editable_division_ids(public_user) == set()
    assert selectors.editable_division_ids(procedure_officer) == {own.division_id}
    assert not selectors.can_edit_division(procedure_officer, other.division_id)
    with pytest.raises(PermissionDenied):
        services.change_status(procedure=own, status="in_progress", by=AnonymousUser())

    procedure_officer.user_permissions.add(Permission.objects.get(codename="change_all_procedures"))
    office = get_user_model().objects.get(pk=procedure_officer.pk)  # permissions not cached
    assert selectors.editable_division_ids(office) is None
    office.is_active = False
    assert selectors.editable_division_ids(office) == set()
    assert Procedure.objects.get(pk=own.pk).status == "not_started"


def test_adjustment_needs_a_reason_and_a_plan_year_only_with_a_year(
    client, procedure_officer, own_and_other
):
    own, _other = own_and_other
    client.force_login(procedure_officer)

    no_reason = client.post(
        change_url(own), form_data(own, plan="needs_adjustment", planned_fiscal_year="")
    )
    assert no_reason.status_code == 200
    assert "要調整の理由を入力してください。" in no_reason.content.decode()
    year_and_adjustment = client.post(
        change_url(own), form_data(own, plan="needs_adjustment", adjustment_reason="来庁が前提")
    )
    assert "予定年度は「年度を予定」のときだけ入力し" in year_and_adjustment.content.decode()

    response = client.post(
        change_url(own),
        form_data(own, plan="needs_adjustment", planned_fiscal_year="", adjustment_reason="来庁"),
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.plan, own.planned_fiscal_year, own.adjustment_reason) == (
        "needs_adjustment", None, "来庁"
    )  # fmt: skip
    # The refused posts left nothing; the plan's service named the change once.
    (entry,) = AuditLog.objects.all()
    assert entry.action == "procedure.plan_changed" and entry.user == procedure_officer
    assert entry.data == {
        "from": "2022",
        "to": "needs_adjustment",
        "fields": ["plan", "planned_fiscal_year", "adjustment_reason"],
    }


def test_the_editor_admin_links_staff_to_divisions(client, superuser, procedure_officer):
    editor = ProcedureEditorFactory(user=procedure_officer)
    client.force_login(superuser)

    assert client.get(reverse("admin:procedures_procedureeditor_changelist")).status_code == 200
    assert client.get(reverse("admin:procedures_procedureeditor_add")).status_code == 200
    page = client.get(reverse("admin:procedures_procedureeditor_change", args=[editor.pk]))
    assert page.status_code == 200


def test_a_procedure_added_in_the_admin_is_registered_by_the_service(
    client, procedure_officer, own_and_other
):
    own, _other = own_and_other
    client.force_login(procedure_officer)
    new = ProcedureFactory.build(code="NEW-1", division=own.division, status="in_progress")

    response = client.post(reverse("admin:procedures_procedure_add"), form_data(new))

    assert response.status_code == 302, response.content.decode()[:2000]
    created = Procedure.objects.get(code="NEW-1")
    assert (created.division, created.status) == (own.division, "in_progress")
    (entry,) = AuditLog.objects.all()
    assert (entry.action, entry.object_id, entry.user) == (
        "procedure.created", created.pk, procedure_officer
    )  # fmt: skip
    assert entry.data == {"code": "NEW-1", "status": "in_progress"}
    assert response["Location"] == reverse("admin:procedures_procedure_changelist")


def test_a_new_procedure_breaking_a_rule_is_refused_with_nothing_saved(
    client, procedure_officer, own_and_other
):
    own, _other = own_and_other
    client.force_login(procedure_officer)
    new = ProcedureFactory.build(code="NEW-2", division=own.division)
    add = reverse("admin:procedures_procedure_add")

    adjustment = client.post(add, form_data(new, plan="needs_adjustment", planned_fiscal_year=""))
    undated = client.post(add, form_data(new, status="digitised"))

    assert adjustment.status_code == 200
    assert "要調整の理由を入力してください。" in adjustment.content.decode()
    assert undated.status_code == 200
    assert "デジタル化済の手続にはデジタル化日が必要です。" in undated.content.decode()
    assert not Procedure.objects.filter(code="NEW-2").exists()
    assert not AuditLog.objects.exists()


def test_out_of_scope_and_back_are_status_changes(client, procedure_officer, own_and_other):
    own, _other = own_and_other
    client.force_login(procedure_officer)

    assert client.post(change_url(own), form_data(own, status="out_of_scope")).status_code == 302
    own.refresh_from_db()
    assert client.post(change_url(own), form_data(own, status="in_progress")).status_code == 302

    own.refresh_from_db()
    assert own.status == "in_progress"
    assert [(e.action, e.data) for e in AuditLog.objects.order_by("pk")] == [
        ("procedure.status_changed", {"from": "not_started", "to": "out_of_scope"}),
        ("procedure.status_changed", {"from": "out_of_scope", "to": "in_progress"}),
    ]


def test_a_plan_status_and_details_changed_at_once_are_each_named_once(
    client, procedure_officer, own_and_other
):
    own, _other = own_and_other
    client.force_login(procedure_officer)

    response = client.post(
        change_url(own),
        form_data(
            own,
            name="名称を変更",
            planned_fiscal_year="2024",
            status="digitised",
            digitised_on="2022-04-01",
        ),
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.planned_fiscal_year, own.status) == ("名称を変更", 2024, "digitised")
    assert {e.action: e.data for e in AuditLog.objects.all()} == {
        "procedure.updated": {"fields": ["name"]},
        "procedure.plan_changed": {"from": "2022", "to": "2024", "fields": ["planned_fiscal_year"]},
        "procedure.digitised": {
            "from": "not_started",
            "to": "digitised",
            "digitised_on": "2022-04-01",
        },
    }


def test_the_services_refuse_what_the_form_refuses_and_save_nothing(own_and_other):
    own, _other = own_and_other

    with pytest.raises(ValidationError) as no_reason:
        services.update_procedure(
            procedure=own,
            changes={"name": "変更", "plan": "needs_adjustment", "planned_fiscal_year": None},
            by=None,
        )
    with pytest.raises(ValidationError) as no_date:
        services.change_status(procedure=own, status="digitised", by=None)

    assert no_reason.value.message_dict == {
        "adjustment_reason": ["要調整の理由を入力してください。"]
    }
    assert no_date.value.messages == ["デジタル化済の手続にはデジタル化日が必要です。"]
    own.refresh_from_db()
    assert (own.name, own.plan, own.status) != ("変更", "needs_adjustment", "digitised")
    assert not AuditLog.objects.exists()


def test_an_editor_added_in_the_admin_is_logged(client, superuser, procedure_officer):
    division = ProcedureFactory().division
    client.force_login(superuser)

    response = client.post(
        reverse("admin:procedures_procedureeditor_add"),
        {"user": procedure_officer.pk, "division": division.pk},
    )

    assert response.status_code == 302
    editor = ProcedureEditor.objects.get()
    entry = AuditLog.objects.get()
    assert (entry.action, entry.object_id, entry.user) == (
        "procedure_editor.created", editor.pk, superuser
    )  # fmt: skip
    client.post(
        reverse("admin:procedures_procedureeditor_delete", args=[editor.pk]), {"post": "yes"}
    )
    assert not ProcedureEditor.objects.exists()
    assert AuditLog.objects.filter(action="procedure_editor.deleted").count() == 1


# --- A fixed number of queries in every change list and admin view ------------------------------


def _procedures(size: int) -> None:
    division = DivisionFactory()
    ProcedureFactory.create_batch(size, division=division)
    for _ in range(size):
        ProcedureEditorFactory(
            user=get_user_model().objects.create_user(username=f"editor{_next()}"),
            division=division,
        )
    InventorySurveyFactory.create_batch(size)


_counter = iter(range(1_000_000))


def _next() -> int:
    return next(_counter)


# Each: the session, the user, the second factor's device, the session's save; then a change
# list's count, rows and its filters' choices (the inventory: the date filter's range and the
# divisions), an export's filters and rows (one cursor), the import page nothing more.
ADMIN_PAGES = {
    "admin:procedures_procedure_changelist": 11,
    "admin:procedures_procedureeditor_changelist": 10,
    "admin:procedures_inventorysurvey_changelist": 9,
    "admin:procedures_procedure_import": 6,
    "admin:procedures_procedure_export": 9,
}


@pytest.mark.parametrize("size", [2, 25])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_admin_list_and_view_runs_a_fixed_number_of_queries(
    client, superuser, django_assert_num_queries, size, page
):
    _procedures(size)
    client.force_login(superuser)

    with django_assert_num_queries(ADMIN_PAGES[page]):
        response = client.get(reverse(page))

    assert response.status_code == 200
    if "changelist" in page:
        assert response.context["cl"].result_count == size


CHANGELIST = reverse("admin:procedures_procedure_changelist")
WITHOUT_DIVISION = "所属の割当て（手続の編集担当の登録）は、システム管理者に依頼してください。"


def test_an_officer_without_a_division_is_told_who_assigns_one(client, procedure_officer, manager):
    ProcedureFactory()
    client.force_login(procedure_officer)

    without = client.get(CHANGELIST).content.decode()
    ProcedureEditorFactory(user=procedure_officer)
    with_division = client.get(CHANGELIST).content.decode()
    client.force_login(manager)  # reads only, by role: nothing to explain
    managers = client.get(CHANGELIST).content.decode()

    assert WITHOUT_DIVISION in without
    assert WITHOUT_DIVISION not in with_division
    assert WITHOUT_DIVISION not in managers


def test_the_list_shows_the_name_with_its_form_and_the_division_by_name(client, procedure_officer):
    procedure = ProcedureFactory(name="三重おもいやり駐車場利用証", form_name="再交付申請書")
    client.force_login(procedure_officer)

    response = client.get(CHANGELIST)

    columns = [name for name in response.context["cl"].list_display if name != "action_checkbox"]
    assert columns == [
        "code",
        "name_and_form",
        "division_name",
        "kind",
        "annual_applications",
        "is_priority",
        "plan_display",
        "status",
        "digitised_on",
    ]
    content = response.content.decode()
    assert (
        '三重おもいやり駐車場利用証<br><span class="procedure-form">再交付申請書</span>' in content
    )
    assert procedure.division.name in content
