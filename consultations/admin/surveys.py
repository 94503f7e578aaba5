"""The consultation surveys: answers for the figures, comments only with the personal-data
permission."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from consultations.models import Survey
from mie_dx.admin_mixins import AuditLogAdminMixin, PersonalDataAdminMixin

if TYPE_CHECKING:
    # django-stubs' ModelAdmin is generic in its model; Django's is not subscriptable.
    _SurveyAdmin = admin.ModelAdmin[Survey]
else:
    _SurveyAdmin = admin.ModelAdmin


@admin.register(Survey)
class SurveyAdmin(AuditLogAdminMixin, PersonalDataAdminMixin, _SurveyAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
