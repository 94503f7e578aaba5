"""The registration's one e-mail: rendered before the seminar's lock, stored with the row
(issue 12), and giving the reference of an individual consultation asked for, which a
cancellation withdraws or flags for staff (issue 11)."""

import pytest
from django.conf import settings
from django.db import transaction

from consultations import services as consultation_services
from consultations.models import Category, Source, Status
from mie_dx.models import Notification
from seminars import notifications, services
from seminars.models import RegistrationStatus
from tests.seminars.factories import RegistrationFactory, SeminarFactory, details, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks, mailoutbox):
    def run(action, *args, **kwargs):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        return result, mailoutbox[before:]

    return run


# --- Rendered before the lock ----------------------------------------------------------------


def test_the_message_follows_the_seat_decided_under_the_lock_not_the_guess(send, monkeypatch):
    seminar = SeminarFactory(onsite_capacity=1)
    original = notifications.first_message
    rendered = []

    def last_seat_taken_meanwhile(registration):
        # While this person's confirmation is being written, someone else takes the last seat.
        rendered.append(registration.status)
        if len(rendered) == 1:
            RegistrationFactory(
                seminar=seminar, email="quick@example.jp", status=RegistrationStatus.CONFIRMED
            )
        return original(registration)

    monkeypatch.setattr(notifications, "first_message", last_seat_taken_meanwhile)
    registration, [message] = send(register, seminar, email="late@example.jp")

    assert registration.status == RegistrationStatus.WAITLISTED
    # Written for a seat before the lock, written again for the waiting list under it.
    assert rendered == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    assert "キャンセル待ち" in message.subject
    assert not message.attachments
    [row] = Notification.objects.filter(to="late@example.jp")
    assert row.template == "seminar_registration_waitlisted"
    assert settings.SITE_URL + registration.get_manage_url() in message.body


def test_the_confirmation_written_before_the_lock_has_the_right_link_and_ics(send):
    seminar = SeminarFactory(onsite_capacity=5)
    registration, [message] = send(register, seminar, email="first@example.jp")

    assert registration.status == RegistrationStatus.CONFIRMED
    assert settings.SITE_URL + registration.get_manage_url() in message.body
    assert [a[0] for a in message.attachments] == ["seminar.ics"]


def test_a_registration_rolled_back_leaves_no_e_mail(send):
    seminar = SeminarFactory()

    def register_then_fail():
        with transaction.atomic():
            register(seminar, email="gone@example.jp")
            raise RuntimeError("the caller's transaction fails after the registration")

    with pytest.raises(RuntimeError):
        send(register_then_fail)

    assert not Notification.objects.filter(to="gone@example.jp").exists()
    assert not seminar.registrations.exists()


# --- The individual consultation asked for with it ----------------------------------------------


def _with_consultation(seminar, **overrides):
    return register(
        seminar,
        wants_consultation=True,
        consultation_topic="受発注のデジタル化を相談したい",
        **overrides,
    )


def test_one_message_gives_the_consultations_reference_and_status_link(send, client):
    seminar = SeminarFactory()
    registration, sent = send(_with_consultation, seminar, email="ask@example.jp")

    consultation = registration.consultation
    [message] = [m for m in sent if m.to == ["ask@example.jp"]]
    assert "参加が確定しました" in message.subject
    assert consultation.reference in message.body
    status_path = f"/consultations/status/{consultation.private_token}/"
    assert settings.SITE_URL + status_path in message.body
    assert status_path in message.alternatives[0][0]
    assert client.get(status_path).status_code == 200
    # No separate acknowledgement for this source; the center is alerted as for every case.
    assert not Notification.objects.filter(template="consultation_received").exists()
    assert Notification.objects.filter(
        template="consultation_new_staff_alert", to=settings.CENTER_INBOX_EMAIL
    ).exists()


def test_a_waitlisted_registrant_is_told_the_reference_too(send):
    seminar = SeminarFactory(onsite_capacity=0)
    registration, sent = send(_with_consultation, seminar, email="wait@example.jp")

    [message] = [m for m in sent if m.to == ["wait@example.jp"]]

    assert registration.status == RegistrationStatus.WAITLISTED
    assert registration.consultation.reference in message.body


def test_the_case_carries_the_registrants_details_and_a_fitting_category():
    seminar = SeminarFactory()
    registration = _with_consultation(
        seminar, requester_type="business", organization="株式会社サンプル商事"
    )
    consultation = registration.consultation

    assert consultation.source == Source.SEMINAR
    assert consultation.category == Category.PROBLEM
    assert consultation.requester_type == "business"
    assert consultation.organization == "株式会社サンプル商事"
    assert consultation.description == "受発注のデジタル化を相談したい"
    assert consultation.municipality == ""  # the seminar form does not ask it


def test_cancelling_withdraws_a_consultation_nobody_worked_on_yet(send):
    seminar = SeminarFactory()
    registration = _with_consultation(seminar, email="change@example.jp")

    _, sent = send(services.cancel_registration, registration=registration)

    consultation = registration.consultation
    consultation.refresh_from_db()
    assert consultation.status == Status.WITHDRAWN
    # One message: the cancellation, which says the consultation went with it.
    [message] = sent
    assert "取り消しました" in message.subject
    assert consultation.reference in message.body and "取り下げました" in message.body


def test_cancelling_leaves_a_consultation_in_progress_open_with_a_note_for_staff(
    send, center_staff
):
    seminar = SeminarFactory()
    registration = _with_consultation(seminar, email="busy@example.jp")
    consultation = consultation_services.change_status(
        consultation=registration.consultation, to_status=Status.TRIAGE, by=center_staff
    )

    _, sent = send(services.cancel_registration, registration=registration)

    consultation.refresh_from_db()
    assert consultation.status == Status.TRIAGE
    [note] = consultation.internal_notes.all()
    assert "取り消されました" in note.body
    [message] = [m for m in sent if m.to == ["busy@example.jp"]]
    assert consultation.reference in message.body and "センターからご連絡します" in message.body


def test_an_address_registered_meanwhile_gets_its_link_again_not_a_second_seat(send, monkeypatch):
    seminar = SeminarFactory(onsite_capacity=5)
    original = notifications.first_message

    def same_address_registered_meanwhile(registration):
        # After the look-up before the lock, the same address registers from another tab.
        RegistrationFactory(seminar=seminar, email="Twice@example.jp")
        return original(registration)

    monkeypatch.setattr(notifications, "first_message", same_address_registered_meanwhile)
    result, [message] = send(
        services.register,
        seminar=seminar,
        details=details(email="twice@example.jp"),
        attendance="onsite",
    )

    assert not result.created
    assert result.registration.email == "Twice@example.jp"
    assert seminar.registrations.count() == 1
    assert settings.SITE_URL + result.registration.get_manage_url() in message.body
