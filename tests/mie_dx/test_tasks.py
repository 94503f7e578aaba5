"""Delivery: send_notification (claim, send, retry, fail) and the beat sweep."""

import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from mie_dx import delivery, tasks
from mie_dx.delivery import STALE_SENDING_ERROR, send_notification, sweep_notifications
from mie_dx.models import Notification
from mie_dx.notifications import resend

Status = Notification.Status


def disconnected() -> smtplib.SMTPServerDisconnected:
    return smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_running_the_task_twice_sends_one_email(queue_alert, mail_server, mailoutbox):
    notification = queue_alert()

    first = send_notification.delay(notification.pk)
    second = send_notification.delay(notification.pk)

    assert (first.get(), second.get()) == ("sent", "skipped")
    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.attempts == 1


def test_a_failing_mail_server_leads_to_retries_then_failed_with_nothing_lost(
    queue_alert, mail_server, mailoutbox, settings, django_capture_on_commit_callbacks
):
    mail_server.always = disconnected()
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()

    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.attempts == settings.NOTIFICATION_MAX_RETRIES + 1
    assert mail_server.calls == settings.NOTIFICATION_MAX_RETRIES + 1
    assert "SMTPServerDisconnected" in notification.last_error
    assert mailoutbox == []
    # Nothing lost: the message is still there, and goes out once the server is back.
    mail_server.always = None
    with django_capture_on_commit_callbacks(execute=True):
        assert resend(notification_ids=[notification.pk]) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == notification.subject


