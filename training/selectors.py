"""Reads for the training office's pages, exports and the KPI: each a fixed number of
queries whatever the number of staff (database aggregates)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mie_dx.figures import DrilldownSource, KpiContribution, fiscal_year_of
from mie_dx.fiscal import fiscal_year
from mie_dx.links import end_link_if_over, object_for_token
from mie_dx.models import Division
from mie_dx.text import search_key
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
    Stage,
    StagePeriod,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@dataclass(frozen=True)
class RateRow:
    key: str
    label: str
    enrolled: int
    completed: int

    @property
    def rate(self) -> float:
        return round(100 * self.completed / self.enrolled, 1) if self.enrolled else 0.0


_COMPLETED = Count("pk", filter=Q(completed_on__isnull=False))


def _rates(
    queryset: "QuerySet[Enrolment, Mapping[str, Any]]", key: str, label: str
) -> list[RateRow]:
    """A RateRow per group of `queryset` (enrolments' values(), grouped by `key` and
    `label`)."""
    return [
        RateRow(str(row[key]), str(row[label]), row["enrolled"], row["completed"])
        for row in queryset.annotate(enrolled=Count("pk"), completed=_COMPLETED)
    ]


def completion_by_course(fy: int) -> list[RateRow]:
    rows = (
        Enrolment.objects.filter(fiscal_year=fy)
        .values("course__code", "course__name", "course__ordering")
        .order_by("course__ordering", "course__code")
    )
    return _rates(rows, "course__code", "course__name")


def completion_by_stage(fy: int) -> list[RateRow]:
    rows = Enrolment.objects.filter(fiscal_year=fy).values("stage").order_by("stage")
    by_stage = {row.key: row for row in _rates(rows, "stage", "stage")}
    return [
        RateRow(value, str(label), by_stage[value].enrolled, by_stage[value].completed)
        for value, label in Stage.choices
        if value in by_stage
    ]


def completion_by_department(fy: int) -> list[RateRow]:
    rows = (
        Enrolment.objects.filter(fiscal_year=fy)
        .values("division__department__code", "division__department__name")
        .order_by("division__department__code")
    )
    return _rates(rows, "division__department__code", "division__department__name")


def completion_by_division(fy: int, department_code: str) -> list[RateRow]:
    rows = (
        Enrolment.objects.filter(fiscal_year=fy, division__department__code=department_code)
        .values("division__code", "division__name")
        .order_by("division__code")
    )
    return _rates(rows, "division__code", "division__name")


def totals(rows: Sequence[RateRow]) -> RateRow:
    return RateRow("", "", sum(r.enrolled for r in rows), sum(r.completed for r in rows))


def overdue_enrolments(
    fy: int,
    *,
    today: date | None = None,
    department: str = "",
    division: str = "",
) -> QuerySet[Enrolment]:
    """Mandatory enrolments of `fy` not completed by the end of their period; of one
    department or division (by code, the division at enrolment) when given."""
    today = today or timezone.localdate()
    enrolments = Enrolment.objects.filter(
        fiscal_year=fy, is_mandatory=True, completed_on__isnull=True, run__ends_on__lt=today
    )
    if department:
        enrolments = enrolments.filter(division__department__code=department)
    if division:
        enrolments = enrolments.filter(division__code=division)
    return enrolments.select_related(
        "staff", "course", "run", "division", "division__department"
    ).order_by("division__code", "course__code", "staff__employee_number")


class OverdueGroup(TypedDict):
    division__department__name: str
    division__name: str
    course__name: str
    run__ends_on: date
    count: int


def overdue_by_division_and_course(
    fy: int, *, department: str = "", division: str = ""
) -> list[OverdueGroup]:
    """The overdue list as managers see it: how many people, by division (at enrolment),
    course and period, never a person's row (stage and division would point at someone)."""
    rows = (
        overdue_enrolments(fy, department=department, division=division)
        .select_related(None)
        .order_by()
        .values(
            "division__code",
            "division__department__name",
            "division__name",
            "course__code",
            "course__name",
            "run__ends_on",
        )
        .annotate(count=Count("pk"))
        .order_by("division__code", "course__code", "run__ends_on")
    )
    return [
        OverdueGroup(
            division__department__name=r["division__department__name"],
            division__name=r["division__name"],
            course__name=r["course__name"],
            run__ends_on=r["run__ends_on"],
            count=r["count"],
        )
        for r in rows
    ]


