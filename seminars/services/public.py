"""What the public does: register (the seat under the seminar's lock), the waiting list and
its promotions, changing the attendance, cancelling."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from consultations import services as consultation_services
from mie_dx.audit import log_action
from mie_dx.people import PersonDetails
from seminars import notifications
from seminars.models import (
    SEAT_HOLDING,
    Attendance,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
)
from seminars.services.common import (
    RegistrationClosed,
    RegistrationResult,
    SeminarError,
    _has_started,
    _lock_registration,
    _lock_seminar,
)


def registration_closed_reason(seminar: Seminar, now: datetime | None = None) -> str | None:
    """Why registration is not open now (a sentence for the visitor), or None when it is open."""
    now = now or timezone.now()
    if seminar.status == SeminarStatus.CANCELLED:
        return _("このセミナーは中止になりました。")
    if seminar.status == SeminarStatus.DRAFT:
        return _("このセミナーはまだ公開されていません。")
    if seminar.status == SeminarStatus.HELD or seminar.is_past(timezone.localdate(now)):
        return _("このセミナーは終了しました。")
    if seminar.date is None or not seminar.format:
        return _("申込みの受付はまだ始まっていません。詳細が決まりしだいお知らせします。")
    if _has_started(seminar, now):
        return _("このセミナーは開始しているため、申込みを受け付けていません。")
    deadline, closes_at = seminar.registration_deadline, seminar.registration_closes_at
    if deadline is not None and closes_at is not None and now >= closes_at:
        return _("申込みの受付は%(deadline)sで締め切りました。") % {
            "deadline": formats.date_format(deadline, "MONTH_DAY_FORMAT")
        }
    return None


def free_seats(seminar: Seminar, attendance: str) -> int | None:
    """Seats of `attendance` nobody holds now (None: unlimited).

    For a decision that takes a seat, call it with the seminar row locked.
    """
    capacity = seminar.capacity_for(attendance)
    if capacity is None:
        return None
    taken = Registration.objects.filter(
        seminar=seminar, attendance=attendance, status__in=SEAT_HOLDING
    ).count()
    return max(capacity - taken, 0)


def _has_seat(seminar: Seminar, attendance: str) -> bool:
    free = free_seats(seminar, attendance)
    return free is None or free > 0


def _active_registration_for(seminar: Seminar, email: str) -> Registration | None:
    return (
        Registration.objects.annotate(email_lower=Lower("email"))
        .filter(seminar=seminar, email_lower=email.lower())
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def _draw_registration_id() -> int | None:
    """The id the next registration will have, drawn from its sequence now (PostgreSQL); None
    elsewhere (SQLite under `make run`: the row gets its id when inserted)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Registration._meta.db_table]
        )
        drawn: int = cursor.fetchone()[0]
        return drawn


def _prepare_first_message(
    registration: Registration, now: datetime
) -> notifications.FirstMessage | None:
    """Before the lock: give `registration` its id and render its first message for the
    outcome the free seats announce now. None when registration is not open (decided again
    under the lock) or the id cannot be drawn in advance."""
    seminar = registration.seminar
    if registration_closed_reason(seminar, now) or registration.attendance not in dict(
        seminar.attendance_choices
    ):
        return None
    registration.pk = _draw_registration_id()
    if registration.pk is None:
        return None
    registration.status = (
        RegistrationStatus.CONFIRMED
        if _has_seat(seminar, registration.attendance)
        else RegistrationStatus.WAITLISTED
    )
    return notifications.first_message(registration)


