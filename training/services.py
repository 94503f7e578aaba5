"""Every change to the training data: keyword-only, one transaction, logged once
(mie_dx.audit). The admin (training.admin), the imports (training.resources), the pages and the
demo loader change enrolments, completions, certifications, observers, initiatives and
promoters through these and nothing else; plain reference data (courses, periods, a staff
member's details) is saved by the core's logged save (mie_dx.admin_mixins, mie_dx.audit)."""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mie_dx.audit import log_action
from mie_dx.business_days import is_business_day
from mie_dx.fiscal import fiscal_year
from mie_dx.models import Division
from mie_dx.notifications import (
    OutgoingEmail,
    RenderedEmail,
    queue_notification,
    queue_notifications,
    render_email,
)
from mie_dx.tokens import TOKEN_LENGTH
from mie_dx.users import acting_user
from training.models import (
    Course,
    CourseRun,
    Enrolment,
    Initiative,
    MunicipalObserver,
    PromoterAppointment,
    Realisation,
    Rootedness,
    SpecialistCertification,
    Staff,
    StaffSurvey,
    StaffSurveyAnswer,
    StaffSurveyInvitation,
)

# Reminders go this many business days before a period ends.
REMINDER_BUSINESS_DAYS = 5


class TrainingError(Exception):
    """A change the rules do not allow (the message says why, for staff)."""


def _run_for(runs: list[CourseRun], stage: str, course: Course) -> CourseRun | None:
    """The first run (by start) of the course whose stages include `stage`."""
    for run in runs:
        stages = run.stages or course.target_stages
        if stage in stages:
            return run
    return None


def auto_enrol(*, fiscal_year: int, by: AbstractBaseUser | AnonymousUser | None = None) -> int:
    """Enrol active staff in the mandatory courses of their stage for `fiscal_year`.

    Rerunnable: staff already enrolled in a course that year are left as they are (a member
    of staff whose stage changed keeps the old enrolment and what was done). Returns how
    many enrolments were created. Locks nothing: the unique constraint keeps it single.
    """
    courses = list(
        Course.objects.filter(is_mandatory=True, runs__fiscal_year=fiscal_year)
        .distinct()
        .prefetch_related("runs")
    )
    stages = {stage for course in courses for stage in course.target_stages}
    if not stages:
        return 0
    existing = set(
        Enrolment.objects.filter(fiscal_year=fiscal_year).values_list("staff_id", "course_id")
    )
    staff = list(
        Staff.objects.filter(is_active=True, stage__in=stages).values_list(
            "pk", "stage", "division_id"
        )
    )
    new: list[Enrolment] = []
    for course in courses:
        runs = sorted(
            (r for r in course.runs.all() if r.fiscal_year == fiscal_year),
            key=lambda r: r.starts_on,
        )
        for staff_id, stage, division_id in staff:
            if stage not in course.target_stages or (staff_id, course.pk) in existing:
                continue
            run = _run_for(runs, stage, course)
            if run is None:
                continue
            new.append(
                Enrolment(
                    staff_id=staff_id,
                    run=run,
                    course=course,
                    fiscal_year=fiscal_year,
                    division_id=division_id,
                    stage=stage,
                    is_mandatory=True,
                    enrolled_by=acting_user(by),
                )
            )
    with transaction.atomic():
        created = Enrolment.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        if new:
            # One entry for the batch: ids of thousands of rows would swamp the log.
            log_action(
                courses[0],
                "training.auto_enrolled",
                by=by,
                data={"fiscal_year": fiscal_year, "created": len(created)},
            )
    return len(new)


def enrol_promoters(*, fiscal_year: int, by: AbstractBaseUser | AnonymousUser | None = None) -> int:
    """Enrol the year's デジタル活用推進員 (primary and secondary) in that year's 推進員研修
    (基礎 in May, フォローアップ in September). Rerunnable; returns how many were created."""
    courses = list(
        Course.objects.filter(category=Course.Category.PROMOTER, runs__fiscal_year=fiscal_year)
        .distinct()
        .prefetch_related("runs")
    )
    appointments = list(
        PromoterAppointment.objects.filter(fiscal_year=fiscal_year).select_related("staff")
    )
    existing = set(
        Enrolment.objects.filter(fiscal_year=fiscal_year, course__in=courses).values_list(
            "staff_id", "course_id"
        )
    )
    new: list[Enrolment] = []
    for course in courses:
        run = min(
            (r for r in course.runs.all() if r.fiscal_year == fiscal_year),
            key=lambda r: r.starts_on,
        )
        for staff in {a.staff_id: a.staff for a in appointments}.values():
            if (staff.pk, course.pk) in existing:
                continue
            existing.add((staff.pk, course.pk))
            new.append(
                Enrolment(
                    staff=staff,
                    run=run,
                    course=course,
                    fiscal_year=fiscal_year,
                    division_id=staff.division_id,
                    stage=staff.stage,
                    is_mandatory=course.is_mandatory,
                    enrolled_by=acting_user(by),
                )
            )
    with transaction.atomic():
        Enrolment.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        if new:
            log_action(
                courses[0],
                "training.promoters_enrolled",
                by=by,
                data={"fiscal_year": fiscal_year, "created": len(new)},
            )
    return len(new)


