"""Erasing requesters' personal data: on request, and after the retention period.

What remains is what the statistics and the KPIs need (type of requester, municipality,
category, dates, workflow history, survey rating); names, addresses, phone numbers, the text
the person wrote, the attachment and the e-mails sent to them are erased.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consultations.models import OPEN_STATUSES, Consultation, RequesterType
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
    consultation.description = ERASED
    consultation.attachment_name = ""
    consultation.personal_data_erased_at = timezone.now()
    consultation.save()
    consultation.status_changes.update(note="")
    consultation.assignments.update(decline_reason="")
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