def register(
    *,
    seminar: Seminar,
    details: PersonDetails,
    attendance: str,
    wants_consultation: bool = False,
    consultation_topic: str = "",
    language: str | None = None,
    now: datetime | None = None,
) -> RegistrationResult:
    """Register one person: confirmed while seats of `attendance` remain, else wait-listed.

    The caller has validated `details` (the public form). Raises RegistrationClosed when the
    seminar does not take registrations now, SeminarError for an attendance it does not offer.
    A second registration for the same address sends the management link again instead.
    An individual-consultation request becomes a Consultation (source: seminar) in this same
    transaction; the registration's one e-mail gives its reference and status link.
    """
    wants_consultation = wants_consultation and seminar.has_consultation_session
    registration = Registration(
        seminar=seminar,
        attendance=attendance,
        requester_type=details.requester_type,
        organization=details.organization,
        name=details.name,
        name_kana=details.name_kana,
        email=details.email,
        phone=details.phone,
        language=(language or settings.LANGUAGE_CODE)[:2],
        wants_consultation=wants_consultation,
        consultation_topic=consultation_topic if wants_consultation else "",
    )
    if _active_registration_for(seminar, details.email) is None:
        # The usual case, a new address: looked up before the lock; under it, the unique
        # constraint on (seminar, lower(email)) catches an address registered meanwhile.
        message = None
        if not wants_consultation:
            message = _prepare_first_message(registration, now or timezone.now())
        try:
            with transaction.atomic():
                return _register_locked(registration, details, message, now, new_address=True)
        except IntegrityError:
            if _active_registration_for(seminar, details.email) is None:
                raise
            registration.pk = None  # registered meanwhile: answered as below
    with transaction.atomic():
        return _register_locked(registration, details, None, now, new_address=False)


def _register_locked(
    registration: Registration,
    details: PersonDetails,
    message: notifications.FirstMessage | None,
    now: datetime | None,
    *,
    new_address: bool,
) -> RegistrationResult:
    """Under the seminar's lock: decide the seat and write the rows. `new_address`: no active
    registration had the address just before (else it is looked up again here)."""
    seen = registration.seminar
    seminar = _lock_seminar(seen)
    # Read the clock once the lock is held: registration times then follow the order in which
    # seats were decided, so "first come, first served" is visible in the data.
    now = now or timezone.now()
    reason = registration_closed_reason(seminar, now)
    if reason:
        raise RegistrationClosed(reason)
    attendance = registration.attendance
    if attendance not in dict(seminar.attendance_choices):
        raise SeminarError(_("このセミナーでは選ばれた参加方法を受け付けていません。"))

    confirmed = _has_seat(seminar, attendance)
    status = RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED
    existing = None if new_address else _active_registration_for(seminar, details.email)
    if existing is not None:
        notifications.management_link_resent(existing, now=now)
        return RegistrationResult(existing, created=False, shown_status=status)

    registration.seminar = seminar
    registration.status = status
    registration.privacy_consent_at = now
    registration.registered_at = now
    registration.confirmed_at = now if confirmed else None
    registration.waitlisted_at = None if confirmed else now
    if seminar.updated_at != seen.updated_at:
        message = None  # the seminar changed since the message was written
    if registration.wants_consultation:
        registration.consultation = consultation_services.request_from_seminar(
            person=details,
            title=_("%(seminar)s 個別相談会")
            % {"seminar": f"{seminar.numbered_label} {seminar.title}"},
            topic=registration.consultation_topic,
            language=registration.language,
        )
    # With an id drawn in advance the row is new for certain: one INSERT, no UPDATE first.
    registration.save(force_insert=registration.pk is not None)
    log_action(
        registration,
        "registration.created",
        data={
            "status": registration.status,
            "attendance": attendance,
            "consultation": registration.consultation_id,
        },
    )
    notifications.registration_created(registration, message)
    return RegistrationResult(registration, created=True, shown_status=status)


