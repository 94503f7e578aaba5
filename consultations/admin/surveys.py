"""The consultation surveys: answers for the figures, comments only with the personal-data
permission."""

from django.contrib import admin

from consultations.models import Survey
from mie_dx.admin_mixins import AuditLogAdminMixin, PersonalDataAdminMixin


@admin.register(Survey)
class SurveyAdmin(AuditLogAdminMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    personal_fields = ("comment",)
    list_display = ("consultation", "sent_at", "reminder_sent_at", "rating", "answered_at")
    list_filter = ("rating",)
    list_select_related = ("consultation",)
    readonly_fields = (
        "consultation",
        "sent_at",
        "reminder_sent_at",
        "rating",
        "comment",
        "answered_at",
    )
    search_fields = ("consultation__reference",)

    def has_add_permission(self, request):
        return False
