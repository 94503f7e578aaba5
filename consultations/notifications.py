"""The e-mails of the consultation workflow, all through the portal's outbox.

Each function is called by a service inside its transaction; the message is sent after commit.
Requesters get messages in the language they used on the form; the center's inbox in Japanese.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse

from consultations.models import Assignment, Consultation, RequesterReply, Survey
from mie_dx.notifications import queue_notification


def _url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _status_url(consultation: Consultation) -> str:
    return _url("consultations:status", token=consultation.private_token)


def _admin_url(consultation: Consultation) -> str:
    return _url("admin:consultations_consultation_change", object_id=consultation.pk)


def _to_requester(
    consultation: Consultation, template: str, *, dedupe_key: str = "", **context: Any
) -> bool:
    """A message to the person who asked, in the language they used on the form.

    A caller who gave no e-mail address (a phone call or a visit entered by staff) gets
    nothing: staff see on the case page that they must call back. Returns whether a message
    was queued.
    """
    if not consultation.can_be_emailed:
        return False
    queue_notification(
        to=consultation.email,
        template=template,
        context={"consultation": consultation, **context},
        language=consultation.language,
        related=consultation,
        dedupe_key=dedupe_key,
    )
    return True


def _to_center(consultation: Consultation, template: str, **context: Any) -> None:
    """An alert to the center's inbox (in Japanese), with the case's admin link."""
    queue_notification(
        to=settings.CENTER_INBOX_EMAIL,
        template=template,
        context={"consultation": consultation, "admin_url": _admin_url(consultation), **context},
        related=consultation,
    )


def consultation_received(consultation: Consultation, *, acknowledge: bool = True) -> None:
    """The acknowledgement to the requester (unless `acknowledge` is False: another message
    gives the reference and status link) and the alert to the center."""
    if acknowledge:
        _to_requester(consultation, "consultation_received", status_url=_status_url(consultation))
    queue_notification(
        to=settings.CENTER_INBOX_EMAIL,
        template="consultation_new_staff_alert",
        context={"consultation": consultation, "admin_url": _admin_url(consultation)},
        related=consultation,
    )


def status_changed(consultation: Consultation) -> None:
    _to_requester(consultation, "consultation_status_changed", status_url=_status_url(consultation))


def supporter_matched(assignment: Assignment) -> None:
    """To the supporter, with their private link; to the center when no address is on file."""
    supporter = assignment.supporter
    queue_notification(
        to=supporter.contact_email or settings.CENTER_INBOX_EMAIL,
        template="assignment_proposed",
        context={
            "assignment": assignment,
            "consultation": assignment.consultation,
            "supporter": supporter,
            "no_address": not supporter.contact_email,
            "assignment_url": _url("consultations:assignment", token=assignment.private_token),
        },
        related=assignment.consultation,
    )


def assignment_cancelled(assignment: Assignment) -> None:
    """The request to a supporter was cancelled: the case was withdrawn, declined, or closed
    before they answered."""
    supporter = assignment.supporter
    queue_notification(
        to=supporter.contact_email or settings.CENTER_INBOX_EMAIL,
        template="assignment_cancelled",
        context={
            "assignment": assignment,
            "consultation": assignment.consultation,
            "supporter": supporter,
            "no_address": not supporter.contact_email,
        },
        related=assignment.consultation,
    )


def supporter_accepted(assignment: Assignment) -> None:
    """The requester hears about a supporter once that supporter has taken the case on (not
    when the center only asked them). Once per assignment."""
    consultation = assignment.consultation
    _to_requester(
        consultation,
        "consultation_matched",
        supporters=[assignment.supporter],
        status_url=_status_url(consultation),
        dedupe_key=f"consultation-matched:{assignment.pk}",
    )


def reply_to_requester(reply: RequesterReply) -> bool:
    """What staff wrote to the requester from the case page; False when there is no address."""
    consultation = reply.consultation
    return _to_requester(
        consultation,
        "consultation_reply",
        reply=reply,
        status_url=_status_url(consultation),
    )


def withdrawn_staff_alert(consultation: Consultation, *, supporters_told: bool) -> None:
    """The requester withdrew through their status link: staff should know (the supporters
    are told separately). Carries the reference and the admin link, not the reason."""
    _to_center(consultation, "consultation_withdrawn_staff_alert", supporters_told=supporters_told)


def assignment_answered(
    assignment: Assignment, *, moved_from: str = "", nobody_left: bool = False
) -> None:
    """The center hears each answer, and what it did to the case: `moved_from` the status the
    answer moved it from ("" if it stayed), `nobody_left` when no supporter is asked or
    engaged any more (someone must be asked again)."""
    queue_notification(
        to=settings.CENTER_INBOX_EMAIL,
        template="assignment_answered_staff_alert",
        context={
            "assignment": assignment,
            "consultation": assignment.consultation,
            "moved_from": moved_from,
            "nobody_left": nobody_left,
            "admin_url": _admin_url(assignment.consultation),
        },
        related=assignment.consultation,
    )


def survey_requested(survey: Survey) -> None:
    _to_requester(
        survey.consultation,
        "consultation_survey",
        survey_url=_url("consultations:survey", token=survey.private_token),
        dedupe_key=f"consultation-survey:{survey.pk}",
    )


def survey_reminder(survey: Survey) -> None:
    _to_requester(
        survey.consultation,
        "consultation_survey_reminder",
        survey_url=_url("consultations:survey", token=survey.private_token),
        dedupe_key=f"consultation-survey-reminder:{survey.pk}",
    )


def stale_consultations(consultations: Sequence[Consultation]) -> None:
    """One alert about several consultations, so not `related` to any of them: erasing one
    consultation's personal data cannot reach it. It therefore carries only references, dates
    and admin links — never a title or anything the requester wrote."""
    queue_notification(
        to=settings.CENTER_INBOX_EMAIL,
        template="consultation_stale_staff_alert",
        context={
            "consultations": [
                {
                    "reference": c.reference,
                    "created_at": c.created_at,
                    "admin_url": _admin_url(c),
                }
                for c in consultations
            ],
            "business_days": settings.CONSULTATION_STALE_BUSINESS_DAYS,
        },
    )
