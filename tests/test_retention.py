"""Requesters' personal data is erased after the retention period, keeping the statistics."""

import os
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import AdviceSession, Assignment, Consultation, Status
from consultations.retention import ERASED, erase_personal_data
from mie_dx.models import Notification
from mie_dx.surveys import answer_survey
from tests.consultations.factories import (
    AssignmentFactory,
    ConsultationFactory,
    requester_details,
)

pytestmark = pytest.mark.django_db


def _closed(**kwargs) -> Consultation:
    consultation = ConsultationFactory(**kwargs)
    Consultation.objects.filter(pk=consultation.pk).update(status=Status.CLOSED)
    consultation.refresh_from_db()
    return consultation


def test_purge_erases_personal_data_after_the_retention_period(settings, mailoutbox):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    old = _closed(name="見本 花子", email="hanako@example.jp", phone="059-000-0000")
    recent = _closed(name="見本 次郎")
    still_open = ConsultationFactory(name="見本 三郎")
    long_ago = timezone.now() - timedelta(days=31)
    Consultation.objects.filter(pk__in=[old.pk, still_open.pk]).update(status_changed_at=long_ago)

    out = StringIO()
    call_command("purge_personal_data", stdout=out)

    old.refresh_from_db()
    assert (old.name, old.phone, old.description) == (ERASED, "", ERASED)
    # The one rule for every app (mie_dx.erasure): a unique address that is never delivered.
    assert old.email == f"erased-{old.pk}@invalid.invalid"
    assert old.personal_data_erased_at is not None
    assert old.category and old.requester_type and old.municipality  # statistics stay
    assert old.reference in out.getvalue()
    recent.refresh_from_db()
    still_open.refresh_from_db()
    assert recent.name == "見本 次郎"
    assert still_open.name == "見本 三郎"


def test_dry_run_changes_nothing(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 1
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        consultation = _closed(name="見本 花子")
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    consultation.refresh_from_db()
    assert consultation.name == "見本 花子"
    assert "would erase" in out.getvalue()
    assert consultation.reference in out.getvalue()


def test_erasing_removes_the_attachment_and_sent_e_mails(django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        consultation = services.submit_consultation(
            details=requester_details(email="hanako@example.jp"), attachment=upload
        )
    path = consultation.attachment.path
    sent = Notification.objects.filter(to="hanako@example.jp")
    assert sent.exists()
    Consultation.objects.filter(pk=consultation.pk).update(status=Status.WITHDRAWN)

    erase_personal_data(consultation=consultation)

    consultation.refresh_from_db()
    assert not consultation.attachment
    assert not os.path.exists(path)
    assert not Notification.objects.filter(to="hanako@example.jp").exists()
    assert not Notification.objects.filter(body_text__contains="見本").exists()


def test_an_open_consultation_is_never_erased():
    consultation = ConsultationFactory()
    with pytest.raises(ValueError):
        erase_personal_data(consultation=consultation)


def test_staff_erase_personal_data_on_request_from_the_admin(client, center_staff):
    ended = _closed(name="見本 花子")
    still_open = ConsultationFactory(name="見本 三郎")
    client.force_login(center_staff)
    response = client.post(
        "/admin/consultations/consultation/",
        {"action": "erase_personal_data", "_selected_action": [ended.pk, still_open.pk]},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "1件の相談の個人情報を削除しました" in body
    assert still_open.reference in body
    ended.refresh_from_db()
    still_open.refresh_from_db()
    assert ended.name == ERASED
    assert still_open.name == "見本 三郎"


def test_managers_cannot_erase(client, manager, center_staff):
    ended = _closed(name="見本 花子")
    client.force_login(manager)

    response = client.post(
        "/admin/consultations/consultation/",
        {"action": "erase_personal_data", "_selected_action": [ended.pk]},
    )

    # The action is not theirs: the admin does not offer it, and runs nothing.
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="erase_personal_data"' not in body
    ended.refresh_from_db()
    assert ended.name == "見本 花子"
    # The same request from center staff erases: the refusal above was the permission's.
    client.force_login(center_staff)
    client.post(
        "/admin/consultations/consultation/",
        {"action": "erase_personal_data", "_selected_action": [ended.pk]},
    )
    ended.refresh_from_db()
    assert ended.name != "見本 花子"


def test_erasing_removes_everything_written_about_the_person_and_keeps_the_statistics(
    client, center_staff
):
    assignment = AssignmentFactory(
        consultation=ConsultationFactory(
            status=Status.ADVISING, title="見本花子の店舗の売上管理", municipality="tsu"
        ),
        state=Assignment.State.ACCEPTED,
    )
    consultation = assignment.consultation
    client.force_login(center_staff)
    # Staff edit the title (the admin's history names the object by it) and add a note.
    form = {
        name: getattr(consultation, name)
        for name in (
            "requester_type",
            "organization",
            "name",
            "name_kana",
            "email",
            "phone",
            "municipality",
            "category",
            "description",
        )
    }
    change = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    assert client.post(change, {**form, "title": "見本花子さんの売上管理"}).status_code == 302
    client.post(
        reverse("admin:consultations_note", args=[consultation.pk]),
        {"body": "見本さんは火曜午後なら電話可"},
    )
    services.record_advice(
        assignment=assignment,
        held_on=timezone.localdate(),
        summary="見本商店のPOSデータを確認した",
        by_supporter=True,
    )
    services.change_status(consultation=consultation, to_status=Status.CLOSED, by=center_staff)
    answer_survey(survey=consultation.survey, rating="useful", comment="見本より")

    response = client.post(
        "/admin/consultations/consultation/",
        {"action": "erase_personal_data", "_selected_action": [consultation.pk]},
    )

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.title, consultation.description) == (ERASED, ERASED)
    assert list(consultation.internal_notes.values_list("body", flat=True)) == [ERASED]
    session = AdviceSession.objects.get(assignment=assignment)
    assert session.summary == ERASED
    consultation.survey.refresh_from_db()
    assert consultation.survey.comment == ""
    history = LogEntry.objects.filter(object_id=str(consultation.pk))
    assert history.exists()
    assert not any("見本" in entry.object_repr for entry in history)
    # What the statistics need stays.
    assert (consultation.category, consultation.municipality) == ("problem", "tsu")
    assert consultation.survey.rating == "useful"
    assert session.held_on == timezone.localdate()
    assert consultation.assignments.get().state == Assignment.State.DONE
    assert list(consultation.status_changes.values_list("to_status", flat=True)) == [
        "received",
        "closed",
    ]
