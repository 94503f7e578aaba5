"""Dates and times of seminars as the prefecture writes them: 令和4年6月24日（金）13:30〜15:15."""

from datetime import date, time

from django import template
from django.utils import dateformat
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from seminars.models import Seminar

register = template.Library()

# 令和 began on 1 May 2019; earlier dates are written in the Western calendar.
REIWA_START = date(2019, 5, 1)


@register.filter
def wareki(day: date | None) -> str:
    """{{ seminar.date|wareki }} → 令和4年6月24日（金）; 'Fri 24 Jun 2022' in English."""
    if day is None:
        return ""
    if not (get_language() or "ja").startswith("ja"):
        return dateformat.format(day, "D j M Y")
    weekday = dateformat.format(day, "D")
    if day < REIWA_START:
        return f"{day.year}年{day.month}月{day.day}日（{weekday}）"
    era_year = day.year - 2018
    return f"令和{'元' if era_year == 1 else era_year}年{day.month}月{day.day}日（{weekday}）"


def _hm(moment: time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


@register.filter
def seminar_schedule(seminar: Seminar) -> str:
    """The date and time range, or what is known of them (date_note)."""
    parts = []
    if seminar.date:
        parts.append(wareki(seminar.date))
        if seminar.start_time:
            span = _hm(seminar.start_time)
            if seminar.end_time:
                span += "〜" + _hm(seminar.end_time)
            parts.append(span)
        else:
            parts.append(_("時刻未定"))
    text = " ".join(parts)
    if seminar.date_note:
        # "（予定）" follows the date directly; other notes ("12月中旬（予定）") after a space.
        joiner = "" if not text or seminar.date_note.startswith("（") else " "
        text += joiner + seminar.date_note
    return text or _("日程未定")


@register.filter
def hm(moment: time | None) -> str:
    return _hm(moment)
