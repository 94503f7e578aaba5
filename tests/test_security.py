"""The security baseline every page and the staff sign-in rely on.

Headers (CSP, nosniff, framing, referrer, COOP) on every kind of response, no inline script in
public pages, the django-axes lockout with a finite cool-off, the staff session's idle timeout,
Argon2 for new passwords in production, and `check --deploy` with the production settings.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from axes.helpers import get_client_cache_keys
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from mie_dx.settings import base as base_settings
from tests.conftest import enrol_authenticator, totp_code

ROOT = Path(__file__).resolve().parent.parent
ADMIN_LOGIN = "/admin/login/"
SECOND_FACTOR = "/admin/two-factor/"
ADMIN_INDEX = "/admin/"
LOCKOUT_HEADING = "ログインを一時的に停止しました"

# Every kind of response the portal sends: a page, a directory, JSON, the admin, a 404.
EVERY_PAGE = [
    "/",
    "/advisors/",
    "/consultations/new/",
    "/healthz",
    ADMIN_LOGIN,
    "/no-such-page/",
]
PUBLIC_PAGES = ["/", "/advisors/", "/consultations/new/", "/no-such-page/"]


def csp_directives(header: str) -> dict[str, list[str]]:
    """Split a Content-Security-Policy header into {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


class _InlineCodeFinder(HTMLParser):
    """Collects what a `script-src 'self'; style-src 'self'` policy would block."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self._in_inline_script = True
            self.problems.append(f"<script> without src: {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline event handler {name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f'style="" attribute on <{tag}>: {value!r}')
            if name in {"href", "src", "action"} and (value or "").lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
        if tag == "style":
            self.problems.append("<style> element")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def admin_login(client, *, username: str, password: str, **extra):
    return client.post(
        ADMIN_LOGIN, {"username": username, "password": password, "next": ADMIN_INDEX}, **extra
    )


def is_signed_in(client) -> bool:
    return SESSION_KEY in client.session


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def lock_key_ttls(*, username: str, ip_address: str) -> list[int]:
    """Seconds Redis will keep the axes failure counters of this account and of this address
    (counted separately)."""
    keys = get_client_cache_keys(AccessAttempt(username=username, ip_address=ip_address))
    assert len(keys) == 2
    client = redis_client()
    try:
        return [client.ttl(cache.make_and_validate_key(key)) for key in keys]
    finally:
        client.close()


# --- Headers --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", EVERY_PAGE)
def test_security_headers_on_every_page(client, path):
    response = client.get(path)

    assert response.status_code in {200, 404}, response.status_code
    csp = csp_directives(response["Content-Security-Policy"])
    assert "'self'" in csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_headers_on_the_lockout_page(client, superuser, password):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, username="admin", password="wrong-password-123")

    response = admin_login(client, username="admin", password=password)

    assert response.status_code == 429
    assert (
        "'unsafe-inline'" not in csp_directives(response["Content-Security-Policy"])["script-src"]
    )
    assert response["X-Frame-Options"] == "DENY"
    assert inline_code(response.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_inline_script_or_style(client, path):
    response = client.get(path)
    html = response.content.decode()

    assert "<script" in html, "the page should load its scripts from files"
    assert inline_code(html) == []


def test_inline_code_finder_catches_what_csp_blocks():
    # The check above must be able to fail.
    html = (
        '<script src="/static/a.js"></script><script>alert(1)</script>'
        '<p style="color:red" onclick="x()">x</p><a href="javascript:void(0)">y</a>'
    )
    assert len(inline_code(html)) == 4


# --- django-axes lockout ----------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(
    client, superuser, password
):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        response = admin_login(client, username="admin", password=f"wrong-{attempt}-password")
        assert response.status_code == 200, f"attempt {attempt} should just show the form again"
    response = admin_login(client, username="admin", password="wrong-5-password")
    assert response.status_code == 429  # the fifth failure already locks

    response = admin_login(client, username="admin", password=password)

    assert response.status_code == 429
    assert LOCKOUT_HEADING in response.content.decode()
    assert "registration/lockout.html" in [t.name for t in response.templates]
    assert not is_signed_in(client)
    assert client.get(ADMIN_INDEX).status_code == 302


@pytest.mark.django_db
def test_an_account_is_locked_from_every_address(client, superuser, password):
    """Counted per username: spreading the guesses over many addresses does not help."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        admin_login(
            client,
            username="admin",
            password="wrong-password-123",
            REMOTE_ADDR=f"10.0.1.{attempt + 1}",
        )

    response = admin_login(client, username="admin", password=password, REMOTE_ADDR="10.0.2.1")

    assert response.status_code == 429
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_an_address_is_locked_for_every_account(client, superuser, manager, password):
    """Counted per address too: one address cannot try a few passwords on many usernames."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, username=f"guess{attempt}", password="wrong-password-123")

    # Even a right password of an untouched account, from that address.
    response = admin_login(client, username=manager.username, password=password)
    assert response.status_code == 429
    assert not is_signed_in(client)

    # The accounts themselves are not locked: their owners sign in from elsewhere.
    response = admin_login(
        client, username=manager.username, password=password, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 302
    assert is_signed_in(client)


@pytest.mark.django_db
def test_the_lock_has_a_finite_cool_off_in_redis(client, superuser):
    cool_off = settings.AXES_COOLOFF_TIME
    assert cool_off == timedelta(minutes=15)
    assert settings.AXES_HANDLER == "mie_dx.two_factor.lockout.CacheHandler"

    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, username="admin", password="wrong-password-123")

    ttls = lock_key_ttls(username="admin", ip_address="127.0.0.1")
    # -1 would mean "never expires", -2 "no such key": the counters must exist and expire.
    assert all(15 * 60 - 10 <= ttl <= 15 * 60 for ttl in ttls), ttls


@pytest.mark.django_db
def test_sign_in_works_again_after_the_cool_off(client, superuser, password):
    # Redis expires keys on the real clock, which time_machine cannot move, so the cool-off is
    # shortened and really waited out. The test above proves the configured one is 15 minutes
    # on the same key.
    with override_settings(AXES_COOLOFF_TIME=timedelta(seconds=2)):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            admin_login(client, username="admin", password="wrong-password-123")
        assert admin_login(client, username="admin", password=password).status_code == 429
        assert all(0 < ttl <= 2 for ttl in lock_key_ttls(username="admin", ip_address="127.0.0.1"))

        deadline = time.monotonic() + 10
        while set(lock_key_ttls(username="admin", ip_address="127.0.0.1")) != {-2}:
            assert time.monotonic() < deadline, "the lock never expired"
            time.sleep(0.2)

        response = admin_login(client, username="admin", password=password)

    assert response.status_code == 302
    assert response["Location"] == ADMIN_INDEX
    assert is_signed_in(client)


@pytest.mark.django_db
def test_a_successful_sign_in_resets_the_accounts_failure_count(client, superuser, password):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, username="admin", password="wrong-password-123")
    assert admin_login(client, username="admin", password=password).status_code == 302
    client.logout()

    # Four more failures (from another address, whose own count is separate) would lock the
    # account if the earlier four were still counted.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = admin_login(
            client, username="admin", password="wrong-password-123", REMOTE_ADDR="10.0.0.5"
        )
        assert response.status_code == 200

    response = admin_login(client, username="admin", password=password, REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 302
    assert is_signed_in(client)


@pytest.mark.django_db
def test_a_successful_sign_in_does_not_reset_the_addresss_count(
    client, superuser, manager, password
):
    """Otherwise anyone with one valid account could sign in between guesses and try many
    usernames from one address."""
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, username=f"guess{attempt}", password="wrong-password-123")
    assert admin_login(client, username=manager.username, password=password).status_code == 302
    client.logout()

    response = admin_login(client, username="guess-again", password="wrong-password-123")

    assert response.status_code == 429
    assert admin_login(client, username="admin", password=password).status_code == 429


@pytest.mark.django_db
def test_a_member_of_the_public_is_refused_by_the_admin(client, public_user, password):
    response = admin_login(client, username="resident", password=password)

    assert response.status_code == 200  # the form again, with an error
    assert not is_signed_in(client)
    assert client.get(ADMIN_INDEX).status_code == 302


# --- Staff session idle timeout -------------------------------------------------------------


@pytest.mark.django_db
def test_staff_session_expires_after_thirty_idle_minutes(client, superuser, password, time_machine):
    device = enrol_authenticator(superuser)
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    assert admin_login(client, username="admin", password=password).status_code == 302
    # The second step (a superuser must): the code from the authenticator app.
    response = client.post(SECOND_FACTOR, {"token": totp_code(device), "next": ADMIN_INDEX})
    assert response.status_code == 302
    assert response["Location"] == ADMIN_INDEX
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 1800
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"

    # Each request pushes the expiry forward (SESSION_SAVE_EVERY_REQUEST): the response sets
    # the cookie again with a fresh 30 minutes.
    time_machine.move_to(start + timedelta(minutes=20), tick=False)
    response = client.get(ADMIN_INDEX)
    assert response.status_code == 200
    refreshed = response.cookies[settings.SESSION_COOKIE_NAME]
    assert refreshed["max-age"] == 1800
    assert refreshed["expires"] != cookie["expires"]

    # 45 minutes after signing in but only 25 idle: still signed in.
    time_machine.move_to(start + timedelta(minutes=45), tick=False)
    assert client.get(ADMIN_INDEX).status_code == 200

    # 31 idle minutes: sent to the sign-in page.
    time_machine.move_to(start + timedelta(minutes=45 + 31), tick=False)
    response = client.get(ADMIN_INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(ADMIN_LOGIN)
    assert not is_signed_in(client)


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_production_hashers_store_argon2(password):
    assert base_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        user = get_user_model().objects.create_user(username="hashed", password=password)
        user.refresh_from_db()

        assert user.password.startswith("argon2$argon2id$")
        assert user.check_password(password)


# --- Production settings ----------------------------------------------------------------------


def production_env(**overrides: str) -> dict[str, str]:
    """A deployment's environment: only what production sets, nothing inherited from the test
    process (which sets e.g. DJANGO_ALLOW_ASYNC_UNSAFE for Playwright)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="mie_dx.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48)[:64],
        REDIS_URL=settings.REDIS_URL,
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/mie_dx"),
        EMAIL_URL="smtp://127.0.0.1:1025",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    env = production_env()
    assert len(env["SECRET_KEY"]) == 64

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param("", id="missing"),
        pytest.param("django-insecure-" + "x" * 60, id="django-insecure"),
        pytest.param("short-secret", id="short"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    # An empty value (not an unset one) also wins over any SECRET_KEY in a local .env file.
    result = manage("check", env=production_env(SECRET_KEY=secret_key))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert re.search(r"SECRET_KEY", result.stderr)


def test_behind_trusted_proxies_the_visitor_address_is_the_one_the_proxy_saw(rf, settings):
    from mie_dx.client_ip import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # The left entry was written by the client and is ignored.
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_behind_a_proxy_the_rate_limit_counts_each_visitor_separately(client, settings):
    from tests.consultations.factories import valid_form_data

    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_POST_RATE = "5/h"
    for n in range(5):
        response = client.post(
            "/consultations/new/",
            valid_form_data(email=f"a{n}@example.jp"),
            HTTP_X_FORWARDED_FOR="203.0.113.1",
        )
        assert response.status_code == 302
    limited = client.post(
        "/consultations/new/", valid_form_data(), HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    assert limited.status_code == 429
    other = client.post(
        "/consultations/new/",
        valid_form_data(email="b@example.jp"),
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )
    assert other.status_code == 302
