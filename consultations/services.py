"""Every write that moves a consultation along.

Each service runs in one transaction (`send_survey_reminders`: one per survey) and queues its
e-mails as outbox rows in that transaction (Celery is told only after commit). What each one
locks:

- `change_status`, `start_matching`, `withdraw`, `assign_supporters`: the consultation row,
  then they check the current status and record the history row;
- `set_staff_in_charge`, `reply_to_requester`, `correct_details`: the consultation row;
- `respond_to_assignment`, `record_advice`: the consultation row, then the assignment row;
- `submit_consultation`: the year's reference counter (the consultation is new);
- `answer_survey`: the survey row;
- `send_survey_reminders`, `alert_stale_consultations`: each survey / the batch of
  consultations, skipping rows another worker holds;
- `add_internal_note` locks nothing: it only adds a row and changes no state;
- `record_support` adds a row; `correct_support_record` locks the support record.
"""

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.translation import gettext as _

from advisors.models import Supporter
from consultations import notifications
from consultations.matching import in_term
from consultations.models import (
    AdviceSession,
    Assignment,
    Category,
    Consultation,
    InternalNote,
    ReferenceCounter,
    RequesterReply,
    Source,
    Status,
    SupportRecord,
    Survey,
)
from consultations.workflow import ADVICE_STATUSES, REQUESTER_NOTIFIED, can_transition
from mie_dx.audit import log_action, save_changes
from mie_dx.business_days import add_business_days
from mie_dx.fiscal import fiscal_year
from mie_dx.people import PersonDetails
from mie_dx.users import acting_user

logger = logging.getLogger(__name__)


class ConsultationError(Exception):
    """A request the workflow does not allow; the message is shown to the person."""


@dataclass(frozen=True)
class ConsultationDetails(PersonDetails):
    """The requester (mie_dx.people) and what they ask about."""

    municipality: str
    category: str
    title: str
    description: str


def _next_reference(year: int) -> str:
    """DX-<year>-<4 digits>, sequential per year, under a row lock on the year's counter."""
    try:
        with transaction.atomic():
            ReferenceCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another submission created the year's row first; lock it below
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    return f"DX-{year}-{counter.last_number:04d}"


@transaction.atomic
def submit_consultation(
    *,
    details: ConsultationDetails,
    attachment: "File[bytes] | None" = None,
    source: str = Source.WEB,
    created_by: AbstractBaseUser | AnonymousUser | None = None,
    created_at: datetime | None = None,
    is_sample: bool = False,
    language: str | None = None,
    acknowledge: bool = True,
) -> Consultation:
    """Record a new consultation, acknowledge it to the requester and alert the center.

    The caller has validated `details` (the public form or the admin form). `acknowledge`
    False: the caller's own message to the requester gives the reference and status link.

    The attachment is written to storage before the rows, so that the row names a file that
    exists. If anything after that fails inside this service, the file is deleted again before
    the error propagates. Limit: when the caller's own, outer transaction rolls back after this
    service has returned, the file stays in storage without a row (Django has no rollback
    hook); today no caller that passes an attachment wraps this service in a transaction.
    """
    now = created_at or timezone.now()
    staff = acting_user(created_by)
    consultation = Consultation(
        reference=_next_reference(timezone.localtime(now).year),
        source=source,
        created_by=staff,
        # The web form and the seminar registration form both ask for consent; staff entering
        # a case taken by phone, e-mail, a visit or at a seminar did not get it on a form.
        privacy_consent_at=now
        if staff is None and source in (Source.WEB, Source.SEMINAR)
        else None,
        created_at=now,
        status_changed_at=now,
        is_sample=is_sample,
        language=(language or settings.LANGUAGE_CODE)[:2],
        **asdict(details),
    )
    if attachment is not None:
        name = attachment.name or ""  # an upload, or the kept file, has the name it was sent as
        consultation.attachment_name = name[:255]
        consultation.attachment.save(name, attachment, save=False)
    try:
        consultation.save()
        consultation.status_changes.create(
            from_status="",
            to_status=Status.RECEIVED,
            changed_by=consultation.created_by,
            changed_at=now,
        )
        log_action(
            consultation,
            "consultation.received",
            by=consultation.created_by,
            data={"source": source, "attachment": bool(consultation.attachment_name)},
        )
        if not is_sample:
            notifications.consultation_received(consultation, acknowledge=acknowledge)
    except BaseException:
        # The rows roll back with this transaction; the file in storage would not.
        if consultation.attachment:
            consultation.attachment.delete(save=False)
        raise
    return consultation


