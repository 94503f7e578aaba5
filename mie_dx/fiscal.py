"""Fiscal years (年度, 1 April – 31 March) and their 令和 labels.

令和N年度 is the fiscal year that starts in April of 2018 + N (R4 = FY2022).
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

REIWA_OFFSET = 2018
# 令和 began on 1 May 2019; earlier dates are written in the Western calendar.
REIWA_START = date(2019, 5, 1)


def fiscal_year(day: date) -> int:
    """The fiscal year (by its starting calendar year) that contains `day`."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of fiscal year `fy`."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def fiscal_year_start(fy: int) -> datetime:
    """Midnight on 1 April of fiscal year `fy` in the portal's time zone (Asia/Tokyo)."""
    return datetime.combine(
        fiscal_year_bounds(fy)[0], time.min, tzinfo=timezone.get_default_timezone()
    )


def fiscal_years_span(fiscal_years: Iterable[int]) -> tuple[datetime, datetime]:
    """[start, end): from the first fiscal year's 1 April to the 1 April after the last."""
    years = list(fiscal_years)
    return fiscal_year_start(min(years)), fiscal_year_start(max(years) + 1)


def reiwa_year(fy: int) -> int:
    return fy - REIWA_OFFSET


def fiscal_year_label(fy: int) -> str:
    """'令和4年度' in Japanese, 'FY2022' in English."""
    if (get_language() or "ja").startswith("ja"):
        n = reiwa_year(fy)
        return f"令和{'元' if n == 1 else n}年度"
    return f"FY{fy}"


def fiscal_year_short(fy: int) -> str:
    """'R4' — the short form the prefecture's tables use."""
    return f"R{reiwa_year(fy)}"


def fiscal_year_abbr(fy: int) -> str:
    """A chart's or a narrow column's year in the page's language: 'R4' (the prefecture's
    tables) in Japanese, 'FY2022' (as the English text writes it) in English."""
    if (get_language() or "ja").startswith("ja"):
        return fiscal_year_short(fy)
    return f"FY{fy}"


def wareki_date(day: date) -> str:
    """令和4年6月24日（金） in Japanese; 'Fri 24 Jun 2022' in English."""
    if not (get_language() or "ja").startswith("ja"):
        return dateformat.format(day, "D j M Y")
    weekday = dateformat.format(day, "D")
    if day < REIWA_START:
        return f"{day.year}年{day.month}月{day.day}日（{weekday}）"
    n = reiwa_year(day.year)
    return f"令和{'元' if n == 1 else n}年{day.month}月{day.day}日（{weekday}）"


# The range a fiscal year may take in the portal's data (the plan runs R3–R8; older baselines).
MIN_FISCAL_YEAR = 2000
MAX_FISCAL_YEAR = 2100


# The first 令和 fiscal year (令和元年度): a page may show an empty year from here on.
FIRST_REIWA_FISCAL_YEAR = 2019


class MalformedFiscalYear(ValueError):
    """A `fy` in a query string that is no year (`?fy=abc`, `?fy=22`)."""


def requested_fiscal_year(params: Any, name: str = "fy") -> int | None:
    """The fiscal year a query string asks for (`?fy=2022`), or None when it asks for none.

    Raises MalformedFiscalYear when the value is not a four-digit year: a page answers 400
    with a message, never another year's figures. Whether the portal has data for the year
    is the page's question (see `fiscal_year_is_shown`).
    """
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{4}", raw):
        raise MalformedFiscalYear(raw)
    return int(raw)


def chosen_fiscal_year(params: Any, years: Iterable[int], default: int) -> int:
    """The year asked for among `years` (the only years the page has), else `default` when
    none is asked for. A year the page does not have is a 404, a malformed one a 400
    (MalformedFiscalYear, answered by mie_dx.middleware): never another year's figures."""
    from django.http import Http404

    requested = requested_fiscal_year(params)
    if requested is None:
        return default
    if requested not in set(years):
        raise Http404
    return requested


def fiscal_year_is_shown(fy: int) -> bool:
    """A year a figures page may show, empty if it has no data: 令和 years within range.
    Other years (1999, 2300) are no page of the portal (404)."""
    return FIRST_REIWA_FISCAL_YEAR <= fy <= MAX_FISCAL_YEAR


def fiscal_year_choices(*, before: int = 6, after: int = 6) -> list[tuple[int, str]]:
    """(2022, '令和4年度') … around the current fiscal year, in the active language."""
    from django.utils import timezone

    current = fiscal_year(timezone.localdate())
    return [(fy, fiscal_year_label(fy)) for fy in range(current - before, current + after + 1)]


# django-stubs makes model fields generic (what is assigned, what is read); subscripting the
# base class would need django_stubs_ext.monkeypatch() at run time, so it is left bare.
class FiscalYearField(models.PositiveSmallIntegerField):  # type: ignore[type-arg]
    """A fiscal year stored as its starting calendar year (2022 = 令和4年度).

    Validated to a sensible range; forms show a number input whose help text says the
    convention; the admin lists it with `mie_dx.admin_filters.FiscalYearFieldListFilter`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "validators",
            [MinValueValidator(MIN_FISCAL_YEAR), MaxValueValidator(MAX_FISCAL_YEAR)],
        )
        kwargs.setdefault("help_text", _("西暦の年度（令和4年度は2022）。"))
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs
