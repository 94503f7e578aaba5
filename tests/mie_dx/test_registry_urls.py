"""The registry's URL prefixes: each app's `url_prefix`, then the extra prefixes apps declare
(`extra_url_prefixes`), one app's each."""

import pytest
from django.apps import apps

from mie_dx.registry import url_prefixes


def test_an_app_serves_an_extra_prefix_beside_its_own():
    prefixes = url_prefixes()

    assert ("procedures/", "procedures.urls") in prefixes
    assert ("municipal-dx/", "procedures.municipal_urls") in prefixes


def test_two_apps_may_not_declare_one_extra_prefix(monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("training"),
        "extra_url_prefixes",
        {"municipal-dx/": "training.urls"},
        raising=False,
    )

    with pytest.raises(ValueError, match="municipal-dx/"):
        url_prefixes()
