"""Reads for the training office's pages, exports and the KPI: each a fixed number of
queries whatever the number of staff (database aggregates)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mie_dx.figures import DrilldownSource, KpiContribution, fiscal_year_of
from mie_dx.fiscal import fiscal_year
from mie_dx.models import Division
from mie_dx.text import search_key
from training.models import (
    Course,
    CourseRun,
    Enrolment,
    Initiative,
    MunicipalObserver,
    PromoterAppointment,
    SpecialistCertification,
    Staff,
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
