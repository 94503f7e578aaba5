"""The consultation workflow: which status may follow which, and who hears about it.

received → triage → matching → advising → closed, plus on_hold, withdrawn and declined.
The center may also answer during triage itself (初期的なコンサルティング) and close there.

Asking supporters happens in `matching` and leaves the case there (「マッチング（依頼中）」
while answers are awaited); `advising` (助言・提案) begins when a supporter accepts, or when
advice is recorded for one (services.respond_to_assignment, services.record_advice).
"""

from django.utils.translation import gettext as _

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


# Where staff may take a case to matching in one step (services.start_matching): a case still
# `received` passes through triage on the way.
START_MATCHING_FROM = frozenset({Status.RECEIVED, Status.TRIAGE, Status.ON_HOLD})

# Where advice may be recorded: in matching, recording it is the supporter's acceptance and
# moves the case to advising first.
ADVICE_STATUSES = frozenset({Status.MATCHING, Status.ADVISING})


def status_label(status: str, *, awaiting_answer: bool = False) -> str:
    """The status as staff read it: 「マッチング（依頼中）」 while a supporter who was asked has
    not answered yet, the status's own label otherwise."""
    if status == Status.MATCHING and awaiting_answer:
        return _("マッチング（依頼中）")
    return str(Status(status).label)
