"""Private links end: a set time after what they are about has ended, and at once on erasure.

A selector that opens a private link calls `end_link_if_over(...)`; a link that has ended
raises `LinkExpired`, which mie_dx.middleware.LinkExpiredMiddleware turns into the
「このリンクの有効期限が切れています」 page (410 Gone) with the center's contact details,
for every link kind alike. Periods: PRIVATE_LINK_DAYS_AFTER_END (status, management and
supporter links after the case or registration ends) and SURVEY_LINK_DAYS (after a survey
was sent).
"""

from datetime import datetime, timedelta

from django.utils import timezone


class LinkExpired(Exception):
    """The private link has ended (its period is over, or the person's data was erased)."""


def end_link_if_over(
    *, ended_at: datetime | None, keep_for: timedelta, erased: bool, now: datetime | None = None
) -> None:
    """Raise LinkExpired when the data is erased or `keep_for` has passed since `ended_at`
    (None: what the link is about has not ended)."""
    if erased:
        raise LinkExpired
    if ended_at is not None and (now or timezone.now()) >= ended_at + keep_for:
        raise LinkExpired
