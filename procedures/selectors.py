"""Reads of the procedure inventory, and the figures computed from it in the database.

The rules (shown on the pages too, `FIGURE_RULES`):

- The KPI (10-2 a) counts the **priority** procedures (重点手続), weighted by their annual
  applications (受付件数ベース); the share by count is shown beside it.
- A procedure counts as digitised in fiscal year FY when its status is デジタル化済 and its
  デジタル化日 falls on or before the last day of FY (31 March): one digitised mid-year counts
  from the fiscal year of its date, for that year's figure and every later one.
- A procedure moved to 要調整 leaves the plan (no planned year) but stays in the denominator.
- A procedure marked 対象外 leaves the denominator (and the numerator).
- Annual applications are the inventory's current figure (the year counted is recorded per
  procedure); the past years' figures are recomputed from it.

Every function here runs a fixed number of queries whatever the number of procedures.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mie_dx.figures import KpiContribution
from mie_dx.fiscal import fiscal_year_bounds, fiscal_year_short
from procedures.models import Procedure, ProcedureEditor

# KPI 10-2 a (domain.md, seed §7): baseline R3 39 %, targets R4 76 %, R5 92 %, R6 onwards 100 %.
BASELINE_FISCAL_YEAR = 2021
BASELINE_SHARE = Decimal("39")
TARGETS: dict[int, Decimal] = {
    2022: Decimal("76"),
    2023: Decimal("92"),
    2024: Decimal("100"),
    2025: Decimal("100"),
    2026: Decimal("100"),
}
PLAN_FISCAL_YEARS = range(2021, 2027)  # R3 (baseline) … R8, the plan's years
# The survey's columns (seed §7 2-1): R2 … R6, then R9以降 and 要調整.
SURVEY_FISCAL_YEARS = (2020, 2021, 2022, 2023, 2024)

FIGURE_RULES = [
    _(
        "重点手続（県独自）の年間受付件数に占める、デジタル化済の手続の受付件数の割合です（受付件数ベース）。"
    ),
    _("年度の途中でデジタル化した手続は、デジタル化日の属する年度から数えます。"),
    _("「要調整」に変更した手続は予定から外れますが、分母には残ります。"),
    _("「対象外」とした手続は分母からも除きます。"),
    _("受付件数は台帳の現在の値（手続ごとに集計年度を記録）で、過去の年度もこの値で計算します。"),
]

R9_OR_LATER = Procedure.Plan.R9_OR_LATER
NEEDS_ADJUSTMENT = Procedure.Plan.NEEDS_ADJUSTMENT


def percent(part: int | None, whole: int | None, places: str = "0.1") -> Decimal | None:
    """100 × part ÷ whole, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(100) * Decimal(part or 0) / Decimal(whole)).quantize(
        Decimal(places), rounding=ROUND_HALF_UP
    )


# --- Access ----------------------------------------------------------------------------------


def editable_division_ids(user: AbstractBaseUser | AnonymousUser | None) -> set[int] | None:
    """The divisions whose procedures `user` may change: None means every division."""
    if user is None:
        return None  # a command or a task (import_data)
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.has_perm("procedures.change_all_procedures"):
        return None
    if not user.has_perm("procedures.change_procedure"):
        return set()
    return set(ProcedureEditor.objects.filter(user=user).values_list("division_id", flat=True))


def can_edit_division(user, division_id: int | None, allowed: set[int] | None = None) -> bool:
    allowed = editable_division_ids(user) if allowed is None else allowed
    return allowed is None or division_id in allowed


# --- Lists -----------------------------------------------------------------------------------


def procedure_list(
    *,
    division_id: int | None = None,
    status: str = "",
    plan: str = "",
    priority: bool | None = None,
) -> QuerySet[Procedure]:
    """The inventory, filtered, with the division and department loaded."""
    queryset = Procedure.objects.select_related("division__department").order_by("code")
    if division_id:
        queryset = queryset.filter(division_id=division_id)
    if status:
        queryset = queryset.filter(status=status)
    if plan in (R9_OR_LATER, NEEDS_ADJUSTMENT):
        queryset = queryset.filter(plan=plan)
    elif plan.isdigit():
        queryset = queryset.filter(plan=Procedure.Plan.FISCAL_YEAR, planned_fiscal_year=int(plan))
    if priority is not None:
        queryset = queryset.filter(is_priority=priority)
    return queryset