def request_from_seminar(
    *, person: PersonDetails, title: str, topic: str, language: str | None = None
) -> Consultation:
    """An individual consultation asked for when registering for a seminar (source seminar).

    The registrant's details come over as they are (requester type, organisation, name, kana,
    e-mail, phone) and what they want to discuss becomes the description. The seminar form
    does not ask the municipality: it stays empty for staff to fill when they triage. The
    category is 「課題解決のための相談」: at the session after a seminar (個別相談会) the center
    hears each person's own matter in turn, which is what a problem-solving consultation is;
    staff re-categorise at triage if it turns out to be a request for information or training.
    No acknowledgement of its own: the registration's message gives the reference and the
    status link (seminars.notifications). The center is alerted as for every new case.
    """
    title_max = Consultation._meta.get_field("title").max_length
    details = ConsultationDetails(
        **asdict(person),
        municipality="",
        category=Category.PROBLEM,
        title=title[:title_max],
        description=topic,
    )
    return submit_consultation(
        details=details, source=Source.SEMINAR, language=language, acknowledge=False
    )


@transaction.atomic
def withdraw_for_cancelled_registration(*, consultation: Consultation) -> bool:
    """The seminar registration that asked for `consultation` was cancelled by its registrant.

    Still `received` (nobody has worked on it): it is withdrawn, without a message of its own
    (the cancellation e-mail says so); returns True. Already in progress: it stays open and
    staff find an internal note saying the registration was cancelled; returns False. An
    ended case is left alone (False).
    """
    consultation = _lock(consultation)
    if consultation.status == Status.RECEIVED:
        _move(
            consultation,
            to_status=Status.WITHDRAWN,
            by=None,
            note=_("セミナーの申込みが取り消されたため、個別相談も取り下げました。"),
        )
        return True
    if consultation.is_open:
        note = InternalNote.objects.create(
            consultation=consultation,
            author=None,
            body=_(
                "この相談を申し込んだセミナーの申込みが取り消されました。"
                "相談を続けるか、相談者に確認してください。"
            ),
        )
        log_action(consultation, "consultation.note_added", data={"note": note.pk})
    return False


