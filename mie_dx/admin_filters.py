"""Admin list filters by fiscal year (年度, 1 April – 31 March, Asia/Tokyo).

- `FiscalYearFieldListFilter` — for a fiscal year stored as a number (`FiscalYearField`):
  the years present, labelled 令和4年度 (FY2022 in English). Registered as the default filter
  of every `FiscalYearField`, so `list_filter = ("fiscal_year",)` uses it.
- `FiscalYearDateListFilter` — for a date or date-time: the fiscal years the rows span,
  instead of the calendar's "this year".
- `ExistsInFiscalYearListFilter` — for the organisation (`first_fiscal_year` …
  `last_fiscal_year`): the units that exist in a fiscal year.
"""

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.db.models import F, Max, Min
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import (
    FiscalYearField,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_start,
)
from mie_dx.models import exists_in_fiscal_year

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices
    from django.contrib.admin.views.main import ChangeList
    from django_stubs_ext import StrOrPromise


class FiscalYearFieldListFilter(admin.AllValuesFieldListFilter):
    """The fiscal years present in the column (newest first), labelled in 令和."""

    def choices(self, changelist: "ChangeList") -> Iterator["_ListFilterChoices"]:
        for choice in super().choices(changelist):
            value = choice["display"]
            if isinstance(value, str) and value.isdigit():
                choice["display"] = fiscal_year_label(int(value))
            yield choice

    def __init__(
        self,
        field: "models.Field[Any, Any]",
        request: HttpRequest,
        params: dict[str, list[str]],
        model: type[models.Model],
        model_admin: "admin.ModelAdmin[Any]",
        field_path: str,
    ) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        # Newest first; an empty value (a nullable column) is offered last by choices().
        self.lookup_choices = self.lookup_choices.order_by(F(field.name).desc(nulls_last=True))


admin.FieldListFilter.register(
    lambda f: isinstance(f, FiscalYearField), FiscalYearFieldListFilter, take_priority=True
)


def _fiscal_year_start(fy: int, *, with_time: bool) -> date | datetime:
    # Midnight on 1 April in the portal's time zone (Asia/Tokyo), not UTC, for a date-time.
    return fiscal_year_start(fy) if with_time else fiscal_year_bounds(fy)[0]


class FiscalYearDateListFilter(admin.DateFieldListFilter):
    """A date or date-time filtered by fiscal year (`<field>__gte` 1 April, `__lt` next 1 April).

    Offers the fiscal years from the oldest to the newest row (one aggregate query).
    """

    def __init__(
        self,
        field: "models.Field[Any, Any]",
        request: HttpRequest,
        params: dict[str, list[str]],
        model: type[models.Model],
        model_admin: "admin.ModelAdmin[Any]",
        field_path: str,
    ) -> None:
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("%(field)s（年度）") % {"field": self.title}
        with_time = isinstance(field, models.DateTimeField)
        span = model_admin.get_queryset(request).aggregate(
            first=Min(field_path), last=Max(field_path)
        )
        # Values as Django's own links hold them (its choices() turns them into the query
        # string, its facets filter by them as they are: an isnull lookup takes a boolean).
        links: list[tuple[StrOrPromise, dict[str, bool | date | datetime]]] = [(_("すべて"), {})]
        if span["first"] is not None:
            first, last = (self._day(span[k], with_time) for k in ("first", "last"))
            for fy in range(fiscal_year(last), fiscal_year(first) - 1, -1):
                links.append(
                    (
                        fiscal_year_label(fy),
                        {
                            self.lookup_kwarg_since: _fiscal_year_start(fy, with_time=with_time),
                            self.lookup_kwarg_until: _fiscal_year_start(
                                fy + 1, with_time=with_time
                            ),
                        },
                    )
                )
        if field.null:
            links += [
                (_("日付なし"), {self.field_generic + "isnull": True}),
                (_("日付あり"), {self.field_generic + "isnull": False}),
            ]
        self.links = tuple(links)

    @staticmethod
    def _day(value: date | datetime, with_time: bool) -> date:
        if with_time and isinstance(value, datetime):
            return timezone.localdate(value)
        return value


class ExistsInFiscalYearListFilter(admin.SimpleListFilter):
    """Organisation units (with `first_fiscal_year` / `last_fiscal_year`) that exist in the
    chosen fiscal year."""

    title = _("存在する年度")
    parameter_name = "exists_in"

    def lookups(
        self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
    ) -> list[tuple[str, str]]:
        span = model_admin.get_queryset(request).aggregate(
            first=Min("first_fiscal_year"), last=Max("last_fiscal_year")
        )
        if span["first"] is None:
            return []
        current = fiscal_year(timezone.localdate())
        last = max(current, span["last"] or current)
        return [(str(fy), fiscal_year_label(fy)) for fy in range(last, span["first"] - 1, -1)]

    def queryset(
        self, request: HttpRequest, queryset: models.QuerySet[Any]
    ) -> models.QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(exists_in_fiscal_year(int(value)))
        return queryset
