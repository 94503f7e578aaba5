"""The outbox service: what queue_notification() stores, renders and queues."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from mie_dx.models import Notification
from mie_dx.notifications import Attachment, queue_notification

ALERT = {"title": "確認が必要な相談があります", "lines": ["DX-2026-0001"]}


class BusinessError(Exception):
    """Stands for any error that makes the business transaction roll back."""


def test_nothing_is_queued_when_the_transaction_rolls_back(
    db, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(BusinessError),
        transaction.atomic(),
    ):
        queue_notification(to="a@example.jp", template="staff_alert", context=ALERT)
        raise BusinessError

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_a_committed_notification_is_sent_exactly_once(
    db, mail_server, mailoutbox, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notification = queue_notification(to="a@example.jp", template="staff_alert", context=ALERT)

    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["a@example.jp"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "【みえDXセンター】確認が必要な相談があります"
    assert "DX-2026-0001" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert notification.queued_at is not None


def test_calling_outside_a_transaction_is_refused(transactional_db, mail_server, mailoutbox):
    with pytest.raises(RuntimeError, match="inside the business transaction"):
        queue_notification(to="a@example.jp", template="staff_alert", context=ALERT)

    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_an_invalid_address_is_refused(queue_alert, mailoutbox):
    with pytest.raises(ValidationError):
        queue_alert(to="not-an-address")

    assert not Notification.objects.exists()


def test_a_dedupe_key_returns_the_existing_row(queue_alert, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(days=7)
    first = queue_alert(due_at=later, dedupe_key="survey-reminder:1")

    with django_capture_on_commit_callbacks() as callbacks:
        second = queue_alert(due_at=later, dedupe_key="survey-reminder:1")
    other = queue_alert(due_at=later, dedupe_key="survey-reminder:2")

    assert second.pk == first.pk
    assert other.pk != first.pk
    assert callbacks == []
    assert Notification.objects.count() == 2


def test_a_future_notification_is_stored_but_not_queued(
    queue_alert, django_capture_on_commit_callbacks, mailoutbox
):
    due_at = timezone.now() + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = queue_alert(due_at=due_at)

    assert callbacks == []
    assert mailoutbox == []
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.due_at == due_at
    assert notification.queued_at is None


def test_html_in_the_context_is_escaped_in_html_and_left_plain_in_text(queue_alert):
    title = '<script>alert("x")</script> & 株式会社'
    notification = queue_alert(context={"title": title, "lines": ["<b>太字</b>"]})

    assert "<script>" not in notification.body_html
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 株式会社" in notification.body_html
    )
    assert "&lt;b&gt;太字&lt;/b&gt;" in notification.body_html
    # Plain text is not HTML: no entities, the characters as typed.
    assert title in notification.body_text
    assert "<b>太字</b>" in notification.body_text
    assert "&amp;" not in notification.body_text
    assert notification.subject == f"【みえDXセンター】{title}"


def test_the_subject_is_one_line(queue_alert):
    notification = queue_alert(context={"title": "一行目\r\nBcc: x@example.jp", "lines": []})

    assert notification.subject == "【みえDXセンター】一行目 Bcc: x@example.jp"


def test_every_message_carries_the_center_contact_footer(queue_alert, settings):
    notification = queue_alert(context={**ALERT, "link_path": "/admin/"})

    for body in (notification.body_text, notification.body_html):
        assert "みえDXセンター事務局（三重県デジタル社会推進局デジタル戦略企画課内）" in body
        assert "059-224-3086" in body
        assert "dxcenter@pref.mie.lg.jp" in body
    assert f"{settings.SITE_URL}/admin/" in notification.body_text
    assert f'href="{settings.SITE_URL}/admin/"' in notification.body_html
    assert "\n\n\n" not in notification.body_text


def test_the_attachment_arrives(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        queue_alert(attachment=Attachment("seminar.ics", ics, "text/calendar"))

    assert len(mailoutbox) == 1
    [(filename, content, mimetype)] = mailoutbox[0].attachments
    assert filename == "seminar.ics"
    assert mimetype == "text/calendar"
    assert content == ics.decode()


def test_the_recipient_language_is_used_for_rendering(queue_alert):
    english = queue_alert(language="en")
    # Not the language of whoever triggered it (e.g. staff using the admin in English).
    with translation.override("en"):
        default = queue_alert()

    assert english.language == "en"
    assert '<html lang="en">' in english.body_html
    assert default.language == "ja"
    assert '<html lang="ja">' in default.body_html


def test_the_related_object_is_recorded(queue_alert, superuser):
    notification = queue_alert(related=superuser)

    notification = Notification.objects.get(pk=notification.pk)
    assert notification.related == superuser
