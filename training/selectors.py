"""Reads for the training office's pages, exports and the KPI: each a fixed number of
queries whatever the number of staff (database aggregates)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from mie_dx.figures import KpiContribution, fiscal_year_of
from mie_dx.fiscal import fiscal_year
from mie_dx.models import Division
from training.models import (
    Enrolment,
    Initiative,
    MunicipalObserver,
    PromoterAppointment,
    SpecialistCertification,
    Stage,
)


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


def _rates(queryset, key: str, label: str) -> list[RateRow]:
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


def overdue_enrolments(fy: int, *, today: date | None = None) -> QuerySet[Enrolment]:
    """Mandatory enrolments of `fy` not completed by the end of their period."""
    today = today or timezone.localdate()
    return (
        Enrolment.objects.filter(
            fiscal_year=fy, is_mandatory=True, completed_on__isnull=True, run__ends_on__lt=today
        )
        .select_related("staff", "course", "run", "division", "division__department")
        .order_by("division__code", "course__code", "staff__employee_number")
    )


def certifications(fy: int) -> QuerySet[SpecialistCertification]:
    return SpecialistCertification.objects.filter(fiscal_year=fy).select_related(
        "staff", "staff__division"
    )


def observers(fy: int) -> QuerySet[MunicipalObserver]:
    return MunicipalObserver.objects.filter(fiscal_year=fy)


def specialists_by_year() -> list[dict]:
    """[{fiscal_year, certified, cumulative}] in year order."""
    rows = (
        SpecialistCertification.objects.values("fiscal_year")
        .annotate(n=Count("pk"))
        .order_by("fiscal_year")
    )
    result, running = [], 0
    for row in rows:
        running += row["n"]
        result.append({"fiscal_year": row["fiscal_year"], "count": row["n"], "cumulative": running})
    return result


def _initiatives_with_specialists() -> QuerySet[Initiative]:
    return Initiative.objects.filter(specialists__isnull=False).distinct()


def initiatives_by_year() -> list[dict]:
    """Initiatives with at least one specialist, per fiscal year and cumulative."""
    rows = (
        Initiative.objects.filter(pk__in=_initiatives_with_specialists().values("pk"))
        .annotate(fy=fiscal_year_of("date", is_datetime=False))
        .values("fy")
        .annotate(n=Count("pk"))
        .order_by("fy")
    )
    result, running = [], 0
    for row in rows:
        running += row["n"]
        result.append({"fiscal_year": row["fy"], "count": row["n"], "cumulative": running})
    return result


def initiatives(fy: int) -> QuerySet[Initiative]:
    return (
        Initiative.objects.annotate(fy=fiscal_year_of("date", is_datetime=False))
        .filter(fy=fy)
        .select_related("division")
        .annotate(specialist_count=Count("specialists"))
        .order_by("date", "pk")
    )


def kpi_specialist_initiatives(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
    """KPI 行政運営6 a: initiatives with specialists taking part, per fiscal year (the KPI app
    adds them to the baseline: the KPI is cumulative). One query."""
    wanted = set(fiscal_years)
    today = timezone.localdate()
    return {
        row["fiscal_year"]: KpiContribution(
            numerator=row["count"],
            denominator=None,
            url=f"{reverse('training:specialists')}?fy={row['fiscal_year']}",
            label=gettext("スペシャリストの業務改善等の取組"),
            as_of=today if row["fiscal_year"] == fiscal_year(today) else None,
        )
        for row in initiatives_by_year()
        if row["fiscal_year"] in wanted
    }


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
    from training.models import CourseRun

    return list(
        CourseRun.objects.values_list("fiscal_year", flat=True).distinct().order_by("fiscal_year")
    )


def plan_matrix(fy: int) -> tuple[list[dict], list[dict]]:
    """The e-learning content × stage matrix of `fy`: the columns (stage, planned headcount,
    periods) and a row per content with a flag per column. Two queries."""
    from training.models import Course, StagePeriod

    periods = list(StagePeriod.objects.filter(fiscal_year=fy))
    stages = [s for s in Stage if any(p.stage == s for p in periods)]
    columns = [
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
    matrix = [
        {"course": c, "cells": [s.value in c.target_stages for s in stages]} for c in contents
    ]
    return columns, matrix


def course_runs(fy: int):
    from training.models import CourseRun

    return CourseRun.objects.filter(fiscal_year=fy).select_related("course")
