"""iCalendar (RFC 5545) files for seminars: the public one and the one sent to a registrant.

Written by hand (one event, a few properties): text is escaped, lines are folded at 75 octets
without splitting a UTF-8 character, lines end with CRLF, times are in UTC.

The public file never contains the online meeting link; a registrant's file contains it only
when they are confirmed for online attendance.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from seminars.models import Registration, RegistrationStatus, Seminar, SeminarStatus


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets (continuations start with a space)."""
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
            limit = 74  # the leading space of a continuation line counts
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def seminar_calendar(seminar: Seminar, *, registration: Registration | None = None) -> bytes:
    """One VEVENT for `seminar`. Precondition: its date and start time are known."""
    if seminar.starts_at is None:
        raise ValueError("A seminar without a start time has no calendar entry.")
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    page = settings.SITE_URL + seminar.get_absolute_url()
    with_link = (
        registration is not None
        and registration.is_online
        and registration.status == RegistrationStatus.CONFIRMED
        and bool(seminar.online_meeting_url)
    )

    summary = _("みえDXセンターセミナー %(number)s「%(title)s」") % {
        "number": seminar.numbered_label,
        "title": seminar.title,
    }
    venue = ", ".join(part for part in (seminar.venue_name, seminar.venue_address) if part)
    if registration is not None and registration.is_online:
        location = _("オンライン") + (
            f"（{seminar.online_platform}）" if seminar.online_platform else ""
        )
    elif registration is None and seminar.offers_online and venue:
        location = venue + " / " + _("オンライン")
    else:
        location = venue or (_("オンライン") if seminar.offers_online else "")

    description = [seminar.theme, seminar.description, _("詳細: %(url)s") % {"url": page}]
    if with_link:
        description.append(_("オンライン参加用URL: %(url)s") % {"url": seminar.online_meeting_url})
        if seminar.online_meeting_note:
            description.append(seminar.online_meeting_note)
    if registration is not None:
        description.append(
            _("申込内容の確認・変更・取消し: %(url)s")
            % {"url": settings.SITE_URL + registration.get_manage_url()}
        )

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Mie DX Center//Seminars//JA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:seminar-{seminar.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(seminar.starts_at)}",
    ]
    if seminar.ends_at is not None:
        lines.append(f"DTEND:{_utc(seminar.ends_at)}")
    lines += [
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(chr(10).join(part for part in description if part))}",
        f"URL:{page}",
        "STATUS:CANCELLED" if seminar.status == SeminarStatus.CANCELLED else "STATUS:CONFIRMED",
    ]
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()
