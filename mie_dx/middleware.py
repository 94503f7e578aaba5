"""Middleware of the core."""

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from mie_dx.fiscal import MalformedFiscalYear
from mie_dx.links import LinkExpired


class NulCharacterMiddleware:
    """A NUL character in the path (404: no such page) or the query string (400) is answered
    before any view: PostgreSQL refuses NUL in text, so a look-up by such a value would
    otherwise be a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return HttpResponseBadRequest()
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than MAX_REQUEST_BODY_BYTES with 413,
    before anything reads it (Django's own DATA_UPLOAD_MAX_MEMORY_SIZE does not count files).

    The largest legitimate body is a consultation with a 10 MB attachment; the reverse proxy
    in front (docker-compose) caps bodies at the same size.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.headers.get("content-length") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            response = render(
                request,
                "413.html",
                {"limit_mb": settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)},
                status=413,
            )
            # The body was never read: the connection cannot be reused for another request.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class LinkExpiredMiddleware:
    """A private link that has ended (mie_dx.links) shows one page, 410 Gone, whatever its kind."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, LinkExpired):
            response = render(request, "link_expired.html", status=410)
            response["Cache-Control"] = "no-store"
            return response
        return None


class MalformedFiscalYearMiddleware:
    """A malformed `?fy=` on a figures page (mie_dx.fiscal.requested_fiscal_year) is a 400
    saying what a year looks like, with a link to the page's default year."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MalformedFiscalYear):
            context = {"value": str(exception)[:40], "back_url": request.path}
            return render(request, "fiscal_year_invalid.html", context, status=400)
        return None
