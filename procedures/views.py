from typing import TYPE_CHECKING, Any

import tablib
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from mie_dx.audit import entries_for
from mie_dx.fiscal import chosen_fiscal_year, fiscal_year, fiscal_year_label
from mie_dx.forms import FiscalYearForm
from mie_dx.importexport import dataset_response
from mie_dx.registry import audit_action_labels
from procedures import selectors
from procedures.forms import ProcedureFilterForm
from procedures.models import Procedure

if TYPE_CHECKING:
    from django.views import View

    # django-stubs' generic views are generic in their models; Django's are not subscriptable.
    _ProcedureListView = ListView[Procedure]
    _ProcedureDetailView = DetailView[Procedure]
    # What OfficerMixin is mixed into (for mypy; at run time it stands alone).
    _ViewBase = View
else:
    _ProcedureListView = ListView
    _ProcedureDetailView = DetailView
    _ViewBase = object

# The public page and its CSV hold no personal data: proxies and browsers may keep them.
PUBLIC_MAX_AGE = 600
# The years the officers' page offers (R3 … R8): the plan's.
FIGURE_YEARS = selectors.PLAN_FISCAL_YEARS


def _chosen_fiscal_year(request: HttpRequest) -> int:
    default = min(max(fiscal_year(timezone.localdate()), FIGURE_YEARS[0]), FIGURE_YEARS[-1])
    # A year outside the plan is a 404, a malformed one a 400: never another year's figures.
    return chosen_fiscal_year(request.GET, FIGURE_YEARS, default)


class OfficerMixin(LoginRequiredMixin, PermissionRequiredMixin, _ViewBase):
    permission_required = "procedures.view_procedure"
    raise_exception = False

    def handle_no_permission(self) -> HttpResponseRedirect:
        if self.request.user.is_authenticated:
            self.raise_exception = True
        return super().handle_no_permission()


class ProcedureDashboardView(OfficerMixin, _ProcedureListView):
    """The figures for a fiscal year and the filterable inventory (procedure officers,
    managers). A fixed number of queries whatever the number of procedures."""

    template_name = "procedures/procedure_dashboard.html"
    context_object_name = "procedures"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Procedure]:
        self.filter_form = ProcedureFilterForm(self.request.GET or None)
        return selectors.procedure_list(**self.filter_form.filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        fy = _chosen_fiscal_year(self.request)
        query = self.request.GET.copy()
        query.pop("page", None)
        plan = selectors.digitisation_plan()
        progress, shares = selectors.progress_against_targets(plan, also=[fy])
        survey = selectors.latest_survey()
        aim = survey.aim_fiscal_year if survey else None
        context.update(
            fiscal_year=fy,
            fiscal_year_label=fiscal_year_label(fy),
            year_form=FiscalYearForm(initial={"fy": fy}, years=FIGURE_YEARS),
            filter_form=self.filter_form,
            plan=plan,
            share=shares[fy],
            progress=progress,
            current_fiscal_year=fiscal_year(timezone.localdate()),
            today=timezone.localdate(),
            schedule=selectors.schedule_table(),
            survey=survey,
            survey_table=selectors.survey_table(survey) if survey else None,
            facts=selectors.inventory_facts(fy, aim_fiscal_year=aim),
            aim_label=fiscal_year_label(aim) if aim else "",
            availability=selectors.availability_and_usage(fy),
            rules=selectors.FIGURE_RULES,
            query=query.urlencode(),
        )
        return context


class ProcedureDetailView(OfficerMixin, _ProcedureDetailView):
    template_name = "procedures/procedure_detail.html"
    context_object_name = "procedure"

    def get_object(self, queryset: QuerySet[Procedure] | None = None) -> Procedure:
        return get_object_or_404(
            Procedure.objects.select_related("division__department"), code=self.kwargs["code"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        labels = audit_action_labels()
        context["log"] = [
            {"at": entry.created_at, "action": labels.get(entry.action, entry.action),
             "user": entry.user}
            for entry in entries_for(self.object)
        ]  # fmt: skip
        context["can_edit"] = selectors.can_edit_division(
            self.request.user, self.object.division_id
        ) and self.request.user.has_perm("procedures.change_procedure")
        return context


class ProgressView(TemplateView):
    """Public: progress toward the target and the procedures that can be done online. Served
    from the page cache (procedures/urls.py), with its headers."""

    template_name = "procedures/progress.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan = selectors.digitisation_plan()
        progress, _shares = selectors.progress_against_targets(plan)
        current = fiscal_year(timezone.localdate())
        latest = next((p for p in reversed(progress) if p.fiscal_year <= current), progress[-1])
        context.update(
            progress=progress,
            latest=latest,
            current_fiscal_year=current,
            latest_label=fiscal_year_label(latest.fiscal_year),
            # The current fiscal year has not ended: its figure is "to date".
            latest_is_current=latest.fiscal_year == current,
            today=timezone.localdate(),
            plan=plan,
            rules=selectors.FIGURE_RULES,
            online=selectors.online_procedures(),
        )
        return context


OPEN_DATA_COLUMNS = [
    "手続コード",
    "手続名",
    "様式名",
    "所属",
    "区分",
    "デジタル化日",
    "URL",
    "サンプルデータ",
]


def online_procedures_csv(request: HttpRequest) -> HttpResponse:
    """Open data: the procedures that can be done online (UTF-8 with BOM, for Excel; every text
    cell guarded against formulas), kept by proxies and browsers for a while."""
    dataset = tablib.Dataset(headers=OPEN_DATA_COLUMNS)
    for p in selectors.online_procedures():
        dataset.append(
            [
                p.code,
                p.name,
                p.form_name,
                p.division.name,
                p.get_kind_display(),
                p.digitised_on.isoformat() if p.digitised_on else "",
                p.online_url,
                1 if p.is_sample else 0,
            ]
        )
    return dataset_response(
        dataset, filename_stem="online-procedures", public_max_age=PUBLIC_MAX_AGE
    )
