"""Dates and times of seminars as the prefecture writes them: 令和4年6月24日（金）13:30〜15:15."""

from datetime import date, time

from django import template
from django.utils.translation import gettext as _

from mie_dx.fiscal import wareki_date
from seminars import selectors
from seminars.models import Seminar

register = template.Library()

# How the seed marks a date that is only planned.
PLANNED = "（予定）"


def _hm(moment: time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


@register.filter
def wareki(day: date | None) -> str:
    """{{ seminar.date|wareki }} → 令和4年6月24日（金）; 'Fri 24 Jun 2022' in English."""
    return "" if day is None else wareki_date(day)


@register.filter
def time_span(start: time | None, end: time | None) -> str:
    """{{ start|time_span:end }} → 13:30〜15:15 (13:30–15:15 in English)."""
    if not start:
        return ""
    if not end:
        return _hm(start)
    return _("%(start)s〜%(end)s") % {"start": _hm(start), "end": _hm(end)}


@register.filter
def seminar_schedule(seminar: Seminar) -> str:
    """The date and time range, or what is known of them (date_note)."""
    parts = []
    if seminar.date:
        parts.append(wareki(seminar.date))
        if seminar.start_time:
            span = _hm(seminar.start_time)
            if seminar.end_time:
                span = _("%(start)s〜%(end)s") % {"start": span, "end": _hm(seminar.end_time)}
            parts.append(span)
        else:
            parts.append(_("時刻未定"))
    text = " ".join(parts)
    note = seminar.date_note
    if note and seminar.is_past():
        # Held (or its year is over): no longer "planned" (issue 11).
        note = note.replace(PLANNED, "").strip()
    if note:
        # "（予定）" follows the date directly; other notes ("12月中旬（予定）") after a space.
        joiner = "" if not text or note.startswith("（") else " "
        text += joiner + note
    return text or _("日程未定")


@register.filter
def hm(moment: time | None) -> str:
    return _hm(moment)


@register.simple_tag
def next_seminar() -> Seminar | None:
    """The next seminar a visitor can see (for the home page), with its seats left."""
    # One query: the summary shows no talks.
    return selectors.upcoming_seminars().prefetch_related(None).first()
