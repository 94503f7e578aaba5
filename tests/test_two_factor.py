"""The staff second factor (issue 13, item 6), through HTTP.

Staff who may see personal data (any `view_personal_data`) and superusers cannot reach any
admin page, nor a staff-only view, after the password alone: they are sent to the code page,
or to enrolment when they have no authenticator yet. Enrolment confirms the key with a first
code and shows ten recovery codes once; each recovery code signs in once. Managers reach the
admin with the password only, unless they enrolled. Wrong codes count toward the lockout,
per username and per address.

These tests sign in through the pages, so `client.force_login`'s shortcut (tests/conftest.py)
is switched off here.
"""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.cache import SessionStore
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mie_dx.two_factor.admin_site import AdminSite
from mie_dx.two_factor.policy import recovery_code_digest, requires_second_factor
from mie_dx.two_factor.views import replace_recovery_codes
from tests.conftest import enrol_authenticator, totp_code

ADMIN_LOGIN = "/admin/login/"
ADMIN_INDEX = "/admin/"
VERIFY = "/admin/two-factor/"
SETUP = "/admin/two-factor/setup/"
RECOVERY_CODES = "/admin/two-factor/recovery-codes/"

ADMIN_PAGES = [
    "/admin/",
    "/admin/consultations/consultation/",
    "/admin/seminars/registration/",
    "/admin/mie_dx/notification/",
    "/admin/mie_dx/auditlog/",
    "/admin/password_change/",
]


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor():
    """Overrides tests/conftest.py's: here, nobody passes the second factor by default."""


def password_sign_in(client, user, password, **extra):
    response = client.post(
        ADMIN_LOGIN,
        {"username": user.username, "password": password, "next": ADMIN_INDEX},
        **extra,
    )
    assert response.status_code == 302, "the password step should succeed"
    return response


def redirects_to(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"].split("?")[0] == path


def recovery_codes_in(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)


# --- Who must -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_who_must_pass_the_second_factor(center_staff, manager, superuser, public_user):
    assert requires_second_factor(center_staff)  # consultations/seminars view_personal_data
    assert requires_second_factor(superuser)
    assert not requires_second_factor(manager)
    assert not requires_second_factor(public_user)
    assert not requires_second_factor(AnonymousUser())


# --- Refused without the second factor -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_staff_with_personal_data_cannot_reach_the_admin_with_a_password_only(
    client, center_staff, password, path
):
    enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)

    response = client.get(path)

    assert redirects_to(response, VERIFY)
    assert response["Location"].endswith("?next=" + path.replace("/", "%2F"))


@pytest.mark.django_db
def test_without_an_authenticator_they_are_sent_to_enrolment(client, center_staff, password):
    password_sign_in(client, center_staff, password)

    assert redirects_to(client.get("/admin/consultations/consultation/"), SETUP)
    # The verification page too sends them there.
    assert redirects_to(client.get(VERIFY), SETUP)


@pytest.mark.django_db
def test_staff_only_views_outside_the_admin_are_refused_too(client, center_staff, password):
    enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)

    assert redirects_to(client.get("/consultations/1/attachment/"), VERIFY)


@pytest.mark.django_db
def test_posts_are_refused_as_well(client, center_staff, password):
    enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)

    response = client.post("/admin/mie_dx/notification/", {"action": "resend"})

    assert response["Location"] == VERIFY  # no `next` for a POST


@pytest.mark.django_db
def test_the_admin_site_itself_refuses_an_unverified_user(center_staff, manager):
    """Should a request reach the admin without the middleware, the site still refuses."""
    site = AdminSite()
    request = RequestFactory().get(ADMIN_INDEX)
    request.session = SessionStore()
    for user, allowed in ((center_staff, False), (manager, True)):
        user.is_verified = lambda: False
        request.user = user
        assert site.has_permission(request) is allowed
    center_staff.is_verified = lambda: True
    request.user = center_staff
    assert site.has_permission(request)


def test_the_default_admin_site_is_ours():
    from django.contrib import admin

    assert isinstance(admin.site, AdminSite)


