"""Private links end: a set time after what they are about has ended, and at once on erasure.

A selector that opens a private link calls `end_link_if_over(...)`; a link that has ended
raises `LinkExpired`, which mie_dx.middleware.LinkExpiredMiddleware turns into the
「このリンクの有効期限が切れています」 page (410 Gone) with the center's contact details,
for every link kind alike. Periods: PRIVATE_LINK_DAYS_AFTER_END (status, management and
supporter links after the case or registration ends) and SURVEY_LINK_DAYS (after a survey
was sent).
"""

from datetime import datetime, timedelta
from typing import TypeVar

from django.db import models
from django.http import Http404
from django.utils import timezone

from mie_dx.tokens import link_token, new_token, pk_in_token, token_matches


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


_Linked = TypeVar("_Linked", bound="PrivateLinkModel")


def object_for_token(queryset: models.QuerySet[_Linked], token: str) -> _Linked:
    """The row a private link's token opens (Http404 for any other token): one query, by the
    id in the token, then a constant-time comparison of the keyed hash (mie_dx.tokens)."""
    pk = pk_in_token(token)
    obj = queryset.filter(pk=pk).first() if pk is not None else None
    if obj is None or not token_matches(obj, token):
        raise Http404
    return obj


class PrivateLinkModel(models.Model):
    """A row with a private link: a random seed, never the token (mie_dx.tokens).

    Subclasses set LINK_PURPOSE ("status", "survey", …): a token of one kind never opens
    another kind of row, even with the same id.
    """

    LINK_PURPOSE: str

    link_seed = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        abstract = True

    @property
    def private_token(self) -> str:
        return link_token(self)
