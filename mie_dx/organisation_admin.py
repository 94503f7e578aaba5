"""Admin for the prefecture's organisation: 部局 (departments) and 所属 (divisions).

Divisions are imported from the prefecture's yearly table (CSV or XLSX, with a preview) and
exported the same way; departments come with them. Units are never deleted here: one that is
abolished gets its last fiscal year (past records keep pointing at it).
"""

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from mie_dx.admin_filters import ExistsInFiscalYearListFilter, FiscalYearFieldListFilter
from mie_dx.admin_mixins import AuditLogAdminMixin
from mie_dx.fiscal import fiscal_year_label
from mie_dx.importexport import PortalExportMixin, PortalImportExportMixin, PortalResource
from mie_dx.models import Department, Division, OrganisationUnit
from mie_dx.resources import DivisionResource


class DepartmentResource(PortalResource):
    """Export only: departments are imported with their divisions (DivisionResource)."""

    code = Field("code", "部局コード")
    name = Field("name", "部局名")
    first_fiscal_year = Field("first_fiscal_year", "設置年度")
    last_fiscal_year = Field("last_fiscal_year", "廃止前の最終年度")

    class Meta:
        model = Department
        fields = ("code", "name", "first_fiscal_year", "last_fiscal_year")


if TYPE_CHECKING:
    # django-stubs' ModelAdmin is generic in its model; Django's is not subscriptable.
    _OrganisationUnitAdmin = admin.ModelAdmin[OrganisationUnit]
else:
    _OrganisationUnitAdmin = admin.ModelAdmin


class OrganisationUnitAdmin(_OrganisationUnitAdmin):
    search_fields: ClassVar[tuple[str, ...]] = ("code", "name")
    list_per_page = 100

    def has_delete_permission(
        self, request: HttpRequest, obj: OrganisationUnit | None = None
    ) -> bool:
        return False

    @admin.display(description=_("設置年度"), ordering="first_fiscal_year")
    def first_year(self, obj: OrganisationUnit) -> str:
        return fiscal_year_label(obj.first_fiscal_year)

    @admin.display(description=_("廃止前の最終年度"), ordering="last_fiscal_year")
    def last_year(self, obj: OrganisationUnit) -> str:
        if obj.last_fiscal_year is None:
            return str(_("現存"))
        return fiscal_year_label(obj.last_fiscal_year)


@admin.register(Department)
class DepartmentAdmin(AuditLogAdminMixin, PortalExportMixin, OrganisationUnitAdmin):
    resource_classes = [DepartmentResource]
    export_filename_stem = "departments"
    list_display = ("code", "name", "first_year", "last_year", "is_sample")
    list_filter = (
        ExistsInFiscalYearListFilter,
        ("first_fiscal_year", FiscalYearFieldListFilter),
        "is_sample",
    )


@admin.register(Division)
class DivisionAdmin(AuditLogAdminMixin, PortalImportExportMixin, OrganisationUnitAdmin):
    resource_classes = [DivisionResource]
    export_filename_stem = "divisions"
    list_display = ("code", "name", "department", "first_year", "last_year", "is_sample")
    list_filter = (
        ExistsInFiscalYearListFilter,
        ("department", admin.RelatedOnlyFieldListFilter),
        ("first_fiscal_year", FiscalYearFieldListFilter),
        "is_sample",
    )
    list_select_related = ("department",)
    search_fields = ("code", "name", "department__code", "department__name")
    autocomplete_fields = ("department",)

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        # The exported 年度 is the year the list is filtered on, if it is.
        chosen = request.GET.get(ExistsInFiscalYearListFilter.parameter_name, "")
        return {
            **super().get_export_resource_kwargs(request, **kwargs),
            "fiscal_year": int(chosen) if chosen.isdigit() else None,
        }