# --- Verified --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_the_code_from_the_authenticator_they_reach_every_admin_page(
    client, center_staff, password
):
    device = enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)
    response = client.get(ADMIN_INDEX)
    assert redirects_to(response, VERIFY)

    verify_page = client.get(response["Location"])
    assert verify_page.status_code == 200
    response = client.post(VERIFY, {"token": totp_code(device), "next": ADMIN_INDEX})

    assert response.status_code == 302
    assert response["Location"] == ADMIN_INDEX
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path


@pytest.mark.django_db
def test_a_code_is_accepted_once(client, center_staff, password):
    device = enrol_authenticator(center_staff)
    code = totp_code(device)
    password_sign_in(client, center_staff, password)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.post("/admin/logout/")

    password_sign_in(client, center_staff, password)
    response = client.post(VERIFY, {"token": code})

    assert response.status_code == 200
    assert "コードが正しくないか、すでに使われています。" in response.content.decode()
    assert redirects_to(client.get(ADMIN_INDEX), VERIFY)


@pytest.mark.django_db
def test_the_next_address_stays_on_this_site(client, center_staff, password):
    device = enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)

    response = client.post(
        VERIFY, {"token": totp_code(device), "next": "https://evil.example/admin/"}
    )

    assert response["Location"] == ADMIN_INDEX


@pytest.mark.django_db
def test_the_session_key_changes_when_the_second_factor_is_passed(client, center_staff, password):
    device = enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    client.post(VERIFY, {"token": totp_code(device)})

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


# --- Enrolment -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enrolment_confirms_the_key_with_a_first_code_then_shows_recovery_codes(
    client, center_staff, password
):
    password_sign_in(client, center_staff, password)
    page = client.get(SETUP + "?next=/admin/consultations/consultation/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, no script, no CDN
    device = TOTPDevice.objects.get(user=center_staff)
    assert not device.confirmed
    secret = re.search(r'<code class="two-factor-secret" translate="no">([A-Z2-7 ]+)</code>', html)
    assert secret and len(secret.group(1).replace(" ", "")) == 32
    # Reloading keeps the same key (the app may have scanned it already).
    client.get(SETUP)
    assert TOTPDevice.objects.get(user=center_staff).key == device.key
    # Not signed in yet.
    assert redirects_to(client.get(ADMIN_INDEX), SETUP)

    wrong = client.post(SETUP, {"token": "000000"} if totp_code(device) != "000000" else {})
    assert wrong.status_code == 200
    assert "コードが正しくありません" in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    done = client.post(
        SETUP, {"token": totp_code(device), "next": "/admin/consultations/consultation/"}
    )

    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = recovery_codes_in(done.content.decode())
    assert len(codes) == 10 == len(set(codes))
    # Only keyed hashes are stored.
    stored = set(
        StaticToken.objects.filter(device__user=center_staff).values_list("token", flat=True)
    )
    assert stored == {recovery_code_digest(code) for code in codes}
    assert not stored & set(codes)
    assert 'href="/admin/consultations/consultation/"' in done.content.decode()
    # Enrolment signed them in with the new device.
    assert client.get(ADMIN_INDEX).status_code == 200
    # The codes are never shown again.
    again = client.get(RECOVERY_CODES)
    assert again.status_code == 200
    assert recovery_codes_in(again.content.decode()) == []
    assert "残り 10 個" in again.content.decode()


@pytest.mark.django_db
def test_knowing_the_password_is_not_enough_to_replace_the_authenticator(
    client, center_staff, password
):
    device = enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)

    assert redirects_to(client.get(SETUP), VERIFY)
    assert redirects_to(client.post(SETUP, {"token": "123456"}), VERIFY)
    assert list(TOTPDevice.objects.filter(user=center_staff)) == [device]
    assert redirects_to(client.get(RECOVERY_CODES), VERIFY)
    assert redirects_to(client.post(RECOVERY_CODES), VERIFY)


@pytest.mark.django_db
def test_the_public_cannot_enrol(client, public_user):
    client.force_login(public_user)

    assert client.get(SETUP).status_code == 403