def check_enrolment(*, staff: Staff, run: CourseRun) -> None:
    """The rule of `enrol`: a course once a fiscal year (TrainingError otherwise). Forms ask
    it first, to say so beside the field."""
    if Enrolment.objects.filter(
        staff=staff, course_id=run.course_id, fiscal_year=run.fiscal_year
    ).exists():
        raise TrainingError(gettext("この職員はこの年度の研修に登録済みです。"))


def enrol(
    *, staff: Staff, run: CourseRun, by: AbstractBaseUser | AnonymousUser | None
) -> Enrolment:
    """Enrol one member of staff (a volunteer course, or by hand) in `run`, with their division
    and stage of today. Locks the staff member's row (two enrolments at once stay one)."""
    with transaction.atomic():
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
        check_enrolment(staff=staff, run=run)
        enrolment = Enrolment.objects.create(
            staff=staff,
            run=run,
            course_id=run.course_id,
            fiscal_year=run.fiscal_year,
            division_id=staff.division_id,
            stage=staff.stage,
            is_mandatory=run.course.is_mandatory,
            enrolled_by=acting_user(by),
        )
        log_action(enrolment, "training.enrolled", by=by, data={"run": run.pk})
    return enrolment


def record_completion(
    *, enrolment: Enrolment, completed_on: date, by: AbstractBaseUser | AnonymousUser | None
) -> Enrolment:
    """Mark `enrolment` completed (locks it); completing the 養成研修 certifies a
    DX推進スペシャリスト for the fiscal year of the run."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("course", "staff")
            .get(pk=enrolment.pk)
        )
        if enrolment.completed_on == completed_on:
            return enrolment
        enrolment.completed_on = completed_on
        enrolment.save(update_fields=["completed_on"])
        log_action(
            enrolment,
            "training.completed",
            by=by,
            data={"course": enrolment.course.code, "completed_on": completed_on.isoformat()},
        )
        if enrolment.course.category == Course.Category.SPECIALIST_TRAINING:
            certify_specialist(
                staff=enrolment.staff,
                fiscal_year=enrolment.fiscal_year,
                certified_on=completed_on,
                enrolment=enrolment,
                by=by,
            )
    return enrolment


def clear_completion(
    *, enrolment: Enrolment, by: AbstractBaseUser | AnonymousUser | None
) -> Enrolment:
    """Take back a completion recorded by mistake (locks the enrolment). A certification it
    gave stays: it is corrected on its own page."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("course")
            .get(pk=enrolment.pk)
        )
        if enrolment.completed_on is None:
            return enrolment
        was = enrolment.completed_on
        enrolment.completed_on = None
        enrolment.save(update_fields=["completed_on"])
        log_action(
            enrolment,
            "training.completion_cleared",
            by=by,
            data={"course": enrolment.course.code, "completed_on": was.isoformat()},
        )
    return enrolment


def check_certification(*, staff: Staff, enrolment: Enrolment | None) -> None:
    """The rule of `certify_specialist` about the enrolment it names, if any: the staff
    member's own, completed 養成研修 (TrainingError otherwise)."""
    if enrolment is None:
        return
    if enrolment.staff_id != staff.pk:
        raise TrainingError(gettext("別の職員の受講登録です。"))
    if enrolment.course.category != Course.Category.SPECIALIST_TRAINING:
        raise TrainingError(gettext("養成研修の受講登録を指定してください。"))
    if enrolment.completed_on is None:
        raise TrainingError(gettext("修了していない養成研修の受講登録です。"))


