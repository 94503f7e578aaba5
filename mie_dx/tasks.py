"""The core's scheduled work (Celery beat; the schedule is gathered from every app by
mie_dx.registry.beat_schedule): the outbox sweep and sending (mie_dx.delivery, re-exported
here under the names they are published with), the daily digest of e-mails that wait for
staff, and the nightly purge of personal data.

Imports go one way: tasks → notifications → delivery.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from mie_dx.delivery import send_notification, sweep_notifications
from mie_dx.models import Notification
from mie_dx.notifications import queue_notification

__all__ = [
    "digest_failed_notifications",
    "purge_personal_data",
    "send_notification",
    "sweep_notifications",
]

logger = logging.getLogger(__name__)
Status = Notification.Status

# The digest names at most this many e-mails (the admin's list has them all).
DIGEST_LIMIT = 50


@shared_task(ignore_result=True)
def digest_failed_notifications() -> int:
    """Daily (beat): tell the center's inbox which e-mails failed or may have been sent and
    wait for staff — through the outbox itself, once a day (dedupe key), with the link to the
    list where staff resend them. Returns how many e-mails wait (it names at most DIGEST_LIMIT)."""
    all_waiting = Notification.objects.filter(status__in=[Status.FAILED, Status.AMBIGUOUS])
    total = all_waiting.count()
    if not total:
        return 0
    waiting = list(
        all_waiting.order_by("-created_at", "-pk").only(
            "pk", "created_at", "template", "status", "last_error", "ambiguous_at"
        )[:DIGEST_LIMIT]
    )
    today = timezone.localdate()
    lines = [
        f"#{n.pk} {timezone.localtime(n.created_at):%Y-%m-%d %H:%M} "
        f"[{n.get_status_display()}] {n.template}: "
        f"{n.last_error.splitlines()[0][:120] if n.last_error else '-'}"
        for n in waiting
    ]
    if any(n.status == Status.AMBIGUOUS for n in waiting):
        lines.append("")
        lines.append(
            gettext(
                "「送信済みの可能性あり」は受信者に届いている可能性があります。再送すると"
                "二通届くことがあるため、再送の前に確認画面が出ます。"
            )
        )
    changelist = reverse("admin:mie_dx_notification_changelist")
    with transaction.atomic():
        queue_notification(
            to=settings.CENTER_INBOX_EMAIL,
            template="staff_alert",
            context={
                "title": (
                    gettext("送信できていないメールが%(count)s件あります（うち%(shown)s件を表示）")
                    if total > len(waiting)
                    else gettext("送信できていないメールが%(count)s件あります")
                )
                % {"count": total, "shown": len(waiting)},
                "lines": lines,
                # The list of both, where staff select them and choose "resend".
                "link_path": f"{changelist}?status__in=failed,ambiguous",
            },
            dedupe_key=f"failed-digest:{today:%Y-%m-%d}",
        )
    return total


@shared_task(ignore_result=True)
def purge_personal_data() -> dict[str, int]:
    """Daily: erase personal data past the retention period (mie_dx.retention)."""
    from mie_dx.retention import purge_all

    erased = purge_all()
    counts = {label: len(items) for label, items in erased.items()}
    logger.info("personal data purge: %s", counts)
    return counts
