"""The admin: each division's officer changes their divisions' procedures, the procedures
office (change_all_procedures) every one, managers only read; every change is logged."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from mie_dx.models import AuditLog
from procedures import services
from procedures.models import Procedure
from tests.procedures.factories import ProcedureEditorFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def change_url(procedure: Procedure) -> str:
    return reverse("admin:procedures_procedure_change", args=[procedure.pk])


def form_data(procedure: Procedure, **changes) -> dict:
    data = {
        "code": procedure.code,
        "name": procedure.name,
        "form_name": procedure.form_name,
        "division": procedure.division_id,
        "kind": procedure.kind,
        "annual_applications": procedure.annual_applications,
        "applications_fiscal_year": "",
        "is_priority": "on" if procedure.is_priority else "",
        "plan": procedure.plan,
        "planned_fiscal_year": procedure.planned_fiscal_year or "",
        "adjustment_reason": "",
        "status": procedure.status,
        "digitised_on": "",
        "online_url": "",
        "online_applications": "",
        "notes": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


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
    entry = AuditLog.objects.get(action="procedure.updated")
    assert entry.user == procedure_officer
    assert entry.data == {"fields": ["annual_applications", "digitised_on", "status"]}
    page = client.get(change_url(own)).content.decode()
    assert "操作記録" in page and "手続の更新" in page


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

    services.mark_digitised(procedure=own, on=date(2022, 8, 1), by=procedure_officer)
    with pytest.raises(PermissionDenied):
        services.mark_digitised(procedure=other, on=date(2022, 8, 1), by=procedure_officer)

    own.refresh_from_db()
    assert own.status == "digitised"
    entry = AuditLog.objects.get(action="procedure.digitised")
    assert entry.data == {"from": "not_started", "to": "digitised", "digitised_on": "2022-08-01"}
    assert Procedure.objects.get(pk=other.pk).status == "not_started"


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


def test_the_editor_admin_links_staff_to_divisions(client, superuser, procedure_officer):
    editor = ProcedureEditorFactory(user=procedure_officer)
    client.force_login(superuser)

    assert client.get(reverse("admin:procedures_procedureeditor_changelist")).status_code == 200
    assert client.get(reverse("admin:procedures_procedureeditor_add")).status_code == 200
    page = client.get(reverse("admin:procedures_procedureeditor_change", args=[editor.pk]))
    assert page.status_code == 200