def online_procedures() -> QuerySet[Procedure]:
    """The procedures that can be done online now (public; no personal data in them)."""
    return (
        Procedure.objects.filter(status=Procedure.Status.DIGITISED)
        .select_related("division")
        .order_by("code")
    )


# --- The KPI: digitised share of the priority procedures --------------------------------------


@dataclass(frozen=True)
class DigitisedShare:
    fiscal_year: int
    procedures: int  # priority procedures in scope
    applications: int
    digitised_procedures: int
    digitised_applications: int
    as_of: date | None = None  # the inventory's last change among these procedures

    @property
    def by_applications(self) -> Decimal | None:
        return percent(self.digitised_applications, self.applications)

    @property
    def by_count(self) -> Decimal | None:
        return percent(self.digitised_procedures, self.procedures)

    @property
    def label(self) -> str:
        return fiscal_year_short(self.fiscal_year)

    @property
    def target(self) -> Decimal | None:
        return TARGETS.get(self.fiscal_year)

    @property
    def achievement(self) -> Decimal | None:
        """actual ÷ target, capped at 1.00."""
        if self.target is None or self.by_applications is None:
            return None
        ratio = self.by_applications / self.target
        return min(ratio, Decimal(1)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def priority_in_scope() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_priority=True).exclude(status=Procedure.Status.OUT_OF_SCOPE)


def digitised_shares(fiscal_years: Iterable[int]) -> dict[int, DigitisedShare]:
    """The digitised share of the priority procedures for each fiscal year, in one query."""
    years = sorted(set(fiscal_years))
    if not years:
        return {}
    aggregates = {
        "n": Count("pk"),
        "apps": Coalesce(Sum("annual_applications"), 0),
        "as_of": Max("updated_at"),
    }
    for fy in years:
        done = Q(status=Procedure.Status.DIGITISED, digitised_on__lte=fiscal_year_bounds(fy)[1])
        aggregates[f"n_{fy}"] = Count("pk", filter=done)
        aggregates[f"apps_{fy}"] = Coalesce(Sum("annual_applications", filter=done), 0)
    row = priority_in_scope().aggregate(**aggregates)
    return {
        fy: DigitisedShare(
            fiscal_year=fy,
            procedures=row["n"],
            applications=row["apps"],
            digitised_procedures=row[f"n_{fy}"],
            digitised_applications=row[f"apps_{fy}"],
            as_of=timezone.localdate(row["as_of"]) if row["as_of"] else None,
        )
        for fy in years
    }


def digitised_share(fiscal_year: int) -> DigitisedShare:
    return digitised_shares([fiscal_year])[fiscal_year]


def progress_against_targets() -> list[DigitisedShare]:
    """R3 (baseline) … R8: the share each year beside its target, in one query."""
    return list(digitised_shares(PLAN_FISCAL_YEARS).values())


