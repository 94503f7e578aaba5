"""What every seminar service shares: the domain errors, the results, and the row locks
(the locking rule is in seminars.services)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from seminars.models import Registration, Seminar


class SeminarError(Exception):
    """A request the rules do not allow; the message is shown to the person as it is."""


class RegistrationClosed(SeminarError):
    """Registration is not open for this seminar (draft, cancelled, past, after the deadline)."""


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    # False when the address already had an active registration: nothing new was created and
    # the management link was sent to that address again.
    created: bool
    # What the person is told on screen: the new registration's status, or — for an address
    # already registered — the status a new one would have had, so that the answer does not
    # reveal whether an address is registered (the e-mail tells its owner what happened).
    shown_status: str


@dataclass
class SlotAssignment:
    assigned: list[Registration] = field(default_factory=list)
    unassigned: list[Registration] = field(default_factory=list)


def _lock_seminar(seminar: Seminar) -> Seminar:
    return Seminar.objects.select_for_update().get(pk=seminar.pk)


def _lock_registration(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("seminar")
        .get(pk=registration.pk)
    )


def _has_started(seminar: Seminar, now: datetime) -> bool:
    if seminar.starts_at is not None:
        return now >= seminar.starts_at
    return seminar.date is not None and timezone.localdate(now) >= seminar.date
