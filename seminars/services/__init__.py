"""Every write about seminars: registering, the waiting list, attendance changes, cancelling,
check-in, individual-consultation slots, the seminar's own status, reminders and surveys.

Locking rule: each function that changes who holds a seat first locks the seminar row
(`select_for_update`) and only then counts and changes registrations. Every seat change of a
seminar is therefore serialised on that one row, so counting the free seats and taking one can
never interleave with another registration (no overbooking, fair order). The partial unique
constraint on (seminar, lower(email)) is the backstop against duplicates.

E-mails are outbox rows written in the same transaction (seminars/notifications.py); Celery
sends them after commit.

The lock is held until the transaction commits, so `register` keeps what happens under it to
deciding the seat and writing the rows: its e-mail (the confirmation with its .ics, or the
waiting-list notice) is rendered *before* the lock, for the outcome the free seats announce
then, into the id drawn for the registration; under the lock the row is inserted with that id
and the rendered message stored with it in the same transaction (a committed registration
always has its e-mail, a rolled-back one never). Only when the outcome turned out otherwise
(the last seat went meanwhile) or the seminar changed meanwhile is it rendered again under
the lock. With an individual consultation asked for, the message gives the consultation's
reference, so it is rendered once the consultation exists, under the lock.

The writes are grouped by who makes them: `public` (registrants), `staff` (center staff) and
`scheduled` (beat); `common` holds the errors, results and locks. Import them from here.
"""

from seminars.services.common import (
    RegistrationClosed,
    RegistrationResult,
    SeminarError,
    SlotAssignment,
)
from seminars.services.public import (
    cancel_registration,
    change_attendance,
    free_seats,
    promote_waitlisted,
    register,
    registration_closed_reason,
)
from seminars.services.scheduled import send_reminders, send_surveys
from seminars.services.staff import (
    assign_consultation_slots,
    cancel_seminar,
    mark_held,
    publish_seminar,
    record_attendance,
)

__all__ = [
    "RegistrationClosed",
    "RegistrationResult",
    "SeminarError",
    "SlotAssignment",
    "assign_consultation_slots",
    "cancel_registration",
    "cancel_seminar",
    "change_attendance",
    "free_seats",
    "mark_held",
    "promote_waitlisted",
    "publish_seminar",
    "record_attendance",
    "register",
    "registration_closed_reason",
    "send_reminders",
    "send_surveys",
]
