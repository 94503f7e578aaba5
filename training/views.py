"""The training office's pages (/training/): training officers see everything, managers the
figures without names. Thin: read through training.selectors / training.reports, write
through training.services."""

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
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
from mie_dx.ratelimits import PublicPostLimitMixin
from training import reports, selectors, services
from training.forms import OverdueFilterForm, StaffSurveyAnswerForm
from training.models import StaffSurvey, StaffSurveyInvitation

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


# ---------------------------------------------------------------------------------------------
# The staff survey (職員アンケート).


@method_decorator(never_cache, name="dispatch")
class StaffSurveyAnswerView(PublicPostLimitMixin, View):
    """A member of staff answers through their private link, once; the answer cannot be
    changed (a second POST shows the "already answered" page, 409, and changes nothing)."""

    ratelimit_group = "private-link"
    template_name = "training/staff_survey_form.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = selectors.staff_survey_invitation(token)
        form = StaffSurveyAnswerForm(survey=invitation.survey)
        return self._render(request, invitation, form)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = selectors.staff_survey_invitation(token)
        if invitation.has_answered:
            return self._render(request, invitation, None, status=409, refused=True)
        form = StaffSurveyAnswerForm(request.POST, survey=invitation.survey)
        if form.is_valid():
            try:
                services.answer_staff_survey(
                    invitation=invitation,
                    smart=form.cleaned_data["smart"],
                    digital=form.cleaned_data["digital"],
                    comment=form.cleaned_data["comment"],
                )
            except services.StaffSurveyError as error:
                invitation.refresh_from_db(fields=["has_answered"])
                if invitation.has_answered:
                    return self._render(request, invitation, None, status=409, refused=True)
                form.add_error(None, str(error))
            else:
                return redirect("training:staff_survey", token=token)
        return self._render(request, invitation, form, status=400)

    def _render(
        self,
        request: HttpRequest,
        invitation: StaffSurveyInvitation,
        form: StaffSurveyAnswerForm | None,
        *,
        status: int = 200,
        refused: bool = False,
    ) -> HttpResponse:
        survey = invitation.survey
        return render(
            request,
            self.template_name,
            {
                "survey": survey,
                "form": form,
                "answered": invitation.has_answered,
                "refused": refused,
                "not_open": timezone.localdate() < survey.opens_on,
            },
            status=status,
        )


class StaffSurveyListView(OfficeMixin, TemplateView):
    """The rounds of the staff survey (training officers and managers)."""

    template_name = "training/staff_surveys.html"

    def available_fiscal_years(self) -> list[int]:
        return selectors.fiscal_years_with_staff_surveys()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            surveys=selectors.staff_surveys().filter(fiscal_year=context["fy"]),
            can_add=self.request.user.has_perm("training.add_staffsurvey"),
        )
        return context


class StaffSurveyResultsView(OfficeMixin, TemplateView):
    """A round's results: response rates and answers in aggregate only."""

    template_name = "training/staff_survey_results.html"

    def available_fiscal_years(self) -> list[int]:
        return selectors.fiscal_years_with_staff_surveys()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        survey = StaffSurvey.objects.filter(pk=self.kwargs["pk"]).first()
        if survey is None:
            raise Http404
        self._fy = survey.fiscal_year
        self._fy_has_data = True
        self._fy_form = FiscalYearForm(
            initial={"fy": survey.fiscal_year}, years=[survey.fiscal_year]
        )
        context = super().get_context_data(**kwargs)
        without_email: list[StaffSurveyInvitation] = []
        if self.personal() and self.request.user.has_perm("training.change_staffsurvey"):
            without_email = list(selectors.staff_without_email(survey))
        context.update(
            survey=survey,
            results=selectors.staff_survey_results(survey),
            min_group=selectors.MIN_GROUP_ANSWERS,
            smart_rule=selectors.SMART_RULE,
            digital_rule=selectors.DIGITAL_RULE,
            without_email=[
                (invitation, services.staff_survey_link(invitation)) for invitation in without_email
            ],
            reminder_date=services.staff_survey_reminder_date(survey),
            can_send=self.request.user.has_perm("training.change_staffsurvey"),
            closed=survey.closes_on < timezone.localdate(),
        )
        return context


class StaffSurveySendView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Send the round (POST): invite the active staff not invited yet."""

    permission_required = "training.change_staffsurvey"
    raise_exception = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = StaffSurvey.objects.filter(pk=pk).first()
        if survey is None:
            raise Http404
        try:
            result = services.send_staff_survey(survey=survey, by=request.user)
        except services.TrainingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(invited)s名に送付しました（メール%(emailed)s件、"
                    "メールアドレスのない職員%(without_email)s名）。"
                )
                % result,
            )
        return redirect("training:staff_survey_results", pk=survey.pk)
