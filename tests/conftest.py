"""Shared fixtures: the people every view test needs (one per staff role, a member of the
public), capturing the e-mails sent, and a clean cache per test."""

import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from mie_dx.roles import (
    CENTER_STAFF,
    MANAGERS,
    PROCEDURE_OFFICERS,
    TRAINING_OFFICERS,
    sync_roles,
)
from mie_dx.two_factor.policy import second_factor_due


@pytest.fixture(autouse=True)
def _language_and_task_state_reset():
    """Each test starts in Japanese and outside any Celery task, whatever the test before it
    left behind (an English page activates English in this thread; an eager task that raised
    may leave its request on Celery's task stack or mark the process as one where joining a
    result would block). Without this, the outcome of a test would depend on which test ran
    before it — `make test` runs two processes, each with its own order."""
    from celery._state import _set_task_join_will_block, _task_stack
    from django.utils import translation

    from mie_dx.delivery import broker_breaker

    _set_task_join_will_block(False)
    broker_breaker.reset()
    yield
    broker_breaker.reset()
    translation.activate(settings.LANGUAGE_CODE)
    while _task_stack.top is not None:
        _task_stack.pop()
    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits and login lockouts live in the (Redis) cache: start each test clean.
    cache.clear()
    yield
    cache.clear()


def enrol_authenticator(user) -> TOTPDevice:
    """The user's confirmed TOTP device (as after enrolment), created if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows now: the current time step's, or the next
    one's when the current one was used already (a code is accepted once; the device accepts
    one step ahead)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time = device.t0 + (device.last_t + 1) * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` and `client.login(...)` stand for a complete sign-in: for
    someone who must pass the second factor, with a confirmed authenticator. The sign-in
    pages themselves (password, then code) are tested in tests/test_two_factor.py."""
    original = Client._login

    def login_with_second_factor(self, user, backend=None):
        original(self, user, backend)
        fresh = type(user)._default_manager.get(pk=user.pk)  # not the caller's cached perms
        if second_factor_due(fresh):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = enrol_authenticator(fresh).persistent_id
            session.save()

    monkeypatch.setattr(Client, "_login", login_with_second_factor)


@pytest.fixture
def password() -> str:
    return "correct-horse-battery-staple"


@pytest.fixture
def superuser(db, password):
    return get_user_model().objects.create_superuser(
        username="admin", email="admin@example.jp", password=password
    )


@pytest.fixture
def staff_roles(db) -> None:
    """The groups with what every app grants them, as after `migrate`.

    A transactional test (live_server, the worker) ends by flushing every table, including
    what migrate filled; this puts the roles back.
    """
    sync_roles()


def _staff_member(role: str, username: str, password: str):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.jp", password=password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def center_staff(staff_roles, password):
    """A member of センター事務局: staff, in the center staff group."""
    return _staff_member(CENTER_STAFF, "staff", password)


@pytest.fixture
def manager(staff_roles, password):
    """A manager (CDO, bureau): reads figures, never people's personal data."""
    return _staff_member(MANAGERS, "cdo", password)


@pytest.fixture
def training_officer(staff_roles, password):
    """人材育成担当."""
    return _staff_member(TRAINING_OFFICERS, "training", password)


@pytest.fixture
def procedure_officer(staff_roles, password):
    """行政手続担当."""
    return _staff_member(PROCEDURE_OFFICERS, "procedures", password)


@pytest.fixture
def public_user(db, password):
    """Someone with an account but no staff rights: must be refused everywhere staff-only."""
    return get_user_model().objects.create_user(
        username="resident", email="resident@example.jp", password=password
    )


@pytest.fixture
def capture_mail(django_capture_on_commit_callbacks, mailoutbox):
    """``with capture_mail() as sent:`` — the e-mails sent once the block's transactions commit
    (the outbox's tasks run on commit, in process)."""

    @contextmanager
    def capture():
        sent: list = []
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            yield sent
        sent.extend(mailoutbox[before:])

    return capture


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploads go to a fresh private directory per test (never the static area)."""
    location = tmp_path / "private_media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location
