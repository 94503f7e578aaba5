"""Public read pages served from the cache to anonymous visitors.

Wrap a view in an app's `urls.py`::

    path("", public_page(views.SeminarListView.as_view(), topics=("seminars",),
                         query={"page": r"\\d{1,4}"}), name="list"),

and declare, on the app's AppConfig, which models a topic follows (mie_dx.registry)::

    page_cache_topics = {"seminars": ("seminars.Seminar", "seminars.Registration")}

How it stays correct:

- **Invalidation by generation.** Every topic has a generation (a random token in the cache).
  A page's cache key holds the generations of its topics, read *before* the page is rendered,
  so a page rendered from old data can only be stored under a key nobody reads any more. Any
  save or delete of a declared model (and a change of its many-to-many relations) gives the
  topic a new generation when the transaction commits: a supporter edited,
  a seminar published or cancelled, a seat taken or freed are on the next page served. Code
  that changes rows without signals (`queryset.update()`, `bulk_create`) calls `bump(topic)`.
  Time alone changes a page too (a deadline passes): a stored page lives PAGE_CACHE_SECONDS.
- **Nobody else's data.** Only anonymous GET/HEAD requests with no pending message and only
  the query parameters a page declares (values of the declared shape) use the cache; anyone
  else gets the page rendered for them with `Cache-Control: private, no-store`. The key holds
  the language and the full path. A page is rendered for the cache with a placeholder where
  `{% csrf_token %}` would put the visitor's token (mie_dx.context_processors.page_cache); each
  visitor is served the page with their own token put in its place, and such a page (a form)
  is `private, no-store`. A response that set a cookie, touched the session, asked for the
  visitor's token some other way, or was not a 200 is never stored. (The language switcher
  needs no token: it posts to a CSRF-exempt view, mie_dx.views.set_language.)
- **Headers.** Pages without a token carry `Cache-Control: public, max-age=
  PAGE_CACHE_MAX_AGE` (a few seconds: a reverse proxy or browser may keep the page that long)
  and every response of a wrapped view `Vary: Accept-Language, Cookie`. `X-Page-Cache` says
  `hit`, `miss` (rendered and stored) or `bypass`.
- **Without the cache** (Redis unreachable), pages are rendered as if uncached; it is logged.
"""

import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib import auth, messages
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.template.response import SimpleTemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

logger = logging.getLogger(__name__)

# Every topic any app declares: a page that shows a bit of everything (the home page).
ALL = "*"
VARY = ("Accept-Language", "Cookie")
HEADER = "X-Page-Cache"
_SKIP_ATTRIBUTE = "_page_cache_skip"
_RENDERING_ATTRIBUTE = "_page_cache_rendering"

_topics: set[str] = set()


def _generation_key(topic: str) -> str:
    return f"pagecache:gen:{topic}"


def _new_generation() -> str:
    return uuid.uuid4().hex[:16]


def bump(*topics: str) -> None:
    """The pages of `topics` change: a new generation once the current transaction commits
    (at once outside a transaction). Not before the commit: a page rendered before it shows
    the old rows, and one stored under a generation renewed earlier would outlive the
    change; nor under the locks the transaction holds (a registration's seminar row)."""

    def renew() -> None:
        try:
            cache.set_many({_generation_key(t): _new_generation() for t in topics}, timeout=None)
        except Exception:
            logger.warning("page cache: could not renew %s", topics, exc_info=True)

    transaction.on_commit(renew)  # runs at once outside a transaction


def bump_all() -> None:
    bump(*sorted(_topics))


def _generations(topics: Iterable[str]) -> str:
    keys = [_generation_key(t) for t in topics]
    found = cache.get_many(keys)
    missing = {key: _new_generation() for key in keys if key not in found}
    if missing:
        for key, value in missing.items():
            cache.add(key, value, timeout=None)  # the first one wins if several race
        found.update(cache.get_many(list(missing)))
    return ".".join(str(found.get(key, "")) for key in keys)


def csrf_placeholder() -> str:
    """What a page rendered for the cache holds instead of a visitor's CSRF token: the same in
    every process (derived from SECRET_KEY), letters and digits only (survives escaping)."""
    return "csrfplaceholder" + salted_hmac("mie_dx.pagecache", "csrf").hexdigest()[:24]


def rendering_for_cache(request: HttpRequest) -> bool:
    rendering: bool = getattr(request, _RENDERING_ATTRIBUTE, False)
    return rendering


def do_not_cache(request: HttpRequest) -> None:
    """Called by a view for a response that must not be stored (e.g. an unknown filter value:
    every made-up value would otherwise fill the cache)."""
    setattr(request, _SKIP_ATTRIBUTE, True)


