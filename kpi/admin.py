from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kpi import services
from kpi.models import Kpi, KpiActual, KpiTarget
from mie_dx.admin_mixins import AuditLogAdminMixin


class KpiTargetInline(admin.TabularInline):
    model = KpiTarget
    extra = 0


@admin.register(Kpi)
class KpiAdmin(AuditLogAdminMixin, admin.ModelAdmin):
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

    def changelist_view(self, request, extra_context=None):
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


class KpiActualForm(forms.ModelForm):
    class Meta:
        model = KpiActual
        fields = ("kpi", "fiscal_year", "value", "grade", "note")

    def clean(self):
        cleaned = super().clean()
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

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "kpi", "fiscal_year"]

    def save_model(self, request, obj, form, change):
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
