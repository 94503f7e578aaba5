"""Every write about seminars: registering, the waiting list, attendance changes, cancelling,
check-in, individual-consultation slots, the seminar's own status, reminders and surveys.

Locking rule: each function that changes who holds a seat first locks the seminar row
(`select_for_update`) and only then counts and changes registrations. Every seat change of a
seminar is therefore serialised on that one row, so counting the free seats and taking one can
never interleave with another registration (no overbooking, fair order). The partial unique
constraint on (seminar, lower(email)) is the backstop against duplicates.

E-mails are outbox rows written in the same transaction (seminars/notifications.py); Celery
sends them after commit.

The lock is held until the transaction commits, so `register` keeps what happens under it to
deciding the seat and writing the rows: its e-mail (the confirmation with its .ics, or the
waiting-list notice) is rendered *before* the lock, for the outcome the free seats announce
then, into the id drawn for the registration; under the lock the row is inserted with that id
and the rendered message stored with it in the same transaction (a committed registration
always has its e-mail, a rolled-back one never). Only when the outcome turned out otherwise
(the last seat went meanwhile) or the seminar changed meanwhile is it rendered again under
the lock. With an individual consultation asked for, the message gives the consultation's
reference, so it is rendered once the consultation exists, under the lock.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from consultations import services as consultation_services
from mie_dx.audit import log_action
from mie_dx.people import PersonDetails
from seminars import notifications
from seminars.models import (
    ACTIVE,
    SEAT_HOLDING,
    Attendance,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
    SeminarSurvey,
)


class SeminarError(Exception):
    """A request the rules do not allow; the message is shown to the person as it is."""


class RegistrationClosed(SeminarError):
    """Registration is not open for this seminar (draft, cancelled, past, after the deadline)."""


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    # False when the address already had an active registration: nothing new was created and
    # the management link was sent to that address again.
    created: bool
    # What the person is told on screen: the new registration's status, or — for an address
    # already registered — the status a new one would have had, so that the answer does not
    # reveal whether an address is registered (the e-mail tells its owner what happened).
    shown_status: str


@dataclass
class SlotAssignment:
    assigned: list[Registration] = field(default_factory=list)
    unassigned: list[Registration] = field(default_factory=list)


def _lock_seminar(seminar: Seminar) -> Seminar:
    return Seminar.objects.select_for_update().get(pk=seminar.pk)


def _lock_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("seminar")
        .get(pk=registration.pk)
    )


def _has_started(seminar: Seminar, now: datetime) -> bool:
    if seminar.starts_at is not None:
        return now >= seminar.starts_at
    return seminar.date is not None and timezone.localdate(now) >= seminar.date


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
    closes_at = seminar.registration_closes_at
    if closes_at is not None and now >= closes_at:
        return _("申込みの受付は%(deadline)sで締め切りました。") % {
            "deadline": formats.date_format(seminar.registration_deadline, "MONTH_DAY_FORMAT")
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
        return cursor.fetchone()[0]


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
    seminar: Seminar, attendance: str, now: datetime, by: AbstractBaseUser | None = None
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
    *, seminar: Seminar, by: AbstractBaseUser | None = None, now: datetime | None = None
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
    withdrawn = registration.consultation is not None and (
        consultation_services.withdraw_for_cancelled_registration(
            consultation=registration.consultation
        )
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


# --- Staff ---------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(
    *,
    registration: Registration,
    attended: bool | None,
    by: AbstractBaseUser | None,
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
        registration.checked_in_by = by if by and by.is_authenticated else None
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
    by: AbstractBaseUser | None = None,
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
            notifications.consultation_slot(registration)
        result.assigned.append(registration)
    return result


@transaction.atomic
def publish_seminar(*, seminar: Seminar, by: AbstractBaseUser | None = None) -> Seminar:
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
    by: AbstractBaseUser | None = None,
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
    *, seminar: Seminar, by: AbstractBaseUser | None = None, now: datetime | None = None
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


# --- Scheduled (Celery beat) ---------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> int:
    """The day-before reminder, for seminars whose reminder time has come and that have not
    started. Only people confirmed BEFORE the reminder time get one (someone who registers
    later has just received their confirmation), each at most once. Returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = Seminar.objects.filter(
        status=SeminarStatus.PUBLISHED,
        start_time__isnull=False,
        date__gte=today,
        date__lte=timezone.localdate(now + settings.SEMINAR_REMINDER_BEFORE),
    )
    sent = 0
    for seminar in candidates:
        if seminar.reminder_at <= now < seminar.starts_at:
            sent += _send_reminders_for(seminar, now)
    return sent


@transaction.atomic
def _send_reminders_for(seminar: Seminar, now: datetime) -> int:
    # skip_locked: a registration being cancelled right now is left to the next run, which
    # then sees it cancelled. The reminder_sent_at mark and the dedupe key stop a second send.
    due = (
        Registration.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("seminar")
        .filter(
            seminar=seminar,
            status=RegistrationStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
            confirmed_at__lt=seminar.reminder_at,
        )
        .order_by("pk")
    )
    count = 0
    for registration in due:
        notifications.reminder(registration)
        registration.reminder_sent_at = now
        registration.save(update_fields=["reminder_sent_at"])
        count += 1
    return count


def send_surveys(*, now: datetime | None = None) -> int:
    """The survey after the seminar, to those who took part (confirmed or checked in as
    attended), once each, between SEMINAR_SURVEY_AFTER and SEMINAR_SURVEY_WINDOW after the
    end. Returns how many surveys were sent."""
    now = now or timezone.now()
    window = settings.SEMINAR_SURVEY_WINDOW
    candidates = Seminar.objects.filter(
        status__in=[SeminarStatus.PUBLISHED, SeminarStatus.HELD],
        start_time__isnull=False,
        date__gte=timezone.localdate(now - window) - timedelta(days=1),
        date__lte=timezone.localdate(now),
    )
    sent = 0
    for seminar in candidates:
        ended = seminar.ends_at or seminar.starts_at
        if ended + settings.SEMINAR_SURVEY_AFTER <= now <= ended + window:
            sent += _send_surveys_for(seminar, now)
    return sent


@transaction.atomic
def _send_surveys_for(seminar: Seminar, now: datetime) -> int:
    due = (
        Registration.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("seminar")
        .filter(
            seminar=seminar,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
            survey__isnull=True,
        )
        .order_by("pk")
    )
    count = 0
    for registration in due:
        survey = SeminarSurvey.objects.create(registration=registration, sent_at=now)
        notifications.survey(survey)
        count += 1
    return count
