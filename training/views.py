"""The training office's pages (/training/): training officers see everything, managers the
figures without names. Thin: read through training.selectors / training.reports, write
through training.services."""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from mie_dx.fiscal import (
    fiscal_year,
    fiscal_year_is_shown,
    fiscal_year_label,
    requested_fiscal_year,
)
from mie_dx.forms import FiscalYearForm
from mie_dx.importexport import dataset_response
from mie_dx.models import Department
from training import reports, selectors, services
from training.forms import OverdueFilterForm

if TYPE_CHECKING:
    # What OfficeMixin is mixed into (for mypy; at run time it stands alone): the pages'
    # TemplateViews, whose context it completes, and the export's View.
    _OfficeView = TemplateView
else:
    _OfficeView = object

PERSONAL = "training.view_personal_data"
OVERDUE_PAGE_SIZE = 50


class OfficeMixin(LoginRequiredMixin, PermissionRequiredMixin, _OfficeView):
    """Training officers and managers; anyone else signed in gets 403."""

    permission_required = "training.view_figures"

    def handle_no_permission(self) -> HttpResponseRedirect:
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()

    def available_fiscal_years(self) -> list[int]:
        """The years a page offers: those with training runs."""
        return selectors.fiscal_years_with_runs()

    def fiscal_year(self) -> int:
        """The year asked for (`?fy=2026`) even when the portal has no data for it (its empty
        figures, said so on the page: never another year's); by default this year, or the
        latest with data. A malformed `fy` is a 400 (mie_dx.middleware), a year outside 令和 a 404."""
        if not hasattr(self, "_fy"):
            current = fiscal_year(timezone.localdate())
            years = self.available_fiscal_years()
            requested = requested_fiscal_year(self.request.GET)
            if requested is None:
                self._fy = current if current in years or not years else years[-1]
            elif fiscal_year_is_shown(requested):
                self._fy = requested
            else:
                raise Http404
            self._fy_has_data = self._fy in years
            self._fy_form = FiscalYearForm(initial={"fy": self._fy}, years=[*years, self._fy])
        return self._fy

    def personal(self) -> bool:
        return self.request.user.has_perm(PERSONAL)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        fy = self.fiscal_year()
        context.update(
            fy=fy,
            fy_label=fiscal_year_label(fy),
            fy_form=self._fy_form,
            fy_has_data=self._fy_has_data,
            can_view_personal_data=self.personal(),
        )
        return context


class DashboardView(OfficeMixin, TemplateView):
    template_name = "training/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        fy = context["fy"]
        courses = selectors.completion_by_course(fy)
        departments = selectors.completion_by_department(fy)
        coverage = selectors.promoter_coverage(fy)
        context.update(
            by_course=courses,
            by_stage=selectors.completion_by_stage(fy),
            by_department=departments,
            total=selectors.totals(courses),
            overdue_count=selectors.overdue_enrolments(fy).count(),
            coverage_gaps=sum(1 for row in coverage if not row.complete),
            division_count=len(coverage),
            can_enrol=self.request.user.has_perm("training.add_enrolment"),
        )
        return context


class DepartmentView(OfficeMixin, TemplateView):
    """Drill-down: one department's divisions."""

    template_name = "training/department.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        department = Department.objects.filter(code=self.kwargs["code"]).first()
        if department is None:
            raise Http404
        rows = selectors.completion_by_division(context["fy"], department.code)
        context.update(department=department, rows=rows, total=selectors.totals(rows))
        return context


class OverdueView(OfficeMixin, TemplateView):
    template_name = "training/overdue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = OverdueFilterForm(self.request.GET or None, fiscal_year=context["fy"])
        filters = form.filters()
        enrolments = selectors.overdue_enrolments(
            context["fy"],
            department=filters.get("department", ""),
            division=filters.get("division", ""),
        )
        paginator: Paginator[Any]
        if self.personal():
            paginator = Paginator(enrolments, OVERDUE_PAGE_SIZE)
        else:  # managers: how many, by division and course; never a person's row
            groups = selectors.overdue_by_division_and_course(
                context["fy"],
                department=filters.get("department", ""),
                division=filters.get("division", ""),
            )
            paginator = Paginator(groups, OVERDUE_PAGE_SIZE)
            context["overdue_total"] = sum(g["count"] for g in groups)
        context.update(
            page_obj=paginator.get_page(self.request.GET.get("page")),
            filter_form=form,
            filters=filters,
            filter_query=urlencode({"fy": context["fy"], **filters}),
        )
        return context