def certify_specialist(
    *,
    staff: Staff,
    fiscal_year: int,
    certified_on: date,
    enrolment: Enrolment | None = None,
    by: AbstractBaseUser | AnonymousUser | None,
) -> SpecialistCertification:
    """Certify a DX推進スペシャリスト, once in a career: an existing certification is returned
    as it is. `enrolment` (the completed 養成研修) is absent for those certified before the
    portal kept the training. Locks the staff member's row."""
    with transaction.atomic():
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
        existing = SpecialistCertification.objects.filter(staff_id=staff.pk).first()
        if existing is not None:
            return existing
        check_certification(staff=staff, enrolment=enrolment)
        certification = SpecialistCertification.objects.create(
            staff=staff, fiscal_year=fiscal_year, certified_on=certified_on, enrolment=enrolment
        )
        log_action(
            certification,
            "training.specialist_certified",
            by=by,
            data={
                "fiscal_year": fiscal_year,
                "enrolment": enrolment.pk if enrolment is not None else None,
            },
        )
    return certification


def add_observer(
    *, fiscal_year: int, name: str, municipality: str, by: AbstractBaseUser | AnonymousUser | None
) -> MunicipalObserver:
    """A 市町 officer taking part in that year's 養成研修 as an observer (never certified)."""
    with transaction.atomic():
        observer = MunicipalObserver.objects.create(
            fiscal_year=fiscal_year, name=name, municipality=municipality
        )
        log_action(observer, "training.observer_added", by=by, data={"fiscal_year": fiscal_year})
    return observer


def record_initiative(
    *,
    title: str,
    division: Division,
    specialists: Iterable[Staff],
    date: date,
    outcome: str = "",
    by: AbstractBaseUser | AnonymousUser | None,
) -> Initiative:
    """A business-improvement initiative and the specialists taking part (KPI 行政運営6 a
    counts those with a certified specialist, in the fiscal year of its date)."""
    specialists = list(specialists)
    with transaction.atomic():
        initiative = Initiative.objects.create(
            title=title, division=division, date=date, outcome=outcome
        )
        initiative.specialists.set(specialists)
        log_action(
            initiative,
            "training.initiative_recorded",
            by=by,
            data={"specialists": [s.pk for s in specialists], "fiscal_year": fiscal_year(date)},
        )
    return initiative


INITIATIVE_FIELDS = ("title", "division", "date", "outcome")


def edit_initiative(
    *,
    initiative: Initiative,
    changes: Mapping[str, Any],
    specialists: Iterable[Staff] | None = None,
    by: AbstractBaseUser | AnonymousUser | None,
) -> Initiative:
    """Correct an initiative: `changes` (title, division, date, outcome → new value) and who
    took part (`specialists`, None: as they are). Locks its row; logged when anything
    changed, with the fields' names and the specialists now taking part."""
    unknown = set(changes) - set(INITIATIVE_FIELDS)
    if unknown:
        raise ValueError(f"not fields of an initiative: {sorted(unknown)}")
    with transaction.atomic():
        locked = Initiative.objects.select_for_update().get(pk=initiative.pk)
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, changes[name])
        if changed:
            locked.save(update_fields=changed)
        new_specialists = None if specialists is None else {s.pk for s in specialists}
        if new_specialists is not None and new_specialists != set(
            locked.specialists.values_list("pk", flat=True)
        ):
            locked.specialists.set(new_specialists)
            changed.append("specialists")
        if changed:
            log_action(
                locked,
                "training.initiative_edited",
                by=by,
                data={
                    "fields": sorted(changed),
                    "specialists": sorted(locked.specialists.values_list("pk", flat=True)),
                    "fiscal_year": fiscal_year(locked.date),
                },
            )
    return locked


def appoint_promoter(
    *,
    division: Division,
    fiscal_year: int,
    role: str,
    staff: Staff,
    by: AbstractBaseUser | AnonymousUser | None,
) -> PromoterAppointment:
    """Appoint a デジタル活用推進員 of `division` for `fiscal_year` (or change the role of one
    appointed already); a new primary replaces the division's former one
    (`training.promoter_replaced`, then `training.promoter_appointed`). Locks the division's
    primary."""
    if role not in PromoterAppointment.Role.values:
        raise TrainingError(gettext("区分を正しく指定してください。"))
    with transaction.atomic():
        if role == PromoterAppointment.Role.PRIMARY:
            replaced = list(
                PromoterAppointment.objects.select_for_update()
                .filter(division=division, fiscal_year=fiscal_year, role=role)
                .exclude(staff=staff)
            )
            for old in replaced:
                log_action(old, "training.promoter_replaced", by=by, data={"staff": old.staff_id})
                old.delete()
        appointment, _created = PromoterAppointment.objects.update_or_create(
            division=division,
            fiscal_year=fiscal_year,
            staff=staff,
            defaults={"role": role},
        )
        log_action(
            appointment,
            "training.promoter_appointed",
            by=by,
            data={"role": role, "staff": staff.pk, "fiscal_year": fiscal_year},
        )
    return appointment


