"""The seminar surveys: answers for the figures, comments only with the personal-data
permission."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from mie_dx.admin_mixins import (
    AuditLogAdminMixin,
    PersonalDataAdminMixin,
)
from seminars.models import SeminarSurvey

if TYPE_CHECKING:
    # django-stubs' ModelAdmin is generic in its model; Django's is not subscriptable.
    _SeminarSurveyAdmin = admin.ModelAdmin[SeminarSurvey]
else:
    _SeminarSurveyAdmin = admin.ModelAdmin


@admin.register(SeminarSurvey)
class SeminarSurveyAdmin(AuditLogAdminMixin, PersonalDataAdminMixin, _SeminarSurveyAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SeminarSurvey | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SeminarSurvey | None = None) -> bool:
        return False
