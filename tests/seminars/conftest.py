"""Fixtures for the seminar tests."""

from contextlib import contextmanager

import pytest


@pytest.fixture
def capture_mail(django_capture_on_commit_callbacks, mailoutbox):
    """``with capture_mail() as sent:`` — the e-mails sent once the block's transactions commit."""

    @contextmanager
    def capture():
        sent: list = []
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            yield sent
        sent.extend(mailoutbox[before:])

    return capture
