"""Sends a signed-in user who must pass the second factor, and has not yet, to do so."""

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from mie_dx.two_factor.policy import has_authenticator, is_verified, second_factor_due

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def second_factor_url(request: HttpRequest, user: "User", next_url: str = "") -> str:
    """The verification page, or enrolment for someone with no device yet."""
    name = "two_factor:verify" if has_authenticator(user) else "two_factor:setup"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class SecondFactorRequiredMiddleware:
    """After django_otp.middleware.OTPMiddleware. Only the second-factor pages themselves,
    signing out, the language switch and the health check stay open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
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
        session = request.session
        if SESSION_KEY not in session or DEVICE_ID_SESSION_KEY in session:
            # Nobody signed in, or signed in with the second factor in this session (only
            # django_otp.login, after a right code, puts a device there): no need to load the
            # user on every public page. OTPMiddleware still checks the device wherever
            # request.user is read, and the admin site asks is_verified() itself.
            return self.get_response(request)
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