def _promote(
    seminar: Seminar,
    attendance: str,
    now: datetime,
    by: AbstractBaseUser | AnonymousUser | None = None,
) -> list[Registration]:
    """Confirm wait-listed people of `attendance`, first come first served, while seats remain.

    Precondition: the seminar row is locked in the current transaction.
    """
    if seminar.status != SeminarStatus.PUBLISHED or _has_started(seminar, now):
        return []
    free = free_seats(seminar, attendance)
    if free == 0:
        return []
    waiting = Registration.objects.select_for_update().filter(
        seminar=seminar, attendance=attendance, status=RegistrationStatus.WAITLISTED
    )
    waiting = waiting.order_by("waitlisted_at", "pk")
    if free is not None:
        waiting = waiting[:free]
    promoted = list(waiting)
    for registration in promoted:
        registration.seminar = seminar
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        log_action(registration, "registration.promoted", by=by)
        notifications.promoted(registration)
    return promoted


@transaction.atomic
def promote_waitlisted(
    *,
    seminar: Seminar,
    by: AbstractBaseUser | AnonymousUser | None = None,
    now: datetime | None = None,
) -> list[Registration]:
    """Fill seats that became free without a cancellation (staff raised the capacity)."""
    now = now or timezone.now()
    seminar = _lock_seminar(seminar)
    promoted = []
    for attendance in Attendance.values:
        promoted += _promote(seminar, attendance, now, by=by)
    return promoted


@transaction.atomic
def cancel_registration(*, registration: Registration, now: datetime | None = None) -> Registration:
    """The registrant cancels through their management link; a freed seat goes to the first
    wait-listed person of the same attendance, who is told."""
    now = now or timezone.now()
    seminar = _lock_seminar(registration.seminar)
    registration = _lock_registration(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise SeminarError(_("この申込みはすでに取り消されています。"))
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        raise SeminarError(_("出欠の記録後は申込みを取り消せません。"))
    if _has_started(seminar, now):
        raise SeminarError(_("セミナーの開始後は申込みを取り消せません。"))
    held_seat = registration.holds_seat
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    log_action(registration, "registration.cancelled")
    # The individual consultation asked for with it: withdrawn if nobody has worked on it yet,
    # else left open with a note for staff.
    withdrawn = False
    if registration.consultation is not None:
        withdrawn = consultation_services.withdraw_for_cancelled_registration(
            consultation=registration.consultation
        )
        if withdrawn:
            registration.consultation.refresh_from_db()
    notifications.registration_cancelled(registration, consultation_withdrawn=withdrawn)
    if held_seat:
        _promote(seminar, registration.attendance, now)
    return registration


@transaction.atomic
def change_attendance(
    *, registration: Registration, attendance: str, now: datetime | None = None
) -> Registration:
    """Switch between on-site and online. A wait-listed person who switches to a kind with a
    free seat (online is usually unlimited) is confirmed at once; a seat given up is passed on
    to the wait-list. Switching to a full kind is refused (nobody loses a confirmed seat)."""
    now = now or timezone.now()
    seminar = _lock_seminar(registration.seminar)
    registration = _lock_registration(registration)
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        raise SeminarError(_("この申込みは参加方法を変更できません。"))
    if _has_started(seminar, now):
        raise SeminarError(_("セミナーの開始後は参加方法を変更できません。"))
    if attendance not in dict(seminar.attendance_choices):
        raise SeminarError(_("このセミナーでは選ばれた参加方法を受け付けていません。"))
    if attendance == registration.attendance:
        raise SeminarError(
            _("すでに「%(attendance)s」で申し込まれています。")
            % {"attendance": Attendance(attendance).label}
        )
    if not _has_seat(seminar, attendance):
        raise SeminarError(
            _("「%(attendance)s」は満席のため変更できません。")
            % {"attendance": Attendance(attendance).label}
        )
    given_up = registration.attendance if registration.holds_seat else None
    log_action(
        registration,
        "registration.attendance_changed",
        data={"from": registration.attendance, "to": attendance},
    )
    registration.attendance = attendance
    fields = ["attendance"]
    if registration.status == RegistrationStatus.WAITLISTED:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        fields += ["status", "confirmed_at"]
    registration.save(update_fields=fields)
    notifications.attendance_changed(registration)
    if given_up:
        _promote(seminar, given_up, now)
    return registration