class SpecialistsView(OfficeMixin, TemplateView):
    template_name = "training/specialists.html"

    def available_fiscal_years(self) -> list[int]:
        # Also every year with a certification or an initiative: the KPI's drill-down links
        # here with ?fy= for each year it counts.
        self._specialists_by_year = selectors.specialists_by_year()
        self._initiatives_by_year = selectors.initiatives_by_year()
        years = set(super().available_fiscal_years())
        years.update(row["fiscal_year"] for row in self._specialists_by_year)
        years.update(row.fiscal_year for row in self._initiatives_by_year)
        return sorted(years)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        fy = context["fy"]
        context.update(
            certifications=list(selectors.certifications(fy)),
            observers=list(selectors.observers(fy)),
            specialists_by_year=self._specialists_by_year,
            intake=selectors.specialist_intake(fy, self._specialists_by_year),
            initiatives_by_year=self._initiatives_by_year,
            initiatives=list(selectors.initiatives(fy)),
            initiative_rule=selectors.INITIATIVE_RULE,
        )
        return context


class PromotersView(OfficeMixin, TemplateView):
    template_name = "training/promoters.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = selectors.promoter_coverage(context["fy"])
        context.update(
            rows=[r for r in rows if not r.complete] if self.request.GET.get("gaps") else rows,
            gaps_only=bool(self.request.GET.get("gaps")),
            gap_count=sum(1 for r in rows if not r.complete),
            division_count=len(rows),
        )
        return context


class PlanView(OfficeMixin, TemplateView):
    """The year's plan: the e-learning content × stage matrix and every course's periods."""

    template_name = "training/plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        columns, matrix = selectors.plan_matrix(context["fy"])
        runs = selectors.course_runs(context["fy"])
        context.update(columns=columns, matrix=matrix, runs=runs)
        return context


class AutoEnrolView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "training.add_enrolment"
    raise_exception = True

    def post(self, request: HttpRequest) -> HttpResponseRedirect:
        try:
            fy = int(request.POST.get("fy", ""))
        except ValueError:
            fy = fiscal_year(timezone.localdate())
        created = services.auto_enrol(fiscal_year=fy, by=request.user)
        created += services.enrol_promoters(fiscal_year=fy, by=request.user)
        messages.success(
            request,
            _(
                "%(year)sの必修研修（推進員研修を含む）に%(count)s件の受講登録をしました（登録済みの職員はそのままです）。"
            )
            % {"year": fiscal_year_label(fy), "count": created},
        )
        return HttpResponseRedirect(f"{reverse('training:dashboard')}?fy={fy}")


class ExportView(OfficeMixin, View):
    """`/training/export/<report>/?fy=2022[&format=xlsx]` — CSV (UTF-8 with BOM) or XLSX."""

    def get(self, request: HttpRequest, report: str) -> HttpResponse:
        build = reports.REPORTS.get(report)
        if build is None:
            raise Http404
        fy = self.fiscal_year()
        if report == "overdue":  # of one department or division, as the page shows it
            filters = OverdueFilterForm(request.GET, fiscal_year=fy).filters()
            table = reports.overdue(
                fy,
                personal=self.personal(),
                department=filters.get("department", ""),
                division=filters.get("division", ""),
            )
        else:
            table = build(fy, personal=self.personal())
        return dataset_response(
            table.dataset(),
            filename_stem=reports.filename_stem(report, fy),
            file_format="xlsx" if request.GET.get("format") == "xlsx" else "csv",
            sheet_title=table.title,
        )
