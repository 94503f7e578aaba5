"""Fixtures for the consultation tests: private storage for uploads."""

import pytest


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
