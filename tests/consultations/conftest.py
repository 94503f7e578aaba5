"""Fixtures for the consultation tests: private storage, a manager, the matched supporter."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from mie_dx.roles import MANAGERS


@pytest.fixture(autouse=True)
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


@pytest.fixture
def manager(staff_roles, password):
    """Staff who may read consultations but not the requesters' personal data."""
    user = get_user_model().objects.create_user(
        username="cdo", email="cdo@example.jp", password=password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=MANAGERS))
    return user
