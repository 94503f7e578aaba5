"""The training office's data in the admin: roster (import/export, personal-data guard),
courses and their periods, the stage matrix, enrolments (completions import), specialists,
observers, initiatives and promoters.

Every change with rules goes through training.services, its rule checked and its named action
logged once: an enrolment, a completion (the 養成研修's certifies), a certification, an
observer, an initiative and its specialists, a promoter's appointment (a second primary
replaces the first) and its end. Plain reference data — courses and their periods, the stage
matrix, a staff member's details, the corrections of a certification's date or of an
observer's details — goes through the core's one logged save (mie_dx.admin_mixins,
mie_dx.audit)."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mie_dx.admin_filters import FiscalYearFieldListFilter
from mie_dx.admin_mixins import AuditLogAdminMixin, LoggedSaveAdminMixin, PersonalDataAdminMixin
from mie_dx.audit import save_changes
from mie_dx.fiscal import fiscal_year_abbr, fiscal_year_label
from mie_dx.importexport import PortalImportExportMixin
from training import selectors, services
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

PERSONAL = "training.view_personal_data"

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]  # what the mixin below is mixed into (for mypy)
else:
    _ModelAdmin = object


class ServiceAdminMixin(_ModelAdmin):
    """An admin whose writes are calls of training.services.

    `create(request, form)` makes the new row through its service and returns it: the admin's
    history entry and the page after the save name that row (the form's own instance is never
    saved). `update(request, obj, form)` saves a change. The services set many-to-many fields
    themselves. A TrainingError the form could not foresee (two officers at once) is shown as
    a message, with nothing saved (the admin's transaction is rolled back).
    """

    def create(self, request, form):
        raise NotImplementedError

    def update(self, request, obj, form) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        if change:
            self.update(request, obj, form)
        else:
            request.training_created = self.create(request, form)

    def save_related(self, request, form, formsets, change):
        pass

    def _saved(self, request, obj):
        return getattr(request, "training_created", obj)

    def log_addition(self, request, obj, message):
        return super().log_addition(request, self._saved(request, obj), message)

    def response_add(self, request, obj, post_url_continue=None):
        return super().response_add(request, self._saved(request, obj), post_url_continue)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.TrainingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _rule(check, **kwargs) -> None:
    """A service's rule, asked by a form: its TrainingError as the form's error."""
    try:
        check(**kwargs)
    except services.TrainingError as error:
        raise ValidationError(str(error)) from error


def _officer(request) -> bool:
    return request.user.has_perm(PERSONAL)


def _with_people_matching(model_admin, request, queryset, search_term, lookup):
    """The admin's search, and for officers also the people whose name or reading matches
    the whole search whatever its script or width (selectors.staff_matching, as the seminar
    check-in matches): 「加藤 翔」, 「かとう」 and 「ｶﾄｳ」 find カトウ."""
    results, may_have_duplicates = admin.ModelAdmin.get_search_results(
        model_admin, request, queryset, search_term
    )
    if search_term.strip() and _officer(request):
        people = selectors.staff_matching(search_term)
        if people:
            results = results | queryset.filter(**{lookup: people})
    return results, may_have_duplicates


class StaffEnrolmentInline(admin.TabularInline):
    """A staff member's enrolments on their page, with the completion and a link to record it
    (the enrolment's page: its save goes through services.record_completion)."""

    model = Enrolment
    fk_name = "staff"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    verbose_name = _("受講登録")
    verbose_name_plural = _("受講登録と修了")
    fields = ("year", "course", "run_period", "is_mandatory", "completed_on", "action")
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("staff", "course", "run")  # the row's title names both
            .order_by("-fiscal_year", "course__ordering", "course__code")
        )

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("年度"))
    def year(self, obj):
        return fiscal_year_label(obj.fiscal_year)

    @admin.display(description=_("実施期間"))
    def run_period(self, obj):
        run = obj.run
        return format_html(
            '{}<br><span class="small">{} – {}</span>',
            run.label,
            date_format(run.starts_on, "SHORT_DATE_FORMAT"),
            date_format(run.ends_on, "SHORT_DATE_FORMAT"),
        )

    @admin.display(description=_("操作"))
    def action(self, obj):
        url = reverse("admin:training_enrolment_change", args=[obj.pk])
        label = _("修了日を修正") if obj.completed_on else _("修了を記録")
        return format_html('<a href="{}#id_completed_on">{}</a>', url, label)


# --- Reference data: the core's logged save ------------------------------------------------


