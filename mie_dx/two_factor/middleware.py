"""Sends a signed-in user who must pass the second factor, and has not yet, to do so."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device

from mie_dx.two_factor.policy import is_verified, second_factor_due


def second_factor_url(request: HttpRequest, user, next_url: str = "") -> str:
    """The verification page, or enrolment for someone with no device yet."""
    name = "two_factor:verify" if user_has_device(user) else "two_factor:setup"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class SecondFactorRequiredMiddleware:
    """After django_otp.middleware.OTPMiddleware. Only the second-factor pages themselves,
    signing out, the language switch and the health check stay open."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open_paths is None:
            self._open_paths = (
                reverse("two_factor:verify"),
                reverse("two_factor:setup"),
                reverse("admin:logout"),
                reverse("set_language"),
                reverse("healthz"),
            )
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not is_verified(user)
            and second_factor_due(user)
            and request.path_info not in self.open_paths()
        ):
            next_url = request.get_full_path() if request.method in ("GET", "HEAD") else ""
            return HttpResponseRedirect(second_factor_url(request, user, next_url))
        return self.get_response(request)
