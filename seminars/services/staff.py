"""What center staff do: check-in, the individual-consultation slots, publishing, cancelling
and closing a seminar."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mie_dx.audit import log_action
from mie_dx.users import acting_user
from seminars import notifications
from seminars.models import (
    ACTIVE,
    SEAT_HOLDING,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
)
from seminars.services.common import (
    SeminarError,
    SlotAssignment,
    _has_started,
    _lock_registration,
    _lock_seminar,
)


@transaction.atomic
def record_attendance(
    *,
    registration: Registration,
    attended: bool | None,
    by: AbstractBaseUser | AnonymousUser | None,
    now: datetime | None = None,
) -> Registration:
    """Check-in at the door: attended (True), no-show (False), or undo a mistake (None)."""
    now = now or timezone.now()
    registration = _lock_registration(registration)
    seminar = registration.seminar
    if registration.status not in SEAT_HOLDING:
        raise SeminarError(
            _("%(name)s さんは参加が確定していないため、出欠を記録できません。")
            % {"name": registration.name}
        )
    if seminar.date is None or timezone.localdate(now) < seminar.date:
        raise SeminarError(_("開催日より前には出欠を記録できません。"))
    if attended is None:
        registration.status = RegistrationStatus.CONFIRMED
        registration.checked_in_at = None
        registration.checked_in_by = None
    else:
        registration.status = (
            RegistrationStatus.ATTENDED if attended else RegistrationStatus.NO_SHOW
        )
        registration.checked_in_at = now
        registration.checked_in_by = acting_user(by)
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    log_action(
        registration,
        "registration.attendance_recorded",
        by=by,
        data={"status": registration.status},
    )
    return registration


def _slot_times(seminar: Seminar) -> list[datetime]:
    start, end = seminar.consultation_starts_at, seminar.consultation_ends_at
    length = timedelta(minutes=seminar.consultation_slot_minutes or 0)
    slots = []
    while start is not None and end is not None and length and start + length <= end:
        slots.append(start)
        start += length
    return slots


@transaction.atomic
def assign_consultation_slots(
    *,
    seminar: Seminar,
    registrations: Iterable[Registration] | None = None,
    by: AbstractBaseUser | AnonymousUser | None = None,
) -> SlotAssignment:
    """Give individual-consultation slots "in turn" (順に): consecutive slots of the seminar's
    slot length from the start of its window, in registration order, to the given requesting
    registrations (all of the seminar's when None). Slots other registrants already hold are
    skipped. Those who do not fit in the window get none and are returned as unassigned.
    Each person whose time is new or changed is told it.
    """
    seminar = _lock_seminar(seminar)
    if not (
        seminar.date and seminar.has_consultation_session and seminar.consultation_slot_minutes
    ):
        raise SeminarError(
            _("個別相談会の開催日・時間帯・1枠の長さを設定してから割り当ててください。")
        )
    requesting = list(
        Registration.objects.select_for_update()
        .filter(seminar=seminar, wants_consultation=True, status__in=SEAT_HOLDING)
        .order_by("registered_at", "pk")
    )
    wanted = None if registrations is None else {r.pk for r in registrations}
    targets = [r for r in requesting if wanted is None or r.pk in wanted]
    target_ids = {r.pk for r in targets}
    taken = {
        r.consultation_slot_at
        for r in requesting
        if r.pk not in target_ids and r.consultation_slot_at is not None
    }
    free = [slot for slot in _slot_times(seminar) if slot not in taken]
    result = SlotAssignment()
    for registration, slot in zip(targets, free + [None] * len(targets), strict=False):
        changed = registration.consultation_slot_at != slot
        registration.consultation_slot_at = slot
        registration.seminar = seminar
        if changed:
            registration.save(update_fields=["consultation_slot_at"])
            log_action(registration, "registration.slot_assigned", by=by, data={"slot": slot})
        if slot is None:
            result.unassigned.append(registration)
            continue
        if changed:
            notifications.consultation_slot(registration, slot)
        result.assigned.append(registration)
    return result


@transaction.atomic
def publish_seminar(
    *, seminar: Seminar, by: AbstractBaseUser | AnonymousUser | None = None
) -> Seminar:
    seminar = _lock_seminar(seminar)
    if seminar.status != SeminarStatus.DRAFT:
        raise SeminarError(_("下書きのセミナーだけを公開できます。"))
    if seminar.date is None and not seminar.date_note:
        raise SeminarError(_("開催日（未定なら日程の補足）を入力してから公開してください。"))
    seminar.status = SeminarStatus.PUBLISHED
    seminar.save(update_fields=["status", "updated_at"])
    log_action(seminar, "seminar.published", by=by)
    return seminar


@transaction.atomic
def cancel_seminar(
    *,
    seminar: Seminar,
    reason: str = "",
    by: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
) -> int:
    """Call the seminar off and tell everyone registered (not those who had cancelled).

    Returns how many people are told.
    """
    now = now or timezone.now()
    seminar = _lock_seminar(seminar)
    if seminar.status not in (SeminarStatus.DRAFT, SeminarStatus.PUBLISHED):
        raise SeminarError(_("公開中または下書きのセミナーだけを中止できます。"))
    seminar.status = SeminarStatus.CANCELLED
    seminar.cancelled_at = now
    seminar.cancellation_reason = reason
    seminar.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
    registrations = list(
        Registration.objects.filter(seminar=seminar, status__in=ACTIVE).order_by("pk")
    )
    for registration in registrations:
        registration.seminar = seminar
        notifications.seminar_cancelled(registration)
    log_action(
        seminar,
        "seminar.cancelled",
        by=by,
        data={"reason": reason, "notified": len(registrations)},
    )
    return len(registrations)


@transaction.atomic
def mark_held(
    *,
    seminar: Seminar,
    by: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
) -> Seminar:
    now = now or timezone.now()
    seminar = _lock_seminar(seminar)
    if seminar.status != SeminarStatus.PUBLISHED:
        raise SeminarError(_("公開中のセミナーだけを開催済みにできます。"))
    if not _has_started(seminar, now):
        raise SeminarError(_("開始前のセミナーは開催済みにできません。"))
    seminar.status = SeminarStatus.HELD
    seminar.save(update_fields=["status", "updated_at"])
    log_action(seminar, "seminar.held", by=by)
    return seminar