@admin.register(Staff)
class StaffAdmin(
    PortalImportExportMixin,
    PersonalDataAdminMixin,
    AuditLogAdminMixin,
    LoggedSaveAdminMixin,
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
    inlines = (StaffEnrolmentInline,)

    class Media:
        css = {"all": ("css/training_admin.css",)}

    def get_search_results(self, request, queryset, search_term):
        return _with_people_matching(self, request, queryset, search_term, "pk__in")

    def has_delete_permission(self, request, obj=None):
        return False  # leavers are marked inactive: past records stay


class CourseRunInline(admin.TabularInline):
    model = CourseRun
    extra = 0
    fields = ("fiscal_year", "label", "starts_on", "ends_on", "stages")


@admin.register(Course)
class CourseAdmin(AuditLogAdminMixin, LoggedSaveAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "category", "delivery", "is_mandatory")
    list_filter = ("category", "delivery", "is_mandatory")
    search_fields = ("code", "name")
    inlines = (CourseRunInline,)


@admin.register(CourseRun)
class CourseRunAdmin(AuditLogAdminMixin, LoggedSaveAdminMixin, admin.ModelAdmin):
    list_display = ("course", "fiscal_year", "label", "starts_on", "ends_on")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "course__category")
    list_select_related = ("course",)
    search_fields = ("course__code", "course__name", "label")


@admin.register(StagePeriod)
class StagePeriodAdmin(AuditLogAdminMixin, LoggedSaveAdminMixin, admin.ModelAdmin):
    list_display = ("fiscal_year", "stage", "headcount", "label", "starts_on", "ends_on")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "stage")


# --- Enrolments and completions ------------------------------------------------------------


class EnrolmentForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ("staff", "run", "completed_on")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        staff, run = cleaned.get("staff"), cleaned.get("run")
        if self.instance.pk is None and staff and run:
            _rule(services.check_enrolment, staff=staff, run=run)
        return cleaned


@admin.register(Enrolment)
class EnrolmentAdmin(
    ServiceAdminMixin, PortalImportExportMixin, AuditLogAdminMixin, admin.ModelAdmin
):
    """A new enrolment takes the staff member's division and stage of today
    (`services.enrol`); a completion entered here certifies as the import's does
    (`services.record_completion`); emptied, it is taken back (`services.clear_completion`)."""

    form = EnrolmentForm
    resource_classes = [CompletionResource]

    class Media:
        css = {"all": ("css/training_admin.css",)}

    export_filename_stem = "completions"
    # Read at 1280 px beside the admin's menu and filters: the stage is a filter, not a column.
    list_display = (
        "staff",
        "staff_name",
        "course_name",
        "year",
        "division_name",
        "completed",
    )
    list_filter = (
        ("fiscal_year", FiscalYearFieldListFilter),
        "course",
        "stage",
        "is_mandatory",
        "division__department",
    )
    list_select_related = ("staff", "course", "division")
    ordering = ("-fiscal_year", "course__code", "staff__employee_number")  # this year first
    search_fields = ("staff__employee_number", "course__code", "staff__name", "staff__name_kana")
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

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if _officer(request) else [n for n in shown if n != "staff_name"]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if _officer(request) else [f for f in fields if "__name" not in f]

    def get_search_results(self, request, queryset, search_term):
        return _with_people_matching(self, request, queryset, search_term, "staff__in")

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and _officer(request) and "staff_name" not in fields:
            fields.insert(fields.index("staff") + 1, "staff_name")
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is None:
            return fields
        return (*fields, "staff", "run", *(("staff_name",) if _officer(request) else ()))

    @admin.display(description=_("氏名"), ordering="staff__name_kana")
    def staff_name(self, obj):
        return obj.staff.name

    @admin.display(description=_("研修"), ordering="course__code")
    def course_name(self, obj):
        return format_html('{}<br><span class="small">{}</span>', obj.course.name, obj.course.code)

    @admin.display(description=_("受講時の所属"), ordering="division__code")
    def division_name(self, obj):
        return obj.division.name

    @admin.display(description=_("年度"), ordering="fiscal_year")
    def year(self, obj):
        return fiscal_year_abbr(obj.fiscal_year)

    @admin.display(description=_("修了日"), ordering="completed_on")
    def completed(self, obj):
        return date_format(obj.completed_on, "SHORT_DATE_FORMAT") if obj.completed_on else None

    def create(self, request, form):
        data = form.cleaned_data
        enrolment = services.enrol(staff=data["staff"], run=data["run"], by=request.user)
        if data.get("completed_on"):
            enrolment = services.record_completion(
                enrolment=enrolment, completed_on=data["completed_on"], by=request.user
            )
        return enrolment

    def update(self, request, obj, form):
        if "completed_on" not in form.changed_data:
            return
        if obj.completed_on:
            services.record_completion(
                enrolment=obj, completed_on=obj.completed_on, by=request.user
            )
        else:
            services.clear_completion(enrolment=obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


# --- Specialists and observers -------------------------------------------------------------


class CertificationForm(forms.ModelForm):
    class Meta:
        model = SpecialistCertification
        fields = ("staff", "fiscal_year", "certified_on", "enrolment")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None and cleaned.get("staff") and cleaned.get("enrolment"):
            _rule(
                services.check_certification,
                staff=cleaned["staff"],
                enrolment=cleaned["enrolment"],
            )
        return cleaned


@admin.register(SpecialistCertification)
class SpecialistCertificationAdmin(ServiceAdminMixin, AuditLogAdminMixin, admin.ModelAdmin):
    """A certification by hand (`services.certify_specialist`: once in a career, with the
    staff member's completed 養成研修 if named); its date and year are corrected as reference
    data."""

    form = CertificationForm
    list_display = ("staff", "fiscal_year", "certified_on")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter),)
    list_select_related = ("staff",)
    raw_id_fields = ("staff", "enrolment")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "staff", "enrolment") if obj is not None else fields

    def create(self, request, form):
        data = form.cleaned_data
        return services.certify_specialist(
            staff=data["staff"],
            fiscal_year=data["fiscal_year"],
            certified_on=data["certified_on"],
            enrolment=data.get("enrolment"),
            by=request.user,
        )

    def update(self, request, obj, form):
        save_changes(obj, fields=form.changed_data, by=request.user, action="training.edited")


