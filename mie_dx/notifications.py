"""The portal's e-mail outbox: the one way any app sends an e-mail.

Call `queue_notification()` inside the transaction that makes the business change::

    with transaction.atomic():
        consultation.save()
        queue_notification(
            to=consultation.email,
            template="consultation_received",
            context={"consultation": consultation},
            related=consultation,
        )

The message is rendered at once (in the recipient's language) and stored as a
`mie_dx.models.Notification` row in that transaction. When the transaction commits, a Celery
task sends it (mie_dx/delivery.py); when it rolls back, nothing is left to send. A row with a
future `due_at` (a reminder) is sent by the beat sweep once that time has come.

Template convention, for ``template="NAME"`` (all under templates/emails/):

- ``NAME_subject.txt`` — the subject; whitespace (newlines too) is collapsed to one line.
- ``NAME.txt`` — the plain-text body, required; extends ``emails/base.txt`` for the footer.
- ``NAME.html`` — the HTML body, optional; extends ``emails/base.html``.

The subject and .txt are rendered with autoescaping OFF (plain text must not show ``&amp;``);
the .html with Django's autoescaping ON, so user input is escaped there. Every template also
gets ``SITE_URL`` (absolute base for links, no trailing slash), ``CENTER_PHONE`` and
``CENTER_EMAIL``. Rendering happens without a
request, so context processors do not run.
"""

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import make_msgid, parseaddr
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Min, Q
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import timezone, translation

from mie_dx.delivery import queue_send_on_commit
from mie_dx.models import Notification

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = Notification._meta.get_field("subject").max_length


class Attachment(NamedTuple):
    """A file sent with the message, e.g. ``Attachment("seminar.ics", data, "text/calendar")``."""

    filename: str
    content: bytes
    mimetype: str


class RenderedEmail(NamedTuple):
    subject: str
    body_text: str
    body_html: str


def new_message_id() -> str:
    """<…@sender-domain>, the domain of DEFAULT_FROM_EMAIL."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return make_msgid(domain=address.rpartition("@")[2] or None)


def render_email(
    template: str, context: Mapping[str, Any], *, language: str | None = None
) -> RenderedEmail:
    """Render the subject and bodies of ``templates/emails/<template>*`` in `language`.

    Raises TemplateDoesNotExist when the subject or the .txt body is missing (the .html body is
    optional and comes back as "").
    """
    full_context = {
        "SITE_URL": settings.SITE_URL,
        "CENTER_PHONE": settings.CENTER_CONTACT_PHONE,
        "CENTER_EMAIL": settings.CENTER_CONTACT_EMAIL,
        **context,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _render(f"emails/{template}_subject.txt", full_context, autoescape=False)
        body_text = _render(f"emails/{template}.txt", full_context, autoescape=False)
        try:
            body_html = _render(f"emails/{template}.html", full_context, autoescape=True)
        except TemplateDoesNotExist:
            body_html = ""
    # One line: a newline in a subject would be a header injection.
    subject = " ".join(subject.split())[:SUBJECT_MAX_LENGTH]
    return RenderedEmail(subject, _tidy_text(body_text), body_html.strip())


def queue_notification(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str | None = None,
    attachment: Attachment | None = None,
    due_at: datetime | None = None,
    related: models.Model | None = None,
    dedupe_key: str = "",
    rendered: RenderedEmail | None = None,
) -> Notification:
    """Store an e-mail to `to` and have it sent once the current transaction commits.

    Preconditions: called inside the business transaction (``transaction.atomic()``), so that
    the e-mail exists if and only if the business change does — RuntimeError otherwise; `to` is
    one valid address (ValidationError otherwise).

    - `language`: the recipient's language (default settings.LANGUAGE_CODE); the templates are
      rendered now, under ``translation.override(language)``.
    - `due_at`: send no earlier than this (default: now). A future time makes a scheduled
      message (a reminder) which the beat sweep sends when it is due — never a Celery ETA.
    - `related`: the business object the message is about, shown to staff in the admin.
    - `dedupe_key`: when given and a notification with that key already exists, nothing new is
      created and that existing row is returned (e.g. ``f"survey-reminder:{consultation.pk}"``).
    - `rendered`: the message as `render_email(template, context, language=language)` made it
      earlier (e.g. before a lock was taken, to keep the lock short); `context` is then unused.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "queue_notification() must be called inside the business transaction "
            "(transaction.atomic())."
        )
    validate_email(to)
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing

    language = language or settings.LANGUAGE_CODE
    if rendered is None:
        rendered = render_email(template, context, language=language)
    now = timezone.now()
    due_at = due_at or now
    due_now = due_at <= now
    notification = _new_row(
        to=to,
        template=template,
        language=language,
        rendered=rendered,
        due_at=due_at,
        dedupe_key=dedupe_key,
        now=now,
        related=related,
    )
    if attachment is not None:
        notification.attachment_filename = attachment.filename
        notification.attachment_mimetype = attachment.mimetype
        notification.attachment_content = attachment.content

    if dedupe_key:
        try:
            # A savepoint, so that losing a race on the key leaves the caller's transaction
            # usable.
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
            if existing is None:
                raise
            return existing
    else:
        notification.save()

    if due_now:
        queue_send_on_commit(notification.pk)
    logger.info(
        "notification %s queued (template=%s, due_at=%s)", notification.pk, template, due_at
    )
    return notification


