"""Erasing requesters' personal data: on request, and after the retention period.

How is the core's (mie_dx.erasure); what is this app's:
- the requester's name, kana, e-mail address and phone number, and the organisation of an
  individual or a resident group (a business, municipality or prefecture keeps its name);
- the title and the description, the attachment (file and name);
- the staff's internal notes, their messages to the requester and the notes on status changes, the supporters' advice
  summaries and decline reasons, the survey comment;
- with them every copy: e-mails, audit-log data, the admin's history.

Kept, for the statistics and the KPIs: the reference, the type of requester, the
municipality, the category, the source, the language, every date, the workflow history
(who moved it when, without the notes), the assignments (who was asked, their answer, the
scores), the dates and number of advice sessions, the survey rating, the sample flag.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from consultations import pending_uploads
from consultations.models import (
    OPEN_STATUSES,
    AdviceSession,
    Assignment,
    Consultation,
    InternalNote,
    RequesterReply,
    StatusChange,
    Survey,
)
from mie_dx.erasure import ERASED
from mie_dx.erasure import erase_personal_data as erase

__all__ = ["ERASED", "erase_again", "erase_personal_data", "purge_expired"]

logger = logging.getLogger(__name__)


@transaction.atomic
def erase_personal_data(
    *, consultation: Consultation, by: AbstractBaseUser | AnonymousUser | None = None
) -> Consultation:
    """Erase one requester's personal data. Precondition: the consultation is not open."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status in OPEN_STATUSES:
        raise ValueError("An open consultation still needs its requester's contact details.")
    if consultation.personal_data_erased_at:
        return consultation
    return _erase(consultation, by=by)


def _erase(
    consultation: Consultation,
    *,
    by: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
) -> Consultation:
    return erase(
        consultation,
        fields=[*consultation.fields_to_erase(), "attachment"],
        related=[
            (StatusChange.objects.filter(consultation=consultation).exclude(note=""), ["note"]),
            (Assignment.objects.filter(consultation=consultation), ["decline_reason"]),
            (InternalNote.objects.filter(consultation=consultation), ["body"]),
            (RequesterReply.objects.filter(consultation=consultation), ["body"]),
            (AdviceSession.objects.filter(assignment__consultation=consultation), ["summary"]),
            (Survey.objects.filter(consultation=consultation), ["comment"]),
        ],
        by=by,
        action="consultation.personal_data_erased",
        now=now,
    )


@transaction.atomic
def erase_again(pk: str, *, now: datetime) -> None:
    """After a restore (mie_dx.backup): erase a requester erased after the backup was taken."""
    consultation = Consultation.objects.select_for_update().filter(pk=pk).first()
    if consultation is not None and not consultation.personal_data_erased_at:
        _erase(consultation, now=now)


def purge_expired(*, now: datetime | None = None, dry_run: bool = False) -> list[str]:
    """Erase personal data of consultations ended more than the retention period ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    expired = Consultation.objects.exclude(status__in=OPEN_STATUSES).filter(
        personal_data_erased_at__isnull=True, status_changed_at__lt=cutoff
    )
    references = list(expired.values_list("reference", flat=True))
    if not dry_run:
        for consultation in expired:
            erase_personal_data(consultation=consultation)
        # Attachments of forms nobody confirmed (確認画面 left), even if no one uploads again.
        # A storage fault here must not stop the other apps' purge that night.
        try:
            removed = pending_uploads.sweep()
        except Exception:
            logger.exception("could not remove unconfirmed attachments")
        else:
            if removed:
                logger.info("removed %d unconfirmed attachment(s)", removed)
    return references
