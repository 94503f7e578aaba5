"""Reads of consultations, each with its access rule and the related rows it needs."""

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from consultations.models import AdviceSession, Assignment, Consultation, StatusChange, Survey
from mie_dx.links import end_link_if_over


def _end_case_link(consultation: Consultation) -> None:
    """Status and supporter links end PRIVATE_LINK_DAYS_AFTER_END after the case ends, and at
    once when the requester's data is erased (LinkExpired)."""
    end_link_if_over(
        ended_at=None if consultation.is_open else consultation.status_changed_at,
        keep_for=settings.PRIVATE_LINK_DAYS_AFTER_END,
        erased=consultation.personal_data_erased_at is not None,
    )


def consultation_for_requester(token: str) -> Consultation:
    """The one consultation a status link opens (404 for any other token; LinkExpired once
    the link has ended)."""
    consultation = get_object_or_404(
        Consultation.objects.prefetch_related(
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.only(
                    "consultation_id", "from_status", "to_status", "changed_at"
                ),
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.exclude(state=Assignment.State.DECLINED)
                .select_related("supporter")
                .only("consultation_id", "state", "supporter__name", "supporter__slug"),
            ),
        ).select_related("survey"),
        access_token=token,
    )
    _end_case_link(consultation)
    return consultation


def survey_for_requester(token: str) -> Survey:
    """A consultation's survey; its link ends SURVEY_LINK_DAYS after it was sent."""
    survey = get_object_or_404(Survey.objects.select_related("consultation"), token=token)
    end_link_if_over(
        ended_at=survey.sent_at,
        keep_for=settings.SURVEY_LINK_DAYS,
        erased=survey.consultation.personal_data_erased_at is not None,
    )
    return survey


def assignment_for_supporter(token: str) -> Assignment:
    """The assignment a supporter's private link opens, with the advice recorded so far (the
    link ends with the case's status link)."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("consultation", "supporter").prefetch_related(
            Prefetch("sessions", queryset=AdviceSession.objects.order_by("held_on", "pk"))
        ),
        token=token,
    )
    _end_case_link(assignment.consultation)
    return assignment


def consultations_for_triage() -> QuerySet[Consultation]:
    """The admin's change list: everything staff filter on, in a fixed number of queries."""
    return Consultation.objects.annotate(
        assignment_count=Count("assignments", distinct=True)
    ).prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.exclude(state=Assignment.State.DECLINED).select_related(
                "supporter"
            ),
            to_attr="active_assignments",
        )
    )


def timeline(consultation: Consultation) -> list[dict]:
    """Everything that happened to a consultation, oldest first (staff only: has notes)."""
    events: list[dict] = []
    for change in consultation.status_changes.select_related("changed_by"):
        events.append({"at": change.changed_at, "kind": "status", "item": change})
    for note in consultation.internal_notes.select_related("author"):
        events.append({"at": note.created_at, "kind": "note", "item": note})
    for assignment in consultation.assignments.select_related("supporter", "assigned_by"):
        events.append({"at": assignment.assigned_at, "kind": "assignment", "item": assignment})
        if assignment.responded_at:
            events.append({"at": assignment.responded_at, "kind": "response", "item": assignment})
    for session in AdviceSession.objects.filter(
        assignment__consultation=consultation
    ).select_related("assignment__supporter"):
        events.append({"at": session.created_at, "kind": "advice", "item": session})
    survey = Survey.objects.filter(consultation=consultation).first()
    if survey:
        events.append({"at": survey.sent_at, "kind": "survey_sent", "item": survey})
        if survey.answered_at:
            events.append({"at": survey.answered_at, "kind": "survey_answered", "item": survey})
    events.sort(key=lambda e: e["at"])
    return events