def dismiss_promoter(
    *, appointment: PromoterAppointment, by: AbstractBaseUser | AnonymousUser | None
) -> None:
    """End an appointment (the division may be left without its primary or secondary: the
    coverage page shows it). Locks the row."""
    with transaction.atomic():
        locked = PromoterAppointment.objects.select_for_update().filter(pk=appointment.pk).first()
        if locked is None:
            return
        log_action(
            locked,
            "training.promoter_dismissed",
            by=by,
            data={"role": locked.role, "staff": locked.staff_id, "fiscal_year": locked.fiscal_year},
        )
        locked.delete()


def reminder_date(ends_on: date, business_days: int = REMINDER_BUSINESS_DAYS) -> date:
    """The business day `business_days` business days before `ends_on`."""
    current, remaining = ends_on, business_days
    while remaining > 0:
        current -= timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def send_reminders(*, today: date | None = None) -> int:
    """Queue one reminder to each active member of staff whose mandatory enrolment is not
    complete, for periods whose reminder date has come and that have not ended. Once each
    (`reminded_at`, and the outbox's dedupe key). Returns how many were queued."""
    today = today or timezone.localdate()
    runs = [
        run
        for run in CourseRun.objects.filter(
            starts_on__lte=today, ends_on__gte=today, course__is_mandatory=True
        ).select_related("course")
        if reminder_date(run.ends_on) <= today
    ]
    queued = 0
    now = timezone.now()
    for run in runs:
        with transaction.atomic():
            due = (
                Enrolment.objects.select_for_update(of=("self",))
                .filter(
                    run=run,
                    is_mandatory=True,
                    completed_on__isnull=True,
                    reminded_at__isnull=True,
                    staff__is_active=True,
                )
                .exclude(staff__email="")
                .select_related("staff")
            )
            reminded = []
            for enrolment in due:
                queue_notification(
                    to=enrolment.staff.email,
                    template="training_reminder",
                    context={
                        "course_name": run.course.name,
                        "ends_on": run.ends_on,
                        "label": run.label,
                    },
                    related=enrolment,
                    dedupe_key=f"training-reminder:{enrolment.pk}",
                )
                enrolment.reminded_at = now
                reminded.append(enrolment)
            Enrolment.objects.bulk_update(reminded, ["reminded_at"])
            if reminded:
                log_action(
                    run,
                    "training.reminders_queued",
                    by=None,
                    data={"count": len(reminded), "run": run.pk},
                )
            queued += len(reminded)
    return queued


# ---------------------------------------------------------------------------------------------
# The staff survey (職員アンケート). Anonymity: see training.models. No audit entry is written
# for an answer (its time would tie it to the person); the round's sending and reminders are
# logged with counts only.

TOKEN_PLACEHOLDER = "__STAFF_SURVEY_TOKEN__"  # noqa: S105 - a marker, not a secret


def staff_survey_link(invitation: StaffSurveyInvitation) -> str:
    """The absolute address of the person's private link."""
    from django.conf import settings
    from django.urls import reverse

    path = reverse("training:staff_survey", kwargs={"token": invitation.private_token})
    return f"{settings.SITE_URL}{path}"


def _mailing(
    survey: StaffSurvey, invitations: list[StaffSurveyInvitation], *, template: str, key: str
) -> int:
    """One e-mail per invitation, rendered once (the private link put in per person)."""
    if not invitations:
        return 0
    from django.conf import settings
    from django.urls import reverse

    rendered = render_email(
        template,
        {
            "title": survey.title,
            "closes_on": survey.closes_on,
            "link": f"{settings.SITE_URL}"
            + reverse("training:staff_survey", kwargs={"token": "x" * TOKEN_LENGTH}).replace(
                "x" * TOKEN_LENGTH, TOKEN_PLACEHOLDER
            ),
        },
    )
    emails = []
    for invitation in invitations:
        token = invitation.private_token
        emails.append(
            OutgoingEmail(
                to=invitation.staff.email,
                rendered=RenderedEmail(
                    *(part.replace(TOKEN_PLACEHOLDER, token) for part in rendered)
                ),
                dedupe_key=f"{key}:{invitation.pk}",
            )
        )
    return queue_notifications(emails, template=template)