def _lock(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _move(
    consultation: Consultation,
    *,
    to_status: str,
    by: AbstractBaseUser | AnonymousUser | None,
    note: str = "",
) -> Consultation:
    """Precondition: `consultation` is locked in the current transaction."""
    if consultation.status == to_status or not can_transition(consultation.status, to_status):
        raise ConsultationError(
            _("「%(from)s」から「%(to)s」には変更できません。")
            % {
                "from": Status(consultation.status).label,
                "to": Status(to_status).label,
            }
        )
    now = timezone.now()
    from_status = consultation.status
    consultation.status = to_status
    consultation.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if to_status == Status.CLOSED:
        consultation.closed_at = now
        fields.append("closed_at")
    consultation.save(update_fields=fields)
    consultation.status_changes.create(
        from_status=from_status,
        to_status=to_status,
        changed_by=acting_user(by),
        changed_at=now,
        note=note,
    )
    # The note is staff's or the requester's words: the log keeps only that there is one.
    log_action(
        consultation,
        "consultation.status_changed",
        by=by,
        data={"from": from_status, "to": to_status, "note": bool(note)},
    )
    return consultation


@transaction.atomic
def change_status(
    *,
    consultation: Consultation,
    to_status: str,
    by: AbstractBaseUser | AnonymousUser,
    note: str = "",
) -> Consultation:
    """Staff move a consultation along the workflow. Closing sends the survey.

    助言・提案 (advising) needs a supporter who has accepted (resuming a case on hold, say):
    a supporter who was only asked has not taken the case on yet.
    """
    consultation = _lock(consultation)
    if to_status == Status.CLOSED:
        return _close(consultation, by=by, note=note)
    if (
        to_status == Status.ADVISING
        # A transition the workflow refuses anyway gets the workflow's message from _move.
        and can_transition(consultation.status, to_status)
        and not consultation.assignments.filter(state=Assignment.State.ACCEPTED).exists()
    ):
        raise ConsultationError(
            _(
                "助言・提案に進めるのは、アドバイザー・パートナーが依頼を受諾してからです。"
                "受諾した方がいないため、状態は変更していません。"
            )
        )
    _move(consultation, to_status=to_status, by=by, note=note)
    if to_status in (Status.WITHDRAWN, Status.DECLINED):
        _cancel_assignments(consultation, states=Assignment.ACTIVE_STATES)
    if to_status in REQUESTER_NOTIFIED:
        notifications.status_changed(consultation)
    return consultation


@transaction.atomic
def withdraw(*, consultation: Consultation, reason: str = "") -> Consultation:
    """The requester withdraws through their status link."""
    consultation = _lock(consultation)
    if not consultation.is_open:
        raise ConsultationError(_("この相談はすでに終了しているため、取り下げできません。"))
    _move(consultation, to_status=Status.WITHDRAWN, by=None, note=reason)
    cancelled = _cancel_assignments(consultation, states=Assignment.ACTIVE_STATES)
    notifications.status_changed(consultation)
    notifications.withdrawn_staff_alert(consultation, supporters_told=bool(cancelled))
    return consultation


def _cancel_assignments(consultation: Consultation, *, states: Iterable[str]) -> list[Assignment]:
    """The case ended for the supporters whose assignment is in `states`: cancel and tell them.

    Withdrawn or declined: every active assignment. Closed: the ones still `proposed` (the
    accepted ones are done). Precondition: `consultation` is locked and already in its final
    status (the e-mail names it).
    """
    ended = list(consultation.assignments.filter(state__in=states).select_related("supporter"))
    if not ended:
        return []
    Assignment.objects.filter(pk__in=[a.pk for a in ended]).update(state=Assignment.State.CANCELLED)
    log_action(
        consultation,
        "consultation.assignments_cancelled",
        data={"supporters": [a.supporter_id for a in ended]},
    )
    for assignment in ended:
        notifications.assignment_cancelled(assignment)
    return ended


def _close(
    consultation: Consultation, *, by: AbstractBaseUser | AnonymousUser | None, note: str
) -> Consultation:
    _move(consultation, to_status=Status.CLOSED, by=by, note=note)
    consultation.assignments.filter(state=Assignment.State.ACCEPTED).update(
        state=Assignment.State.DONE
    )
    # A supporter who never answered is told the request is over, rather than left with an
    # open request on a closed case.
    _cancel_assignments(consultation, states=[Assignment.State.PROPOSED])
    survey = Survey.objects.create(consultation=consultation)
    notifications.survey_requested(survey)
    return consultation


@transaction.atomic
def start_matching(
    *, consultation: Consultation, by: AbstractBaseUser | AnonymousUser, note: str = ""
) -> Consultation:
    """Staff take a case to matching in one step: a case still `received` passes through
    `triage` on the way (both steps are recorded, so the history and the figures read as
    usual). From `triage` or `on_hold` it is one ordinary transition."""
    consultation = _lock(consultation)
    if consultation.status == Status.RECEIVED:
        _move(consultation, to_status=Status.TRIAGE, by=by)
    _move(consultation, to_status=Status.MATCHING, by=by, note=note)
    return consultation


@transaction.atomic
def set_staff_in_charge(
    *,
    consultation: Consultation,
    staff: User | None,
    by: AbstractBaseUser | AnonymousUser,
) -> Consultation:
    """Who at the center looks after the case (None: nobody yet). Any staff member."""
    consultation = _lock(consultation)
    if staff is not None and not staff.is_staff:
        raise ConsultationError(_("センター担当者には職員を選んでください。"))
    if consultation.staff_in_charge_id == (staff.pk if staff else None):
        return consultation
    previous = consultation.staff_in_charge_id
    consultation.staff_in_charge = staff
    consultation.save(update_fields=["staff_in_charge", "updated_at"])
    log_action(
        consultation,
        "consultation.staff_in_charge_set",
        by=by,
        data={"from": previous, "to": staff.pk if staff else None},
    )
    return consultation


@transaction.atomic
def reply_to_requester(
    *, consultation: Consultation, body: str, by: AbstractBaseUser | AnonymousUser
) -> RequesterReply:
    """Write to the requester from the case: shown on their status page, and e-mailed to them
    when they gave an address (`reply.emailed` says whether). Unlike an internal note, the
    requester reads it. Not on an erased case (nobody is left to write to)."""
    consultation = _lock(consultation)
    if consultation.is_erased:
        raise ConsultationError(_("個人情報を削除した相談の相談者には連絡できません。"))
    body = body.strip()
    if not body:
        raise ConsultationError(_("相談者への連絡を入力してください。"))
    reply = RequesterReply.objects.create(
        consultation=consultation, body=body, sent_by=acting_user(by), sent_at=timezone.now()
    )
    reply.emailed = notifications.reply_to_requester(reply)
    if reply.emailed:
        reply.save(update_fields=["emailed"])
    log_action(
        consultation,
        "consultation.replied",
        by=by,
        data={"reply": reply.pk, "emailed": reply.emailed},
    )
    return reply


# The requester's own words and details: staff may correct them (a misspelt name, a title
# that says nothing), and every correction is logged with the fields it changed.
CORRECTABLE_FIELDS = frozenset(
    (*PersonDetails.field_names(), "municipality", "category", "title", "description")
)


def correct_details(
    *, consultation: Consultation, fields: Iterable[str], by: AbstractBaseUser | AnonymousUser
) -> None:
    """Save staff's corrections of the requester's details (already set on `consultation`
    from a validated form) and log which fields changed, never their values.

    Only those columns are written (mie_dx.audit.save_changes): the requester may have
    withdrawn meanwhile, and writing every column would undo that.
    """
    fields = [f for f in fields if f in CORRECTABLE_FIELDS]
    # mie_dx.audit.save_changes types `by` as AbstractBaseUser only (log_action, which it
    # calls, takes request.user as it comes): a core signature, reported.
    save_changes(consultation, fields=fields, by=by, action="consultation.corrected")


@transaction.atomic
def add_internal_note(
    *, consultation: Consultation, by: AbstractBaseUser | AnonymousUser, body: str
) -> InternalNote:
    note = InternalNote.objects.create(consultation=consultation, author=acting_user(by), body=body)
    log_action(consultation, "consultation.note_added", by=by, data={"note": note.pk})
    return note


@transaction.atomic
def assign_supporters(
    *,
    consultation: Consultation,
    supporters: Iterable[Supporter],
    by: AbstractBaseUser | AnonymousUser,
    scores: dict[int, tuple[int, list[str]]] | None = None,
    note: str = "",
) -> list[Assignment]:
    """Ask supporters to take on a consultation in `matching`; it stays in `matching`
    (shown as 「マッチング（依頼中）」) until one of them accepts (`respond_to_assignment`).

    Each supporter must be active and within their term (the same rule as the suggestions).
    Each gets a private link to accept or decline (a supporter without an address: the
    request goes to the center's inbox, and the case page says so). The requester is told
    only when a supporter accepts, not now. Staff's `note` becomes an internal note.
    """
    consultation = _lock(consultation)
    if consultation.status != Status.MATCHING:
        raise ConsultationError(
            _("アドバイザー等を割り当てられるのは「マッチング」の相談だけです。")
        )
    supporters = list(supporters)
    if not supporters:
        raise ConsultationError(_("アドバイザー・パートナーを1件以上選んでください。"))
    already = set(consultation.assignments.values_list("supporter_id", flat=True))
    current_fy = fiscal_year(timezone.localdate())
    created = []
    for supporter in supporters:
        if not supporter.is_active:
            raise ConsultationError(
                _("%(name)s は現在登録されていないため割り当てできません。") % {"name": supporter}
            )
        if not in_term(supporter, current_fy):
            raise ConsultationError(
                _("%(name)s は任期（%(term)s）外のため割り当てできません。")
                % {"name": supporter, "term": supporter.term_label}
            )
        if supporter.pk in already:
            continue
        score, reasons = (scores or {}).get(supporter.pk, (None, []))
        created.append(
            Assignment.objects.create(
                consultation=consultation,
                supporter=supporter,
                assigned_by=acting_user(by),
                score=score,
                reasons=reasons,
            )
        )
    if not created:
        raise ConsultationError(_("選んだアドバイザー等はすでに割り当て済みです。"))
    log_action(
        consultation,
        "consultation.supporters_assigned",
        by=by,
        data={"supporters": [a.supporter_id for a in created]},
    )
    note = note.strip()
    if note:
        internal = InternalNote.objects.create(
            consultation=consultation, author=acting_user(by), body=note
        )
        log_action(consultation, "consultation.note_added", by=by, data={"note": internal.pk})
    for assignment in created:
        notifications.supporter_matched(assignment)
    return created


@transaction.atomic
def respond_to_assignment(*, assignment: Assignment, accept: bool, reason: str = "") -> Assignment:
    """The supporter accepts or declines through their private link; the center is alerted
    either way.

    An acceptance is announced to the requester, and a case in `matching` moves to
    `advising` (助言・提案 begins now, not when the supporter was asked). When the last active
    supporter of a case in `advising` declines, it goes back to `matching`; in `matching` it
    stays there.
    """
    consultation = _lock(assignment.consultation)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.state != Assignment.State.PROPOSED:
        raise ConsultationError(_("この依頼にはすでに回答済みです。"))
    if not consultation.is_open:
        raise ConsultationError(_("この相談はすでに終了しています。"))
    assignment.state = Assignment.State.ACCEPTED if accept else Assignment.State.DECLINED
    assignment.responded_at = timezone.now()
    assignment.decline_reason = "" if accept else reason
    assignment.save(update_fields=["state", "responded_at", "decline_reason"])
    log_action(
        consultation,
        "consultation.supporter_accepted" if accept else "consultation.supporter_declined",
        data={"supporter": assignment.supporter_id, "reason": bool(reason and not accept)},
    )
    from_status = consultation.status
    nobody_left = False
    if not accept:
        nobody_left = not consultation.assignments.filter(
            state__in=Assignment.ACTIVE_STATES
        ).exists()
        if nobody_left and consultation.status == Status.ADVISING:
            _move(
                consultation,
                to_status=Status.MATCHING,
                by=None,
                note=_("%(name)s が辞退しました。") % {"name": assignment.supporter},
            )
    else:
        _begin_advice(consultation, assignment, by=None)
        notifications.supporter_accepted(assignment)
    notifications.assignment_answered(
        assignment,
        moved_from=from_status if consultation.status != from_status else "",
        nobody_left=nobody_left,
    )
    return assignment


def _begin_advice(
    consultation: Consultation,
    assignment: Assignment,
    *,
    by: AbstractBaseUser | AnonymousUser | None,
    by_advice: bool = False,
) -> None:
    """A supporter has taken the case on: a case in `matching` moves to `advising`, with a
    note naming them. Precondition: both rows are locked and the assignment is accepted."""
    if consultation.status != Status.MATCHING:
        return
    name = {"name": assignment.supporter.name}
    _move(
        consultation,
        to_status=Status.ADVISING,
        by=by,
        note=_("%(name)s の助言・提案が記録されたため、受諾として扱いました。") % name
        if by_advice
        else _("%(name)s が依頼を受諾しました。") % name,
    )


@transaction.atomic
def record_advice(
    *,
    assignment: Assignment,
    held_on: date,
    summary: str,
    by_supporter: bool,
    by: AbstractBaseUser | AnonymousUser | None = None,
) -> AdviceSession:
    """Record one advice session; the center offers at most CONSULTATION_MAX_ADVICE_SESSIONS.

    Advice recorded for a supporter who had not answered yet is their acceptance (the
    requester hears about it), and a case still in `matching` moves to `advising` first.
    """
    consultation = _lock(assignment.consultation)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if consultation.status not in ADVICE_STATUSES:
        raise ConsultationError(
            _("助言・提案を記録できるのは「マッチング」「助言・提案」の相談だけです。")
        )
    if not assignment.is_active:
        raise ConsultationError(_("この依頼は辞退または完了しているため、記録できません。"))
    limit = settings.CONSULTATION_MAX_ADVICE_SESSIONS
    held = AdviceSession.objects.filter(assignment__consultation=consultation).count()
    if held >= limit:
        raise ConsultationError(
            _("1件の相談で受けられるアドバイザー等の助言は%(limit)s回までです。") % {"limit": limit}
        )
    if held_on > timezone.localdate():
        raise ConsultationError(_("実施日に未来の日付は指定できません。"))
    if assignment.state == Assignment.State.PROPOSED:
        # Recording advice is also an acceptance (and the requester hears about it).
        assignment.state = Assignment.State.ACCEPTED
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["state", "responded_at"])
        log_action(
            consultation,
            "consultation.supporter_accepted",
            by=by,
            data={"supporter": assignment.supporter_id, "reason": False},
        )
        notifications.supporter_accepted(assignment)
    _begin_advice(consultation, assignment, by=by, by_advice=True)
    session = AdviceSession.objects.create(
        assignment=assignment,
        held_on=held_on,
        summary=summary,
        recorded_by_supporter=by_supporter,
        recorded_by=acting_user(by),
    )
    log_action(
        consultation,
        "consultation.advice_recorded",
        by=by,
        data={"supporter": assignment.supporter_id, "held_on": held_on, "session": session.pk},
    )
    return session


