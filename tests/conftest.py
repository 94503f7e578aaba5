"""Shared fixtures: the people every view test needs, and a clean cache per test."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache

from mie_dx.roles import CENTER_STAFF, sync_roles


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits and login lockouts live in the (Redis) cache: start each test clean.
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def center_staff(staff_roles, password):
    """A member of センター事務局: staff, in the center staff group."""
    user = get_user_model().objects.create_user(
        username="staff", email="staff@example.jp", password=password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=CENTER_STAFF))
    return user


@pytest.fixture
def public_user(db, password):
    """Someone with an account but no staff rights: must be refused everywhere staff-only."""
    return get_user_model().objects.create_user(
        username="resident", email="resident@example.jp", password=password
    )