def test_failing_twice_then_succeeding_ends_sent_with_one_email(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    mail_server.errors = [disconnected(), ConnectionRefusedError(111, "Connection refused")]
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()

    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.attempts == 3
    assert "ConnectionRefusedError" in notification.last_error
    assert len(mailoutbox) == 1


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_retries_back_off_exponentially(
    queue_alert, mail_server, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETRY_BACKOFF_SECONDS = 15
    mail_server.errors = [disconnected(), disconnected()]
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()

    notification.refresh_from_db()
    assert notification.status == Status.SENT
    # The second retry waited 15 × 2 s; queued_at records when it became due on the broker,
    # so the sweep does not publish a duplicate meanwhile.
    assert notification.queued_at == timezone.now() + timedelta(seconds=30)


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_the_back_off_is_capped_so_a_healthy_server_is_tried_within_a_minute(
    queue_alert, mail_server, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETRY_BACKOFF_SECONDS = 15
    settings.NOTIFICATION_RETRY_BACKOFF_MAX_SECONDS = 60
    mail_server.errors = [disconnected()] * 4  # waits 15, 30, 60, 60 (not 120)
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()

    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.queued_at == timezone.now() + timedelta(seconds=60)


def test_every_attempt_and_a_resend_carry_the_same_message_id(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    # The connection drops after the server may have taken the message: the retry must be
    # recognisable as the same mail.
    mail_server.errors = [disconnected()]
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()
    notification.refresh_from_db()
    assert notification.message_id.startswith("<") and notification.message_id.endswith(">")
    [first] = mailoutbox

    Notification.objects.filter(pk=notification.pk).update(status=Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        resend(notification_ids=[notification.pk])

    assert [m.message()["Message-ID"] for m in mailoutbox] == [notification.message_id] * 2
    assert first.message()["Message-ID"] == notification.message_id


def test_a_permanent_error_fails_without_retrying(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    mail_server.always = smtplib.SMTPRecipientsRefused(
        {"staff@example.jp": (550, b"5.1.1 User unknown")}
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()

    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.attempts == 1
    assert mail_server.calls == 1
    assert "User unknown" in notification.last_error
    assert mailoutbox == []


def test_a_temporary_refusal_is_retried(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    mail_server.errors = [
        smtplib.SMTPRecipientsRefused({"staff@example.jp": (450, b"4.2.0 Greylisted")})
    ]
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()

    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert notification.attempts == 2
    assert len(mailoutbox) == 1


def test_the_task_does_not_send_before_the_due_time(queue_alert, mail_server, mailoutbox):
    notification = queue_alert(due_at=timezone.now() + timedelta(hours=1))

    assert send_notification.delay(notification.pk).get() == "skipped"

    notification.refresh_from_db()
    assert notification.status == Status.PENDING
    assert notification.attempts == 0
    assert mailoutbox == []


def test_the_sweep_sends_a_row_whose_task_was_never_published(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks, settings
):
    # Created and committed, but the process died before its on_commit callback ran.
    notification = queue_alert()

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_notifications() == {"queued": 0, "ambiguous": 0, "retried": 0}
    assert mailoutbox == []  # published a moment ago: give that task its chance first

    later = timezone.now() + settings.NOTIFICATION_REQUEUE_AFTER + timedelta(minutes=1)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_notifications() == {"queued": 1, "ambiguous": 0, "retried": 0}

    assert len(mailoutbox) == 1
    notification.refresh_from_db()
    assert notification.status == Status.SENT


def test_the_sweep_sends_a_scheduled_row_only_once_it_is_due(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    due_at = timezone.now() + timedelta(days=7)
    notification = queue_alert(due_at=due_at)

    with (
        time_machine.travel(due_at - timedelta(minutes=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_notifications()["queued"] == 0
    assert mailoutbox == []

    with time_machine.travel(due_at + timedelta(seconds=30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert sweep_notifications()["queued"] == 1
        notification.refresh_from_db()
        assert notification.status == Status.SENT
        assert notification.sent_at == timezone.now()
    assert len(mailoutbox) == 1


def test_the_sweep_marks_rows_stuck_in_sending_as_ambiguous_instead_of_resending(
    queue_reminder, mail_server, mailoutbox, django_capture_on_commit_callbacks, settings
):
    stuck = queue_reminder()
    recent = queue_reminder(dedupe_key="another")
    now = timezone.now()
    # What a worker killed mid-send leaves behind.
    Notification.objects.filter(pk=stuck.pk).update(
        status=Status.SENDING,
        attempts=1,
        claimed_at=now - settings.NOTIFICATION_SENDING_STALE_AFTER - timedelta(minutes=1),
    )
    Notification.objects.filter(pk=recent.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=now - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_notifications() == {"queued": 0, "ambiguous": 1, "retried": 0}

    stuck.refresh_from_db()
    recent.refresh_from_db()
    # A reminder is neither an acknowledgement nor an internal alert: it waits for staff,
    # marked "may have been sent".
    assert stuck.status == Status.AMBIGUOUS
    assert stuck.last_error == STALE_SENDING_ERROR
    assert stuck.ambiguous_at >= now
    assert recent.status == Status.SENDING
    assert mailoutbox == []


def test_the_sweep_works_in_bounded_batches(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(delivery, "SWEEP_BATCH_SIZE", 2)
    for _ in range(3):
        queue_alert(due_at=timezone.now() - timedelta(seconds=1))
    Notification.objects.update(queued_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_notifications()["queued"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_notifications()["queued"] == 1

    assert len(mailoutbox) == 3
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.parametrize("error", [ValueError("Invalid address"), smtplib.SMTPDataError(554, b"")])
def test_other_permanent_errors_fail_at_once(
    queue_alert, mail_server, django_capture_on_commit_callbacks, error
):
    mail_server.always = error
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()

    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.attempts == 1


def test_a_backend_that_sends_nothing_is_not_recorded_as_sent(
    queue_alert, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    mail_server.accept = False
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()

    notification.refresh_from_db()
    assert notification.status == Status.FAILED
    assert notification.last_error == delivery.NOT_ACCEPTED_ERROR
    assert mailoutbox == []


# --- Staff hear about failures ---------------------------------------------------------------


def test_a_daily_digest_tells_the_center_which_mails_failed_once_a_day(
    queue_alert, mail_server, mailoutbox, settings, django_capture_on_commit_callbacks
):
    mail_server.always = smtplib.SMTPRecipientsRefused(
        {"staff@example.jp": (550, b"5.1.1 User unknown")}
    )
    with django_capture_on_commit_callbacks(execute=True):
        failed = queue_alert()
    mail_server.always = None

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.digest_failed_notifications() == 1
    with django_capture_on_commit_callbacks(execute=True):
        tasks.digest_failed_notifications()  # the same day: no second digest

    [digest] = mailoutbox
    assert digest.to == [settings.CENTER_INBOX_EMAIL]
    assert "送信できていないメールが1件あります" in digest.subject
    assert "うち" not in digest.subject
    assert f"#{failed.pk}" in digest.body
    assert "[送信失敗]" in digest.body
    assert "User unknown" in digest.body
    assert "/admin/mie_dx/notification/?status__in=failed,ambiguous" in digest.body


def test_the_digest_counts_every_waiting_mail_and_says_how_many_it_lists(
    queue_alert, mailoutbox, django_capture_on_commit_callbacks
):
    # 121 wait for staff; the digest lists the newest 50 and says so.
    with django_capture_on_commit_callbacks(execute=False):
        waiting = [queue_alert(dedupe_key=f"alert-{n}") for n in range(121)]
    Notification.objects.filter(pk__in=[n.pk for n in waiting[:100]]).update(
        status=Status.FAILED, last_error="550 5.1.1 User unknown"
    )
    Notification.objects.filter(pk__in=[n.pk for n in waiting[100:]]).update(
        status=Status.AMBIGUOUS
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.digest_failed_notifications() == 121

    [digest] = mailoutbox
    assert "送信できていないメールが121件あります（うち50件を表示）" in digest.subject
    assert digest.body.count("[送信失敗]") + digest.body.count("[送信済みの可能性あり]") == 50
    assert f"#{waiting[-1].pk} " in digest.body  # the newest first
    assert f"#{waiting[0].pk} " not in digest.body


def test_no_digest_when_nothing_failed(mailoutbox, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.digest_failed_notifications() == 0
    assert mailoutbox == []


def test_the_failed_list_shows_the_reason(
    client, superuser, queue_alert, mail_server, django_capture_on_commit_callbacks
):
    mail_server.always = smtplib.SMTPRecipientsRefused(
        {"staff@example.jp": (550, b"5.1.1 User unknown")}
    )
    with django_capture_on_commit_callbacks(execute=True):
        queue_alert()
    client.force_login(superuser)

    page = client.get("/admin/mie_dx/notification/?status__exact=failed").content.decode()

    assert "User unknown" in page


def test_rows_queued_before_message_ids_get_one_from_the_migration(queue_alert):
    """The sending code has no fallback for a row without a Message-ID: migration 0006 gives
    every such row one, in the sender's domain."""
    import importlib

    from django.apps import apps

    queue_alert()
    Notification.objects.update(message_id="")
    migration = importlib.import_module("mie_dx.migrations.0006_backfill_message_ids")

    migration.backfill(apps, None)

    message_id = Notification.objects.get().message_id
    assert message_id.startswith("<") and message_id.endswith("@dxcenter.example.jp>")
