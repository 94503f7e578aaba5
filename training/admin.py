"""The training office's data in the admin: roster (import/export, personal-data guard),
courses and their periods, the stage matrix, enrolments (completions import), specialists,
observers, initiatives and promoters. Every save is logged (mie_dx.audit)."""

from django.contrib import admin

from mie_dx.admin_filters import FiscalYearFieldListFilter
from mie_dx.admin_mixins import AuditLogAdminMixin, PersonalDataAdminMixin
from mie_dx.audit import log_action, save_changes
from mie_dx.importexport import PortalImportExportMixin
from training import services
from training.models import (
    Course,
    CourseRun,
    Enrolment,
    Initiative,
    MunicipalObserver,
    PromoterAppointment,
    SpecialistCertification,
    Staff,
    StagePeriod,
)
from training.resources import CompletionResource, StaffResource


class LoggedSaveMixin:
    """Admin edits: a new row is logged as created, a change saves (and names) only the
    fields staff changed."""

    def save_model(self, request, obj, form, change):
        if change:
            save_changes(obj, fields=form.changed_data, by=request.user, action="training.edited")
        else:
            obj.save()
            log_action(obj, "training.created", by=request.user)


@admin.register(Staff)
class StaffAdmin(
    PortalImportExportMixin,
    PersonalDataAdminMixin,
    AuditLogAdminMixin,
    LoggedSaveMixin,
    admin.ModelAdmin,
):
    resource_classes = [StaffResource]
    export_filename_stem = "staff"
    personal_fields = Staff.PERSONAL_FIELDS
    list_display = ("employee_number", "name", "division", "stage", "is_active", "is_sample")
    list_filter = ("stage", "is_active", "is_sample", "division__department")
    search_fields = ("employee_number", "name", "name_kana")
    list_select_related = ("division",)
    autocomplete_fields = ("division",)

    def has_delete_permission(self, request, obj=None):
        return False  # leavers are marked inactive: past records stay


class CourseRunInline(admin.TabularInline):
    model = CourseRun
    extra = 0
    fields = ("fiscal_year", "label", "starts_on", "ends_on", "stages")


@admin.register(Course)
class CourseAdmin(AuditLogAdminMixin, LoggedSaveMixin, admin.ModelAdmin):
    list_display = ("code", "name", "category", "delivery", "is_mandatory")
    list_filter = ("category", "delivery", "is_mandatory")
    search_fields = ("code", "name")
    inlines = (CourseRunInline,)


@admin.register(CourseRun)
class CourseRunAdmin(AuditLogAdminMixin, LoggedSaveMixin, admin.ModelAdmin):
    list_display = ("course", "fiscal_year", "label", "starts_on", "ends_on")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "course__category")
    list_select_related = ("course",)
    search_fields = ("course__code", "course__name", "label")


@admin.register(StagePeriod)
class StagePeriodAdmin(AuditLogAdminMixin, LoggedSaveMixin, admin.ModelAdmin):
    list_display = ("fiscal_year", "stage", "headcount", "label", "starts_on", "ends_on")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "stage")


@admin.register(Enrolment)
class EnrolmentAdmin(
    PortalImportExportMixin, AuditLogAdminMixin, LoggedSaveMixin, admin.ModelAdmin
):
    resource_classes = [CompletionResource]
    export_filename_stem = "completions"
    list_display = ("staff", "course", "fiscal_year", "stage", "division", "completed_on")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "course", "stage", "is_mandatory")
    list_select_related = ("staff", "course", "division")
    search_fields = ("staff__employee_number", "course__code")
    raw_id_fields = ("staff", "run")
    readonly_fields = (
        "course",
        "fiscal_year",
        "division",
        "stage",
        "is_mandatory",
        "enrolled_by",
        "enrolled_at",
        "reminded_at",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "staff", "run") if obj is not None else fields

    def save_model(self, request, obj, form, change):
        """A new enrolment takes the staff member's division and stage of today; a completion
        entered here certifies as the import does (services.record_completion)."""
        if not change:
            completed_on, obj.completed_on = obj.completed_on, None
            enrolment = services.enrol(staff=obj.staff, run=obj.run, by=request.user)
            obj.pk = enrolment.pk
            obj._state.adding = False
            if completed_on:
                services.record_completion(
                    enrolment=enrolment, completed_on=completed_on, by=request.user
                )
            obj.refresh_from_db()
            return
        fields = [f for f in form.changed_data if f != "completed_on"]
        save_changes(obj, fields=fields, by=request.user, action="training.edited")
        if "completed_on" in form.changed_data and obj.completed_on:
            services.record_completion(
                enrolment=obj, completed_on=obj.completed_on, by=request.user
            )
        elif "completed_on" in form.changed_data:
            save_changes(obj, fields=["completed_on"], by=request.user, action="training.edited")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SpecialistCertification)
class SpecialistCertificationAdmin(AuditLogAdminMixin, LoggedSaveMixin, admin.ModelAdmin):
    list_display = ("staff", "fiscal_year", "certified_on")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter),)
    list_select_related = ("staff",)
    raw_id_fields = ("staff", "enrolment")


@admin.register(MunicipalObserver)
class MunicipalObserverAdmin(
    PersonalDataAdminMixin, AuditLogAdminMixin, LoggedSaveMixin, admin.ModelAdmin
):
    personal_fields = MunicipalObserver.PERSONAL_FIELDS
    list_display = ("name", "municipality", "fiscal_year", "is_sample")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "municipality")


@admin.register(Initiative)
class InitiativeAdmin(AuditLogAdminMixin, LoggedSaveMixin, admin.ModelAdmin):
    list_display = ("title", "division", "date", "is_sample")
    list_filter = ("is_sample",)
    list_select_related = ("division",)
    search_fields = ("title",)
    raw_id_fields = ("specialists",)
    autocomplete_fields = ("division",)


@admin.register(PromoterAppointment)
class PromoterAppointmentAdmin(AuditLogAdminMixin, LoggedSaveMixin, admin.ModelAdmin):
    list_display = ("division", "fiscal_year", "role", "staff")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "role")
    list_select_related = ("division", "staff")
    raw_id_fields = ("staff",)
    autocomplete_fields = ("division",)
