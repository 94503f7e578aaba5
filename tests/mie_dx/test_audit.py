"""The one audit log: services write it, the admin shows each object's entries with the staff
member's full name, imports log every row they change, and nobody can edit it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations import services as consultation_services
from consultations.models import Status
from mie_dx.audit import entries_for
from mie_dx.models import AuditLog, Division
from seminars import services as seminar_services
from tests.consultations.factories import ConsultationFactory
from tests.mie_dx.test_importexport import ROWS, csv_bytes
from tests.seminars.factories import SeminarFactory

pytestmark = pytest.mark.django_db


def test_a_status_change_is_logged_with_who_did_it_and_without_the_note(center_staff):
    consultation = ConsultationFactory()

    consultation_services.change_status(
        consultation=consultation, to_status=Status.TRIAGE, by=center_staff, note="見本さんに電話"
    )

    [entry] = entries_for(consultation).filter(action="consultation.status_changed")
    assert entry.user == center_staff
    assert entry.data == {"from": "received", "to": "triage", "note": True}


def test_publishing_and_cancelling_a_seminar_record_the_staff_member(client, center_staff):
    center_staff.first_name, center_staff.last_name = "花子", "県庁"
    center_staff.save()
    seminar = SeminarFactory(status="draft")

    seminar_services.publish_seminar(seminar=seminar, by=center_staff)
    seminar_services.cancel_seminar(seminar=seminar, reason="荒天のため", by=center_staff)

    assert list(entries_for(seminar).values_list("action", "user")) == [
        ("seminar.published", center_staff.pk),
        ("seminar.cancelled", center_staff.pk),
    ]
    client.force_login(center_staff)
    page = client.get(reverse("admin:seminars_seminar_change", args=[seminar.pk]))
    body = page.content.decode()
    assert "操作記録" in body
    assert "公開" in body and "中止" in body
    assert center_staff.get_full_name() in body


def test_what_the_requester_does_is_logged_without_a_user(center_staff):
    consultation = ConsultationFactory()

    consultation_services.withdraw(consultation=consultation, reason="解決しました")

    [entry] = entries_for(consultation).filter(action="consultation.status_changed")
    assert entry.user is None
    assert entry.data["to"] == "withdrawn"


def test_an_admin_import_logs_every_row_with_the_importing_user(client, superuser):
    client.force_login(superuser)
    upload = SimpleUploadedFile("divisions.csv", csv_bytes(ROWS))
    preview = client.post(
        reverse("admin:mie_dx_division_import"), {"import_file": upload, "format": "0"}
    )
    # The preview saved nothing, so it logged nothing either (rolled back with the rows).
    assert not AuditLog.objects.exists()

    client.post(
        reverse("admin:mie_dx_division_process_import"), preview.context["confirm_form"].initial
    )

    divisions = list(Division.objects.all())
    assert len(divisions) == len(ROWS)
    for division in divisions:
        assert list(entries_for(division).values_list("action", "user")) == [
            ("import.created", superuser.pk)
        ]


def test_the_training_and_procedures_offices_maintain_the_organisation(
    training_officer, procedure_officer, center_staff
):
    for officer in (training_officer, procedure_officer):
        assert officer.has_perms(["mie_dx.add_division", "mie_dx.change_division"])
    assert not center_staff.has_perm("mie_dx.change_division")


def test_nobody_edits_the_audit_log(client, superuser):
    consultation = ConsultationFactory()
    consultation_services.change_status(
        consultation=consultation, to_status=Status.TRIAGE, by=superuser
    )
    entry = AuditLog.objects.get(action="consultation.status_changed")
    client.force_login(superuser)

    listed = client.get(reverse("admin:mie_dx_auditlog_changelist"))
    change = client.post(reverse("admin:mie_dx_auditlog_change", args=[entry.pk]), {"action": "x"})
    delete = client.post(reverse("admin:mie_dx_auditlog_delete", args=[entry.pk]), {"post": "yes"})

    assert listed.status_code == 200 and "状態の変更" in listed.content.decode()
    assert change.status_code == 403
    assert delete.status_code == 403
    assert AuditLog.objects.get(pk=entry.pk).action == "consultation.status_changed"