@transaction.atomic
def send_staff_survey(
    *, survey: StaffSurvey, by: AbstractBaseUser | AnonymousUser | None = None
) -> dict[str, int]:
    """Invite every active member of staff (of the round's departments, if any) not invited
    yet: a private link each, an e-mail to those with an address (the others are listed on
    the results page for the office to reach). Bounded queries: a few, plus two per thousand
    invitations and two per thousand e-mails. Locks the round."""
    survey = StaffSurvey.objects.select_for_update().get(pk=survey.pk)
    today = timezone.localdate()
    if survey.closes_on < today:
        raise TrainingError(gettext("締切日を過ぎたアンケートは送信できません。"))
    staff = Staff.objects.filter(is_active=True).exclude(
        pk__in=StaffSurveyInvitation.objects.filter(survey=survey).values("staff_id")
    )
    departments = list(survey.departments.values_list("pk", flat=True))
    if departments:
        staff = staff.filter(division__department__in=departments)
    staff_list = list(
        staff.only("pk", "email", "division__department_id").select_related("division")
    )
    invitations = StaffSurveyInvitation.objects.bulk_create(
        [
            StaffSurveyInvitation(
                survey=survey,
                staff=member,
                department_id=member.division.department_id,
                emailed=bool(member.email),
            )
            for member in staff_list
        ],
        batch_size=1000,
    )
    emailed = [invitation for invitation in invitations if invitation.emailed]
    queued = _mailing(survey, emailed, template="staff_survey", key="staff-survey")
    if survey.sent_at is None:
        survey.sent_at = timezone.now()
        survey.save(update_fields=["sent_at"])
    result = {
        "invited": len(invitations),
        "emailed": queued,
        "without_email": len(invitations) - len(emailed),
    }
    log_action(survey, "training.staff_survey_sent", by=acting_user(by), data=result)
    return result


def staff_survey_reminder_date(survey: StaffSurvey) -> date:
    return survey.closes_on - timedelta(days=survey.reminder_days_before)


def send_staff_survey_reminders(*, today: date | None = None) -> int:
    """Once per round, on or after its reminder date and before it closes: an e-mail to every
    invited person with an address who has not answered. Returns how many were queued."""
    today = today or timezone.localdate()
    queued = 0
    rounds = StaffSurvey.objects.filter(
        sent_at__isnull=False, reminded_at__isnull=True, closes_on__gte=today
    )
    for candidate in rounds:
        if staff_survey_reminder_date(candidate) > today:
            continue
        with transaction.atomic():
            survey = StaffSurvey.objects.select_for_update().get(pk=candidate.pk)
            if survey.reminded_at is not None:
                continue
            pending = list(
                StaffSurveyInvitation.objects.filter(
                    survey=survey, has_answered=False, emailed=True, staff__is_active=True
                )
                .exclude(staff__email="")
                .select_related("staff")
                .only("pk", "link_seed", "staff__email")
            )
            count = _mailing(
                survey, pending, template="staff_survey_reminder", key="staff-survey-reminder"
            )
            survey.reminded_at = timezone.now()
            survey.save(update_fields=["reminded_at"])
            log_action(survey, "training.staff_survey_reminded", data={"count": count})
            queued += count
    return queued


class StaffSurveyError(Exception):
    """The answer cannot be recorded; the message is shown to the person."""


@transaction.atomic
def answer_staff_survey(
    *, invitation: StaffSurveyInvitation, smart: str, digital: str, comment: str = ""
) -> None:
    """Record a person's answer, once, anonymously: a StaffSurveyAnswer with the department
    and stage of now and no link to the person; the invitation only notes that it is
    answered. Locks the invitation row. Nothing is logged (a log's time would tie the answer
    to the person)."""
    locked = (
        StaffSurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey", "staff__division")
        .get(pk=invitation.pk)
    )
    if locked.has_answered:
        raise StaffSurveyError(
            gettext("このアンケートにはすでにご回答いただいています。回答は変更できません。")
        )
    if timezone.localdate() < locked.survey.opens_on:
        raise StaffSurveyError(gettext("このアンケートはまだ始まっていません。"))
    if smart not in Realisation.values or digital not in Rootedness.values:
        raise StaffSurveyError(gettext("いずれかを選んでください。"))
    StaffSurveyAnswer.objects.create(
        survey=locked.survey,
        department_id=locked.staff.division.department_id,
        stage=locked.staff.stage,
        smart=smart,
        digital=digital,
        comment=comment,
    )
    locked.has_answered = True
    locked.save(update_fields=["has_answered"])
