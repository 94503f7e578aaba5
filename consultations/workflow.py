"""The consultation workflow: which status may follow which, and who hears about it.

received → triage → matching → advising → closed, plus on_hold, withdrawn and declined.
The center may also answer during triage itself (初期的なコンサルティング) and close there.
"""

from consultations.models import Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.TRIAGE, Status.ON_HOLD, Status.DECLINED, Status.WITHDRAWN}),
    Status.TRIAGE: frozenset(
        {Status.MATCHING, Status.CLOSED, Status.ON_HOLD, Status.DECLINED, Status.WITHDRAWN}
    ),
    Status.MATCHING: frozenset(
        {Status.ADVISING, Status.TRIAGE, Status.ON_HOLD, Status.DECLINED, Status.WITHDRAWN}
    ),
    Status.ADVISING: frozenset({Status.CLOSED, Status.MATCHING, Status.ON_HOLD, Status.WITHDRAWN}),
    Status.ON_HOLD: frozenset(
        {Status.TRIAGE, Status.MATCHING, Status.ADVISING, Status.DECLINED, Status.WITHDRAWN}
    ),
    Status.CLOSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.DECLINED: frozenset(),
}

# Changes the requester is told about by e-mail (the rest show on the status page only).
# Matching is announced by the assignment itself, closing by the survey message.
REQUESTER_NOTIFIED = frozenset({Status.ON_HOLD, Status.DECLINED, Status.WITHDRAWN})


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


def next_statuses(from_status: str) -> list[Status]:
    """Allowed next statuses in the workflow's own order (for staff menus)."""
    allowed = ALLOWED_TRANSITIONS.get(from_status, frozenset())
    return [status for status in Status if status in allowed]
