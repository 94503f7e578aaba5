"""Erasing requesters' personal data: on request, and after the retention period.

Erased (blanked, or replaced by ERASED):
- the requester's name, kana, e-mail address and phone number, and the organisation of an
  individual or a resident group (a business, municipality or prefecture keeps its name);
- the title and the description, the attachment (file and name);
- the staff's internal notes and the notes on status changes, the supporters' advice
  summaries and decline reasons, the survey comment;
- the e-mails sent or failed about the consultation (address, subject, bodies);
- the consultation's name in the admin's history (it shows the title).

Kept, for the statistics and the KPIs: the reference, the type of requester, the
municipality, the category, the source, the language, every date, the workflow history
(who moved it when, without the notes), the assignments (who was asked, their answer, the
scores), the dates and number of advice sessions, the survey rating, the sample flag.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from consultations.models import (
    OPEN_STATUSES,
    AdviceSession,
    Consultation,
    InternalNote,
    RequesterType,
)
from mie_dx.notifications import erase_notifications_about

ERASED = "（削除済み）"


@transaction.atomic
def erase_personal_data(*, consultation: Consultation) -> Consultation:
    """Erase one requester's personal data. Precondition: the consultation is not open."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status in OPEN_STATUSES:
        raise ValueError("An open consultation still needs its requester's contact details.")
    if consultation.personal_data_erased_at:
        return consultation
    if consultation.attachment:
        consultation.attachment.delete(save=False)
    if consultation.requester_type in (RequesterType.INDIVIDUAL, RequesterType.GROUP):
        consultation.organization = ""
    consultation.name = ERASED
    consultation.name_kana = ""
    consultation.email = ""
    consultation.phone = ""
    consultation.title = ERASED
    consultation.description = ERASED
    consultation.attachment_name = ""
    consultation.personal_data_erased_at = timezone.now()
    consultation.save()
    consultation.status_changes.update(note="")
    consultation.assignments.update(decline_reason="")
    InternalNote.objects.filter(consultation=consultation).update(body=ERASED)
    AdviceSession.objects.filter(assignment__consultation=consultation).update(summary=ERASED)
    # The admin's history names the object by str(), which includes the title.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Consultation),
        object_id=str(consultation.pk),
    ).update(object_repr=str(consultation)[:200])
    if hasattr(consultation, "survey"):
        consultation.survey.comment = ""
        consultation.survey.save(update_fields=["comment"])
    erase_notifications_about(consultation)
    return consultation


def purge_expired(*, now=None, dry_run: bool = False) -> list[str]:
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
    return references
