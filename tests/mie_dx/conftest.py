"""Fixtures for the outbox tests: a scriptable mail server and a way to queue a message."""

from collections.abc import Callable
from datetime import date

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


# An e-mail whose uncertain send waits for staff (a reminder, not an acknowledgement or an
# internal alert: mie_dx.registry.resend_once_templates).
WAITS_FOR_STAFF = {
    "template": "training_reminder",
    "context": {"course_name": "DX基礎研修", "ends_on": date(2026, 12, 25), "label": "令和8年度"},
}


@pytest.fixture
def queue_reminder(queue_alert) -> Callable[..., Notification]:
    """Queue a staff member's training reminder (its uncertain send waits for staff)."""

    def queue(**overrides) -> Notification:
        return queue_alert(**{**WAITS_FOR_STAFF, **overrides})

    return queue


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
