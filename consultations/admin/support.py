"""The support given outside the consultation desk in the admin (相談窓口以外の支援記録,
KPI 10-1 b): center staff enter, correct, import (CSV / XLSX, with a preview) and delete the
records; managers read and export them (they hold no personal data). Registered by
consultations.admin. Every write goes through consultations.services.
"""

from datetime import date
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations import services
from consultations.models import SupportRecord
from consultations.resources import SupportRecordResource
from mie_dx.admin_filters import FiscalYearDateListFilter
from mie_dx.admin_mixins import AuditLogAdminMixin
from mie_dx.importexport import PortalImportExportMixin

if TYPE_CHECKING:
    from django_stubs_ext import FieldsetSpec

    # django-stubs' ModelAdmin and ModelForm are generic in their model; Django's are not
    # subscriptable.
    _SupportRecordAdmin = admin.ModelAdmin[SupportRecord]
    _SupportRecordForm = forms.ModelForm[SupportRecord]
else:
    _SupportRecordAdmin = admin.ModelAdmin
    _SupportRecordForm = forms.ModelForm


class SupportRecordAdminForm(_SupportRecordForm):
    class Meta:
        model = SupportRecord
        fields = ("supported_on", "organization", "programme", "kind", "note")

    def clean_supported_on(self) -> date:
        supported_on: date = self.cleaned_data["supported_on"]
        if supported_on > timezone.localdate():
            raise forms.ValidationError(_("支援日に未来の日付は指定できません。"))
        return supported_on


@admin.register(SupportRecord)
class SupportRecordAdmin(AuditLogAdminMixin, PortalImportExportMixin, _SupportRecordAdmin):
    """Center staff add, change, import and delete; managers view (role_permissions)."""

    form = SupportRecordAdminForm
    resource_classes = [SupportRecordResource]
    export_filename_stem = "support-records"
    list_display = (
        "supported_on",
        "organization",
        "programme",
        "kind",
        "recorded_by_name",
        "is_sample",
    )
    list_display_links = ("supported_on", "organization")
    list_filter = (
        ("supported_on", FiscalYearDateListFilter),
        "programme",
        "kind",
        "is_sample",
    )
    list_select_related = ("recorded_by",)
    search_fields = ("organization", "note")
    list_per_page = 100
    date_hierarchy = None
    readonly_fields = ("recorded_by_name", "recorded_at", "is_sample")
    fieldsets = (
        (None, {"fields": ("supported_on", "organization", "programme", "kind", "note")}),
        (_("記録"), {"fields": ("recorded_by_name", "recorded_at", "is_sample")}),
    )

    class Media:
        css = {"all": ("css/admin.css",)}

    @admin.display(description=gettext_lazy("記録した職員"), ordering="recorded_by")
    def recorded_by_name(self, obj: SupportRecord) -> str:
        user = obj.recorded_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    def get_fieldsets(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> "FieldsetSpec":
        if obj is None:
            return (
                (None, {"fields": ("supported_on", "organization", "programme", "kind", "note")}),
            )
        return super().get_fieldsets(request, obj)

    def save_model(
        self,
        request: HttpRequest,
        obj: SupportRecord,
        form: SupportRecordAdminForm,
        change: bool,
    ) -> None:
        # The form checked the same rules as the services (dates, the one-record-per-day
        # constraint through full_clean), so they refuse nothing here but a race.
        if change:
            services.correct_support_record(record=obj, fields=form.changed_data, by=request.user)
            return
        created = services.record_support(
            supported_on=form.cleaned_data["supported_on"],
            organization=form.cleaned_data["organization"],
            programme=form.cleaned_data["programme"],
            kind=form.cleaned_data["kind"],
            note=form.cleaned_data.get("note", ""),
            by=request.user,
        )
        obj.pk = created.pk
        obj.recorded_by = created.recorded_by
        obj.recorded_at = created.recorded_at

    def delete_model(self, request: HttpRequest, obj: SupportRecord) -> None:
        services.delete_support_record(record=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SupportRecord]) -> None:
        for record in queryset:
            services.delete_support_record(record=record, by=request.user)
