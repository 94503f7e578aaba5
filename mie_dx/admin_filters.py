"""Admin list filters by fiscal year (年度, 1 April – 31 March, Asia/Tokyo).

- `FiscalYearFieldListFilter` — for a fiscal year stored as a number (`FiscalYearField`):
  the years present, labelled 令和4年度 (FY2022 in English). Registered as the default filter
  of every `FiscalYearField`, so `list_filter = ("fiscal_year",)` uses it.
- `FiscalYearDateListFilter` — for a date or date-time: the fiscal years the rows span,
  instead of the calendar's "this year".
- `ExistsInFiscalYearListFilter` — for the organisation (`first_fiscal_year` …
  `last_fiscal_year`): the units that exist in a fiscal year.
"""

from datetime import date, datetime

from django.contrib import admin
from django.db import models
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import (
    FiscalYearField,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_start,
)


class FiscalYearFieldListFilter(admin.AllValuesFieldListFilter):
    """The fiscal years present in the column (newest first), labelled in 令和."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            value = choice["display"]
            if isinstance(value, str) and value.isdigit():
                choice["display"] = fiscal_year_label(int(value))
            yield choice

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        # Newest first; an empty value (a nullable column) is offered last by choices().
        self.lookup_choices = sorted(
            self.lookup_choices, key=lambda value: -1 if value is None else value, reverse=True
        )


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

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("%(field)s（年度）") % {"field": self.title}
        with_time = isinstance(field, models.DateTimeField)
        span = model_admin.get_queryset(request).aggregate(
            first=Min(field_path), last=Max(field_path)
        )
        links: list[tuple[str, dict[str, str]]] = [(_("すべて"), {})]
        if span["first"] is not None:
            first, last = (self._day(span[k], with_time) for k in ("first", "last"))
            for fy in range(fiscal_year(last), fiscal_year(first) - 1, -1):
                links.append(
                    (
                        fiscal_year_label(fy),
                        {
                            self.lookup_kwarg_since: str(
                                _fiscal_year_start(fy, with_time=with_time)
                            ),
                            self.lookup_kwarg_until: str(
                                _fiscal_year_start(fy + 1, with_time=with_time)
                            ),
                        },
                    )
                )
        if field.null:
            links += [
                (_("日付なし"), {self.field_generic + "isnull": "True"}),
                (_("日付あり"), {self.field_generic + "isnull": "False"}),
            ]
        self.links = tuple(links)

    @staticmethod
    def _day(value: date | datetime, with_time: bool) -> date:
        if with_time and isinstance(value, datetime):
            return timezone.localdate(value)
        return value


class ExistsInFiscalYearListFilter(admin.SimpleListFilter):
    """Organisation units (with `first_fiscal_year` / `last_fiscal_year` and the queryset's
    `in_fiscal_year`) that exist in the chosen fiscal year."""

    title = _("存在する年度")
    parameter_name = "exists_in"

    def lookups(self, request, model_admin):
        span = model_admin.get_queryset(request).aggregate(
            first=Min("first_fiscal_year"), last=Max("last_fiscal_year")
        )
        if span["first"] is None:
            return []
        current = fiscal_year(timezone.localdate())
        last = max(current, span["last"] or current)
        return [(str(fy), fiscal_year_label(fy)) for fy in range(last, span["first"] - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.in_fiscal_year(int(value))
        return queryset

    def chosen_fiscal_year(self) -> int | None:
        value = self.value()
        return int(value) if value and value.isdigit() else None
