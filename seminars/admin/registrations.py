"""Registrants in the admin: the list with the slots, CSV/XLSX, the consultation a
registrant asked for, erasure on request."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from mie_dx.admin_mixins import (
    AuditLogAdminMixin,
    ErasePersonalDataMixin,
    PersonalDataAdminMixin,
)
from mie_dx.audit import save_changes
from mie_dx.fiscal import fiscal_year_label
from mie_dx.importexport import PortalExportMixin
from seminars import retention
from seminars.admin.seminars import _report_slots
from seminars.models import Registration
from seminars.resources import RegistrationResource

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # django-stubs' ModelAdmin and ModelForm are generic in their model; Django's are not
    # subscriptable.
    _RegistrationAdmin = admin.ModelAdmin[Registration]
    _RegistrationModelForm = forms.ModelForm[Registration]
else:
    _RegistrationAdmin = admin.ModelAdmin
    _RegistrationModelForm = forms.ModelForm


class SlotFilter(admin.SimpleListFilter):
    title = gettext_lazy("個別相談の時間")
    parameter_name = "slot"

    def lookups(
        self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
    ) -> list[tuple[str, "StrOrPromise"]]:
        return [("yes", gettext_lazy("割当て済み")), ("no", gettext_lazy("未割当て"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Registration]
    ) -> QuerySet[Registration]:
        if self.value() == "yes":
            return queryset.filter(consultation_slot_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(wants_consultation=True, consultation_slot_at__isnull=True)
        return queryset


class RegistrationAdminForm(_RegistrationModelForm):
    class Meta:
        model = Registration
        fields = ("requester_type", "organization", "name", "name_kana", "email", "phone")


@admin.register(Registration)
class RegistrationAdmin(
    ErasePersonalDataMixin,
    AuditLogAdminMixin,
    PersonalDataAdminMixin,
    PortalExportMixin,
    _RegistrationAdmin,
):
    """Export (CSV / XLSX, admin:seminars_registration_export) through PortalExportMixin."""

    still_needed_message = gettext_lazy(
        "%(items)s さんは申込み中のため削除できません。先に申込みを取り消してください。"
    )

    def erase_one(self, obj: Registration, *, by: User | AnonymousUser) -> None:
        retention.erase_personal_data(registration=obj, by=by)

    def erase_label(self, obj: Registration) -> str:
        return obj.name

    form = RegistrationAdminForm
    personal_fields = Registration.PERSONAL_FIELDS
    resource_classes = [RegistrationResource]
    export_filename_stem = "seminar-registrations"
    list_display = (
        "name",
        "name_kana",
        "seminar_label",
        "attendance",
        "status",
        "registered_at",
        "waitlisted_at",
        "wants_consultation",
        "slot",
        "consultation_link",
    )
    list_filter = (
        "status",
        "attendance",
        "wants_consultation",
        SlotFilter,
        "requester_type",
        ("seminar", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("seminar", "consultation")
    search_fields = ("name", "name_kana", "email", "organization")
    ordering = ("seminar", "registered_at", "pk")
    actions = ("assign_slots", "erase_personal_data")
    list_per_page = 100
    readonly_fields = (
        "seminar",
        "status",
        "attendance",
        "wants_consultation",
        "consultation_topic",
        "consultation_link",
        "consultation_slot_at",
        "registered_at",
        "confirmed_at",
        "waitlisted_at",
        "cancelled_at",
        "checked_in_at",
        "reminder_sent_at",
        "privacy_consent_at",
        "personal_data_erased_at",
        "language",
    )
    fieldsets = (
        (None, {"fields": ("seminar", "status", "attendance")}),
        (
            gettext_lazy("申込者"),
            {"fields": ("requester_type", "organization", "name", "name_kana", "email", "phone")},
        ),
        (
            gettext_lazy("個別相談"),
            {
                "fields": (
                    "wants_consultation",
                    "consultation_topic",
                    "consultation_link",
                    "consultation_slot_at",
                )
            },
        ),
        (
            gettext_lazy("記録"),
            {
                "fields": (
                    "registered_at",
                    "confirmed_at",
                    "waitlisted_at",
                    "cancelled_at",
                    "checked_in_at",
                    "reminder_sent_at",
                    "privacy_consent_at",
                    "personal_data_erased_at",
                    "language",
                )
            },
        ),
    )

    class Media:
        css = {"all": ("css/seminars.css",)}

    def has_add_permission(self, request: HttpRequest) -> bool:
        # People register through the public form, which counts the seats under a lock.
        return False

    def save_model(
        self,
        request: HttpRequest,
        obj: Registration,
        form: RegistrationAdminForm,
        change: bool,
    ) -> None:
        # Staff correct a registrant's details: only those columns, and the log names them.
        # mie_dx.audit.save_changes types `by` as AbstractBaseUser only, not request.user as
        # it comes (log_action, which it calls, takes it): a core signature, reported.
        save_changes(
            obj,
            fields=form.changed_data,
            by=request.user,
            action="registration.edited",
        )

    def has_delete_permission(self, request: HttpRequest, obj: Registration | None = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("セミナー"), ordering="seminar")
    def seminar_label(self, obj: Registration) -> str:
        return f"{fiscal_year_label(obj.seminar.fiscal_year)} {obj.seminar.numbered_label}"

    @admin.display(description=gettext_lazy("個別相談の時間"), ordering="consultation_slot_at")
    def slot(self, obj: Registration) -> str:
        if obj.consultation_slot_at is None:
            return ""
        return f"{timezone.localtime(obj.consultation_slot_at):%H:%M}"

    @admin.display(description=gettext_lazy("相談"))
    def consultation_link(self, obj: Registration) -> str:
        if obj.consultation is None:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:consultations_consultation_change", args=[obj.consultation.pk]),
            obj.consultation.reference,
        )

    @admin.action(
        description=gettext_lazy("選んだ方に個別相談の時間を申込順に割り当てる"),
        permissions=["change"],
    )
    def assign_slots(self, request: HttpRequest, queryset: QuerySet[Registration]) -> None:
        by_seminar: dict[int, list[Registration]] = {}
        for registration in queryset.select_related("seminar"):
            by_seminar.setdefault(registration.seminar_id, []).append(registration)
        for registrations in by_seminar.values():
            _report_slots(self, request, registrations[0].seminar, registrations)
