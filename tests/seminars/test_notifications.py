"""What each registrant is told, and only what applies to them."""

import pytest
from django.core import mail

from mie_dx.models import Notification
from seminars import services
from seminars.models import Attendance, Format, RegistrationStatus
from tests.seminars.factories import RegistrationFactory, SeminarFactory, register

pytestmark = pytest.mark.django_db

SECRET_URL = "https://zoom.example.jp/j/secret-meeting-123"


@pytest.fixture
def send(django_capture_on_commit_callbacks, mailoutbox):
    """Run a service and return the e-mails it sent (after its transaction committed)."""

    def run(action, *args, **kwargs) -> list[mail.EmailMultiAlternatives]:
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        return mailoutbox[before:]

    return run


def _ics(message) -> str:
    [(filename, content, mimetype)] = message.attachments
    assert filename == "seminar.ics"
    assert mimetype == "text/calendar"
    return content.decode() if isinstance(content, bytes) else content


def _html(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def test_onsite_confirmation_has_the_venue_and_an_ics_but_no_meeting_link(send):
    seminar = SeminarFactory(title="会場のテスト")
    [message] = send(register, seminar, email="onsite@example.jp")

    assert message.to == ["onsite@example.jp"]
    assert "参加が確定しました" in message.subject
    assert seminar.venue_name in message.body
    assert SECRET_URL not in message.body
    assert SECRET_URL not in _html(message)
    calendar = _ics(message)
    assert "BEGIN:VEVENT" in calendar and "DTSTART:" in calendar
    assert SECRET_URL not in calendar
    assert "/seminars/manage/" in message.body


def test_online_confirmation_has_the_meeting_link_in_mail_and_ics(send):
    seminar = SeminarFactory()
    [message] = send(register, seminar, attendance=Attendance.ONLINE, email="online@example.jp")

    assert SECRET_URL in message.body
    assert "secret-pass" in message.body
    assert SECRET_URL in _ics(message).replace("\r\n ", "")
    assert seminar.venue_address not in message.body


def test_waitlisted_people_get_a_notice_without_ics_or_link(send):
    seminar = SeminarFactory(onsite_capacity=0)
    [message] = send(register, seminar, email="wait@example.jp")

    assert "キャンセル待ち" in message.subject
    assert message.attachments == []
    assert SECRET_URL not in message.body
    # They are told they may switch to online.
    assert "オンライン" in message.body


def test_a_waitlisted_online_person_never_gets_the_link():
    seminar = SeminarFactory(online_capacity=0)
    register(seminar, attendance=Attendance.ONLINE, email="wait-online@example.jp")
    body = Notification.objects.get(to="wait-online@example.jp").body_text
    assert SECRET_URL not in body


def test_promotion_is_announced_with_an_ics(send):
    seminar = SeminarFactory(onsite_capacity=1)
    holder = register(seminar, email="holder@example.jp")
    register(seminar, email="next@example.jp")

    messages = send(services.cancel_registration, registration=holder)

    by_address = {m.to[0]: m for m in messages}
    assert set(by_address) == {"holder@example.jp", "next@example.jp"}
    assert "取り消しました" in by_address["holder@example.jp"].subject
    promoted = by_address["next@example.jp"]
    assert "繰り上が" in promoted.body or "参加が確定" in promoted.subject
    assert _ics(promoted)


def test_a_second_attempt_resends_the_management_link_once_per_interval(send):
    seminar = SeminarFactory()
    first = register(seminar, email="again@example.jp")

    messages = send(register, seminar, email="AGAIN@example.jp")
    repeated = send(register, seminar, email="again@example.jp")

    assert len(messages) == 1
    assert first.get_manage_url() in messages[0].body
    # The form cannot be used to flood someone's inbox: one link per ten minutes.
    assert repeated == []


def test_cancelling_the_seminar_tells_everyone_registered_and_nobody_else(send):
    seminar = SeminarFactory(onsite_capacity=1)
    confirmed = register(seminar, email="c@example.jp")
    waiting = register(seminar, email="w@example.jp")
    online = register(seminar, attendance=Attendance.ONLINE, email="o@example.jp")
    gone = register(seminar, attendance=Attendance.ONLINE, email="gone@example.jp")
    services.cancel_registration(registration=gone)

    messages = send(services.cancel_seminar, seminar=seminar, reason="講師の急病のため")

    assert sorted(m.to[0] for m in messages) == sorted(
        [confirmed.email, waiting.email, online.email]
    )
    assert all("中止" in m.subject for m in messages)
    assert all("講師の急病のため" in m.body for m in messages)
    # Running it again (a double click) sends nothing more.
    with pytest.raises(services.SeminarError):
        send(services.cancel_seminar, seminar=seminar)


def test_the_consultation_slot_is_told_once(send):
    seminar = SeminarFactory(consultation_slot_minutes=30)
    registration = register(
        seminar, email="slot@example.jp", wants_consultation=True, consultation_topic="補助金の相談"
    )

    first = send(services.assign_consultation_slots, seminar=seminar)
    again = send(services.assign_consultation_slots, seminar=seminar)

    [message] = [m for m in first if m.to == [registration.email]]
    assert "15:30〜16:00" in message.body
    assert "補助金の相談" in message.body
    assert again == []


def test_html_mails_escape_what_people_typed():
    seminar = SeminarFactory(format=Format.ONSITE)
    register(seminar, name="<script>alert(1)</script>", email="xss@example.jp")
    notification = Notification.objects.get(to="xss@example.jp")
    assert "<script>alert(1)</script>" not in notification.body_html
    assert "&lt;script&gt;" in notification.body_html
    # Plain text is not HTML-escaped.
    assert "<script>alert(1)</script> 様" in notification.body_text


def test_english_registrants_get_english_templates_rendered_in_their_language():
    seminar = SeminarFactory()
    register(seminar, email="en@example.jp", language="en")
    notification = Notification.objects.get(to="en@example.jp")
    assert notification.language == "en"


def test_every_status_change_mail_is_recorded_against_the_registration():
    seminar = SeminarFactory()
    registration = RegistrationFactory(seminar=seminar, status=RegistrationStatus.CONFIRMED)
    services.cancel_registration(registration=registration)
    notification = Notification.objects.get(to=registration.email)
    assert notification.related == registration
