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
- The planned path: a procedure counts as planned by FY when its planned year is FY or earlier,
  or when it was digitised by the end of FY (the inventory's current plan, not the survey's).
- The targets and the baseline are KPI 10-2 a's, read from the KPI app
  (`kpi.selectors.kpi_plan`): the one set a manager edits; none are kept here.

Every function here runs a fixed number of queries whatever the number of procedures.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kpi.selectors import kpi_plan
from mie_dx.figures import DrilldownSource, KpiContribution
from mie_dx.fiscal import fiscal_year_bounds, fiscal_year_label, fiscal_year_short
from mie_dx.users import acting_user
from procedures.models import (
    MIN_PARTICIPANTS,
    InventorySurvey,
    JointInitiative,
    Procedure,
    ProcedureEditor,
)

KPI_CODE = "10-2 a"
# The plan's years (R3 baseline … R8) when KPI 10-2 a is not loaded (then no target is shown).
PLAN_FISCAL_YEARS = range(2021, 2027)
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
    _(
        "「計画」は、予定年度がその年度以前の手続とその年度末までにデジタル化済の手続の受付件数の割合です（台帳の現在の予定による）。"
    ),
    _("目標と基準値は、KPIダッシュボードの KPI 10-2 a の年度目標・現状値です。"),
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
    staff = acting_user(user)  # None for an anonymous visitor
    if staff is None or not staff.is_active:
        return set()
    if staff.has_perm("procedures.change_all_procedures"):
        return None
    if not staff.has_perm("procedures.change_procedure"):
        return set()
    return set(ProcedureEditor.objects.filter(user=staff).values_list("division_id", flat=True))


def can_edit_division(
    user: AbstractBaseUser | AnonymousUser | None,
    division_id: int | None,
    allowed: set[int] | None = None,
) -> bool:
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


# --- KPI 10-2 a's plan: its targets and baseline, as the KPI app holds them ------------------


def plain_number(value: Decimal) -> str:
    """76 for 76.0, 75.5 for 75.5: a target as the plan prints it."""
    return f"{value:f}" if value != value.to_integral_value() else f"{value.to_integral_value()}"


@dataclass(frozen=True)
class PlanTarget:
    fiscal_year: int
    value: Decimal  # a percentage of the priority procedures' applications
    approx_count: int | None = None  # the same target in applications (概数), if the KPI says

    def __str__(self) -> str:
        """「76%」 or 「76%（約80,000件）」."""
        if self.approx_count is None:
            return gettext("%(value)s%%") % {"value": plain_number(self.value)}
        return gettext("%(value)s%%（約%(count)s件）") % {
            "value": plain_number(self.value),
            "count": f"{self.approx_count:,}",
        }


@dataclass(frozen=True)
class DigitisationPlan:
    """KPI 10-2 a's baseline and yearly targets (read from the KPI app, never copied)."""

    baseline_fiscal_year: int | None
    baseline_value: Decimal | None
    final_fiscal_year: int | None
    targets: dict[int, PlanTarget]

    @property
    def fiscal_years(self) -> list[int]:
        """From the baseline (or the first target) to the final target year."""
        years = [fy for fy in (self.baseline_fiscal_year, self.final_fiscal_year) if fy]
        years += list(self.targets)
        if not years:
            return list(PLAN_FISCAL_YEARS)
        return list(range(min(years), max(years) + 1))

    @property
    def baseline_label(self) -> str:
        if self.baseline_fiscal_year is None or self.baseline_value is None:
            return ""
        return gettext("%(year)s %(value)s%%") % {
            "year": fiscal_year_label(self.baseline_fiscal_year),
            "value": plain_number(self.baseline_value),
        }

    @property
    def full_by(self) -> int | None:
        """The first fiscal year whose target is 100 % (R6 in the plan)."""
        return next((fy for fy, t in sorted(self.targets.items()) if t.value >= 100), None)

    @property
    def full_by_label(self) -> str:
        return fiscal_year_label(self.full_by) if self.full_by else ""