def send_survey_reminders(*, now: datetime | None = None) -> int:
    """One reminder for surveys unanswered 7 days after they were sent (beat, hourly in
    office hours: consultations/apps.py beat_schedule).

    A requester whose personal data was erased has no address left and is not reminded. Each
    survey is its own transaction: one that cannot be mailed is logged and skipped (and tried
    again on the next run), and the others are still reminded.
    """
    now = now or timezone.now()
    due = now - settings.CONSULTATION_SURVEY_REMINDER_AFTER
    sent = 0
    pending = (
        Survey.objects.filter(
            answered_at__isnull=True,
            reminder_sent_at__isnull=True,
            sent_at__lte=due,
            consultation__personal_data_erased_at__isnull=True,
        )
        .order_by("sent_at", "pk")
        .values_list("pk", flat=True)
    )
    for survey_pk in pending[:500]:
        try:
            with transaction.atomic():
                survey = (
                    Survey.objects.select_for_update(skip_locked=True)
                    .select_related("consultation")
                    .filter(
                        pk=survey_pk,
                        answered_at__isnull=True,
                        reminder_sent_at__isnull=True,
                        consultation__personal_data_erased_at__isnull=True,
                    )
                    .first()
                )
                if survey is None:
                    continue
                survey.reminder_sent_at = now
                survey.save(update_fields=["reminder_sent_at"])
                notifications.survey_reminder(survey)
        except ValidationError as error:
            # An address the outbox refuses; this survey's transaction rolled back.
            logger.warning("survey %s: no reminder sent: %s", survey_pk, error)
            continue
        sent += 1
    return sent


