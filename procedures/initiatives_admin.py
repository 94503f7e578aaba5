"""The register of joint initiatives with the municipalities (KPI 10-2 b), kept by center
staff and read by managers. The form chooses the municipalities taking part (at least two);
every save and delete goes through procedures.services (checked and logged there)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from mie_dx.admin_mixins import AuditLogAdminMixin
from mie_dx.importexport import PortalImportExportMixin
from procedures import services
from procedures.initiative_resources import TRACKED, JointInitiativeResource
from procedures.models import MIN_PARTICIPANTS, PARTICIPANT_MUNICIPALITIES, JointInitiative


class JointInitiativeForm(forms.ModelForm):
    municipalities = forms.MultipleChoiceField(
        label=_("参加市町"),
        choices=PARTICIPANT_MUNICIPALITIES,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the message below says what is wanted
        help_text=_("2以上の市町を選んでください。"),
    )

    class Meta:
        model = JointInitiative
        # The code, then what the import tracks too (the same fields, one list).
        fields = ("code", *TRACKED)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["municipalities"].initial = [
                p.municipality for p in self.instance.participants.all()
            ]

    def clean_municipalities(self) -> list[str]:
        chosen: list[str] = self.cleaned_data.get("municipalities") or []
        if len(chosen) < MIN_PARTICIPANTS:
            raise ValidationError(services.too_few_municipalities_message(), code="too_few")
        return chosen


@admin.register(JointInitiative)
class JointInitiativeAdmin(PortalImportExportMixin, AuditLogAdminMixin, admin.ModelAdmin):
    form = JointInitiativeForm
    resource_classes = [JointInitiativeResource]
    export_filename_stem = "joint_initiatives"
    # The core's change list with the import and both export links (ImportMixin's own
    # template, first in the MRO, would show the import link only).
    import_export_change_list_template = "admin/mie_dx/change_list_import_export.html"
    list_display = (
        "code",
        "title",
        "fiscal_year_started",
        "kind",
        "municipality_count",
        "forum",
        "status",
        "is_public",
        "is_sample",
    )
    list_filter = ("fiscal_year_started", "kind", "forum", "status", "is_public", "is_sample")
    search_fields = ("code", "title")
    readonly_fields = ("is_sample", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "title", "fiscal_year_started", "kind", "is_sample")}),
        (_("参加市町と場"), {"fields": ("municipalities", "forum", "forum_note")}),
        (
            _("状態と成果"),
            {"fields": ("status", "summary", "outcome", "document_links", "is_public")},
        ),
        (None, {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[JointInitiative]:
        return (
            super()
            .get_queryset(request)
            .annotate(n_municipalities=Count("participants"))
            .prefetch_related("participants")
        )

    @admin.display(description=_("参加市町数"), ordering="n_municipalities")
    def municipality_count(self, obj: JointInitiative) -> int:
        return int(getattr(obj, "n_municipalities", 0))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.save_initiative(
            initiative=obj, municipalities=form.cleaned_data["municipalities"], by=request.user
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The municipalities are saved by the service (save_model); there is no other relation.
        pass

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.delete_initiative(initiative=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[JointInitiative]) -> None:
        for initiative in queryset:
            services.delete_initiative(initiative=initiative, by=request.user)
