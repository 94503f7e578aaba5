"""Delivery of the e-mail outbox (mie_dx.models.Notification): the sending machinery, which
imports nothing that queues (mie_dx.notifications queues, mie_dx.tasks schedules).

`send_notification` is safe to run twice: it claims the row (locked, still pending, due),
marks it `sending` and commits BEFORE talking to the mail server, so a redelivered or
duplicated task finds nothing to claim. Transient mail errors put the row back to pending and
retry with exponential back-off; permanent errors and exhausted retries mark it failed.

A send whose outcome is unknown — the connection dropped after the whole message had gone
(mie_dx.mail.MaybeDelivered), an unexpected error while talking to the server, or a worker
that died in the middle (found by the sweep) — is "ambiguous" (may have been sent), never
"failed". Acknowledgements the requester waits for (the apps' `acknowledgement_templates`,
mie_dx.registry) are sent once more by themselves with the same Message-ID; the others wait
for staff, who see them in the admin and in the daily digest.

`sweep_notifications` (Celery beat, every minute) publishes pending rows whose task message
was lost or whose scheduled time has come, and takes rows stuck in `sending` as ambiguous.
"""

import logging
import smtplib
import time
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from mie_dx.mail import MaybeDelivered
from mie_dx.models import Notification
from mie_dx.registry import resend_once_templates
from mie_dx.tokens import mask_private_links

logger = logging.getLogger(__name__)

SWEEP_BATCH_SIZE = 200
# Stored in the row for staff to read (the center works in Japanese).
STALE_SENDING_ERROR = (
    "送信中に中断されました（ワーカーの停止など）。受信者に届いている可能性があります。"
)
NOT_ACCEPTED_ERROR = "メールバックエンドがメッセージを受け付けませんでした。"
Status = Notification.Status


class BrokerBreaker:
    """After a publish fails, this process stops trying the broker for a while.

    A request that saves a consultation while Redis is down would otherwise try (and wait for)
    the broker once per e-mail; with the breaker open the rows simply stay pending — the sweep
    publishes them once the broker is back — and the request costs nothing more.
    """

    def __init__(self) -> None:
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        self.open_until = time.monotonic() + settings.NOTIFICATION_BROKER_PAUSE_SECONDS

    def reset(self) -> None:
        self.open_until = 0.0


broker_breaker = BrokerBreaker()


def publish_send(notification_id: int) -> None:
    """Publish `send_notification` now, once (no retry loop); never raises."""
    if broker_breaker.is_open():
        logger.info(
            "notification %s: broker unreachable lately, left to the sweep", notification_id
        )
        return
    try:
        send_notification.apply_async((notification_id,), retry=False)
    except Exception:
        broker_breaker.trip()
        logger.exception(
            "notification %s: could not publish (broker unreachable?); left to the sweep, "
            "no publish from this process for %ss",
            notification_id,
            settings.NOTIFICATION_BROKER_PAUSE_SECONDS,
        )


def queue_send_on_commit(notification_id: int) -> None:
    """Publish `send_notification` for the row once the current transaction commits.

    If the broker cannot be reached, the error is logged and the caller's request still
    succeeds; the row stays pending and the sweep publishes it later (BrokerBreaker).
    """
    transaction.on_commit(lambda: publish_send(notification_id))


# The tasks keep the names they were first published under (mie_dx.tasks.*): a message in the
# broker at the moment of an upgrade is still understood.
@shared_task(bind=True, max_retries=None, ignore_result=True, name="mie_dx.tasks.send_notification")
def send_notification(self: "Task[[int], str]", notification_id: int) -> str:
    """Send one notification. Returns "sent", "failed", "ambiguous" (may have been sent, left
    to staff) or "skipped" (for logs).

    Retries are counted by the row's `attempts` (which also counts sends started by the sweep
    or a resend), hence max_retries=None for Celery itself.
    """
    notification = _claim(notification_id)
    if notification is None:
        # Already sent, claimed by another worker, failed, or not due yet.
        logger.info("notification %s: nothing to send", notification_id)
        return "skipped"
    try:
        message = _build_message(notification)
    except Exception as exc:
        # Nothing reached the mail server: a message that cannot be built fails as it is.
        _mark_failed(notification, _describe(exc))
        if isinstance(exc, ValueError):
            return "failed"
        raise
    try:
        delivered = get_connection().send_messages([message])
    except MaybeDelivered as exc:
        return _after_ambiguous_send(self, notification, exc)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        if _is_permanent(exc) or notification.attempts > settings.NOTIFICATION_MAX_RETRIES:
            _mark_failed(notification, _describe(exc))
            return "failed"
        countdown = _backoff(notification.attempts)
        _release_for_retry(notification, _describe(exc), countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception as exc:
        # An unknown outcome while talking to the server (a bug, the soft time limit): the
        # message may have gone.
        logger.exception("notification %s: unexpected error while sending", notification.pk)
        return _after_ambiguous_send(self, notification, exc)
    if not delivered:
        # A backend that reports 0 messages sent without raising: never record it as sent.
        _mark_failed(notification, NOT_ACCEPTED_ERROR)
        return "failed"
    # Sent: the private links in the stored copy are of no more use to anyone and would open
    # pages to whoever reads a copy of the database, so only the masked copy is kept.
    Notification.objects.filter(pk=notification.pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        body_text=mask_private_links(notification.body_text),
        body_html=mask_private_links(notification.body_html),
    )
    logger.info("notification %s sent (attempt %s)", notification.pk, notification.attempts)
    return "sent"


@shared_task(ignore_result=True, name="mie_dx.tasks.sweep_notifications")
def sweep_notifications() -> dict[str, int]:
    """Queue due pending rows that were never published or whose publish looks lost; take
    rows stuck in `sending` (a worker died while sending) as ambiguous, which sends the
    acknowledgements among them once more and leaves the rest to staff.

    At most SWEEP_BATCH_SIZE rows of each kind per run; the next run takes the rest.
    """
    now = timezone.now()
    with transaction.atomic():
        stale = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                status=Status.SENDING,
                claimed_at__lt=now - settings.NOTIFICATION_SENDING_STALE_AFTER,
            )
            .only("pk", "template", "ambiguous_sends")[:SWEEP_BATCH_SIZE]
        )
        retried = _record_ambiguous(stale, STALE_SENDING_ERROR, countdown=0)
        for pk in retried:
            queue_send_on_commit(pk)
        due_ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, due_at__lte=now)
            .filter(
                Q(queued_at__isnull=True)
                | Q(queued_at__lt=now - settings.NOTIFICATION_REQUEUE_AFTER)
            )
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH_SIZE]
        )
        Notification.objects.filter(pk__in=due_ids).update(queued_at=now)
        for pk in due_ids:
            queue_send_on_commit(pk)
    if due_ids:
        logger.info("notification sweep: queued %s", due_ids)
    if stale:
        logger.warning(
            "notification sweep: %s stuck in sending, may have been sent (sent again: %s)",
            [n.pk for n in stale],
            retried,
        )
    return {"queued": len(due_ids), "ambiguous": len(stale), "retried": len(retried)}


