"""The annual evaluation report (県政レポート) filled from the portal's figures: what the page,
its A4 print and the XLSX share.

Layout, as the prefecture prints it: めざす姿; 進展度 with its reasoning (評価結果); the main
indicator (主指標) and the sub indicators (副指標), each with 現状値 and every year's 目標値 and
実績値 up to the report's year and 目標達成状況 (that year's actual ÷ target, capped at 1.00);
予算額等 / 概算人件費 / 配置人員 by year; 取組概要と成果、残された課題 as numbered paragraphs.

The columns run from the indicators' earliest baseline year (its 現状値) to the report's year.
The grade is the main indicator's grade for the year, entered on its KPI page.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from kpi.models import AnnualReport, Grade, Kpi, KpiActual, Measure, ReportBudget, ReportIndicator
from kpi.selectors import KpiFigures, YearFigure, kpi_figures, quantize
from mie_dx.fiscal import fiscal_year_label

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def circled(number: int) -> str:
    return CIRCLED[number - 1] if 1 <= number <= len(CIRCLED) else f"({number})"


@dataclass
class IndicatorRow:
    figures: KpiFigures
    baseline: Decimal | None  # 現状値 in the first column (None: "—")
    years: list[YearFigure | None]  # the report's year columns, in order
    achievement: Decimal | None  # 目標達成状況 of the report's year

    @property
    def kpi(self) -> Kpi:
        return self.figures.kpi


@dataclass
class BudgetColumn:
    fiscal_year: int
    budget: ReportBudget | None


@dataclass
class ReportFigures:
    report: AnnualReport
    baseline_year: int
    year_columns: list[int]  # after the baseline column, up to the report's year
    main: IndicatorRow
    subs: list[IndicatorRow]
    budgets: list[BudgetColumn]  # one per column, the baseline's included
    grade: str

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label) if self.grade in Grade.values else ""

    @property
    def main_rows(self) -> list[IndicatorRow]:
        return [self.main]

    @property
    def description_colspan(self) -> int:
        """The description row spans every column after the item's: baseline, each year's
        two, and the status."""
        return 2 * len(self.year_columns) + 2


def reports() -> QuerySet[AnnualReport]:
    return AnnualReport.objects.select_related("main_indicator").order_by("-fiscal_year", "pk")


def report_years() -> list[int]:
    return list(
        AnnualReport.objects.values_list("fiscal_year", flat=True)
        .distinct()
        .order_by("-fiscal_year")
    )


def _indicator_row(
    figures: KpiFigures, baseline_year: int, year_columns: list[int], report_year: int
) -> IndicatorRow:
    kpi = figures.kpi
    by_year = {y.fiscal_year: y for y in figures.years}
    baseline = kpi.baseline_value if kpi.baseline_fiscal_year == baseline_year else None
    if baseline is None and baseline_year in by_year:
        baseline = by_year[baseline_year].actual
    current = by_year.get(report_year)
    return IndicatorRow(
        figures=figures,
        baseline=quantize(baseline, kpi.measure),
        years=[by_year.get(fy) for fy in year_columns],
        achievement=current.achievement if current else None,
    )


def report_figures(pk: int, *, today: date | None = None) -> ReportFigures:
    """A report with every figure it prints, in a fixed number of queries."""
    report = (
        AnnualReport.objects.select_related("main_indicator")
        .prefetch_related(
            Prefetch("indicators", queryset=ReportIndicator.objects.select_related("kpi")),
            "budgets",
            "paragraphs",
        )
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    sub_kpis = [indicator.kpi for indicator in report.indicators.all()]
    kpis = Kpi.objects.filter(
        pk__in=[report.main_indicator_id, *(k.pk for k in sub_kpis)]
    ).prefetch_related(
        "targets",
        Prefetch("actuals", queryset=KpiActual.objects.select_related("entered_by")),
    )
    figures = {f.kpi.pk: f for f in kpi_figures(today=today or timezone.localdate(), kpis=kpis)}
    fy = report.fiscal_year
    baselines = [
        f.kpi.baseline_fiscal_year
        for f in figures.values()
        if f.kpi.baseline_fiscal_year is not None and f.kpi.baseline_fiscal_year < fy
    ]
    baseline_year = min(baselines, default=fy - 1)
    year_columns = list(range(baseline_year + 1, fy + 1))
    main = _indicator_row(figures[report.main_indicator_id], baseline_year, year_columns, fy)
    budgets = {b.fiscal_year: b for b in report.budgets.all()}
    main_year = next((y for y in main.figures.years if y.fiscal_year == fy), None)
    return ReportFigures(
        report=report,
        baseline_year=baseline_year,
        year_columns=year_columns,
        main=main,
        subs=[_indicator_row(figures[k.pk], baseline_year, year_columns, fy) for k in sub_kpis],
        budgets=[BudgetColumn(c, budgets.get(c)) for c in [baseline_year, *year_columns]],
        grade=main_year.grade if main_year else "",
    )


# --- XLSX, in the page's layout ----------------------------------------------------------------


def _number_format(kpi: Kpi) -> str:
    unit = kpi.display_unit.replace('"', "")
    spaced = f" {unit}" if unit[:1].isascii() and unit[:1].isalpha() else unit
    if kpi.measure == Measure.PERCENTAGE:
        return f'0.0"{spaced}"'
    return f'#,##0"{spaced}"'


def report_xlsx(data: ReportFigures) -> bytes:
    """The report as one sheet, laid out as the page (numbers stay numbers)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    report = data.report
    book = Workbook()
    sheet = book.active
    sheet.title = gettext("県政レポート")[:31]
    thin = Side(style="thin", color="666666")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    heading = Font(bold=True, size=12)
    shaded = PatternFill("solid", fgColor="EEEEEE")
    wrap = Alignment(wrap_text=True, vertical="top")
    width = 2 + 2 * len(data.year_columns) + 1  # item, baseline, (target, actual)…, status
    row = 1

    def merged_text(text: str, *, height: int | None = None, font: Font | None = None) -> None:
        nonlocal row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = sheet.cell(row=row, column=1, value=text)
        cell.alignment = wrap
        if font:
            cell.font = font
        if height:
            sheet.row_dimensions[row].height = height
        row += 1

    def lines_height(text: str, per_line: int = 60) -> int:
        return max(15, 15 * (len(text) // per_line + text.count("\n") + 1))

    merged_text(f"{report.label} {report.title}", font=Font(bold=True, size=14))
    if report.department:
        merged_text(gettext("【主担当部局：%(department)s】") % {"department": report.department})
    row += 1
    merged_text(gettext("めざす姿"), font=heading)
    merged_text(report.vision, height=lines_height(report.vision))
    row += 1
    merged_text(gettext("評価結果をふまえた施策の進展度"), font=heading)
    merged_text(data.grade_label or "—", font=bold)
    merged_text(gettext("評価結果"), font=heading)
    merged_text(report.evaluation, height=lines_height(report.evaluation))
    row += 1

    def indicator_table(title: str, rows: list[IndicatorRow]) -> None:
        nonlocal row
        merged_text(title, font=heading)
        top, sub = row, row + 1
        sheet.cell(row=top, column=1, value=gettext("目標項目"))
        sheet.merge_cells(start_row=top, start_column=1, end_row=sub, end_column=1)
        sheet.cell(row=top, column=2, value=fiscal_year_label(data.baseline_year))
        sheet.cell(row=sub, column=2, value=gettext("現状値"))
        for index, fy in enumerate(data.year_columns):
            column = 3 + 2 * index
            sheet.cell(row=top, column=column, value=fiscal_year_label(fy))
            sheet.merge_cells(
                start_row=top, start_column=column, end_row=top, end_column=column + 1
            )
            sheet.cell(row=sub, column=column, value=gettext("目標値"))
            sheet.cell(row=sub, column=column + 1, value=gettext("実績値"))
        sheet.cell(row=top, column=width, value=gettext("目標達成状況"))
        sheet.merge_cells(start_row=top, start_column=width, end_row=sub, end_column=width)
        for r in (top, sub):
            for c in range(1, width + 1):
                cell = sheet.cell(row=r, column=c)
                cell.font, cell.fill, cell.border = bold, shaded, box
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        row = sub + 1
        for item in rows:
            number_format = _number_format(item.kpi)
            cells = [item.kpi.display_name, item.baseline]
            for year in item.years:
                cells += [year.target if year else None, year.actual if year else None]
            cells.append(item.achievement)
            for column, value in enumerate(cells, start=1):
                cell = sheet.cell(row=row, column=column, value=value)
                cell.border = box
                if column == 1:
                    cell.alignment = wrap
                elif column == width:
                    cell.number_format = "0.00"
                else:
                    cell.number_format = number_format
                if value is None and column > 1:
                    cell.value = "—"
                    cell.alignment = Alignment(horizontal="center")
            sheet.row_dimensions[row].height = 30
            row += 1
            description = item.kpi.display_description
            sheet.cell(row=row, column=1, value=gettext("目標項目の説明")).border = box
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
            cell = sheet.cell(row=row, column=2, value=description)
            cell.alignment, cell.border = wrap, box
            sheet.row_dimensions[row].height = lines_height(description, 50)
            row += 1
        row += 1

    indicator_table(gettext("主指標"), [data.main])
    if data.subs:
        indicator_table(gettext("副指標"), data.subs)

    merged_text(gettext("予算額等（単位：百万円）"), font=heading)
    sheet.cell(row=row, column=1, value="").border = box
    for index, column in enumerate(data.budgets, start=2):
        cell = sheet.cell(row=row, column=index, value=fiscal_year_label(column.fiscal_year))
        cell.font, cell.fill, cell.border = bold, shaded, box
    row += 1
    for label, attribute, number_format in (
        (gettext("予算額等"), "budget", "#,##0"),
        (gettext("概算人件費"), "personnel_cost", "#,##0"),
        (gettext("（配置人員）"), "staff", '"（"#,##0"人）"'),
    ):
        sheet.cell(row=row, column=1, value=label).border = box
        for index, column in enumerate(data.budgets, start=2):
            value = getattr(column.budget, attribute) if column.budget else None
            cell = sheet.cell(row=row, column=index, value=value)
            cell.number_format, cell.border = number_format, box
        row += 1
    row += 1
    merged_text(
        gettext("%(year)sの取組概要と成果、残された課題") % {"year": report.label}, font=heading
    )
    for paragraph in report.paragraphs.all():
        text = f"{circled(paragraph.number)}{paragraph.text}"
        merged_text(text, height=lines_height(text))

    sheet.column_dimensions["A"].width = 34
    for index in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
