"""The seminar surveys: answers for the figures, comments only with the personal-data
permission."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from mie_dx.admin_mixins import (
    AuditLogAdminMixin,
    PersonalDataAdminMixin,
)
from seminars.models import SeminarSurvey


@admin.register(SeminarSurvey)
class SeminarSurveyAdmin(AuditLogAdminMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    """Answers without the respondent's name: managers read these for KPI 10-1 a (the
    comments only with the personal-data permission: people write their names in them)."""

    personal_fields = ("comment",)

    list_display = ("seminar", "rating", "comment", "sent_at", "answered_at")
    list_filter = ("rating", ("registration__seminar", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("registration__seminar",)
    fields = ("seminar", "rating", "comment", "sent_at", "answered_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("セミナー"))
    def seminar(self, obj: SeminarSurvey) -> str:
        return str(obj.registration.seminar)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
