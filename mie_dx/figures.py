"""Figures the apps hand to the KPI dashboard, and fiscal years counted in the database.

An app that holds the data behind a plan KPI declares it in its apps.py (mie_dx.registry):

    kpi_sources = {"10-2 a": "procedures.selectors.kpi_digitised_share"}

The callable takes the fiscal years wanted and answers, in a fixed number of queries whatever
the data size, a `KpiContribution` per fiscal year (years with no data may be left out).
Several apps may feed one KPI (10-1 a: the consultation and the seminar surveys): their
contributions are added. How the KPI app turns them into an actual:

- a percentage KPI: 100 × Σ numerator ÷ Σ denominator of that fiscal year;
- a count KPI: Σ numerator of that fiscal year, added to the baseline year by year when the
  KPI is cumulative.

For the drill-down, a source may also offer `source.records(fy)`: the rows behind that year's
figure as dicts {"source", "reference", "date", "detail"} — identifiers, dates and answers,
never a person's details (managers read them).

Each source says how it counts, once, as `source.rule` (a translatable sentence): the KPI page
shows the rules of every source of a computed KPI, so the rule a manager reads is the code's.
A source offering both is a `DrilldownSource` around its figures function.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db import models
from django.db.models.functions import ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual
from django.urls import reverse
from django.utils import timezone

from mie_dx.fiscal import fiscal_years_span

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class KpiContribution:
    numerator: Decimal | int
    denominator: Decimal | int | None = None
    # The records behind the figure, for the drill-down (a page without personal data).
    url: str = ""
    label: str = ""  # what the url shows, e.g. "相談のアンケート"
    as_of: date | None = None


KpiSource = Callable[[Sequence[int]], dict[int, KpiContribution]]


@dataclass(frozen=True)
class DrilldownSource:
    """A KPI source with what the KPI app also reads of it: the records behind a year's
    figure (`source.records(fy)`, for the drill-down) and how it counts (`source.rule`).
    Called like the figures function it wraps, so it is a `KpiSource` too."""

    figures: KpiSource
    records: Callable[[int], list[dict[str, Any]]]
    rule: "StrOrPromise"

    def __call__(self, fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
        return self.figures(fiscal_years)


def fiscal_year_of(field: str, *, is_datetime: bool = True) -> models.Expression:
    """The fiscal year (April–March) of a date or datetime column, computed in the database
    (a datetime in Asia/Tokyo).

    `queryset.annotate(fy=fiscal_year_of("answered_at")).values("fy").annotate(n=Count("pk"))`
    counts by fiscal year in one query, on PostgreSQL and SQLite alike.
    """
    tz = timezone.get_default_timezone() if is_datetime else None
    year = ExtractYear(field, tzinfo=tz)
    return models.Case(
        models.When(GreaterThanOrEqual(ExtractMonth(field, tzinfo=tz), 4), then=year),
        default=year - 1,
        output_field=models.IntegerField(),
    )


def changelist_url(admin_url_name: str, field: str, fy: int) -> str:
    """An admin change list filtered to the rows whose `field` falls in fiscal year `fy`
    (a drill-down for managers: the admin hides personal data from them)."""
    start, end = fiscal_years_span([fy])
    query = urlencode({f"{field}__gte": start.isoformat(), f"{field}__lt": end.isoformat()})
    return f"{reverse(admin_url_name)}?{query}"