def stale_after(created_at: datetime) -> datetime:
    """When a consultation received at `created_at` has waited the stale number of business days.

    The same time of day, that many business days later (weekends, Japanese public holidays
    and the year-end closure skipped): received Friday 10:00 before a Monday holiday, it is
    stale from Thursday 10:00.
    """
    local = timezone.localtime(created_at)
    due_day = add_business_days(local.date(), settings.CONSULTATION_STALE_BUSINESS_DAYS)
    return local.replace(year=due_day.year, month=due_day.month, day=due_day.day)


def alert_stale_consultations(*, now: datetime | None = None) -> int:
    """Alert the center once about consultations still `received` after 3 business days.

    Erased consultations never qualify (only ended ones are erased), and the alert goes to the
    center's own address, so no requester's address is involved.
    """
    now = now or timezone.now()
    candidates = (
        Consultation.objects.filter(
            status=Status.RECEIVED, stale_alert_sent_at__isnull=True, is_sample=False
        )
        # Oldest first, so a backlog larger than one batch is worked through in order.
        .order_by("created_at")
        .only("pk", "created_at")
    )
    stale = [c.pk for c in candidates[:1000] if stale_after(c.created_at) <= now]
    if not stale:
        return 0
    with transaction.atomic():
        rows = list(
            Consultation.objects.select_for_update(skip_locked=True)
            .filter(pk__in=stale, status=Status.RECEIVED, stale_alert_sent_at__isnull=True)
            .order_by("created_at")
        )
        if not rows:
            return 0
        Consultation.objects.filter(pk__in=[c.pk for c in rows]).update(stale_alert_sent_at=now)
        notifications.stale_consultations(rows)
    return len(rows)


