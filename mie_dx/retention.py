"""Erasing personal data past the retention period, in every app that holds some.

Each app contributes `purge_expired(*, dry_run)` in its own `retention.py`, returning what it
erased (or would erase): references of consultations, ids of seminar registrations.
PERSONAL_DATA_RETENTION_DAYS sets the period. Beat runs `purge_all` daily; the
`purge_personal_data` command runs it by hand.
"""

from collections.abc import Callable

from consultations.retention import purge_expired as purge_consultations
from seminars.retention import purge_expired as purge_registrations

PURGERS: list[tuple[str, Callable[..., list]]] = [
    ("consultations", purge_consultations),
    ("seminar registrations", purge_registrations),
]


def purge_all(*, dry_run: bool = False) -> dict[str, list]:
    return {label: purge(dry_run=dry_run) for label, purge in PURGERS}
