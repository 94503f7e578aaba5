"""Registrants' personal data: erased on request and after the retention period."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mie_dx.models import Notification
from seminars import retention, services
from seminars.models import Registration, RegistrationStatus, SeminarSurvey
from tests.seminars.factories import RegistrationFactory, SeminarFactory, register

pytestmark = pytest.mark.django_db


def test_erasing_keeps_the_figures_and_drops_the_person(django_capture_on_commit_callbacks):
    seminar = SeminarFactory()
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(
            seminar, email="me@example.jp", wants_consultation=True, consultation_topic="秘密の相談"
        )
    with pytest.raises(ValueError):
        retention.erase_personal_data(registration=registration)

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=registration)
    # One confirmation (with the consultation's reference) and one cancellation (which also
    # says the consultation was withdrawn): no separate consultation mail.
    assert Notification.objects.filter(to="me@example.jp", status="sent").count() == 2
    retention.erase_personal_data(registration=registration)

    registration.refresh_from_db()
    assert registration.name == "（削除済み）"
    assert registration.email.endswith("@invalid.invalid")
    assert registration.consultation_topic == "" and registration.phone == ""
    assert registration.status == RegistrationStatus.CANCELLED
    assert registration.attendance == "onsite"
    # Mails already sent about the registration are blanked too (the linked consultation's
    # own mails would be the consultations app's to erase; it sent the person none).
    assert not Notification.objects.filter(to="me@example.jp").exists()


def test_purge_erases_registrations_of_seminars_long_past(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    today = timezone.localdate()
    old = SeminarFactory(date=today - timedelta(days=400), registration_deadline=None)
    recent = SeminarFactory(date=today - timedelta(days=30), registration_deadline=None)
    gone = RegistrationFactory(seminar=old, email="old@example.jp")
    SeminarSurvey.objects.create(registration=gone, rating="useful", comment="名前入りの感想")
    kept = RegistrationFactory(seminar=recent, email="recent@example.jp")

    assert retention.purge_expired(dry_run=True) == [gone.pk]
    assert Registration.objects.get(pk=gone.pk).email == "old@example.jp"
    assert retention.purge_expired() == [gone.pk]

    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.personal_data_erased_at is not None
    assert gone.survey.rating == "useful" and gone.survey.comment == ""
    assert kept.email == "recent@example.jp"
    assert retention.purge_expired() == []


def test_staff_erase_on_request_from_the_admin(client, center_staff):
    seminar = SeminarFactory()
    active = register(seminar, email="active@example.jp")
    done = register(seminar, email="done@example.jp")
    services.cancel_registration(registration=done)
    client.force_login(center_staff)
    response = client.post(
        reverse("admin:seminars_registration_changelist"),
        {"action": "erase_personal_data", "_selected_action": [active.pk, done.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "1件の申込みの個人情報を削除しました" in body
    assert "申込み中のため削除できません" in body
    active.refresh_from_db()
    done.refresh_from_db()
    assert active.email == "active@example.jp"
    assert done.name == "（削除済み）"
