"""Fixtures for the consultation tests: uploads always go to a private directory per test."""

import pytest


@pytest.fixture(autouse=True)
def _private_media(private_media):
    return private_media