def staff_matching(search: str) -> list[int]:
    """The staff (pks) whose name or reading contains `search` whatever the script or width
    either is typed or stored in (かとう, カトウ and ｶﾄｳ find one another; spaces ignored):
    the seminar check-in's matching (mie_dx.text.search_key), for the officers' enrolment and
    roster searches. The roster is a few thousand people: matched here, not in the database
    (which cannot fold kana)."""
    key = search_key(search)
    if not key:
        return []
    return [
        pk
        for pk, name, kana in Staff.objects.values_list("pk", "name", "name_kana")
        if key in search_key(name) or key in search_key(kana)
    ]


def certifications(fy: int) -> QuerySet[SpecialistCertification]:
    return SpecialistCertification.objects.filter(fiscal_year=fy).select_related(
        "staff", "staff__division"
    )


def observers(fy: int) -> QuerySet[MunicipalObserver]:
    return MunicipalObserver.objects.filter(fiscal_year=fy)


# The plan's intake: 「DX推進スペシャリスト養成研修にて、年20名程度育成」 (seed §6, DX人材育成方針).
PLANNED_YEARLY_INTAKE = 20


class SpecialistYear(TypedDict):
    fiscal_year: int
    count: int  # certified in the fiscal year
    cumulative: int  # certified up to its end


def specialists_by_year() -> list[SpecialistYear]:
    """[{fiscal_year, count, cumulative}] in year order: specialists certified in each fiscal
    year, and in total up to it."""
    rows = (
        SpecialistCertification.objects.values("fiscal_year")
        .annotate(n=Count("pk"))
        .order_by("fiscal_year")
    )
    result: list[SpecialistYear] = []
    running = 0
    for row in rows:
        running += row["n"]
        result.append({"fiscal_year": row["fiscal_year"], "count": row["n"], "cumulative": running})
    return result


@dataclass(frozen=True)
class SpecialistIntake:
    fiscal_year: int
    certified: int  # certified in the fiscal year (the year's intake)
    cumulative: int  # certified up to the end of the fiscal year
    planned: int  # the plan's 「年20名程度」


def specialist_intake(fy: int, by_year: Sequence[SpecialistYear]) -> SpecialistIntake:
    """The year's intake against the plan's 「毎年20名程度」, and the cumulative number
    certified, from `specialists_by_year()` (no query of its own)."""
    certified = sum(r["count"] for r in by_year if r["fiscal_year"] == fy)
    cumulative = sum(r["count"] for r in by_year if r["fiscal_year"] <= fy)
    return SpecialistIntake(fy, certified, cumulative, PLANNED_YEARLY_INTAKE)


# --- KPI 行政運営6 a: initiatives with certified specialists, per fiscal year ------------------

# The drill-down lists at most this many initiatives of a year (the oldest first).
KPI_RECORDS_LIMIT = 1000

INITIATIVE_RULE = gettext_lazy(
    "その年度に実施した業務改善等の取組のうち、実施日までに認定を受けたDX推進スペシャリストが"
    "1名以上参画したものの件数です（年度ごとの件数で、累計ではありません）。"
    "認定前の研修生や市町オブザーバーだけが参画した取組は数えません。"
)


def _certified_by_its_date() -> Exists:
    """True for an initiative with at least one specialist certified on or before its date.

    This is the one rule of KPI 行政運営6 a: the KPI source, the drill-down and the training
    pages all filter or count with it, so they cannot disagree."""
    taking_part = Initiative.specialists.through.objects.filter(
        initiative_id=OuterRef("pk"),
        staff__certifications__certified_on__lte=OuterRef("date"),
    )
    return Exists(taking_part)


_CERTIFIED_SPECIALISTS = Count(
    "specialists",
    filter=Q(specialists__certifications__certified_on__lte=F("date")),
    distinct=True,
)


@dataclass(frozen=True)
class InitiativeYear:
    fiscal_year: int
    recorded: int  # every initiative dated in the year
    counted: int  # those the KPI counts (a specialist certified by the initiative's date)


