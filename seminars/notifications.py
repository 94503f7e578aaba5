"""The e-mails about seminar registrations, all through the portal's outbox.

Each function is called by a service inside its transaction; the message is sent after commit.
Registrants get messages in the language they used on the form. A message says only what
applies to the person: the venue to on-site attendees, the online meeting link only to
confirmed online attendees (and never on a public page).

Dedupe keys make the one-off messages (reminder, survey, cancellation, slot) impossible to
queue twice, even if a task or an admin action runs again.
"""

from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypedDict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from mie_dx.notifications import Attachment, RenderedEmail, queue_notification, render_email
from seminars.ics import seminar_calendar
from seminars.models import Registration, RegistrationStatus, SeminarSurvey

# A second registration attempt re-sends the management link at most once per this many
# seconds, so that the form cannot be used to flood someone's inbox.
LINK_RESEND_INTERVAL_SECONDS = 600


def _url(path: str) -> str:
    return settings.SITE_URL + path


class _ConsultationLink(TypedDict, total=False):
    consultation_reference: str
    consultation_status_url: str


def _consultation_context(registration: Registration) -> _ConsultationLink:
    """The individual consultation asked for with the registration (a consultation case of its
    own): its reference and status link, told in the registration's own messages."""
    consultation = registration.consultation
    if consultation is None:
        return {}
    return {
        "consultation_reference": consultation.reference,
        "consultation_status_url": _url(
            reverse("consultations:status", kwargs={"token": consultation.private_token})
        ),
    }


def _context(registration: Registration, **extra: Any) -> dict[str, Any]:
    seminar = registration.seminar
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    return {
        "registration": registration,
        "seminar": seminar,
        "manage_url": _url(registration.get_manage_url()),
        "seminar_url": _url(seminar.get_absolute_url()),
        "onsite": registration.attendance == "onsite",
        # The meeting link goes only to people confirmed for online attendance.
        "show_online_link": confirmed and registration.is_online,
        **extra,
    }


def _calendar(registration: Registration) -> Attachment | None:
    """The .ics for a confirmed registrant (with the meeting link when they attend online)."""
    if registration.seminar.starts_at is None:
        return None
    with translation.override(registration.language):
        content = seminar_calendar(registration.seminar, registration=registration)
    return Attachment("seminar.ics", content, "text/calendar")


def _queue(
    registration: Registration,
    template: str,
    *,
    attachment: Attachment | None = None,
    dedupe_key: str = "",
    **extra: Any,
) -> None:
    if not registration.can_be_emailed:
        return  # a walk-in who gave no address (seminars.walkin), or an erased registrant
    queue_notification(
        to=registration.email,
        template=template,
        context=_context(registration, **extra),
        language=registration.language,
        attachment=attachment,
        related=registration,
        dedupe_key=dedupe_key,
    )


# The registration's own first message needs no dedupe key: it is queued once, in the
# transaction that creates the registration (and a key would cost a savepoint while the
# seminar row is locked).


class FirstMessage(NamedTuple):
    """The confirmation (with its .ics) or the waiting-list notice, rendered for a status."""

    status: str
    template: str
    rendered: RenderedEmail
    attachment: Attachment | None


def first_message(registration: Registration) -> FirstMessage:
    """Render the first message for the registration's current status. Needs its id (the
    management link); `seminars.services.register` calls this before it takes the seminar's
    lock, so that the lock is held only to decide the seat and write the rows."""
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    template = "seminar_registration_confirmed" if confirmed else "seminar_registration_waitlisted"
    context = {**_context(registration), **_consultation_context(registration)}
    return FirstMessage(
        status=registration.status,
        template=template,
        rendered=render_email(template, context, language=registration.language),
        attachment=_calendar(registration) if confirmed else None,
    )


def registration_created(registration: Registration, message: FirstMessage | None = None) -> None:
    """The confirmation or the waiting-list notice (one message, which also gives the
    reference and status link of an individual consultation asked for), from `message` when
    it was rendered for the status the registration has, else rendered now."""
    if message is None or message.status != registration.status:
        message = first_message(registration)
    queue_notification(
        to=registration.email,
        template=message.template,
        context={},
        rendered=message.rendered,
        language=registration.language,
        attachment=message.attachment,
        related=registration,
    )


def promoted(registration: Registration) -> None:
    _queue(
        registration,
        "seminar_promoted",
        attachment=_calendar(registration),
        dedupe_key=f"seminar-promoted:{registration.pk}:{registration.attendance}",
    )


def attendance_changed(registration: Registration) -> None:
    _queue(registration, "seminar_attendance_changed", attachment=_calendar(registration))


def registration_cancelled(registration: Registration, *, consultation_withdrawn: bool) -> None:
    """`consultation_withdrawn`: the individual consultation asked for was withdrawn with the
    registration (else, if there is one, staff already work on it and it stays open)."""
    _queue(
        registration,
        "seminar_registration_cancelled",
        dedupe_key=f"seminar-registration-cancelled:{registration.pk}",
        consultation_withdrawn=consultation_withdrawn,
        **_consultation_context(registration),
    )


def management_link_resent(registration: Registration, *, now: datetime) -> None:
    bucket = int(now.timestamp()) // LINK_RESEND_INTERVAL_SECONDS
    _queue(
        registration,
        "seminar_management_link",
        dedupe_key=f"seminar-link:{registration.pk}:{bucket}",
    )


def reminder(registration: Registration) -> None:
    _queue(registration, "seminar_reminder", dedupe_key=f"seminar-reminder:{registration.pk}")


def seminar_cancelled(registration: Registration) -> None:
    _queue(
        registration,
        "seminar_cancelled",
        dedupe_key=f"seminar-cancelled:{registration.seminar_id}:{registration.pk}",
    )


def consultation_slot(registration: Registration, slot: datetime) -> None:
    """The individual-consultation time `slot` just given to the registrant (it is the
    registration's consultation_slot_at)."""
    _queue(
        registration,
        "seminar_consultation_slot",
        dedupe_key=f"seminar-slot:{registration.pk}:{slot:%Y%m%d%H%M}",
        slot_start=timezone.localtime(slot).time(),
        slot_end=timezone.localtime(
            slot + timedelta(minutes=registration.seminar.consultation_slot_minutes or 0)
        ).time(),
    )


def survey(survey: SeminarSurvey) -> None:
    registration = survey.registration
    _queue(
        registration,
        "seminar_survey",
        dedupe_key=f"seminar-survey:{survey.pk}",
        survey_url=_url(reverse("seminars:survey", kwargs={"token": survey.private_token})),
    )
