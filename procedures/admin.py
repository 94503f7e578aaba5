from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mie_dx.admin_filters import FiscalYearDateListFilter
from mie_dx.admin_mixins import AuditLogAdminMixin, LoggedSaveAdminMixin
from mie_dx.fiscal import fiscal_year_short
from mie_dx.importexport import PortalImportExportMixin
from mie_dx.models import Division
from procedures import services
from procedures.forms import PLAN_YEARS
from procedures.models import InventorySurvey, InventorySurveyRow, Procedure, ProcedureEditor
from procedures.resources import ProcedureResource
from procedures.selectors import editable_division_ids

if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin

    # What ProceduresOfficeOnly is mixed into, an admin or an inline (for mypy; at run time it
    # stands alone).
    _AdminOrInline = BaseModelAdmin[Any]
else:
    _AdminOrInline = object


class PlanListFilter(admin.SimpleListFilter):
    """R2 … R8, R9以降, 要調整 — the survey's columns. (The core's fiscal-year filter does not
    take a nullable column: a procedure without a planned year is R9以降 or 要調整.)"""

    title = _("予定年度")
    parameter_name = "plan"

    def lookups(self, request, model_admin):
        return [
            *[(str(fy), fiscal_year_short(fy)) for fy in PLAN_YEARS],
            (Procedure.Plan.R9_OR_LATER.value, Procedure.Plan.R9_OR_LATER.label),
            (Procedure.Plan.NEEDS_ADJUSTMENT.value, Procedure.Plan.NEEDS_ADJUSTMENT.label),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value.isdigit():
            return queryset.filter(plan=Procedure.Plan.FISCAL_YEAR, planned_fiscal_year=int(value))
        return queryset.filter(plan=value)


@admin.register(Procedure)
class ProcedureAdmin(PortalImportExportMixin, AuditLogAdminMixin, admin.ModelAdmin):
    """Every procedure officer and manager sees the whole inventory (it holds no personal
    data); a division's officer changes only their divisions' procedures (ProcedureEditor),
    the procedures office (`change_all_procedures`) every one.

    The form checks the record's rules (`Procedure.clean` and its constraints); the save goes
    through the services, each change named in the log (`procedures.services`)."""

    resource_classes = [ProcedureResource]
    export_filename_stem = "procedures"
    # The list at 1280 px beside the filters: the name (its form under it) takes the width, the
    # short columns never wrap (static/css/procedures_admin.css); a sample says so in its name
    # (【サンプル】) and the サンプル filter finds them, so it needs no column of its own.
    list_display = (
        "code",
        "name_and_form",
        "division_name",
        "kind",
        "annual_applications",
        "is_priority",
        "plan_display",
        "status",
        "digitised_on",
    )
    list_display_links = ("code", "name_and_form")
    # The note for an officer who edits no division (templates/admin/procedures/...).
    import_export_change_list_template = "admin/procedures/procedure/change_list.html"

    class Media:
        css = {"all": ("css/procedures_admin.css",)}

    list_filter = (
        "status",
        "kind",
        "is_priority",
        PlanListFilter,
        ("digitised_on", FiscalYearDateListFilter),
        ("division", admin.RelatedOnlyFieldListFilter),
        "is_sample",
    )
    list_select_related = ("division",)
    search_fields = ("code", "name", "form_name", "division__code", "division__name")
    readonly_fields = ("is_sample", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "form_name", "division", "kind", "is_sample")}),
        (
            _("受付件数"),
            {"fields": ("annual_applications", "applications_fiscal_year", "is_priority")},
        ),
        (
            _("デジタル化の予定と状態"),
            {
                "fields": (
                    "plan",
                    "planned_fiscal_year",
                    "adjustment_reason",
                    "status",
                    "digitised_on",
                    ("needs_e_signature", "needs_e_payment"),
                    "online_url",
                    "online_applications",
                    "notes",
                    "updated_at",
                )
            },
        ),
    )

    @admin.display(description=_("予定年度"), ordering="planned_fiscal_year")
    def plan_display(self, obj: Procedure) -> str:
        return obj.plan_label

    @admin.display(description=_("手続名（様式名）"), ordering="name")
    def name_and_form(self, obj: Procedure) -> str:
        if not obj.form_name:
            return obj.name
        return format_html('{}<br><span class="procedure-form">{}</span>', obj.name, obj.form_name)

    @admin.display(description=_("所属"), ordering="division__code")
    def division_name(self, obj: Procedure) -> str:
        # The name without the code: the list is read by name; the code is in the filter.
        return obj.division.name

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # An officer who may change procedures but edits no division reads the list only:
        # the page says why, and who to ask, instead of leaving them without an edit button.
        without_division = (
            request.user.has_perm("procedures.change_procedure") and self._allowed(request) == set()
        )
        extra_context = {**(extra_context or {}), "without_division": without_division}
        return super().changelist_view(request, extra_context)

    def _allowed(self, request) -> set[int] | None:
        if not hasattr(request, "_procedure_divisions"):
            request._procedure_divisions = editable_division_ids(request.user)
        return request._procedure_divisions

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        allowed = self._allowed(request)
        if allowed is None:
            return True
        if obj is None:
            return bool(allowed)
        return obj.division_id in allowed

    def has_add_permission(self, request):
        if not super().has_add_permission(request):
            return False
        allowed = self._allowed(request)
        return allowed is None or bool(allowed)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "online_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "division":
            allowed = self._allowed(request)
            queryset = Division.objects.select_related("department")
            kwargs["queryset"] = queryset if allowed is None else queryset.filter(pk__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.update_procedure(procedure=obj, changes=changes, by=request.user)
        else:
            services.register_procedure(procedure=obj, by=request.user)


@admin.register(ProcedureEditor)
class ProcedureEditorAdmin(LoggedSaveAdminMixin, AuditLogAdminMixin, admin.ModelAdmin):
    audit_prefix = "procedure_editor"
    list_display = ("user", "division")
    list_select_related = ("user", "division")
    list_filter = (("division", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("user__username", "division__code", "division__name")
    autocomplete_fields = ("division",)
    raw_id_fields = ("user",)


class ProceduresOfficeOnly(_AdminOrInline):
    """Writes for the procedures office (`procedures.change_all_procedures`); every officer
    and manager with the view permission reads."""

    def _office(self, request: HttpRequest) -> bool:
        return request.user.has_perm("procedures.change_all_procedures")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # An inline's is also given the parent object.
        return super().has_add_permission(request, *args) and self._office(request)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._office(request)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._office(request)


class SurveyRowFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        # Django's message names the columns by their code names (kind, column).
        return _("同じ区分・予定年度の行が重複しています。")


class InventorySurveyRowInline(ProceduresOfficeOnly, admin.TabularInline):
    model = InventorySurveyRow
    formset = SurveyRowFormSet
    extra = 0
    fields = ("kind", "column", "procedures", "applications")


@admin.register(InventorySurvey)
class InventorySurveyAdmin(ProceduresOfficeOnly, AuditLogAdminMixin, admin.ModelAdmin):
    """The survey as it was published: a dated record the procedures page sets beside the live
    inventory. The admin saves the survey and its rows in one transaction (a mistake in any
    row saves nothing); the service logs the change."""

    inlines = [InventorySurveyRowInline]
    list_display = ("title", "conducted_from", "conducted_to", "published_on", "updated_at")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("title", "source", "scope", "notes")}),
        (
            _("調査期間と公表"),
            {"fields": (("conducted_from", "conducted_to"), "published_on", "updated_at")},
        ),
        (
            _("手続全体の数値（調査時点）"),
            {
                "fields": (
                    ("all_procedures", "all_applications"),
                    "own_procedures",
                    "own_procedures_over_100",
                    ("priority_procedures", "priority_applications"),
                    "own_digitised_share",
                    ("own_digitised_applications_approx", "own_applications_approx"),
                )
            },
        ),
        (
            _("デジタル化の見込み"),
            {"fields": ("aim_fiscal_year", "aim_own_share", "aim_statutory_share")},
        ),
    )

    def save_model(self, request, obj, form, change):
        # Logged in save_related, once the rows are saved too.
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rows = {"added": 0, "changed": 0, "deleted": 0}
        for formset in formsets:
            rows["added"] += len(formset.new_objects)
            rows["changed"] += len(formset.changed_objects)
            rows["deleted"] += len(formset.deleted_objects)
        services.record_survey_saved(
            survey=form.instance,
            created=not change,
            changed=list(form.changed_data),
            rows=rows,
            by=request.user,
        )


from procedures import initiatives_admin  # noqa: E402, F401  (KPI 10-2 b's register)