# --- Support given outside the desk (KPI 10-1 b) ------------------------------------------------


def _check_support(record: SupportRecord) -> None:
    """The model's own validation (choices, lengths, the one-record-per-day rule), as a
    ConsultationError with the field's label: nothing is saved when it fails."""
    try:
        record.full_clean(exclude=["recorded_by"])
    except ValidationError as error:
        reasons: list[str] = []
        for name, messages in error.message_dict.items():
            try:
                # A field full_clean checked: a concrete column, never a reverse relation.
                field = cast("Field[Any, Any]", SupportRecord._meta.get_field(name))
                label = str(field.verbose_name)
            except FieldDoesNotExist:  # NON_FIELD_ERRORS: the one-record-per-day rule
                label = ""
            reasons.extend(f"{label}: {m}" if label else m for m in messages)
        raise ConsultationError(" ".join(reasons)) from error


@transaction.atomic
def record_support(
    *,
    supported_on: date,
    organization: str,
    programme: str,
    kind: str,
    note: str = "",
    by: AbstractBaseUser | AnonymousUser | None,
    is_sample: bool = False,
) -> SupportRecord:
    """Record support given to a business or group outside the consultation desk (a
    programme's information, matching or business-plan advice). One record per support;
    the KPI counts it in the fiscal year of `supported_on`. Not in the future."""
    if supported_on > timezone.localdate():
        raise ConsultationError(_("支援日に未来の日付は指定できません。"))
    record = SupportRecord(
        supported_on=supported_on,
        organization=organization.strip(),
        programme=programme,
        kind=kind,
        note=note.strip(),
        recorded_by=acting_user(by),
        recorded_at=timezone.now(),
        is_sample=is_sample,
    )
    _check_support(record)
    record.save()
    log_action(
        record,
        "support_record.recorded",
        by=by,
        data={"programme": programme, "kind": kind, "supported_on": supported_on.isoformat()},
    )
    return record


