"""Erasing registrants' personal data: on request, and after the retention period.

What remains is what the figures need (seminar, attendance, status, requester type, dates,
survey rating); names, addresses, phone numbers, organisations of individuals, the
consultation topic, survey comments and every copy (e-mails, audit log, admin history) are
erased, the core's way (mie_dx.erasure). A linked Consultation is the consultations app's to
erase (consultations.retention).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mie_dx.erasure import erase_personal_data as erase
from seminars.models import Registration, RegistrationStatus, SeminarSurvey


@transaction.atomic
def erase_personal_data(
    *,
    registration: Registration,
    by: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
) -> Registration:
    """Erase one registrant's personal data.

    Precondition: the registration no longer needs them — cancelled, or its seminar is over
    (ValueError otherwise: cancel the registration first).
    """
    now = now or timezone.now()
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("seminar")
        .get(pk=registration.pk)
    )
    if registration.personal_data_erased_at:
        return registration
    over = registration.seminar.is_past(timezone.localdate(now))
    if (
        registration.status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
        and not over
    ):
        raise ValueError(
            "An active registration for an upcoming seminar needs its contact details."
        )
    return _erase(registration, by=by, now=now)


def _erase(
    registration: Registration,
    *,
    by: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime,
) -> Registration:
    return erase(
        registration,
        fields=registration.fields_to_erase(),
        related=[(SeminarSurvey.objects.filter(registration=registration), ["comment"])],
        by=by,
        action="registration.personal_data_erased",
        now=now,
    )


@transaction.atomic
def erase_again(pk: str, *, now: datetime) -> None:
    """After a restore (mie_dx.backup): erase a registrant erased after the backup was taken."""
    registration = Registration.objects.select_for_update().filter(pk=pk).first()
    if registration is not None and not registration.personal_data_erased_at:
        _erase(registration, now=now)


def purge_expired(*, now: datetime | None = None, dry_run: bool = False) -> list[int]:
    """Erase registrations whose seminar was held (or that were cancelled) more than
    PERSONAL_DATA_RETENTION_DAYS ago. Returns their ids."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    expired = Registration.objects.filter(personal_data_erased_at__isnull=True).filter(
        Q(seminar__date__lt=timezone.localdate(cutoff))
        | Q(status=RegistrationStatus.CANCELLED, cancelled_at__lt=cutoff)
    )
    ids = list(expired.order_by("pk").values_list("pk", flat=True))
    if not dry_run:
        for registration in Registration.objects.filter(pk__in=ids):
            erase_personal_data(registration=registration, now=now)
    return ids