def _claim(notification_id: int) -> Notification | None:
    """Lock the row if it is pending and due, mark it sending and commit; else None."""
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Status.PENDING, due_at__lte=now)
            .first()
        )
        if notification is None:
            return None
        notification.status = Status.SENDING
        notification.attempts += 1
        notification.claimed_at = now
        notification.save(update_fields=["status", "attempts", "claimed_at"])
    return notification


def _build_message(notification: Notification) -> EmailMultiAlternatives:
    """Precondition: the row has its Message-ID (given when it was queued; migration
    mie_dx 0006 gave one to every row queued before)."""
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to],
        headers={"Message-ID": notification.message_id},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    if notification.attachment_content is not None:
        message.attach(
            notification.attachment_filename,
            bytes(notification.attachment_content),
            notification.attachment_mimetype or None,
        )
    return message


def _is_permanent(exc: Exception) -> bool:
    """True for errors that retrying cannot fix (SMTP 5xx replies, a malformed address)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPConnectError):
        return False  # the server could not be reached: try again later
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    # ValueError: an address or header Django refuses to encode (BadHeaderError is one).
    return isinstance(exc, ValueError)


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _mark_failed(notification: Notification, error: str) -> None:
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.FAILED, last_error=error
    )
    logger.error(
        "notification %s failed after %s attempt(s): %s",
        notification.pk,
        notification.attempts,
        error,
    )


def _backoff(attempts: int) -> int:
    """Doubling, but capped: a server that is healthy again is tried within a minute."""
    doubling: int = 2 ** max(attempts - 1, 0)
    return min(
        settings.NOTIFICATION_RETRY_BACKOFF_SECONDS * doubling,
        settings.NOTIFICATION_RETRY_BACKOFF_MAX_SECONDS,
    )


def _after_ambiguous_send(
    task: "Task[[int], str]", notification: Notification, exc: Exception
) -> str:
    """Record the uncertain send; retry an acknowledgement once (same Message-ID)."""
    countdown = _backoff(1)
    if _record_ambiguous([notification], _describe(exc), countdown=countdown):
        raise task.retry(exc=exc, countdown=countdown) from exc
    return "ambiguous"


def _record_ambiguous(
    notifications: list[Notification], reason: str, *, countdown: int
) -> list[int]:
    """Mark rows still `sending` as sent-or-not: with when and why. Returns the ids put back
    to pending for their one automatic retry (first uncertain send of an acknowledgement);
    the caller publishes them."""
    if not notifications:
        return []
    resend_once = resend_once_templates()
    retry = [n.pk for n in notifications if n.template in resend_once and n.ambiguous_sends == 0]
    keep = [n.pk for n in notifications if n.pk not in retry]
    now = timezone.now()
    sending = Notification.objects.filter(status=Status.SENDING)
    recorded = {
        "ambiguous_at": now,
        "ambiguous_sends": F("ambiguous_sends") + 1,
        "last_error": reason,
    }
    sending.filter(pk__in=keep).update(status=Status.AMBIGUOUS, **recorded)
    retried = sending.filter(pk__in=retry).update(
        status=Status.PENDING, queued_at=now + timedelta(seconds=countdown), **recorded
    )
    for notification in notifications:
        logger.warning(
            "notification %s may have been sent (%s)%s",
            notification.pk,
            reason,
            ", sending it once more" if notification.pk in retry else ", left to staff",
        )
    return retry if retried else []


def _release_for_retry(notification: Notification, error: str, countdown: int) -> None:
    # queued_at is when the retry message becomes due, so the sweep does not publish a
    # second one while the first is still waiting on the broker.
    Notification.objects.filter(pk=notification.pk, status=Status.SENDING).update(
        status=Status.PENDING,
        last_error=error,
        queued_at=timezone.now() + timedelta(seconds=countdown),
    )
    logger.warning(
        "notification %s: attempt %s failed (%s), retrying in %ss",
        notification.pk,
        notification.attempts,
        error,
        countdown,
    )