@admin.register(MunicipalObserver)
class MunicipalObserverAdmin(
    ServiceAdminMixin, PersonalDataAdminMixin, AuditLogAdminMixin, admin.ModelAdmin
):
    """An observer is added by `services.add_observer`; their details are corrected as
    reference data."""

    personal_fields = MunicipalObserver.PERSONAL_FIELDS
    list_display = ("name", "municipality", "fiscal_year", "is_sample")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "municipality")
    readonly_fields = ("is_sample",)

    def create(self, request, form):
        data = form.cleaned_data
        return services.add_observer(
            fiscal_year=data["fiscal_year"],
            name=data["name"],
            municipality=data["municipality"],
            by=request.user,
        )

    def update(self, request, obj, form):
        save_changes(obj, fields=form.changed_data, by=request.user, action="training.edited")


# --- Initiatives and promoters -------------------------------------------------------------


@admin.register(Initiative)
class InitiativeAdmin(ServiceAdminMixin, AuditLogAdminMixin, admin.ModelAdmin):
    """Recorded by `services.record_initiative`, corrected (specialists too) by
    `services.edit_initiative`."""

    list_display = ("title", "division", "date", "is_sample")
    list_filter = ("is_sample",)
    list_select_related = ("division",)
    search_fields = ("title",)
    raw_id_fields = ("specialists",)
    autocomplete_fields = ("division",)
    readonly_fields = ("is_sample",)

    def create(self, request, form):
        data = form.cleaned_data
        return services.record_initiative(
            title=data["title"],
            division=data["division"],
            specialists=data["specialists"],
            date=data["date"],
            outcome=data.get("outcome", ""),
            by=request.user,
        )

    def update(self, request, obj, form):
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.INITIATIVE_FIELDS
        }
        specialists = (
            form.cleaned_data["specialists"] if "specialists" in form.changed_data else None
        )
        services.edit_initiative(
            initiative=obj, changes=changes, specialists=specialists, by=request.user
        )


@admin.register(PromoterAppointment)
class PromoterAppointmentAdmin(ServiceAdminMixin, AuditLogAdminMixin, admin.ModelAdmin):
    """Appointed by `services.appoint_promoter` (a second primary replaces the first); an
    appointment's role may change, its person, division and year not (end it, appoint
    another); ended by `services.dismiss_promoter`."""

    list_display = ("division", "fiscal_year", "role", "staff")
    list_filter = (("fiscal_year", FiscalYearFieldListFilter), "role")
    list_select_related = ("division", "staff")
    raw_id_fields = ("staff",)
    autocomplete_fields = ("division",)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "division", "fiscal_year", "staff") if obj is not None else fields

    def create(self, request, form):
        data = form.cleaned_data
        return services.appoint_promoter(
            division=data["division"],
            fiscal_year=data["fiscal_year"],
            role=data["role"],
            staff=data["staff"],
            by=request.user,
        )

    def update(self, request, obj, form):
        if "role" in form.changed_data:
            services.appoint_promoter(
                division=obj.division,
                fiscal_year=obj.fiscal_year,
                role=obj.role,
                staff=obj.staff,
                by=request.user,
            )

    def delete_model(self, request, obj):
        services.dismiss_promoter(appointment=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for appointment in queryset:
            services.dismiss_promoter(appointment=appointment, by=request.user)