def initiatives_by_year(fiscal_years: Sequence[int] | None = None) -> list[InitiativeYear]:
    """Per fiscal year (of the initiative's date): the initiatives recorded and those counted
    for KPI 行政運営6 a — a yearly count, not cumulative. One query, every year at once."""
    dated = Initiative.objects.annotate(
        fy=fiscal_year_of("date", is_datetime=False), counted=_certified_by_its_date()
    )
    if fiscal_years is not None:
        dated = dated.filter(fy__in=list(fiscal_years))
    rows = (
        dated.values("fy")
        .annotate(recorded=Count("pk"), counted_n=Count("pk", filter=Q(counted=True)))
        .order_by("fy")
    )
    return [InitiativeYear(row["fy"], row["recorded"], row["counted_n"]) for row in rows]


class InitiativeCounts(TypedDict):
    """What `initiatives` adds to each initiative (its readers take
    `WithAnnotations[Initiative, InitiativeCounts]`)."""

    fy: int  # the fiscal year of its date
    specialist_count: int
    certified_specialist_count: int  # certified by the initiative's date
    counted: bool  # by KPI 行政運営6 a (INITIATIVE_RULE)


def initiatives(fy: int) -> "QuerySet[WithAnnotations[Initiative, InitiativeCounts]]":
    """The initiatives dated in `fy`, each with its number of specialists, of those certified
    by its date, and whether the KPI counts it (InitiativeCounts)."""
    return (
        Initiative.objects.annotate(fy=fiscal_year_of("date", is_datetime=False))
        .filter(fy=fy)
        .select_related("division")
        .annotate(
            specialist_count=Count("specialists", distinct=True),
            certified_specialist_count=_CERTIFIED_SPECIALISTS,
            counted=_certified_by_its_date(),
        )
        .order_by("date", "pk")
    )