def kpi_digitised_share(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
    """KPI 10-2 a for mie_dx.figures: numerator = annual applications of the priority
    procedures digitised by the end of each fiscal year; denominator = annual applications of
    the priority procedures in scope (not 対象外). Years with no priority procedure are left out.
    """
    url = reverse("procedures:progress")
    return {
        fy: KpiContribution(
            numerator=share.digitised_applications,
            denominator=share.applications,
            url=url,
            label=str(_("行政手続のデジタル化の進捗")),
            as_of=share.as_of,
        )
        for fy, share in digitised_shares(fiscal_years).items()
        if share.applications
    }


# --- The schedule table (seed §7 2-1) ---------------------------------------------------------


@dataclass
class ScheduleCell:
    procedures: int = 0
    applications: int = 0
    procedure_share: Decimal | None = None
    application_share: Decimal | None = None


@dataclass
class ScheduleRow:
    kind: str
    label: str
    total: ScheduleCell = field(default_factory=ScheduleCell)
    cells: list[ScheduleCell] = field(default_factory=list)


@dataclass
class ScheduleTable:
    columns: list[tuple[str, str]]  # (key, label): "2020" … , "r9_or_later", "needs_adjustment"
    rows: list[ScheduleRow]


def schedule_table(*, priority_only: bool = False) -> ScheduleTable:
    """Procedures and applications by planned year, 独自 and 法定, with shares of each kind's
    total (as the seed's table: whole percentages) — in one query."""
    queryset = Procedure.objects.all()
    if priority_only:
        queryset = queryset.filter(is_priority=True)
    grouped = (
        queryset.values("kind", "plan", "planned_fiscal_year")
        .annotate(n=Count("pk"), apps=Coalesce(Sum("annual_applications"), 0))
        .order_by()
    )
    buckets: dict[tuple[str, str], ScheduleCell] = {}
    years = set(SURVEY_FISCAL_YEARS)
    for row in grouped:
        if row["plan"] == Procedure.Plan.FISCAL_YEAR:
            key = str(row["planned_fiscal_year"])
            years.add(row["planned_fiscal_year"])
        else:
            key = row["plan"]
        cell = buckets.setdefault((row["kind"], key), ScheduleCell())
        cell.procedures += row["n"]
        cell.applications += row["apps"]
    columns = [(str(fy), fiscal_year_short(fy)) for fy in sorted(years)]
    columns += [(R9_OR_LATER.value, str(R9_OR_LATER.label))]
    columns += [(NEEDS_ADJUSTMENT.value, str(NEEDS_ADJUSTMENT.label))]
    rows = []
    for kind in Procedure.Kind:
        cells = [buckets.get((kind.value, key), ScheduleCell()) for key, _label in columns]
        total = ScheduleCell(
            procedures=sum(c.procedures for c in cells),
            applications=sum(c.applications for c in cells),
        )
        for cell in cells:
            cell.procedure_share = percent(cell.procedures, total.procedures, "1")
            cell.application_share = percent(cell.applications, total.applications, "1")
        rows.append(ScheduleRow(kind=kind.value, label=str(kind.label), total=total, cells=cells))
    return ScheduleTable(columns=columns, rows=rows)


# --- Availability (can be done online) versus usage (is done online) --------------------------


@dataclass(frozen=True)
class Availability:
    kind: str
    label: str
    procedures: int
    applications: int
    online_procedures: int
    online_applications_possible: int  # annual applications of the digitised procedures
    with_usage_known: int  # digitised procedures whose online applications are known
    applications_with_usage_known: int
    online_applications: int

    @property
    def availability(self) -> Decimal | None:
        return percent(self.online_applications_possible, self.applications)

    @property
    def usage(self) -> Decimal | None:
        return percent(self.online_applications, self.applications_with_usage_known)


def availability_and_usage(fiscal_year: int) -> list[Availability]:
    """Per kind (procedures in scope, not 対象外): the share of applications that *can* be made
    online by the end of `fiscal_year`, and of those whose online count is known, the share
    that *is* made online (オンライン申請件数 ÷ 年間受付件数) — in one query."""
    done = Q(
        status=Procedure.Status.DIGITISED,
        digitised_on__lte=fiscal_year_bounds(fiscal_year)[1],
    )
    known = done & Q(online_applications__isnull=False)
    grouped = (
        Procedure.objects.exclude(status=Procedure.Status.OUT_OF_SCOPE)
        .values("kind")
        .annotate(
            n=Count("pk"),
            apps=Coalesce(Sum("annual_applications"), 0),
            online_n=Count("pk", filter=done),
            online_apps=Coalesce(Sum("annual_applications", filter=done), 0),
            known_n=Count("pk", filter=known),
            known_apps=Coalesce(Sum("annual_applications", filter=known), 0),
            used=Coalesce(Sum("online_applications", filter=known), 0),
        )
        .order_by()
    )
    by_kind = {row["kind"]: row for row in grouped}
    result = []
    for kind in Procedure.Kind:
        row = by_kind.get(kind.value, {})
        result.append(
            Availability(
                kind=kind.value,
                label=str(kind.label),
                procedures=row.get("n", 0),
                applications=row.get("apps", 0),
                online_procedures=row.get("online_n", 0),
                online_applications_possible=row.get("online_apps", 0),
                with_usage_known=row.get("known_n", 0),
                applications_with_usage_known=row.get("known_apps", 0),
                online_applications=row.get("used", 0),
            )
        )
    return result