# What staff may correct on a support record (who recorded it and when stay as they were).
SUPPORT_RECORD_FIELDS = ("supported_on", "organization", "programme", "kind", "note")


@transaction.atomic
def correct_support_record(
    *, record: SupportRecord, fields: Iterable[str], by: AbstractBaseUser | AnonymousUser
) -> SupportRecord:
    """Save staff's corrections (already set on `record` from a validated form) and log which
    fields changed. Locks the row."""
    fields = [f for f in fields if f in SUPPORT_RECORD_FIELDS]
    if not fields:
        return record
    SupportRecord.objects.select_for_update().filter(pk=record.pk).first()
    if "supported_on" in fields and record.supported_on > timezone.localdate():
        raise ConsultationError(_("支援日に未来の日付は指定できません。"))
    _check_support(record)
    # mie_dx.audit.save_changes: `by` typed narrower than log_action's (see correct_details).
    save_changes(record, fields=fields, by=by, action="support_record.corrected")
    return record


@transaction.atomic
def delete_support_record(*, record: SupportRecord, by: AbstractBaseUser | AnonymousUser) -> None:
    """Delete a record entered by mistake; the log keeps that it existed (no content)."""
    log_action(
        record,
        "support_record.deleted",
        by=by,
        data={"supported_on": record.supported_on.isoformat(), "programme": record.programme},
    )
    record.delete()
