"""Enrolment, verification and recovery codes: the second step of the staff sign-in.

The pages work without JavaScript (the CSP allows none inline anyway); the enrolment QR code
is an SVG image in a data: URL, with the key also shown as text for typing it in.
"""

import base64
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.conf import settings as axes_settings
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from mie_dx.two_factor.forms import DescribedForm, RecoveryCodeForm, TokenForm
from mie_dx.two_factor.middleware import second_factor_url
from mie_dx.two_factor.policy import (
    RECOVERY_CODE_COUNT,
    has_authenticator,
    is_verified,
    new_recovery_code,
    recovery_code_digest,
    requires_second_factor,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

DEVICE_NAME = "authenticator"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _credentials(user: "User | AnonymousUser") -> dict[str, str]:
    return {axes_settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def _locked_out(request: HttpRequest) -> HttpResponse | None:
    """The lockout page (and the half-finished sign-in ended) when the account or the address
    is locked out, else None."""
    credentials = _credentials(request.user)
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        response: HttpResponse = get_lockout_response(request, credentials=credentials)
        return response
    return None


def _count_failure(request: HttpRequest) -> HttpResponse | None:
    """A wrong code counts like a wrong password (per username and per address)."""
    credentials = _credentials(request.user)
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        logout(request)
        response: HttpResponse = get_lockout_response(request, credentials=credentials)
        return response
    return None


def _signed_in_with(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)
    # A new session key for the fully signed-in session.
    request.session.cycle_key()


def _may_enrol(user: "User") -> bool:
    return user.is_staff or requires_second_factor(user)


def _qr_data_url(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The admin's header and title, without its menus (the person is not signed in yet)."""
    from django.contrib import admin

    base = {"site_header": admin.site.site_header, "site_title": admin.site.site_title}
    return render(request, template, base | context)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def replace_recovery_codes(user: "User") -> list[str]:
    """A new set of recovery codes (the old ones stop working); only their keyed hashes are
    stored, the codes are returned to be shown once."""
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        device.token_set.bulk_create(
            [device.token_set.model(device=device, token=recovery_code_digest(c)) for c in codes]
        )
    return codes


def _recovery_codes_page(request: HttpRequest, codes: list[str] | None) -> HttpResponse:
    remaining = sum(
        device.token_set.count() for device in StaticDevice.objects.devices_for_user(request.user)
    )
    return _page(
        request,
        "otp/recovery_codes.html",
        {
            "title": _("リカバリーコード"),
            "codes": codes,
            "remaining": remaining,
            "next": _next_url(request),
        },
    )


@never_cache
@sensitive_post_parameters("token", "recovery_code")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app, or a recovery code."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(
            f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
        )
    next_url = _next_url(request)
    if is_verified(user):
        return HttpResponseRedirect(next_url)
    if not has_authenticator(user):
        return HttpResponseRedirect(second_factor_url(request, user, next_url))
    if locked := _locked_out(request):
        return locked

    token_form, recovery_form = TokenForm(), RecoveryCodeForm()
    throttled = False
    if request.method == "POST":
        using_recovery = "recovery_code" in request.POST
        form: DescribedForm
        if using_recovery:
            form = recovery_form = RecoveryCodeForm(request.POST)
        else:
            form = token_form = TokenForm(request.POST)
        if form.is_valid():
            if using_recovery:
                devices = list(StaticDevice.objects.devices_for_user(user, confirmed=True))
                token = recovery_code_digest(form.cleaned_data["recovery_code"])
            else:
                devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
                token = form.cleaned_data["token"]
            throttled = any(not device.verify_is_allowed()[0] for device in devices)
            for device in devices:
                if verified := otp_verify_token(user, device.persistent_id, token):
                    _signed_in_with(request, verified)
                    return HttpResponseRedirect(next_url)
            if locked := _count_failure(request):
                return locked
            field = "recovery_code" if using_recovery else "token"
            form.add_error(
                field,
                _("コードが正しくないか、すでに使われています。")
                if not throttled
                else _("続けて失敗したため、しばらく待ってからもう一度入力してください。"),
            )
    return _page(
        request,
        "otp/verify.html",
        {
            "title": _("2段階認証"),
            "token_form": token_form,
            "recovery_form": recovery_form,
            "next": next_url,
            "has_errors": bool(token_form.errors or recovery_form.errors),
        },
    )


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: a new authenticator key, confirmed by its first code; then the recovery codes."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(
            f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
        )
    if not _may_enrol(user):
        raise PermissionDenied
    next_url = _next_url(request)
    if has_authenticator(user):
        # Enrolled already: a new key only through an administrator (who deletes the old one),
        # never by someone who knows the password alone.
        if not is_verified(user):
            return HttpResponseRedirect(second_factor_url(request, user, next_url))
        return HttpResponseRedirect(
            f"{reverse('two_factor:recovery_codes')}?{urlencode({'next': next_url})}"
        )
    if locked := _locked_out(request):
        return locked

    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by(
        "pk"
    ).first() or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm()
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
                confirmed = device.verify_token(form.cleaned_data["token"])
                if confirmed:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            if confirmed:
                codes = replace_recovery_codes(user)
                _signed_in_with(request, device)
                return _recovery_codes_page(request, codes)
            if locked := _count_failure(request):
                return locked
            form.add_error(
                "token",
                _(
                    "コードが正しくありません。認証アプリに今表示されているコードを入力してください。"
                ),
            )
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return _page(
        request,
        "otp/setup.html",
        {
            "title": _("2段階認証の設定"),
            "form": form,
            "has_errors": bool(form.errors),
            "qr_data_url": _qr_data_url(device.config_url),
            "secret": _grouped(secret),
            "required": requires_second_factor(user),
            "next": next_url,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left, and a new set (shown once) on request."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(
            f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
        )
    if not has_authenticator(user):
        if not _may_enrol(user):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("two_factor:setup"))
    if not is_verified(user):
        return HttpResponseRedirect(second_factor_url(request, user, request.get_full_path()))
    codes = replace_recovery_codes(user) if request.method == "POST" else None
    return _recovery_codes_page(request, codes)