def digitisation_plan() -> DigitisationPlan | None:
    """KPI 10-2 a's plan through `kpi.selectors.kpi_plan` (the KPI and its targets: two
    queries); None when the KPI is not loaded — the pages then show no target."""
    kpi = kpi_plan(KPI_CODE)
    if kpi is None:
        return None
    return DigitisationPlan(
        baseline_fiscal_year=kpi.baseline_fiscal_year,
        baseline_value=kpi.baseline_value,
        final_fiscal_year=kpi.final_target_fiscal_year,
        targets={
            t.fiscal_year: PlanTarget(t.fiscal_year, t.value, t.approx_count)
            for t in kpi.targets.all()
        },
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
    planned_applications: int = 0  # planned by the end of the year, or digitised by then
    target: PlanTarget | None = None  # KPI 10-2 a's target for the year, when loaded

    @property
    def by_applications(self) -> Decimal | None:
        return percent(self.digitised_applications, self.applications)

    @property
    def by_count(self) -> Decimal | None:
        return percent(self.digitised_procedures, self.procedures)

    @property
    def planned_share(self) -> Decimal | None:
        """The planned path: the share of the applications planned for digitisation by the
        end of the year (the inventory's current plan)."""
        return percent(self.planned_applications, self.applications)

    @property
    def label(self) -> str:
        return fiscal_year_short(self.fiscal_year)

    @property
    def achievement(self) -> Decimal | None:
        """actual ÷ target, capped at 1.00."""
        if self.target is None or self.by_applications is None or not self.target.value:
            return None
        ratio = self.by_applications / self.target.value
        return min(ratio, Decimal(1)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def priority_in_scope() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_priority=True).exclude(status=Procedure.Status.OUT_OF_SCOPE)


def _digitised_by(fy: int) -> Q:
    return Q(status=Procedure.Status.DIGITISED, digitised_on__lte=fiscal_year_bounds(fy)[1])


def _planned_by(fy: int) -> Q:
    """Planned for `fy` or earlier, or digitised by its end (whatever its plan says)."""
    return Q(plan=Procedure.Plan.FISCAL_YEAR, planned_fiscal_year__lte=fy) | _digitised_by(fy)


def digitised_shares(
    fiscal_years: Iterable[int], *, plan: DigitisationPlan | None = None
) -> dict[int, DigitisedShare]:
    """The digitised share of the priority procedures for each fiscal year, with the planned
    path and (given the plan) the year's target, in one query."""
    years = sorted(set(fiscal_years))
    if not years:
        return {}
    aggregates = {
        "n": Count("pk"),
        "apps": Coalesce(Sum("annual_applications"), 0),
        "as_of": Max("updated_at"),
    }
    for fy in years:
        done = _digitised_by(fy)
        aggregates[f"n_{fy}"] = Count("pk", filter=done)
        aggregates[f"apps_{fy}"] = Coalesce(Sum("annual_applications", filter=done), 0)
        aggregates[f"planned_{fy}"] = Coalesce(
            Sum("annual_applications", filter=_planned_by(fy)), 0
        )
    row = priority_in_scope().aggregate(**aggregates)
    targets = plan.targets if plan is not None else {}
    return {
        fy: DigitisedShare(
            fiscal_year=fy,
            procedures=row["n"],
            applications=row["apps"],
            digitised_procedures=row[f"n_{fy}"],
            digitised_applications=row[f"apps_{fy}"],
            as_of=timezone.localdate(row["as_of"]) if row["as_of"] else None,
            planned_applications=row[f"planned_{fy}"],
            target=targets.get(fy),
        )
        for fy in years
    }


def digitised_share(fiscal_year: int, *, plan: DigitisationPlan | None = None) -> DigitisedShare:
    return digitised_shares([fiscal_year], plan=plan)[fiscal_year]


def progress_against_targets(
    plan: DigitisationPlan | None, *, also: Iterable[int] = ()
) -> tuple[list[DigitisedShare], dict[int, DigitisedShare]]:
    """The plan's years (baseline … final target; R3 … R8 without the KPI): each year's share
    beside its target and the planned path, and the shares of the years in `also` too — in
    one query. Returns (the plan's years in order, every year's share by fiscal year)."""
    years = plan.fiscal_years if plan is not None else list(PLAN_FISCAL_YEARS)
    shares = digitised_shares([*years, *also], plan=plan)
    return [shares[fy] for fy in years], shares


def _digitised_share_figures(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
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


# The drill-down lists at most this many procedures of a year.
KPI_RECORDS_LIMIT = 1000


def _digitised_priority_records(fy: int) -> list[dict[str, Any]]:
    """The priority procedures digitised by the end of `fy` (code, name, date, applications):
    the numerator of that year's figure. A procedure holds no personal data."""
    procedures = (
        priority_in_scope()
        .filter(_digitised_by(fy))
        .only("code", "name", "form_name", "digitised_on", "annual_applications")
        .order_by("digitised_on", "code")[:KPI_RECORDS_LIMIT]
    )
    return [
        {
            "source": gettext("デジタル化済の重点手続"),
            "reference": f"{p.code} {p.name} {p.form_name}".strip(),
            "date": p.digitised_on,
            "detail": gettext("年間受付件数 %(count)s件") % {"count": f"{p.annual_applications:,}"},
        }
        for p in procedures
    ]


kpi_digitised_share = DrilldownSource(
    _digitised_share_figures,
    records=_digitised_priority_records,
    rule=_(
        "重点手続（県独自、対象外を除く）の年間受付件数のうち、その年度末までにデジタル化済となった"
        "手続の受付件数の割合です（受付件数ベース）。行政手続の台帳から集計します。"
    ),
)


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
    rows: list[ScheduleRow]  # 独自, 法定
    priority: ScheduleRow | None = None  # the priority procedures (重点手続), in the live table


def _column_key(plan: str, planned_fiscal_year: int | None) -> str:
    return str(planned_fiscal_year) if plan == Procedure.Plan.FISCAL_YEAR else plan


def _columns(years: Iterable[int]) -> list[tuple[str, str]]:
    columns = [(str(fy), fiscal_year_short(fy)) for fy in sorted(set(years))]
    columns += [(R9_OR_LATER.value, str(R9_OR_LATER.label))]
    columns += [(NEEDS_ADJUSTMENT.value, str(NEEDS_ADJUSTMENT.label))]
    return columns


def _row(
    key: str,
    label: str,
    columns: list[tuple[str, str]],
    buckets: dict[tuple[str, str], list[int]],
) -> ScheduleRow:
    """A row with its total and each cell's share of the total (whole percentages, as the
    seed's table)."""
    cells = [ScheduleCell(*buckets.get((key, column), (0, 0))) for column, _label in columns]
    total = ScheduleCell(
        procedures=sum(c.procedures for c in cells),
        applications=sum(c.applications for c in cells),
    )
    for cell in cells:
        cell.procedure_share = percent(cell.procedures, total.procedures, "1")
        cell.application_share = percent(cell.applications, total.applications, "1")
    return ScheduleRow(kind=key, label=label, total=total, cells=cells)


PRIORITY_ROW = "priority"


def schedule_table(*, priority_only: bool = False) -> ScheduleTable:
    """The live schedule: procedures and applications by planned year, 独自 and 法定, and the
    priority procedures on a row of their own (their shares of the priority total), from the
    inventory as it is now — in one query."""
    queryset = Procedure.objects.all()
    if priority_only:
        queryset = queryset.filter(is_priority=True)
    grouped = (
        queryset.values("kind", "is_priority", "plan", "planned_fiscal_year")
        .annotate(n=Count("pk"), apps=Coalesce(Sum("annual_applications"), 0))
        .order_by()
    )
    buckets: dict[tuple[str, str], list[int]] = {}  # (row, column): [procedures, applications]
    years = set(SURVEY_FISCAL_YEARS)
    for row in grouped:
        # A planned year is set exactly when the plan is a fiscal year (Procedure's constraint).
        if row["plan"] == Procedure.Plan.FISCAL_YEAR and row["planned_fiscal_year"] is not None:
            years.add(row["planned_fiscal_year"])
        column = _column_key(row["plan"], row["planned_fiscal_year"])
        keys = [row["kind"], PRIORITY_ROW] if row["is_priority"] else [row["kind"]]
        for key in keys:
            cell = buckets.setdefault((key, column), [0, 0])
            cell[0] += row["n"]
            cell[1] += row["apps"]
    columns = _columns(years)
    return ScheduleTable(
        columns=columns,
        rows=[_row(k.value, str(k.label), columns, buckets) for k in Procedure.Kind],
        priority=_row(PRIORITY_ROW, str(_("うち重点手続")), columns, buckets),
    )


# --- The survey: the dated record the plan was made from (seed §7 2-1, 2-2) ---------------------


def latest_survey() -> InventorySurvey | None:
    """The most recent survey with its table's rows (two queries)."""
    return InventorySurvey.objects.prefetch_related("rows").first()


def survey_table(survey: InventorySurvey) -> ScheduleTable:
    """The survey's own table, as it was published: procedures and applications by kind and
    column, with shares of each kind's total (no query beyond the prefetched rows)."""
    buckets = {(r.kind, r.column): [r.procedures, r.applications] for r in survey.rows.all()}
    years = set(SURVEY_FISCAL_YEARS)
    years.update(int(column) for _kind, column in buckets if column.isdigit())
    columns = _columns(years)
    return ScheduleTable(
        columns=columns,
        rows=[_row(k.value, str(k.label), columns, buckets) for k in Procedure.Kind],
    )


@dataclass(frozen=True)
class InventoryFacts:
    """The live inventory's counterparts of the survey's inventory-wide facts."""

    fiscal_year: int  # digitised by the end of this year
    aim_fiscal_year: int | None  # planned by the end of this year (the survey's R6)
    all_procedures: int
    all_applications: int
    own_procedures: int
    own_procedures_over_100: int
    priority_procedures: int  # in scope (not 対象外), as the KPI counts them
    priority_applications: int
    own_applications: int  # in scope
    own_digitised_applications: int
    own_planned_applications: int  # planned by the aim year, or digitised by then
    statutory_applications: int  # in scope
    statutory_planned_applications: int

    @property
    def own_digitised_share(self) -> Decimal | None:
        return percent(self.own_digitised_applications, self.own_applications)

    @property
    def own_planned_share(self) -> Decimal | None:
        if self.aim_fiscal_year is None:
            return None
        return percent(self.own_planned_applications, self.own_applications)

    @property
    def statutory_planned_share(self) -> Decimal | None:
        if self.aim_fiscal_year is None:
            return None
        return percent(self.statutory_planned_applications, self.statutory_applications)


def inventory_facts(fiscal_year: int, *, aim_fiscal_year: int | None) -> InventoryFacts:
    """The inventory-wide figures of the live inventory, to set beside the survey's: one
    query whatever the number of procedures."""
    own = Q(kind=Procedure.Kind.OWN)
    statutory = Q(kind=Procedure.Kind.STATUTORY)
    in_scope = ~Q(status=Procedure.Status.OUT_OF_SCOPE)

    def applications(condition: Q) -> Coalesce:
        return Coalesce(Sum("annual_applications", filter=condition), 0)

    aggregates = {
        "all_n": Count("pk"),
        "all_apps": Coalesce(Sum("annual_applications"), 0),
        "own_n": Count("pk", filter=own),
        "own_100": Count("pk", filter=own & Q(annual_applications__gte=100)),
        "priority_n": Count("pk", filter=Q(is_priority=True) & in_scope),
        "priority_apps": applications(Q(is_priority=True) & in_scope),
        "own_apps": applications(own & in_scope),
        "own_done": applications(own & in_scope & _digitised_by(fiscal_year)),
        "statutory_apps": applications(statutory & in_scope),
    }
    if aim_fiscal_year is not None:
        planned = _planned_by(aim_fiscal_year)
        aggregates["own_planned"] = applications(own & in_scope & planned)
        aggregates["statutory_planned"] = applications(statutory & in_scope & planned)
    row = Procedure.objects.aggregate(**aggregates)
    return InventoryFacts(
        fiscal_year=fiscal_year,
        aim_fiscal_year=aim_fiscal_year,
        all_procedures=row["all_n"],
        all_applications=row["all_apps"],
        own_procedures=row["own_n"],
        own_procedures_over_100=row["own_100"],
        priority_procedures=row["priority_n"],
        priority_applications=row["priority_apps"],
        own_applications=row["own_apps"],
        own_digitised_applications=row["own_done"],
        own_planned_applications=row.get("own_planned", 0),
        statutory_applications=row["statutory_apps"],
        statutory_planned_applications=row.get("statutory_planned", 0),
    )


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
        row: Mapping[str, Any] = by_kind.get(kind.value, {})
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


# --- Joint initiatives with the municipalities (KPI 10-2 b) -----------------------------------

JOINT_KPI_CODE = "10-2 b"


def counted_initiatives() -> QuerySet[JointInitiative]:
    """The initiatives KPI 10-2 b counts: those with two or more municipalities taking part
    (one a municipality took alone is not 「複数の市町と連携して」)."""
    return JointInitiative.objects.annotate(n_municipalities=Count("participants")).filter(
        n_municipalities__gte=MIN_PARTICIPANTS
    )


def _joint_initiative_figures(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
    """KPI 10-2 b for mie_dx.figures: numerator = the initiatives started in each fiscal year
    with two or more municipalities, in one query. The KPI is cumulative: the KPI app adds
    each year's count to the year before, from the baseline (7 in R3, the plan's figure)."""
    if not fiscal_years:
        return {}
    # The ≥2 rule per initiative in a subquery: grouped by year, a HAVING would count the
    # municipalities of the whole year.
    rows = (
        JointInitiative.objects.filter(
            pk__in=counted_initiatives().values("pk"), fiscal_year_started__in=list(fiscal_years)
        )
        .values("fiscal_year_started")
        .annotate(started=Count("pk", distinct=True), as_of=Max("updated_at"))
        .order_by()
    )
    found = {row["fiscal_year_started"]: row for row in rows}
    changelist = reverse("admin:procedures_jointinitiative_changelist")
    figures: dict[int, KpiContribution] = {}
    for fy in fiscal_years:
        row = found.get(fy)
        figures[fy] = KpiContribution(
            numerator=row["started"] if row else 0,
            url=f"{changelist}?fiscal_year_started={fy}",
            label=str(_("市町との連携による取組")),
            as_of=timezone.localdate(row["as_of"]) if row else None,
        )
    return figures


def _joint_initiative_records(fy: int) -> list[dict[str, Any]]:
    """The initiatives `fy`'s count adds (started in `fy`, two or more municipalities), as the
    other sources list a year's records: code, title, kind, start year and the municipalities
    taking part — no personal data. Those of earlier years are in their own years' lists (the
    R3 ones stand for the baseline, in the register)."""
    initiatives = (
        counted_initiatives()
        .filter(fiscal_year_started=fy)
        .prefetch_related("participants")
        .order_by("fiscal_year_started", "code")[:KPI_RECORDS_LIMIT]
    )
    return [
        {
            "source": gettext("市町との連携による取組"),
            "reference": f"{i.code} {i.title}",
            "date": None,
            "detail": gettext("%(year)s開始・%(kind)s・%(count)s市町（%(names)s）")
            % {
                "year": fiscal_year_label(i.fiscal_year_started),
                "kind": i.get_kind_display(),
                "count": getattr(i, "n_municipalities", 0),
                "names": "、".join(str(p.get_municipality_display()) for p in i.participants.all()),
            },
        }
        for i in initiatives
    ]


kpi_joint_initiatives = DrilldownSource(
    _joint_initiative_figures,
    records=_joint_initiative_records,
    rule=_(
        "令和3年度の7取組（基準値）に、令和4年度以降の各年度に開始した市町との連携による取組"
        "のうち、2以上の市町が参加するものの数を年度ごとに加えた累計です。1つの取組は開始年度"
        "に1回だけ数えます（参加市町が1つの取組は数えません）。「市町との連携による取組」の台帳"
        "から集計します。"
    ),
)


def public_initiatives() -> QuerySet[JointInitiative]:
    """The initiatives shown on the public page /municipal-dx/, with their municipalities
    (two queries whatever their number)."""
    return (
        JointInitiative.objects.filter(is_public=True)
        .prefetch_related("participants")
        .order_by("-fiscal_year_started", "code")
    )