def _has_messages(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    return len(messages.get_messages(request)) > 0  # counts without marking them read


def _query_allowed(request: HttpRequest, query: Mapping[str, re.Pattern[str]]) -> bool:
    for name in request.GET:
        values = request.GET.getlist(name)
        pattern = query.get(name)
        if pattern is None or len(values) != 1 or not pattern.fullmatch(values[0]):
            return False
    return True


def _signed_in(request: HttpRequest) -> bool:
    # Without loading the user: whoever's session names a user is treated as signed in.
    user: User | AnonymousUser | None = getattr(request, "_cached_user", None)
    if user is not None:
        return user.is_authenticated
    session = getattr(request, "session", None)
    return session is not None and auth.SESSION_KEY in session


def _cacheable_request(request: HttpRequest, query: Mapping[str, re.Pattern[str]]) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not _signed_in(request)
        and not _has_messages(request)
        and _query_allowed(request, query)
    )


def _page_key(request: HttpRequest, generations: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    # The placeholder follows SECRET_KEY: after a key change, pages stored with the old one
    # (whose placeholder nobody would replace) are never served.
    key_generation = csrf_placeholder()[-8:]
    return f"pagecache:page:{key_generation}:{language}:{generations}:{path}"


def _public_headers(response: HttpResponseBase) -> None:
    for header in ("Cache-Control", "Expires"):
        if header in response:
            del response[header]
    patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
    patch_vary_headers(response, VARY)


def _private_headers(response: HttpResponseBase) -> None:
    if "Cache-Control" in response:
        del response["Cache-Control"]
    add_never_cache_headers(response)
    patch_vary_headers(response, VARY)


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
        and not getattr(request, _SKIP_ATTRIBUTE, False)
    )


def _serve(request: HttpRequest, response: HttpResponseBase, state: str) -> HttpResponseBase:
    """The response as this visitor gets it: their own CSRF token in place of the placeholder
    (then the page is theirs alone), and the headers saying who may keep it."""
    placeholder = csrf_placeholder().encode()
    # Only an HttpResponse has its content at hand (a streaming one is served as it is).
    if isinstance(response, HttpResponse) and placeholder in response.content:
        response.content = response.content.replace(placeholder, get_token(request).encode())
        _private_headers(response)
    elif state == "bypass":
        _private_headers(response)
    else:
        _public_headers(response)
    response[HEADER] = state
    return response


def public_page(
    view: Callable[..., HttpResponseBase],
    *,
    topics: Iterable[str],
    query: Mapping[str, str] | None = None,
) -> Callable[..., HttpResponseBase]:
    """`view`, served from the cache to anonymous visitors (see the module's docstring).

    `topics`: what the page shows (ALL for every declared topic). `query`: the query
    parameters the page understands, {name: regex its value must match}; a request with any
    other parameter, or a value of another shape, is rendered and not stored.
    """
    topics = tuple(topics)
    patterns = {name: re.compile(regex) for name, regex in (query or {}).items()}

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.PAGE_CACHE_ENABLED or not _cacheable_request(request, patterns):
            response = view(request, *args, **kwargs)
            _private_headers(response)
            response[HEADER] = "bypass"
            return response
        names = sorted(_topics) if ALL in topics else topics
        try:
            key = _page_key(request, _generations(names))
            cached = cache.get(key)
        except Exception:
            logger.warning("page cache unavailable; rendering %s", request.path, exc_info=True)
            key, cached = None, None
        if cached is not None:
            content, content_type = cached
            return _serve(request, HttpResponse(content, content_type=content_type), "hit")
        setattr(request, _RENDERING_ATTRIBUTE, True)
        try:
            response = view(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        finally:
            delattr(request, _RENDERING_ATTRIBUTE)
        # Only an HttpResponse (not a streaming one) has content to store.
        if (
            key is None
            or not isinstance(response, HttpResponse)
            or not _storable(request, response)
        ):
            return _serve(request, response, "bypass")
        try:
            cache.set(
                key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS
            )
        except Exception:
            logger.warning("page cache: could not store %s", request.path, exc_info=True)
        return _serve(request, response, "miss")

    return wrapper


def _renew_on_change(topic: str) -> Callable[..., None]:
    def receiver(sender: type[models.Model], **kwargs: Any) -> None:
        if kwargs.get("raw"):  # loaddata
            return
        if kwargs.get("action", "post_").startswith("pre_"):
            return
        bump(topic)

    return receiver


def connect(declared: Mapping[str, Iterable[str]]) -> None:
    """{topic: ("app_label.Model", ...)}: renew the topic when one of those rows changes
    (saved, deleted, or its many-to-many relations changed)."""
    for topic, model_labels in declared.items():
        _topics.add(topic)
        receiver = _renew_on_change(topic)
        for label in model_labels:
            model = apps.get_model(label)
            post_save.connect(receiver, sender=model, weak=False)
            post_delete.connect(receiver, sender=model, weak=False)
            for field in model._meta.many_to_many:
                m2m_changed.connect(receiver, sender=field.remote_field.through, weak=False)
