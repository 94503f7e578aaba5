"""Reads of the KPI app: every KPI × fiscal year with its target, actual and achievement.

`kpi_figures()` reads all KPIs, their targets and entered actuals (three queries) and calls
each source registered for a KPI (mie_dx.registry.kpi_sources) once, with every fiscal year
it must compute: the number of queries does not grow with the data.

How an actual is obtained (mie_dx.figures):
- an entered KPI, or a computed one before `first_computed_fiscal_year`: the value entered;
- a computed percentage: 100 × Σ numerator ÷ Σ denominator of the year (1 decimal);
- a computed count: Σ numerator of the year; a cumulative one adds it to the previous
  year's actual (the baseline year's value, entered, is where it starts).
Achievement = actual ÷ target (target ÷ actual when lower is better), capped at 1.00,
2 decimals rounded half up (31.8 ÷ 40.0 = 0.795 → 0.80, as the 県政レポート prints it).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from kpi.models import Grade, Kpi, KpiActual, Measure, SourceKind
from mie_dx.figures import KpiContribution
from mie_dx.fiscal import fiscal_year, fiscal_year_label, fiscal_year_short
from mie_dx.registry import kpi_sources

ONE = Decimal("1.00")
HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")


@dataclass
class YearFigure:
    fiscal_year: int
    target: Decimal | None = None
    actual: Decimal | None = None
    source: str = ""  # SourceKind value, "" when there is no actual
    achievement: Decimal | None = None
    grade: str = ""
    note: str = ""
    entered: KpiActual | None = None
    contributions: list[KpiContribution] = field(default_factory=list)
    ended: bool = True
    as_of: date | None = None  # the date of the figures of a year that has not ended

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def grade_display(self) -> str:
        return Grade(self.grade).label if self.grade in Grade.values else ""

    @property
    def short(self) -> str:
        return fiscal_year_short(self.fiscal_year)

    @property
    def drilldown(self) -> list[KpiContribution]:
        return [c for c in self.contributions if c.url]


@dataclass
class KpiFigures:
    kpi: Kpi
    years: list[YearFigure]
    current: YearFigure | None  # this fiscal year, or the latest year with an actual
    progress: Decimal | None  # toward the final (R8) target, 0.00–1.00
    connected: bool  # a computed KPI whose sources are registered

    @property
    def final_year(self) -> YearFigure | None:
        fy = self.kpi.final_target_fiscal_year
        return next((y for y in self.years if y.fiscal_year == fy), None)


def quantize(value: Decimal | None, measure: str) -> Decimal | None:
    """A KPI's value as it is printed: a percentage to 1 decimal, a count whole if it is."""
    if value is None:
        return None
    if measure == Measure.PERCENTAGE:
        return value.quantize(TENTH, rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def achievement(actual: Decimal | None, target: Decimal | None, *, higher_is_better: bool):
    """actual ÷ target (or target ÷ actual when lower is better), capped at 1.00."""
    if actual is None or target is None:
        return None
    numerator, denominator = (actual, target) if higher_is_better else (target, actual)
    if denominator <= 0:
        return ONE if numerator >= 0 else None
    ratio = (Decimal(numerator) / Decimal(denominator)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    return min(max(ratio, Decimal("0.00")), ONE)


def progress_to_final(kpi: Kpi, actual: Decimal | None) -> Decimal | None:
    """How far from the baseline to the final target the actual has come (0.00–1.00).

    When the final target equals the baseline (10-1 a: keep 90.0% or more), the achievement
    against the final target instead.
    """
    final, baseline = kpi.final_target_value, kpi.baseline_value
    if actual is None or final is None:
        return None
    if baseline is None or baseline == final:
        return achievement(actual, final, higher_is_better=kpi.higher_is_better)
    ratio = ((actual - baseline) / (final - baseline)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    return min(max(ratio, Decimal("0.00")), ONE)


def fiscal_years_of(kpi: Kpi) -> list[int]:
    """From the baseline (or the first target or actual) to the final target year."""
    years = [
        fy for fy in (kpi.baseline_fiscal_year, kpi.final_target_fiscal_year) if fy is not None
    ]
    years += [t.fiscal_year for t in kpi.targets.all()]
    years += [a.fiscal_year for a in kpi.actuals.all()]
    if not years:
        return []
    return list(range(min(years), max(years) + 1))


def kpis_with_figures() -> QuerySet[Kpi]:
    return Kpi.objects.prefetch_related(
        "targets",
        Prefetch("actuals", queryset=KpiActual.objects.select_related("entered_by")),
    )


def _computed_contributions(
    kpis: Iterable[Kpi], years: dict[int, list[int]]
) -> dict[str, dict[int, list[KpiContribution]]]:
    """{code: {fy: [contribution, ...]}}, calling each registered source once."""
    sources = kpi_sources()
    wanted: dict[str, set[int]] = defaultdict(set)
    for kpi in kpis:
        if kpi.source == SourceKind.COMPUTED:
            wanted[kpi.code].update(fy for fy in years[kpi.pk] if kpi.is_computed_in(fy))
    gathered: dict[str, dict[int, list[KpiContribution]]] = {}
    for code, fys in wanted.items():
        by_year: dict[int, list[KpiContribution]] = defaultdict(list)
        if fys:
            for source in sources.get(code, []):
                for fy, contribution in source(sorted(fys)).items():
                    by_year[fy].append(contribution)
        gathered[code] = by_year
    return gathered


def _computed_value(kpi: Kpi, contributions: list[KpiContribution], previous: Decimal | None):
    numerator = sum((Decimal(c.numerator) for c in contributions), Decimal(0))
    if kpi.measure == Measure.PERCENTAGE:
        denominator = sum((Decimal(c.denominator or 0) for c in contributions), Decimal(0))
        if denominator == 0:
            return None
        return 100 * numerator / denominator
    if kpi.cumulative:
        return None if previous is None else previous + numerator
    return numerator


def figures_for(kpi: Kpi, contributions: dict[int, list[KpiContribution]], today: date):
    current_fy = fiscal_year(today)
    targets = {t.fiscal_year: t.value for t in kpi.targets.all()}
    entered = {a.fiscal_year: a for a in kpi.actuals.all()}
    sources_connected = kpi.code in kpi_sources()
    years: list[YearFigure] = []
    previous: Decimal | None = None
    for fy in fiscal_years_of(kpi):
        year = YearFigure(fiscal_year=fy, target=targets.get(fy), ended=fy < current_fy)
        if fy > current_fy:
            pass  # a year to come: its target only
        elif kpi.is_computed_in(fy):
            year.contributions = contributions.get(fy, [])
            if sources_connected:
                year.actual = _computed_value(kpi, year.contributions, previous)
                year.source = SourceKind.COMPUTED if year.actual is not None else ""
            if not year.ended:
                dates = [c.as_of for c in year.contributions if c.as_of]
                year.as_of = max(dates) if dates else today
        elif fy in entered:
            actual = entered[fy]
            year.actual, year.source, year.entered = actual.value, SourceKind.ENTERED, actual
            year.grade, year.note = actual.grade, actual.note
            if not year.ended:
                year.as_of = timezone.localdate(actual.entered_at)
        elif kpi.cumulative and fy == kpi.baseline_fiscal_year:
            year.actual, year.source = kpi.baseline_value, SourceKind.ENTERED
        if kpi.is_computed_in(fy) and fy in entered:
            # The manager's assessment of a computed year: its grade and note, no value.
            year.grade, year.note = entered[fy].grade, entered[fy].note
        previous = year.actual
        year.actual = quantize(year.actual, kpi.measure)
        year.achievement = achievement(
            year.actual, year.target, higher_is_better=kpi.higher_is_better
        )
        years.append(year)
    current = next((y for y in years if y.fiscal_year == current_fy), None)
    if current is None:
        with_actual = [y for y in years if y.actual is not None]
        current = with_actual[-1] if with_actual else current
    return KpiFigures(
        kpi=kpi,
        years=years,
        current=current,
        progress=progress_to_final(kpi, current.actual if current else None),
        connected=kpi.source != SourceKind.COMPUTED or sources_connected,
    )


def kpi_figures(*, today: date | None = None, kpis: Iterable[Kpi] | None = None):
    """Every KPI (or those given, prefetched as by `kpis_with_figures`) with its figures."""
    today = today or timezone.localdate()
    kpis = list(kpis if kpis is not None else kpis_with_figures())
    years = {kpi.pk: fiscal_years_of(kpi) for kpi in kpis}
    contributions = _computed_contributions(kpis, years)
    return [figures_for(kpi, contributions.get(kpi.code, {}), today) for kpi in kpis]


def kpi_by_slug(slug: str, *, today: date | None = None) -> KpiFigures:
    kpi = kpis_with_figures().filter(slug=slug).first()
    if kpi is None:
        raise Http404
    return kpi_figures(today=today, kpis=[kpi])[0]


# The drill-down page shows at most this many records of one source.
RECORDS_SHOWN = 1000


def drilldown_records(kpi: Kpi, fy: int) -> list[dict]:
    """The records behind a computed figure, from each source that lists them.

    A source may offer `source.records(fy)` (a list of {"source", "reference", "date",
    "detail"} without personal data) next to its figures; the KPI app shows them.
    """
    if not kpi.is_computed_in(fy):
        return []
    rows: list[dict] = []
    for source in kpi_sources().get(kpi.code, []):
        records = getattr(source, "records", None)
        if records is not None:
            rows.extend(records(fy)[:RECORDS_SHOWN])
    return rows


def kpi_plan(code: str) -> Kpi | None:
    """The KPI `code` with its yearly targets prefetched: the one set of targets other apps'
    pages read (the procedures pages show 10-2 a's), None when it is not loaded."""
    return Kpi.objects.prefetch_related("targets").filter(code=code).first()
