"""The managers' KPI pages: the dashboard, a page per KPI, its drill-down and the CSV export.

Managers (and staff with kpi.view_kpi) only: anonymous visitors go to the login page, anybody
else signed in gets 403.
"""

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import TemplateView, View

from kpi import reports, selectors, services
from kpi.charts import line_chart
from kpi.forms import AssessmentForm
from mie_dx.fiscal import chosen_fiscal_year, fiscal_year, fiscal_year_label
from mie_dx.forms import FiscalYearForm
from mie_dx.importexport import XLSX_CONTENT_TYPE, dataset_response, download_response

EXPORT_COLUMNS = ("code", "fiscal_year", "label", "target", "actual", "achievement", "source")
# After the contract's seven: the status is achieved / on_track / behind / no_actual ("" for a
# year to come or the baseline year).
EXTRA_COLUMNS = ("name", "grade", "note", "status")


class KpiAccessMixin(PermissionRequiredMixin):
    permission_required = "kpi.view_kpi"


def _with_chart(figures: selectors.KpiFigures, prefix: str) -> selectors.KpiFigures:
    figures.chart = line_chart(figures, chart_id=f"{prefix}-{figures.kpi.slug}")
    return figures


class DashboardView(KpiAccessMixin, TemplateView):
    template_name = "kpi/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        figures = [_with_chart(f, "chart") for f in selectors.kpi_figures(today=today)]
        return super().get_context_data(
            figures=figures,
            today=today,
            current_label=fiscal_year_label(fiscal_year(today)),
            standing_labels=selectors.STANDING_LABELS,
            standing_rules=selectors.STANDING_RULES,
            **kwargs,
        )


class KpiDetailView(KpiAccessMixin, TemplateView):
    """A KPI's definition, its counting rule (the code's), every year's figures, and — for
    managers who may enter figures — the assessment of a chosen 令和 year: 進展度, 備考 and,
    for a year the portal does not compute, the value (kpi.services.enter_actual)."""

    template_name = "kpi/kpi_detail.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.today = timezone.localdate()
        return super().dispatch(request, *args, **kwargs)

    def may_assess(self) -> bool:
        return self.request.user.has_perms(["kpi.add_kpiactual", "kpi.change_kpiactual"])

    def assessable_years(self, figures: selectors.KpiFigures) -> list[int]:
        """The KPI's years up to this one: a year to come has nothing to assess."""
        current = fiscal_year(self.today)
        return [y.fiscal_year for y in figures.years if y.fiscal_year <= current]

    def chosen_year(self, years: list[int]) -> int | None:
        if not years:
            return None
        # A year the KPI cannot be assessed in is a 404, a malformed one a 400.
        return chosen_fiscal_year(self.request.GET, years, years[-1])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        figures = selectors.kpi_by_slug(self.kwargs["slug"], today=self.today)
        return self.render(figures)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.may_assess():
            raise PermissionDenied
        figures = selectors.kpi_by_slug(self.kwargs["slug"], today=self.today)
        years = self.assessable_years(figures)
        try:
            fy = int(request.POST.get("fiscal_year", ""))
        except ValueError:
            fy = years[-1] if years else 0
        form = AssessmentForm(request.POST, kpi=figures.kpi, fiscal_year=fy, years=years)
        if form.is_valid():
            try:
                services.enter_actual(
                    kpi=figures.kpi,
                    fiscal_year=fy,
                    value=form.cleaned_data.get("value"),
                    grade=form.cleaned_data["grade"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except services.KpiError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    gettext("%(year)sの進展度と備考を記録しました。")
                    % {"year": fiscal_year_label(fy)},
                )
                return HttpResponseRedirect(
                    f"{figures.kpi.get_absolute_url()}?{urlencode({'fy': fy})}#assessment"
                )
        return self.render(figures, form=form, status=400)

    def render(
        self,
        figures: selectors.KpiFigures,
        *,
        form: AssessmentForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        figures = _with_chart(figures, "chart")
        context = {"figures": figures, "kpi": figures.kpi, "today": self.today}
        context["rules"] = selectors.counting_rules(figures.kpi)
        if self.may_assess():
            years = self.assessable_years(figures)
            fy = form.kpi_year if form is not None else self.chosen_year(years)
            if fy is not None:
                context["year_form"] = FiscalYearForm(initial={"fy": fy}, years=years)
                context["assessment_form"] = form or AssessmentForm(
                    kpi=figures.kpi, fiscal_year=fy, years=years
                )
                context["assessed_label"] = fiscal_year_label(fy)
        return self.render_to_response(self.get_context_data(**context), status=status)


class DrilldownView(KpiAccessMixin, TemplateView):
    """The records behind a computed figure: references, dates and answers, no personal data."""

    template_name = "kpi/kpi_drilldown.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
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
            rules=selectors.counting_rules(figures.kpi),
            **kwargs,
        )


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


class ExportView(KpiAccessMixin, View):
    """`/kpi/export.csv` (spec): UTF-8 with BOM, one row per KPI and fiscal year; the seven
    contract columns first, then the KPI's name, the grade, the note and the status."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        today = timezone.localdate()
        dataset = tablib.Dataset(headers=[*EXPORT_COLUMNS, *EXTRA_COLUMNS])
        for figures in selectors.kpi_figures(today=today):
            standings = selectors.year_standings(figures, today)
            for year in figures.years:
                dataset.append(
                    [
                        figures.kpi.code,
                        str(year.fiscal_year),
                        year.label,
                        _plain(selectors.quantize(year.target, figures.kpi.measure)),
                        _plain(year.actual),
                        _plain(year.achievement),
                        year.source,
                        figures.kpi.display_name,
                        year.grade,
                        year.note,
                        standings[year.fiscal_year],
                    ]
                )
        return dataset_response(dataset, filename_stem="kpi")


class ReportListView(KpiAccessMixin, TemplateView):
    """The annual evaluation reports, by the fiscal year they evaluate."""

    template_name = "kpi/report_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        years = reports.report_years()
        chosen = chosen_fiscal_year(self.request.GET, years, 0)
        form = FiscalYearForm(initial={"fy": chosen} if chosen else None, years=years)
        listed = reports.reports()
        if chosen:
            listed = listed.filter(fiscal_year=chosen)
        return super().get_context_data(
            reports=listed, year_form=form, years=years, chosen=chosen, **kwargs
        )


class ReportView(KpiAccessMixin, TemplateView):
    """A report as the prefecture prints it (A4 portrait), from the portal's figures."""

    template_name = "kpi/report_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        data = reports.report_figures(self.kwargs["pk"])
        return super().get_context_data(
            data=data,
            report=data.report,
            paragraphs=[(reports.circled(p.number), p.text) for p in data.report.paragraphs.all()],
            may_edit=self.request.user.has_perm("kpi.change_annualreport"),
            **kwargs,
        )


class ReportXlsxView(KpiAccessMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = reports.report_figures(self.kwargs["pk"])
        return download_response(
            reports.report_xlsx(data),
            filename_stem=f"annual-report-{data.report.fiscal_year}-{data.report.pk}",
            extension="xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
