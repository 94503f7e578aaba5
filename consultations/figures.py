"""The consultation figures as the seed tabulates them (§4, 相談件数): cases per fiscal year
by requester type × category, and by month, with totals. Counts only — no personal data.

Sample consultations (is_sample, loaded only by `load_demo`) are counted, as the KPI figures
count them (a production database holds none), and `samples` says how many there are so that
the page can say so.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import tablib
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from consultations.models import Category, Consultation
from mie_dx.fiscal import fiscal_year, fiscal_year_label, fiscal_years_span
from mie_dx.people import RequesterType

# The center opened in 令和3年度: the figures start there.
FIRST_FISCAL_YEAR = 2021

# The seed's order: 県内事業者, 県民グループ, 県・市町; then individual residents.
REQUESTER_ORDER = (
    RequesterType.BUSINESS,
    RequesterType.GROUP,
    RequesterType.MUNICIPALITY,
    RequesterType.PREFECTURE,
    RequesterType.INDIVIDUAL,
)
# April to March.
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@dataclass
class FiguresRow:
    key: str | int
    label: str
    cells: list[int]

    @property
    def total(self) -> int:
        return sum(self.cells)


@dataclass
class FiguresTable:
    """Rows × the categories, with each row's and each column's total."""

    rows: list[FiguresRow]
    columns: list[str] = field(default_factory=lambda: [str(c.label) for c in Category])

    @property
    def column_totals(self) -> list[int]:
        return [sum(row.cells[i] for row in self.rows) for i in range(len(self.columns))]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


@dataclass
class ConsultationFigures:
    fiscal_year: int
    by_requester: FiguresTable
    by_month: FiguresTable
    samples: int

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)

    @property
    def total(self) -> int:
        return self.by_requester.total

    @property
    def to_date(self) -> bool:
        """The fiscal year has not ended: the figures are as of today."""
        return self.fiscal_year >= fiscal_year(timezone.localdate())


def fiscal_year_choices() -> list[tuple[int, str]]:
    """令和3年度 (the center's first) to the current fiscal year, newest first."""
    current = max(fiscal_year(timezone.localdate()), FIRST_FISCAL_YEAR)
    return [(fy, fiscal_year_label(fy)) for fy in range(current, FIRST_FISCAL_YEAR - 1, -1)]


def consultation_figures(fy: int) -> ConsultationFigures:
    """Cases received in fiscal year `fy` (by the reception date, Asia/Tokyo). One query,
    whatever the number of cases."""
    start, end = fiscal_years_span([fy])
    grouped = (
        Consultation.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=ExtractMonth("created_at", tzinfo=timezone.get_default_timezone()))
        .values("month", "requester_type", "category")
        .annotate(cases=Count("pk"), samples=Count("pk", filter=Q(is_sample=True)))
        .order_by()
    )
    categories = list(Category.values)
    by_requester: dict[str, list[int]] = defaultdict(lambda: [0] * len(categories))
    by_month: dict[int, list[int]] = defaultdict(lambda: [0] * len(categories))
    samples = 0
    for row in grouped:
        column = categories.index(row["category"]) if row["category"] in categories else None
        if column is None:
            continue  # a category no longer offered: not in the seed's table
        by_requester[row["requester_type"]][column] += row["cases"]
        by_month[row["month"]][column] += row["cases"]
        samples += row["samples"]
    return ConsultationFigures(
        fiscal_year=fy,
        by_requester=FiguresTable(
            rows=[
                FiguresRow(str(t), str(RequesterType(t).label), by_requester[t])
                for t in REQUESTER_ORDER
            ]
        ),
        by_month=FiguresTable(
            rows=[
                FiguresRow(
                    month,
                    date_format(date(fy if month >= 4 else fy + 1, month, 1), "YEAR_MONTH_FORMAT"),
                    by_month[month],
                )
                for month in FISCAL_MONTHS
            ]
        ),
        samples=samples,
    )


def figures_dataset(figures: ConsultationFigures) -> tablib.Dataset:
    """Both tables in one sheet, as the page shows them; the counts stay numbers."""
    total_label = gettext("合計")
    dataset = tablib.Dataset(
        headers=[
            gettext("年度"),
            gettext("表"),
            gettext("区分"),
            *figures.by_requester.columns,
            total_label,
        ]
    )
    tables = (
        (gettext("相談者の区分・相談内容の種類別"), figures.by_requester),
        (gettext("月別・相談内容の種類別"), figures.by_month),
    )
    for title, table in tables:
        for row in table.rows:
            dataset.append([figures.label, title, row.label, *row.cells, row.total])
        dataset.append([figures.label, title, total_label, *table.column_totals, table.total])
    return dataset
