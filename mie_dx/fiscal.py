"""Fiscal years (年度, 1 April – 31 March) and their 令和 labels.

令和N年度 is the fiscal year that starts in April of 2018 + N (R4 = FY2022).
"""

from datetime import date

from django.utils import dateformat
from django.utils.translation import get_language

REIWA_OFFSET = 2018
# 令和 began on 1 May 2019; earlier dates are written in the Western calendar.
REIWA_START = date(2019, 5, 1)


def fiscal_year(day: date) -> int:
    """The fiscal year (by its starting calendar year) that contains `day`."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of fiscal year `fy`."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


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


def wareki_date(day: date) -> str:
    """令和4年6月24日（金） in Japanese; 'Fri 24 Jun 2022' in English."""
    if not (get_language() or "ja").startswith("ja"):
        return dateformat.format(day, "D j M Y")
    weekday = dateformat.format(day, "D")
    if day < REIWA_START:
        return f"{day.year}年{day.month}月{day.day}日（{weekday}）"
    n = reiwa_year(day.year)
    return f"令和{'元' if n == 1 else n}年{day.month}月{day.day}日（{weekday}）"
