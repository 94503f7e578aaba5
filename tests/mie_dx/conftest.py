"""Fixtures for the outbox tests: a scriptable mail server and a way to queue a message."""

from collections.abc import Callable

import pytest
from django.db import transaction

from mie_dx.models import Notification
from mie_dx.notifications import queue_notification
from tests.mie_dx.backends import ScriptedBackend


@pytest.fixture
def mail_server(settings, mailoutbox):
    """The mail backend for the test: delivers to `mailoutbox` unless told to fail."""
    settings.EMAIL_BACKEND = "tests.mie_dx.backends.ScriptedBackend"
    ScriptedBackend.reset()
    yield ScriptedBackend
    ScriptedBackend.reset()


@pytest.fixture
def queue_alert(db) -> Callable[..., Notification]:
    """Queue a staff alert (a real template) in its own transaction; keywords override."""

    def queue(**overrides) -> Notification:
        arguments = {
            "to": "staff@example.jp",
            "template": "staff_alert",
            "context": {
                "title": "受付から3営業日が経過した相談があります",
                "lines": ["DX-2026-0001"],
            },
            **overrides,
        }
        with transaction.atomic():
            return queue_notification(**arguments)

    return queue
