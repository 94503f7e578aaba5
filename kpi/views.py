"""The managers' KPI pages: the dashboard, a page per KPI, its drill-down and the CSV export.

Managers (and staff with kpi.view_kpi) only: anonymous visitors go to the login page, anybody
else signed in gets 403.
"""

from decimal import Decimal

import tablib
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView, View

from kpi import selectors
from kpi.charts import line_chart
from mie_dx.fiscal import fiscal_year, fiscal_year_label
from mie_dx.importexport import guard_formula

EXPORT_COLUMNS = ("code", "fiscal_year", "label", "target", "actual", "achievement", "source")


class KpiAccessMixin(PermissionRequiredMixin):
    permission_required = "kpi.view_kpi"


def _with_chart(figures: selectors.KpiFigures, prefix: str) -> selectors.KpiFigures:
    figures.chart = line_chart(figures, chart_id=f"{prefix}-{figures.kpi.slug}")
    return figures


class DashboardView(KpiAccessMixin, TemplateView):
    template_name = "kpi/dashboard.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        figures = [_with_chart(f, "chart") for f in selectors.kpi_figures(today=today)]
        return super().get_context_data(
            figures=figures,
            today=today,
            current_label=fiscal_year_label(fiscal_year(today)),
            **kwargs,
        )


class KpiDetailView(KpiAccessMixin, TemplateView):
    template_name = "kpi/kpi_detail.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        figures = _with_chart(selectors.kpi_by_slug(self.kwargs["slug"], today=today), "chart")
        return super().get_context_data(figures=figures, kpi=figures.kpi, today=today, **kwargs)


class DrilldownView(KpiAccessMixin, TemplateView):
    """The records behind a computed figure: references, dates and answers, no personal data."""

    template_name = "kpi/kpi_drilldown.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        figures = selectors.kpi_by_slug(self.kwargs["slug"], today=today)
        fy = self.kwargs["fiscal_year"]
        year = next((y for y in figures.years if y.fiscal_year == fy), None)
        if year is None or not figures.kpi.is_computed_in(fy):
            raise Http404
        records = selectors.drilldown_records(figures.kpi, fy)
        return super().get_context_data(
            figures=figures,
            kpi=figures.kpi,
            year=year,
            records=records,
            records_limited=len(records) >= selectors.RECORDS_SHOWN,
            **kwargs,
        )


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


class ExportView(KpiAccessMixin, View):
    """`/kpi/export.csv` (spec): UTF-8 with BOM, one row per KPI and fiscal year."""

    def get(self, request, *args, **kwargs):
        dataset = tablib.Dataset(headers=list(EXPORT_COLUMNS))
        for figures in selectors.kpi_figures():
            for year in figures.years:
                dataset.append(
                    [
                        guard_formula(figures.kpi.code),
                        str(year.fiscal_year),
                        guard_formula(year.label),
                        _plain(selectors.quantize(year.target, figures.kpi.measure)),
                        _plain(year.actual),
                        _plain(year.achievement),
                        year.source,
                    ]
                )
        response = HttpResponse(
            dataset.export("csv").encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="kpi-{stamp}.csv"'
        return response
