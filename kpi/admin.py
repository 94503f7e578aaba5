from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kpi import services
from kpi.models import (
    AnnualReport,
    Kpi,
    KpiActual,
    KpiTarget,
    ReportBudget,
    ReportIndicator,
    ReportParagraph,
)
from mie_dx.admin_mixins import AuditLogAdminMixin
from mie_dx.fiscal import fiscal_year_choices

if TYPE_CHECKING:
    # django-stubs' admin classes and model forms are generic in their models; Django's are
    # not subscriptable.
    _KpiAdmin = admin.ModelAdmin[Kpi]
    _KpiTargetForm = forms.ModelForm[KpiTarget]
    _KpiTargetInline = admin.TabularInline[KpiTarget, Kpi]
    _KpiActualForm = forms.ModelForm[KpiActual]
    _ReportIndicatorInline = admin.TabularInline[ReportIndicator, AnnualReport]
    _ReportBudgetForm = forms.ModelForm[ReportBudget]
    _ReportBudgetInline = admin.TabularInline[ReportBudget, AnnualReport]
    _ReportParagraphInline = admin.StackedInline[ReportParagraph, AnnualReport]
    _AnnualReportForm = forms.ModelForm[AnnualReport]
else:
    _KpiAdmin = admin.ModelAdmin
    _KpiTargetForm = _KpiActualForm = _ReportBudgetForm = _AnnualReportForm = forms.ModelForm
    _KpiTargetInline = _ReportIndicatorInline = _ReportBudgetInline = admin.TabularInline
    _ReportParagraphInline = admin.StackedInline


def fiscal_year_field(**kwargs: Any) -> forms.TypedChoiceField:
    """A fiscal year chosen by its 令和 label (the pages speak 令和, so does the admin)."""
    return forms.TypedChoiceField(
        coerce=int,
        choices=lambda: [("", "---------"), *fiscal_year_choices(before=8, after=4)],
        **kwargs,
    )


class KpiTargetForm(_KpiTargetForm):
    fiscal_year = fiscal_year_field(label=_("年度"))

    class Meta:
        model = KpiTarget
        fields = ("fiscal_year", "value", "approx_count")


class KpiTargetInline(_KpiTargetInline):
    model = KpiTarget
    form = KpiTargetForm
    extra = 0


@admin.register(Kpi)
class KpiAdmin(AuditLogAdminMixin, _KpiAdmin):
    list_display = (
        "code",
        "name",
        "policy",
        "unit",
        "baseline_value",
        "final_target_value",
        "source",
        "page_link",
    )
    list_filter = ("policy", "source")
    search_fields = ("code", "name")
    prepopulated_fields = {"slug": ("code",)}
    inlines = [KpiTargetInline]

    @admin.display(description=_("ダッシュボード"))
    def page_link(self, obj: Kpi) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("目標と実績を見る"))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The staff menu has no link to /kpi/ (it would cost every page a permission query):
        # managers reach the dashboard from here.
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("KPIの目標と実績は"),
                reverse("kpi:dashboard"),
                _("KPIダッシュボードでご覧ください。"),
            ),
        )
        return super().changelist_view(request, extra_context)


class KpiActualForm(_KpiActualForm):
    fiscal_year = fiscal_year_field(label=_("年度"))

    class Meta:
        model = KpiActual
        fields = ("kpi", "fiscal_year", "value", "grade", "note")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # On the change page the KPI and the year are read-only: the row's own.
        kpi = cleaned.get("kpi") or getattr(self.instance, "kpi", None)
        fy = cleaned.get("fiscal_year") or self.instance.fiscal_year
        if kpi is not None and fy is not None and "value" not in self.errors:
            problem = services.value_problem(kpi, fy, cleaned.get("value"))
            if problem:
                self.add_error("value", problem)
        return cleaned


@admin.register(KpiActual)
class KpiActualAdmin(AuditLogAdminMixin, SimpleHistoryAdmin):
    """Managers enter the figures the portal does not hold; every save goes through the
    service (who and when, the audit log; the old value stays in the history)."""

    form = KpiActualForm
    list_display = ("kpi", "fiscal_year", "value", "grade", "entered_by", "entered_at")
    list_filter = ("kpi__policy", "fiscal_year")
    list_select_related = ("kpi", "entered_by")
    readonly_fields = ("entered_by", "entered_at")
    history_list_display = ("value", "grade")

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "kpi", "fiscal_year"]

    def save_model(
        self, request: HttpRequest, obj: KpiActual, form: KpiActualForm, change: bool
    ) -> None:
        try:
            saved = services.enter_actual(
                kpi=obj.kpi,
                fiscal_year=obj.fiscal_year,
                value=obj.value,
                by=request.user,
                note=obj.note,
                grade=obj.grade,
            )
        except services.KpiError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        obj.pk = saved.pk


class ReportIndicatorInline(_ReportIndicatorInline):
    model = ReportIndicator
    extra = 0
    autocomplete_fields = ("kpi",)


class ReportBudgetForm(_ReportBudgetForm):
    fiscal_year = fiscal_year_field(label=_("年度"))

    class Meta:
        model = ReportBudget
        fields = ("fiscal_year", "budget", "personnel_cost", "staff")


class ReportBudgetInline(_ReportBudgetInline):
    model = ReportBudget
    form = ReportBudgetForm
    extra = 0


class ReportParagraphInline(_ReportParagraphInline):
    model = ReportParagraph
    extra = 0


class AnnualReportForm(_AnnualReportForm):
    fiscal_year = fiscal_year_field(label=_("評価する年度"))

    class Meta:
        model = AnnualReport
        fields = (
            "fiscal_year",
            "title",
            "department",
            "main_indicator",
            "vision",
            "evaluation",
            "related_policies",
        )


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    """Managers write the report's texts and budget figures here; its figures come from the
    KPIs (the page `kpi:report`). Every change keeps the previous text in the history."""

    form = AnnualReportForm
    list_display = ("title", "fiscal_year_label", "main_indicator", "report_link")
    list_select_related = ("main_indicator",)
    list_filter = ("fiscal_year",)
    search_fields = ("title",)
    autocomplete_fields = ("main_indicator",)
    inlines = [ReportIndicatorInline, ReportBudgetInline, ReportParagraphInline]

    @admin.display(description=_("評価する年度"), ordering="fiscal_year")
    def fiscal_year_label(self, obj: AnnualReport) -> str:
        return obj.label

    @admin.display(description=_("レポート"))
    def report_link(self, obj: AnnualReport) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("表示・印刷"))
