"""Reads of the KPI app: every KPI × fiscal year with its target, actual and achievement.

`kpi_figures()` reads all KPIs, their targets and entered actuals (three queries) and calls
each source registered for a KPI (mie_dx.registry.kpi_sources) once, with every fiscal year
it must compute: the number of queries does not grow with the data.

How an actual is obtained (mie_dx.figures):
- an entered KPI, or a computed one before `first_computed_fiscal_year`: the value entered;
  a computed year with no contribution at all keeps a value entered before (if any);
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
from typing import Any, overload

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kpi.models import Grade, Kpi, KpiActual, Measure, SourceKind
from mie_dx.figures import KpiContribution
from mie_dx.fiscal import (
    fiscal_year,
    fiscal_year_abbr,
    fiscal_year_bounds,
    fiscal_year_label,
)
from mie_dx.registry import kpi_sources

ONE = Decimal("1.00")
HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")


@dataclass
class YearFigure:
    fiscal_year: int
    target: Decimal | None = None
    # Where the plan sets no target for the year: the straight path from the baseline to the
    # final target (a guide for the status, never exported as a target).
    guide: Decimal | None = None
    approx_count: int | None = None  # the target in applications (KpiTarget.approx_count)
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
        return str(Grade(self.grade).label) if self.grade in Grade.values else ""

    @property
    def abbr(self) -> str:
        return fiscal_year_abbr(self.fiscal_year)

    @property
    def target_or_guide(self) -> Decimal | None:
        return self.target if self.target is not None else self.guide


# A KPI's status at a glance (the card says it in words and colour, never colour alone).
ACHIEVED, ON_TRACK, BEHIND, NO_ACTUAL = "achieved", "on_track", "behind", "no_actual"
STANDING_LABELS: dict[str, Promise] = {
    ACHIEVED: _("達成"),
    ON_TRACK: _("順調"),
    BEHIND: _("遅れ"),
    NO_ACTUAL: _("実績なし"),
}
# How each status is judged, in the words the dashboard shows once.
STANDING_RULES: dict[str, Promise] = {
    ACHIEVED: _("その年度の目標に実績が届いています。"),
    ON_TRACK: _(
        "年度途中で、目標にはまだ届いていませんが、前年度の目標から今年度の目標までを年度の"
        "経過に合わせて進んだときの目安以上です。"
    ),
    BEHIND: _("目標（年度途中は経過に応じた目安）に届いていません。"),
    NO_ACTUAL: _("現状値の年度より後の実績がまだありません。"),
}


@dataclass(frozen=True)
class Standing:
    """Where a KPI stands: judged on `year` (this fiscal year, or the latest year with an
    actual) against its target — or, where the plan sets none for that year, the straight
    path from the baseline to the final target (then `year.target` is None)."""

    code: str
    year: YearFigure | None = None
    target: Decimal | None = None
    # In a year still running: where the figure should be by today on the way to the target.
    expected: Decimal | None = None

    @property
    def label(self) -> str:
        return str(STANDING_LABELS[self.code])

    @property
    def rule(self) -> str:
        return str(STANDING_RULES[self.code])


@dataclass
class KpiFigures:
    kpi: Kpi
    years: list[YearFigure]
    current: YearFigure | None  # this fiscal year, or the latest year with an actual
    progress: Decimal | None  # toward the final (R8) target, 0.00–1.00
    connected: bool  # a computed KPI whose sources are registered
    standing: Standing = field(default_factory=lambda: Standing(NO_ACTUAL))
    this_year: YearFigure | None = None  # this fiscal year's row, with or without an actual
    chart: str = ""  # the SVG line chart, for the pages that draw it (kpi.views, kpi.charts)

    @property
    def last_achievement(self) -> YearFigure | None:
        """The latest year that has ended with both a target and an actual: its 目標達成状況
        means what the 県政レポート means (a year still running would compare a part of the
        year with a whole year's target)."""
        done = [y for y in self.years if y.ended and y.achievement is not None]
        return done[-1] if done else None

    @property
    def graded_years(self) -> list[YearFigure]:
        return [y for y in self.years if y.grade]

    @property
    def has_figures(self) -> bool:
        return any(y.actual is not None or y.target_or_guide is not None for y in self.years)


@overload
def quantize(value: Decimal, measure: str) -> Decimal: ...
@overload
def quantize(value: None, measure: str) -> None: ...
@overload
def quantize(value: Decimal | None, measure: str) -> Decimal | None: ...
def quantize(value: Decimal | None, measure: str) -> Decimal | None:
    """A KPI's value as it is printed: a percentage to 1 decimal, a count whole if it is."""
    if value is None:
        return None
    if measure == Measure.PERCENTAGE:
        return value.quantize(TENTH, rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def achievement(
    actual: Decimal | None, target: Decimal | None, *, higher_is_better: bool
) -> Decimal | None:
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


def guide_value(kpi: Kpi, fy: int) -> Decimal | None:
    """The straight path from the baseline to the final target, at fiscal year `fy` (after
    the baseline year, up to the final one); None when either end is unknown."""
    baseline, baseline_fy = kpi.baseline_value, kpi.baseline_fiscal_year
    final, final_fy = kpi.final_target_value, kpi.final_target_fiscal_year
    if baseline is None or final is None or baseline_fy is None or final_fy is None:
        return None
    if not baseline_fy < fy <= final_fy:
        return None
    return quantize(
        baseline + (final - baseline) * Decimal(fy - baseline_fy) / Decimal(final_fy - baseline_fy),
        kpi.measure,
    )


def _share_of_year_elapsed(fy: int, today: date) -> Decimal:
    start, end = fiscal_year_bounds(fy)
    days = (end - start).days + 1
    return min(Decimal((today - start).days + 1) / Decimal(days), Decimal(1))


def standing_of(kpi: Kpi, years: list[YearFigure], today: date) -> Standing:
    """Where the KPI stands now: this fiscal year if it has an actual, else the latest year
    after the baseline that has one (STANDING_RULES say how, in words)."""
    current_fy = fiscal_year(today)
    judged = [
        y
        for y in years
        if y.actual is not None
        and y.fiscal_year <= current_fy
        and (kpi.baseline_fiscal_year is None or y.fiscal_year > kpi.baseline_fiscal_year)
    ]
    if not judged:
        return Standing(NO_ACTUAL)
    return judge_year(kpi, years, judged[-1], today)


def judge_year(kpi: Kpi, years: list[YearFigure], year: YearFigure, today: date) -> Standing:
    """達成 / 順調 / 遅れ of one year with an actual, against its target or guide."""
    actual, target = year.actual, year.target_or_guide
    if actual is None or target is None:
        return Standing(NO_ACTUAL, year=year)

    def reaches(value: Decimal) -> bool:
        return actual >= value if kpi.higher_is_better else actual <= value

    if reaches(target):
        return Standing(ACHIEVED, year, target)
    if year.ended:
        return Standing(BEHIND, year, target)
    # A year still running: from last year's target (the baseline, or nothing for a yearly
    # count that starts again at zero) toward this year's, as far as the year has gone.
    start: Decimal | None
    if kpi.measure == Measure.COUNT and not kpi.cumulative:
        start = Decimal(0)
    else:
        previous = next((y for y in years if y.fiscal_year == year.fiscal_year - 1), None)
        start = previous.target_or_guide if previous else None
        if start is None or (previous and previous.fiscal_year == kpi.baseline_fiscal_year):
            start = kpi.baseline_value if kpi.baseline_value is not None else target
    expected = quantize(
        start + (target - start) * _share_of_year_elapsed(year.fiscal_year, today), kpi.measure
    )
    code = ON_TRACK if reaches(expected) else BEHIND
    return Standing(code, year, target, expected)


def year_standings(figures: "KpiFigures", today: date) -> dict[int, str]:
    """Each year's status code for the export: a year to come has none; a year up to now
    without an actual after the baseline is 実績なし."""
    kpi, current_fy = figures.kpi, fiscal_year(today)
    first = (kpi.baseline_fiscal_year or 0) + 1
    return {
        year.fiscal_year: judge_year(kpi, figures.years, year, today).code
        if first <= year.fiscal_year <= current_fy
        else ""
        for year in figures.years
    }


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


def _computed_value(
    kpi: Kpi, contributions: list[KpiContribution], previous: Decimal | None
) -> Decimal | None:
    numerator = sum((Decimal(c.numerator) for c in contributions), Decimal(0))
    if kpi.measure == Measure.PERCENTAGE:
        denominator = sum((Decimal(c.denominator or 0) for c in contributions), Decimal(0))
        if denominator == 0:
            return None
        return 100 * numerator / denominator
    if kpi.cumulative:
        return None if previous is None else previous + numerator
    return numerator


def figures_for(
    kpi: Kpi, contributions: dict[int, list[KpiContribution]], today: date
) -> KpiFigures:
    current_fy = fiscal_year(today)
    targets = {t.fiscal_year: t for t in kpi.targets.all()}
    entered = {a.fiscal_year: a for a in kpi.actuals.all()}
    sources_connected = kpi.code in kpi_sources()
    years: list[YearFigure] = []
    previous: Decimal | None = None
    for fy in fiscal_years_of(kpi):
        target = targets.get(fy)
        year = YearFigure(
            fiscal_year=fy,
            target=target.value if target else None,
            approx_count=target.approx_count if target else None,
            ended=fy < current_fy,
        )
        if year.target is None:
            year.guide = guide_value(kpi, fy)
        if fy > current_fy:
            pass  # a year to come: its target only
        elif kpi.is_computed_in(fy):
            year.contributions = contributions.get(fy, [])
            if sources_connected:
                year.actual = _computed_value(kpi, year.contributions, previous)
                year.source = SourceKind.COMPUTED if year.actual is not None else ""
            earlier = entered.get(fy)
            # A year the portal holds no record of (no survey round that year) keeps the value
            # entered before the KPI was computed (県政レポート 主指標 R3).
            if (
                year.actual is None
                and not year.contributions
                and earlier is not None
                and earlier.value is not None
            ):
                year.actual, year.source = earlier.value, SourceKind.ENTERED
                year.entered = earlier
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
        standing=standing_of(kpi, years, today),
        this_year=next((y for y in years if y.fiscal_year == current_fy), None),
    )


def kpi_figures(
    *, today: date | None = None, kpis: Iterable[Kpi] | None = None
) -> list[KpiFigures]:
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


def counting_rules(kpi: Kpi) -> list[str]:
    """How the KPI is counted, in the code's own words: each registered source's `rule` for a
    computed KPI (mie_dx.figures), the KPI's entered rule otherwise."""
    if kpi.source == SourceKind.COMPUTED:
        rules = [
            str(rule) for s in kpi_sources().get(kpi.code, []) if (rule := getattr(s, "rule", ""))
        ]
        if rules:
            return rules
    return [kpi.display_counting_rule] if kpi.display_counting_rule else []


# The drill-down page shows at most this many records of one source.
RECORDS_SHOWN = 1000


def drilldown_records(kpi: Kpi, fy: int) -> list[dict[str, Any]]:
    """The records behind a computed figure, from each source that lists them.

    A source may offer `source.records(fy)` (a list of {"source", "reference", "date",
    "detail"} without personal data) next to its figures; the KPI app shows them.
    """
    if not kpi.is_computed_in(fy):
        return []
    rows: list[dict[str, Any]] = []
    for source in kpi_sources().get(kpi.code, []):
        records = getattr(source, "records", None)
        if records is not None:
            rows.extend(records(fy)[:RECORDS_SHOWN])
    return rows


def kpi_plan(code: str) -> Kpi | None:
    """The KPI `code` with its yearly targets prefetched: the one set of targets other apps'
    pages read (the procedures pages show 10-2 a's), None when it is not loaded."""
    return Kpi.objects.prefetch_related("targets").filter(code=code).first()
