"""Limits on public POSTs that spare real people: only submissions that did something count.

Every public POST — the forms, and the private links' answers (withdraw, surveys, the
registrant's and the supporter's pages) — checks the sender's budget first and counts only
when the submission succeeded, so a form sent back with mistakes never uses it up. Budgets:

- per address, PUBLIC_POST_RATE (default 30 an hour): a town hall behind one LGWAN address
  sends dozens of valid forms an hour;
- per e-mail address on the forms that take one, PUBLIC_FORM_EMAIL_RATE (default 5 an hour),
  against one sender flooding one mailbox.

Over a budget the person gets a 429 that says when to try again and how to call instead;
forms show it above the form they filled in, with what they typed kept.

The budgets live in the cache (Redis). When it cannot be reached the limit fails open: the
submission is taken (and saved; its e-mail goes out when the broker is back), a warning is
logged, and counting resumes as soon as the cache answers again.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage, is_ratelimited
from redis.exceptions import RedisError

if TYPE_CHECKING:
    from django.views import View

    # What the mixin below is mixed into (for mypy; at run time it stands alone).
    _ViewBase = View
else:
    _ViewBase = object

logger = logging.getLogger(__name__)

# The rates are per hour: a window ends within the hour (django-ratelimit's fixed windows).
RETRY_AFTER_SECONDS = 3600
_RETRY_ATTRIBUTE = "_public_post_retry_after"


# django-ratelimit's key: "ip", or a callable (group, request) → the value counted.
RatelimitKey = str | Callable[[str, HttpRequest], str]


def _email_key(email: str) -> Callable[[str, HttpRequest], str]:
    return lambda group, request: email.strip().lower()


def _used_up(request: HttpRequest, *, group: str, key: RatelimitKey, rate: str) -> int | None:
    """Seconds until this budget has room again, or None while it has room."""
    try:
        usage = get_usage(request, group=group, key=key, rate=rate)
    except (RedisError, OSError) as error:
        logger.warning("rate limit %s not checked: the cache is unreachable (%s)", group, error)
        return None
    # Without incrementing, the count is what was already used: the budget is gone when it
    # has reached the limit (get_usage's own should_limit is for after an increment).
    if usage is None or usage["count"] < usage["limit"]:
        return None
    time_left: int = usage["time_left"]
    return min(max(time_left, 1), RETRY_AFTER_SECONDS)


def over_limit(request: HttpRequest, *, group: str, email: str = "") -> bool:
    """Whether this sender (address, and e-mail when given) has used up its budget.
    Counts nothing. When it has, the request remembers when it may send again
    (too_many, too_many_message)."""
    waits = [_used_up(request, group=group, key="ip", rate=settings.PUBLIC_POST_RATE)]
    if email:
        waits.append(
            _used_up(
                request,
                group=f"{group}:email",
                key=_email_key(email),
                rate=settings.PUBLIC_FORM_EMAIL_RATE,
            )
        )
    seconds = max((wait for wait in waits if wait is not None), default=None)
    if seconds is None:
        return False
    setattr(request, _RETRY_ATTRIBUTE, seconds)
    return True


def retry_at(request: HttpRequest) -> datetime | None:
    """When a sender found over its budget may send again (local time), if known."""
    seconds = getattr(request, _RETRY_ATTRIBUTE, None)
    if seconds is None:
        return None
    return timezone.localtime() + timedelta(seconds=seconds)


def count_success(request: HttpRequest, *, group: str, email: str = "") -> None:
    """Count a submission that succeeded against the sender's budgets."""
    try:
        is_ratelimited(
            request, group=group, key="ip", rate=settings.PUBLIC_POST_RATE, increment=True
        )
        if email:
            is_ratelimited(
                request,
                group=f"{group}:email",
                key=_email_key(email),
                rate=settings.PUBLIC_FORM_EMAIL_RATE,
                increment=True,
            )
    except (RedisError, OSError) as error:
        logger.warning("rate limit %s not counted: the cache is unreachable (%s)", group, error)


def too_many(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Mark a response as the answer to a sender over its budget."""
    response.status_code = 429
    response["Retry-After"] = str(getattr(request, _RETRY_ATTRIBUTE, RETRY_AFTER_SECONDS))
    return response


def too_many_page(request: HttpRequest) -> HttpResponse:
    """The friendly 429 page (for a POST with no form to show again)."""
    return too_many(request, render(request, "429.html", {"retry_at": retry_at(request)}))


def too_many_message(request: HttpRequest) -> str:
    """What a form over its budget says above the fields: from when it can be sent again."""
    when = retry_at(request)
    if when is None:
        wait = _("しばらく時間をおいてから（長くても1時間後には送信できます）")
    else:
        wait = _("%(time)s以降に") % {"time": formats.time_format(when, "H:i")}
    return _(
        "短時間に多くの送信がありました。いたずら防止のため、%(wait)sもう一度送信してください。"
        "入力内容はこのページに残っています。"
        "お急ぎの場合は、電話（%(phone)s）またはメールでご連絡ください。"
    ) % {"wait": wait, "phone": settings.CENTER_CONTACT_PHONE}


class PublicPostLimitMixin(_ViewBase):
    """For a public view's POST: a sender over the address budget is refused before anything
    is done; a POST that succeeded — answered with a redirect, as every public form and
    private link does after doing something — is counted. A form sent back with mistakes is
    re-rendered (200/400) and never counted.

    A view taking an e-mail address sets `self.counted_email` before it saves, after checking
    `over_limit(request, group=..., email=...)`.
    """

    ratelimit_group: str
    counted_email = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return super().dispatch(request, *args, **kwargs)
        if over_limit(request, group=self.ratelimit_group):
            return self.over_limit_response(request, *args, **kwargs)
        response = super().dispatch(request, *args, **kwargs)
        if 300 <= response.status_code < 400:
            count_success(request, group=self.ratelimit_group, email=self.counted_email)
        return response

    def over_limit_response(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return too_many_page(request)