@pytest.mark.django_db
def test_the_pages_need_a_password_sign_in_first(client):
    for path in (VERIFY, SETUP, RECOVERY_CODES):
        response = client.get(path)
        assert redirects_to(response, ADMIN_LOGIN), path


# --- Recovery codes --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(client, center_staff, password):
    enrol_authenticator(center_staff)
    codes = replace_recovery_codes(center_staff)
    password_sign_in(client, center_staff, password)

    # Typed in capitals, without the hyphen: still the same code.
    response = client.post(VERIFY, {"recovery_code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(ADMIN_INDEX).status_code == 200
    client.post("/admin/logout/")

    password_sign_in(client, center_staff, password)
    response = client.post(VERIFY, {"recovery_code": codes[3]})
    assert response.status_code == 200
    assert redirects_to(client.get(ADMIN_INDEX), VERIFY)
    assert StaticToken.objects.filter(device__user=center_staff).count() == 9


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(client, center_staff, password, time_machine):
    device = enrol_authenticator(center_staff)
    old = replace_recovery_codes(center_staff)
    password_sign_in(client, center_staff, password)
    client.post(VERIFY, {"token": totp_code(device)})

    response = client.post(RECOVERY_CODES)

    new = recovery_codes_in(response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/admin/logout/")
    password_sign_in(client, center_staff, password)
    assert client.post(VERIFY, {"recovery_code": old[0]}).status_code == 200
    # After a wrong code the next try waits a second (django-otp's throttling).
    time_machine.move_to(timezone.now() + timedelta(seconds=2))
    assert client.post(VERIFY, {"recovery_code": new[0]}).status_code == 302


# --- Others: optional ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_manager_reaches_the_admin_with_the_password_only(client, manager, password):
    password_sign_in(client, manager, password)

    assert client.get(ADMIN_INDEX).status_code == 200
    assert client.get("/admin/mie_dx/department/").status_code == 200


@pytest.mark.django_db
def test_a_manager_may_enrol_and_is_then_asked_for_the_code(client, manager, password):
    password_sign_in(client, manager, password)
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=manager)
    assert client.post(SETUP, {"token": totp_code(device)}).status_code == 200
    client.post("/admin/logout/")

    password_sign_in(client, manager, password)
    assert redirects_to(client.get(ADMIN_INDEX), VERIFY)
    assert client.post(VERIFY, {"token": totp_code(device)}).status_code == 302
    assert client.get(ADMIN_INDEX).status_code == 200


# --- Lockout ---------------------------------------------------------------------------------


def wrong_code(device: TOTPDevice) -> str:
    right = int(totp_code(device))
    return f"{(right + 500_000) % 1_000_000:06d}"


@pytest.mark.django_db
def test_wrong_codes_lock_the_account_from_every_address(client, center_staff, password):
    device = enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(VERIFY, {"token": wrong_code(device)})
        assert response.status_code == 200

    response = client.post(VERIFY, {"token": wrong_code(device)})

    assert response.status_code == 429
    assert "registration/lockout.html" in [t.name for t in response.templates]
    # The half-finished sign-in is over …
    assert redirects_to(client.get(ADMIN_INDEX), ADMIN_LOGIN)
    # … and the account is locked, from another address too, even with the right password.
    response = client.post(
        ADMIN_LOGIN,
        {"username": center_staff.username, "password": password, "next": ADMIN_INDEX},
        REMOTE_ADDR="10.0.0.9",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_wrong_passwords_and_wrong_codes_from_one_address_add_up(
    client, center_staff, manager, password
):
    """Per address: a few wrong passwords on other accounts, then wrong codes, lock the address
    for every account."""
    device = enrol_authenticator(center_staff)
    for attempt in range(settings.AXES_FAILURE_LIMIT - 2):
        client.post(ADMIN_LOGIN, {"username": f"guess{attempt}", "password": "wrong-password"})
    # Signing in clears the account's count, not the address's (mie_dx.two_factor.lockout).
    password_sign_in(client, center_staff, password)
    assert client.post(VERIFY, {"token": wrong_code(device)}).status_code == 200

    response = client.post(VERIFY, {"token": wrong_code(device)})

    assert response.status_code == 429
    response = client.post(ADMIN_LOGIN, {"username": manager.username, "password": password})
    assert response.status_code == 429
    # The manager's account is not locked elsewhere.
    response = client.post(
        ADMIN_LOGIN, {"username": manager.username, "password": password}, REMOTE_ADDR="10.0.0.3"
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_locked_account_is_not_asked_for_a_code(client, center_staff, password):
    """Locked while the password step was already done (in another tab): the code page ends
    the sign-in instead of taking guesses."""
    enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)
    elsewhere = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        elsewhere.post(
            ADMIN_LOGIN,
            {"username": center_staff.username, "password": "wrong-password"},
            REMOTE_ADDR="10.0.0.7",
        )

    response = client.get(VERIFY)

    assert response.status_code == 429
    assert redirects_to(client.get(ADMIN_INDEX), ADMIN_LOGIN)


# --- The pages -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_code_page_is_accessible(client, center_staff, password):
    device = enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)
    html = client.get(VERIFY).content.decode()
    assert '<label for="id_token">確認コード（6桁）' in html
    field = re.search(r"<input[^>]*name=\"token\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in field
    assert 'inputmode="numeric"' in field
    assert 'aria-describedby="id_token_helptext"' in field
    assert '<label for="id_recovery_code">リカバリーコード' in html

    html = client.post(VERIFY, {"token": wrong_code(device)}).content.decode()

    assert 'id="error-summary" role="alert"' in html
    assert '<a href="#id_token">' in html
    field = re.search(r"<input[^>]*name=\"token\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_token_helptext id_token_error"' in field
    assert 'id="id_token_error"' in html
    assert "<title>入力エラー" in unescape(html)


@pytest.mark.django_db
def test_a_malformed_code_is_refused_without_counting(client, center_staff, password):
    enrol_authenticator(center_staff)
    password_sign_in(client, center_staff, password)

    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(VERIFY, {"token": "12ab"})
        assert response.status_code == 200
        assert "確認コードは6桁の数字です。" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "button"),
    [("ja", "みえDXセンター", "ログイン"), ("en", None, "Log in")],
)
def test_the_admin_sign_in_in_japanese_and_english(client, language, title, button):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    html = client.get(ADMIN_LOGIN).content.decode()

    assert f'<html lang="{language}"' in html
    assert f'value="{button}"' in html
    if title:
        assert title in html
    # The language switch, on the sign-in page itself.
    assert 'action="/i18n/setlang/"' in html


@pytest.mark.django_db
def test_without_redis_a_sign_in_clears_the_accounts_attempts_only(monkeypatch):
    """The database handler (no REDIS_URL): the same rule as the cache handler."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt

    from mie_dx.two_factor.lockout import DatabaseHandler

    monkeypatch.setattr(AxesProxyHandler, "implementation", DatabaseHandler())

    common = {"user_agent": "test", "path_info": ADMIN_LOGIN, "failures_since_start": 2}
    AccessAttempt.objects.create(username="staff", ip_address="10.0.0.1", **common)
    AccessAttempt.objects.create(username="guess", ip_address="10.0.0.1", **common)

    assert DatabaseHandler().reset_user_attempts(None, {"username": "staff"}) == 1
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["guess"]


@pytest.mark.django_db
def test_an_administrator_removes_a_lost_device_without_seeing_keys(
    client, superuser, center_staff, password
):
    admin_device = enrol_authenticator(superuser)
    lost = enrol_authenticator(center_staff)
    password_sign_in(client, superuser, password)
    client.post(VERIFY, {"token": totp_code(admin_device)})

    change = client.get(f"/admin/otp_totp/totpdevice/{lost.pk}/change/")
    assert change.status_code == 200
    assert lost.key not in change.content.decode()
    response = client.post(f"/admin/otp_totp/totpdevice/{lost.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert client.get("/admin/otp_static/staticdevice/").status_code == 200

    # The person enrols again at the next sign-in.
    other = Client()
    password_sign_in(other, center_staff, password)
    assert redirects_to(other.get(ADMIN_INDEX), SETUP)