def _new_row(
    *,
    to: str,
    template: str,
    language: str,
    rendered: RenderedEmail,
    due_at: datetime,
    dedupe_key: str,
    now: datetime,
    related: models.Model | None,
) -> Notification:
    """An unsaved outbox row: one shape for `queue_notification` and `queue_notifications`."""
    notification = Notification(
        to=to,
        template=template,
        language=language,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        due_at=due_at,
        dedupe_key=dedupe_key,
        # One Message-ID for every attempt and resend of this message: a copy sent twice
        # (after a connection dropped once the server had it) is recognisably the same mail.
        message_id=new_message_id(),
        created_at=now,
        # Set before the commit: if the publish after commit is lost, the sweep re-queues the
        # row once NOTIFICATION_REQUEUE_AFTER has passed since this time.
        queued_at=now if due_at <= now else None,
    )
    if related is not None:
        notification.related = related
    return notification


RESENDABLE = (Notification.Status.FAILED, Notification.Status.AMBIGUOUS)


def resend(
    *,
    notification_ids: Iterable[int],
    include_maybe_delivered: bool = False,
    by: "AbstractBaseUser | AnonymousUser | None" = None,
) -> int:
    """Put the failed and ambiguous notifications among `notification_ids` back to pending
    and queue them (with their Message-ID unchanged).

    A row that may already have been delivered (ambiguous now, or once: `ambiguous_at`) is
    resent only with `include_maybe_delivered` — staff confirmed that a duplicate is better
    than silence. Rows in any other status are left alone. The retry budget starts again
    (attempts = 0); `last_error` is kept for the record. The tasks are published when the
    transaction commits. Returns how many rows were put back.
    """
    from mie_dx.audit import log_action

    with transaction.atomic():
        candidates = Notification.objects.select_for_update().filter(
            pk__in=list(notification_ids), status__in=RESENDABLE
        )
        if not include_maybe_delivered:
            candidates = candidates.filter(ambiguous_at__isnull=True)
        rows = list(candidates.only("pk", "status", "ambiguous_at"))
        ids = [n.pk for n in rows]
        Notification.objects.filter(pk__in=ids).update(
            status=Notification.Status.PENDING,
            attempts=0,
            claimed_at=None,
            queued_at=timezone.now(),
        )
        for notification in rows:
            log_action(
                notification,
                "notification.resent",
                by=by,
                data={
                    "from": notification.status,
                    "maybe_delivered": notification.ambiguous_at is not None,
                },
            )
            queue_send_on_commit(notification.pk)
    logger.info("notifications %s put back for resending", ids)
    return len(ids)


class OutboxStatus(NamedTuple):
    """The backlog at a glance (admin counter, `manage.py outbox_status`)."""

    pending: int  # due and waiting to be sent (scheduled ones not yet due are not counted)
    late: int  # of those, due for longer than NOTIFICATION_LATE_AFTER: mail is not flowing
    sending: int
    failed: int
    ambiguous: int
    oldest_pending_age_s: int  # 0 when nothing waits

    def as_line(self) -> str:
        return " ".join(f"{name}={value}" for name, value in self._asdict().items())


def outbox_status() -> OutboxStatus:
    """One query over the unsent rows only (the sweep's index on status, due_at)."""
    now = timezone.now()
    Status = Notification.Status
    due = Q(status=Status.PENDING, due_at__lte=now)
    counts = Notification.objects.filter(
        status__in=[*RESENDABLE, Status.PENDING, Status.SENDING]
    ).aggregate(
        pending=Count("pk", filter=due),
        late=Count("pk", filter=due & Q(due_at__lt=now - settings.NOTIFICATION_LATE_AFTER)),
        sending=Count("pk", filter=Q(status=Status.SENDING)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        ambiguous=Count("pk", filter=Q(status=Status.AMBIGUOUS)),
        oldest=Min("due_at", filter=due),
    )
    oldest = counts.pop("oldest")
    age = max(int((now - oldest).total_seconds()), 0) if oldest else 0
    return OutboxStatus(**counts, oldest_pending_age_s=age)


def _render(name: str, context: dict[str, Any], *, autoescape: bool) -> str:
    template = Engine.get_default().get_template(name)
    return template.render(Context(context, autoescape=autoescape))


def _tidy_text(text: str) -> str:
    """Drop trailing spaces and the runs of blank lines that template tags leave behind."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


class OutgoingEmail(NamedTuple):
    """One message of a mailing (`queue_notifications`)."""

    to: str
    rendered: RenderedEmail
    dedupe_key: str
    related: models.Model | None = None


MAILING_BATCH_SIZE = 1000


def queue_notifications(
    emails: list[OutgoingEmail], *, template: str, language: str | None = None
) -> int:
    """Store a mailing (one e-mail per person, each rendered already) in a bounded number of
    queries — two per MAILING_BATCH_SIZE messages, whatever the number of recipients — and
    have each sent once the transaction commits; `queue_notification`'s rules otherwise
    (inside the business transaction; a dedupe key, required here, is queued once: a message
    whose key exists already is left out). Returns how many were stored."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("queue_notifications() must be called inside a transaction.")
    language = language or settings.LANGUAGE_CODE
    now = timezone.now()
    stored = 0
    for start in range(0, len(emails), MAILING_BATCH_SIZE):
        batch = emails[start : start + MAILING_BATCH_SIZE]
        rows = []
        for email in batch:
            validate_email(email.to)
            if not email.dedupe_key:
                raise ValueError("queue_notifications() needs a dedupe key per message.")
            rows.append(
                _new_row(
                    to=email.to,
                    template=template,
                    language=language,
                    rendered=email.rendered,
                    due_at=now,
                    dedupe_key=email.dedupe_key,
                    now=now,
                    related=email.related,
                )
            )
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        new_ids = list(
            Notification.objects.filter(
                dedupe_key__in=[email.dedupe_key for email in batch], created_at=now
            ).values_list("pk", flat=True)
        )
        for pk in new_ids:
            queue_send_on_commit(pk)
        stored += len(new_ids)
    logger.info("mailing queued: %s notifications (template=%s)", stored, template)
    return stored