def _specialist_initiatives(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
    """KPI 行政運営6 a for mie_dx.figures: per fiscal year, the initiatives with a specialist
    certified by the initiative's date (INITIATIVE_RULE). The KPI is a yearly count, not
    cumulative. One query."""
    today = timezone.localdate()
    return {
        row.fiscal_year: KpiContribution(
            numerator=row.counted,
            denominator=None,
            url=f"{reverse('training:specialists')}?fy={row.fiscal_year}",
            label=gettext("スペシャリストが参画した業務改善等の取組"),
            as_of=today if row.fiscal_year == fiscal_year(today) else None,
        )
        for row in initiatives_by_year(fiscal_years)
    }


def _initiative_records(fy: int) -> list[dict[str, Any]]:
    """The initiatives the KPI counts in `fy` (title, date, division, number of certified
    specialists): no person is named, managers read it."""
    counted = (
        initiatives(fy)
        .filter(counted=True)
        .only("title", "date", "division__name")[:KPI_RECORDS_LIMIT]
    )
    return [
        {
            "source": gettext("スペシャリストが参画した業務改善等の取組"),
            "reference": initiative.title,
            "date": initiative.date,
            "detail": gettext("%(division)s／認定スペシャリスト%(count)s名")
            % {
                "division": initiative.division.name,
                "count": initiative.certified_specialist_count,
            },
            "division": initiative.division.name,
            "certified_specialists": initiative.certified_specialist_count,
        }
        for initiative in counted
    ]


kpi_specialist_initiatives = DrilldownSource(
    _specialist_initiatives, records=_initiative_records, rule=INITIATIVE_RULE
)


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    department: str
    primary: int
    secondary: int

    @property
    def complete(self) -> bool:
        return self.primary >= 1 and self.secondary >= 1


def promoter_coverage(fy: int) -> list[CoverageRow]:
    """Every division existing in `fy` with its number of primary and secondary promoters."""
    in_year = Q(promoter_appointments__fiscal_year=fy)
    rows = (
        Division.objects.in_fiscal_year(fy)
        .annotate(
            primary=Count(
                "promoter_appointments",
                filter=in_year & Q(promoter_appointments__role=PromoterAppointment.Role.PRIMARY),
            ),
            secondary=Count(
                "promoter_appointments",
                filter=in_year & Q(promoter_appointments__role=PromoterAppointment.Role.SECONDARY),
            ),
        )
        .values("code", "name", "department__name", "primary", "secondary")
        .order_by("code")
    )
    return [
        CoverageRow(r["code"], r["name"], r["department__name"], r["primary"], r["secondary"])
        for r in rows
    ]


def fiscal_years_with_runs() -> list[int]:
    return list(
        CourseRun.objects.values_list("fiscal_year", flat=True).distinct().order_by("fiscal_year")
    )


def fiscal_years_with_staff_surveys() -> list[int]:
    return list(
        StaffSurvey.objects.values_list("fiscal_year", flat=True).distinct().order_by("fiscal_year")
    )


class PlanColumn(TypedDict):
    stage: Stage
    headcount: int  # planned
    periods: list[str]  # the labels of its 受講期間


class PlanRow(TypedDict):
    course: Course  # an e-learning content
    cells: list[bool]  # a flag per column: the stage takes it


def plan_matrix(fy: int) -> tuple[list[PlanColumn], list[PlanRow]]:
    """The e-learning content × stage matrix of `fy`: the columns (stage, planned headcount,
    periods) and a row per content with a flag per column. Two queries."""
    periods = list(StagePeriod.objects.filter(fiscal_year=fy))
    stages = [s for s in Stage if any(p.stage == s for p in periods)]
    columns: list[PlanColumn] = [
        {
            "stage": s,
            "headcount": next(p.headcount for p in periods if p.stage == s),
            "periods": [p.label for p in periods if p.stage == s],
        }
        for s in stages
    ]
    contents = Course.objects.filter(
        category=Course.Category.STAGE,
        delivery=Course.Delivery.ELEARNING,
        runs__fiscal_year=fy,
    ).distinct()
    matrix: list[PlanRow] = [
        {"course": c, "cells": [s.value in c.target_stages for s in stages]} for c in contents
    ]
    return columns, matrix


def course_runs(fy: int) -> QuerySet[CourseRun]:
    return CourseRun.objects.filter(fiscal_year=fy).select_related("course")


# ---------------------------------------------------------------------------------------------
# The staff survey (職員アンケート): aggregates only, never an answer with a person.

# A breakdown (by department or stage) shows a group's answers only from this many answers.
MIN_GROUP_ANSWERS = 5

SMART_RULE = gettext_lazy(
    "職員アンケート（ポータルで実施した回）の設問「スマート自治体の進展を実感しますか」で"
    "「実感する」と答えた職員の数 ÷ 回答した職員の数（回の年度で集計。"
    "「実感する」＋「やや実感する」の割合も結果のページに示します）。"
)
DIGITAL_RULE = gettext_lazy(
    "職員アンケート（ポータルで実施した回）の設問「デジタルコミュニケーションが定着していると"
    "感じますか」で「定着していると感じる」または「やや定着していると感じる」と答えた職員の"
    "数 ÷ 回答した職員の数（回の年度で集計）。"
)


def staff_survey_invitation(token: str) -> StaffSurveyInvitation:
    """The invitation a private link opens (404 for another token); LinkExpired once the
    round's closing day is over (Asia/Tokyo)."""
    invitation = object_for_token(StaffSurveyInvitation.objects.select_related("survey"), token)
    end_link_if_over(
        ended_at=_closing_time(invitation.survey.closes_on), keep_for=timedelta(0), erased=False
    )
    return invitation


def _closing_time(closes_on: date) -> datetime:
    """The end of the closing day in Asia/Tokyo."""
    return datetime.combine(
        closes_on + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone()
    )


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class GroupResult:
    key: str
    label: str
    invited: int
    answered: int  # invitations answered (response rate)
    answers: int  # answer rows in the group (department/stage at the time of answering)
    smart: list[Share]
    digital: list[Share]
    hidden: bool

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _choice_counts() -> dict[str, Count]:
    counts = {f"smart_{value}": Count("pk", filter=Q(smart=value)) for value in Realisation.values}
    counts |= {
        f"digital_{value}": Count("pk", filter=Q(digital=value)) for value in Rootedness.values
    }
    return counts


def _shares(row: Mapping[str, Any], total: int) -> tuple[list[Share], list[Share]]:
    smart = [
        Share(str(label), row[f"smart_{value}"], _percent(row[f"smart_{value}"], total))
        for value, label in Realisation.choices
    ]
    digital = [
        Share(str(label), row[f"digital_{value}"], _percent(row[f"digital_{value}"], total))
        for value, label in Rootedness.choices
    ]
    return smart, digital


def _suppress(groups: list[GroupResult]) -> list[GroupResult]:
    """Hide groups under MIN_GROUP_ANSWERS; when exactly one group with answers is hidden,
    hide the smallest shown one too, so the hidden one cannot be had by subtraction from the
    overall figures."""
    hidden = [g for g in groups if g.answers and g.answers < MIN_GROUP_ANSWERS]
    shown = [g for g in groups if g.answers >= MIN_GROUP_ANSWERS]
    extra: set[str] = set()
    if len(hidden) == 1 and shown:
        extra.add(min(shown, key=lambda g: (g.answers, g.key)).key)
    return [
        GroupResult(
            g.key,
            g.label,
            g.invited,
            g.answered,
            g.answers,
            *(
                ([], [])
                if g.answers < MIN_GROUP_ANSWERS or g.key in extra
                else (g.smart, g.digital)
            ),
            hidden=g.answers < MIN_GROUP_ANSWERS or g.key in extra,
        )
        for g in groups
    ]


@dataclass(frozen=True)
class StaffSurveyResults:
    survey: StaffSurvey
    invited: int
    answered: int
    without_email: int
    answers: int
    smart: list[Share]
    digital: list[Share]
    by_department: list[GroupResult]
    by_stage: list[GroupResult]
    comments: list[str]

    @property
    def response_rate(self) -> float | None:
        return _percent(self.answered, self.invited) if self.invited else None

    @property
    def main_indicator(self) -> float:
        """県政レポート 主指標: 「実感する」 ÷ answers."""
        return self.smart[0].percent

    @property
    def main_top_two(self) -> float:
        """「実感する」+「やや実感する」 ÷ answers (the report's 81 %)."""
        return _percent(self.smart[0].count + self.smart[1].count, self.answers)

    @property
    def digital_indicator(self) -> float:
        """行政運営6 b: 「定着していると感じる」+「やや定着していると感じる」 ÷ answers."""
        return _percent(self.digital[0].count + self.digital[1].count, self.answers)


def staff_survey_results(survey: StaffSurvey) -> StaffSurveyResults:
    """The round's response rate and answers, overall, by department and by stage (a group
    under MIN_GROUP_ANSWERS answers hidden). Four queries whatever the number of answers."""
    invited_rows: dict[int, dict[str, Any]] = {
        row["department"]: dict(row)
        for row in StaffSurveyInvitation.objects.filter(survey=survey)
        .values("department", "department__name", "department__code")
        .annotate(
            invited=Count("pk"),
            answered=Count("pk", filter=Q(has_answered=True)),
            without_email=Count("pk", filter=Q(emailed=False)),
        )
        .order_by()
    }
    answer_rows: dict[int, dict[str, Any]] = {
        row["department"]: dict(row)
        for row in StaffSurveyAnswer.objects.filter(survey=survey)
        .values("department", "department__name", "department__code")
        .annotate(n=Count("pk"), **_choice_counts())
        .order_by()
    }
    stage_rows: dict[str, dict[str, Any]] = {
        row["stage"]: dict(row)
        for row in StaffSurveyAnswer.objects.filter(survey=survey)
        .values("stage")
        .annotate(n=Count("pk"), **_choice_counts())
        .order_by()
    }
    empty = dict.fromkeys(_choice_counts(), 0)
    departments = []
    for pk in sorted(
        {*invited_rows, *answer_rows},
        key=lambda pk: (invited_rows.get(pk) or answer_rows[pk])["department__code"],
    ):
        invited_row = invited_rows.get(pk, {})
        answer_row = answer_rows.get(pk, {"n": 0, **empty})
        name = (invited_rows.get(pk) or answer_rows[pk])["department__name"]
        departments.append(
            GroupResult(
                str(pk),
                name,
                invited_row.get("invited", 0),
                invited_row.get("answered", 0),
                answer_row["n"],
                *_shares(answer_row, answer_row["n"]),
                hidden=False,
            )
        )
    stages = [
        GroupResult(
            value,
            str(label),
            0,
            0,
            stage_rows[value]["n"],
            *_shares(stage_rows[value], stage_rows[value]["n"]),
            hidden=False,
        )
        for value, label in Stage.choices
        if value in stage_rows
    ]
    total = {key: sum(row[key] for row in answer_rows.values()) for key in empty}
    answers = sum(row["n"] for row in answer_rows.values())
    smart, digital = _shares(total, answers)
    comments: list[str] = []
    if answers >= MIN_GROUP_ANSWERS:
        comments = list(
            StaffSurveyAnswer.objects.filter(survey=survey)
            .exclude(comment="")
            .order_by("comment")
            .values_list("comment", flat=True)[:KPI_RECORDS_LIMIT]
        )
    return StaffSurveyResults(
        survey=survey,
        invited=sum(row["invited"] for row in invited_rows.values()),
        answered=sum(row["answered"] for row in invited_rows.values()),
        without_email=sum(row["without_email"] for row in invited_rows.values()),
        answers=answers,
        smart=smart,
        digital=digital,
        by_department=_suppress(departments),
        by_stage=_suppress(stages),
        comments=comments,
    )


def staff_surveys() -> "QuerySet[StaffSurvey]":
    """Every round with its numbers of invitations and answers (one query)."""
    return StaffSurvey.objects.annotate(
        invited=Count("invitations", distinct=True),
        answer_count=Count("answers", distinct=True),
    ).order_by("-fiscal_year", "-opens_on", "pk")


def staff_without_email(survey: StaffSurvey) -> "QuerySet[StaffSurveyInvitation]":
    """The invited without an e-mail address (for the office to hand their link over): for
    training officers with view_personal_data. Says nothing of whether they answered."""
    return (
        StaffSurveyInvitation.objects.filter(survey=survey, emailed=False)
        .select_related("staff__division")
        .order_by("staff__division__code", "staff__employee_number")
    )


def _survey_figures(
    fiscal_years: Sequence[int], *, field: str, counted: Sequence[str], label: str
) -> dict[int, KpiContribution]:
    today = timezone.localdate()
    rows = (
        StaffSurveyAnswer.objects.filter(survey__fiscal_year__in=list(fiscal_years))
        .values(fy=F("survey__fiscal_year"))
        .annotate(answers=Count("pk"), counted=Count("pk", filter=Q(**{f"{field}__in": counted})))
        .order_by("fy")
    )
    return {
        row["fy"]: KpiContribution(
            numerator=row["counted"],
            denominator=row["answers"],
            url=f"{reverse('training:staff_surveys')}?fy={row['fy']}",
            label=label,
            as_of=today if row["fy"] == fiscal_year(today) else None,
        )
        for row in rows
        # Under MIN_GROUP_ANSWERS answers, the figure would tell what the few answered.
        if row["answers"] >= MIN_GROUP_ANSWERS
    }


def _smart_figures(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
    """KPI 県政レポート 主指標 (SMART_RULE), one query."""
    return _survey_figures(
        fiscal_years, field="smart", counted=[Realisation.YES], label=gettext("職員アンケート")
    )


def _digital_figures(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
    """KPI 行政運営6 b (DIGITAL_RULE), one query."""
    return _survey_figures(
        fiscal_years,
        field="digital",
        counted=[Rootedness.YES, Rootedness.SOMEWHAT],
        label=gettext("職員アンケート"),
    )


def _survey_records(fy: int, *, field: str, counted: Sequence[str]) -> list[dict[str, Any]]:
    """The rounds of `fy` with their numbers (no answer, no person)."""
    rounds = (
        StaffSurvey.objects.filter(fiscal_year=fy)
        .annotate(
            answer_count=Count("answers"),
            counted=Count("answers", filter=Q(**{f"answers__{field}__in": counted})),
        )
        .order_by("opens_on", "pk")
    )
    return [
        {
            "source": gettext("職員アンケート"),
            "reference": survey.title,
            "date": survey.closes_on,
            "detail": gettext("回答%(answers)s件のうち%(counted)s件")
            % {"answers": survey.answer_count, "counted": survey.counted},
        }
        for survey in rounds
    ]


def _smart_records(fy: int) -> list[dict[str, Any]]:
    return _survey_records(fy, field="smart", counted=[Realisation.YES])


def _digital_records(fy: int) -> list[dict[str, Any]]:
    return _survey_records(fy, field="digital", counted=[Rootedness.YES, Rootedness.SOMEWHAT])


kpi_smart_government = DrilldownSource(_smart_figures, records=_smart_records, rule=SMART_RULE)
kpi_digital_communication = DrilldownSource(
    _digital_figures, records=_digital_records, rule=DIGITAL_RULE
)
