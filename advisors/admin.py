from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from advisors.models import ExpertiseArea, Supporter
from mie_dx.text import join_list

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # django-stubs' ModelAdmin is generic in its model; Django's is not subscriptable.
    _ExpertiseAreaAdmin = admin.ModelAdmin[ExpertiseArea]
else:
    _ExpertiseAreaAdmin = admin.ModelAdmin


class SupporterCount(TypedDict):
    """What ExpertiseAreaAdmin.get_queryset adds to each area."""

    supporter_count: int


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(_ExpertiseAreaAdmin):
    list_display = ("name", "name_en", "slug", "display_order", "supporter_count")
    list_editable = ("display_order",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name_en",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExpertiseArea]:
        # One annotated query instead of a count per row.
        return super().get_queryset(request).annotate(supporter_count=Count("supporters"))

    @admin.display(description=_("登録数"), ordering="supporter_count")
    def supporter_count(self, obj: "WithAnnotations[ExpertiseArea, SupporterCount]") -> int:
        return obj.supporter_count


@admin.register(Supporter)
class SupporterAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "kind",
        "affiliation_short",
        "expertise_list",
        "is_active",
        "term",
    )
    list_display_links = ("name",)
    list_filter = ("kind", "is_active", "expertise", "term_start_fy")
    search_fields = ("name", "name_kana", "affiliation")
    filter_horizontal = ("expertise",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("kind", "name", "name_kana", "slug", "sort_key", "is_active")}),
        (_("公開プロフィール"), {"fields": ("affiliation", "expertise", "profile")}),
        (_("任期"), {"fields": ("term_start_fy", "term_end_fy")}),
        (_("非公開情報"), {"fields": ("contact_email",)}),
        (_("記録"), {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Supporter]:
        # The expertise column reads the prefetched areas: the change list runs a fixed
        # number of queries however many rows it shows.
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("expertise", queryset=ExpertiseArea.objects.order_by("display_order"))
            )
        )

    @admin.display(description=_("所属・役職等"))
    def affiliation_short(self, obj: Supporter) -> str:
        lines = obj.affiliation_lines
        if not lines:
            return ""
        first = Truncator(lines[0]).chars(40)
        return f"{first} …" if len(lines) > 1 else first

    @admin.display(description=_("専門分野"))
    def expertise_list(self, obj: Supporter) -> str:
        return join_list(area.localized_name for area in obj.expertise.all())

    @admin.display(description=_("任期"), ordering="term_start_fy")
    def term(self, obj: Supporter) -> str:
        return obj.term_label
