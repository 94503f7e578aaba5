"""Reads of consultations, each with its access rule and the related rows it needs."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, Field, Model, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from consultations.models import (
    AdviceSession,
    Assignment,
    Consultation,
    RequesterReply,
    StatusChange,
    SupportRecord,
    Survey,
)
from mie_dx.figures import DrilldownSource, KpiContribution, fiscal_year_of
from mie_dx.fiscal import fiscal_year_bounds
from mie_dx.links import end_link_if_over, object_for_token
from mie_dx.models import AuditLog
from mie_dx.people import RequesterType
from mie_dx.surveys import UsefulnessSource

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
    consultation = object_for_token(
        Consultation.objects.prefetch_related(
            Prefetch(
                "status_changes",
                queryset=StatusChange.objects.only(
                    "consultation_id", "from_status", "to_status", "changed_at"
                ),
            ),
            # The requester sees a supporter once that supporter has taken the case on.
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(
                    state__in=(Assignment.State.ACCEPTED, Assignment.State.DONE)
                )
                .select_related("supporter")
                .only("consultation_id", "state", "supporter__name", "supporter__slug"),
            ),
            # What the center wrote to them (never the internal notes).
            Prefetch(
                "replies",
                queryset=RequesterReply.objects.only("consultation_id", "body", "sent_at"),
            ),
        ).select_related("survey"),
        token,
    )
    _end_case_link(consultation)
    return consultation


def survey_for_requester(token: str) -> Survey:
    """A consultation's survey; its link ends SURVEY_LINK_DAYS after it was sent."""
    survey = object_for_token(Survey.objects.select_related("consultation"), token)
    end_link_if_over(
        ended_at=survey.sent_at,
        keep_for=settings.SURVEY_LINK_DAYS,
        erased=survey.consultation.personal_data_erased_at is not None,
    )
    return survey


def assignment_for_supporter(token: str) -> Assignment:
    """The assignment a supporter's private link opens, with the advice recorded so far (the
    link ends with the case's status link)."""
    assignment = object_for_token(
        Assignment.objects.select_related("consultation", "supporter").prefetch_related(
            Prefetch("sessions", queryset=AdviceSession.objects.order_by("held_on", "pk"))
        ),
        token,
    )
    _end_case_link(assignment.consultation)
    return assignment


class ActiveAssignments(TypedDict):
    """What `consultations_for_triage` loads on each consultation: its assignments but the
    declined ones. Its readers take `WithAnnotations[Consultation, ActiveAssignments]`."""

    active_assignments: list[Assignment]


def consultations_for_triage() -> QuerySet[Consultation]:
    """The admin's change list: everything staff filter on, in a fixed number of queries
    (with ActiveAssignments)."""
    return Consultation.objects.select_related("staff_in_charge").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.exclude(state=Assignment.State.DECLINED).select_related(
                "supporter"
            ),
            to_attr="active_assignments",
        )
    )


class TimelineEvent(TypedDict):
    at: datetime
    kind: str  # status, note, reply, assignment, response, advice, correction, survey_…
    item: Model
    by: User | None
    response: NotRequired["StrOrPromise"]  # "response": the supporter's answer as given
    fields: NotRequired[list[str]]  # "correction": the labels of the fields corrected


def timeline(consultation: Consultation) -> list[TimelineEvent]:
    """Everything that happened to a consultation, oldest first (staff only: has notes).

    Each entry says what happened at that moment (a supporter's answer as they gave it, not
    the assignment's state today) and who did it, with the staff member loaded for their
    full name.
    """
    events: list[TimelineEvent] = []
    for change in consultation.status_changes.select_related("changed_by"):
        events.append(
            {"at": change.changed_at, "kind": "status", "item": change, "by": change.changed_by}
        )
    for note in consultation.internal_notes.select_related("author"):
        events.append({"at": note.created_at, "kind": "note", "item": note, "by": note.author})
    for reply in consultation.replies.select_related("sent_by"):
        events.append({"at": reply.sent_at, "kind": "reply", "item": reply, "by": reply.sent_by})
    for assignment in consultation.assignments.select_related("supporter", "assigned_by"):
        events.append(
            {
                "at": assignment.assigned_at,
                "kind": "assignment",
                "item": assignment,
                "by": assignment.assigned_by,
            }
        )
        if assignment.responded_at:
            events.append(
                {
                    "at": assignment.responded_at,
                    "kind": "response",
                    "item": assignment,
                    "response": Assignment.State(assignment.response).label,
                    "by": None,
                }
            )
    for session in AdviceSession.objects.filter(
        assignment__consultation=consultation
    ).select_related("assignment__supporter", "recorded_by"):
        events.append(
            {"at": session.created_at, "kind": "advice", "item": session, "by": session.recorded_by}
        )
    for entry in (
        AuditLog.objects.about(consultation)
        .filter(action__in=("consultation.corrected", "consultation.edited"))
        .select_related("user")
    ):
        events.append(
            {
                "at": entry.created_at,
                "kind": "correction",
                "item": entry,
                "fields": _field_labels(entry.data.get("fields", [])),
                "by": entry.user,
            }
        )
    survey = Survey.objects.filter(consultation=consultation).first()
    if survey:
        events.append({"at": survey.sent_at, "kind": "survey_sent", "item": survey, "by": None})
        if survey.answered_at:
            events.append(
                {"at": survey.answered_at, "kind": "survey_answered", "item": survey, "by": None}
            )
    events.sort(key=lambda e: e["at"])
    return events


def _field_labels(names: Sequence[str]) -> list[str]:
    labels = []
    for name in names:
        try:
            # A column staff corrected (services.CORRECTABLE_FIELDS), never a relation.
            field = cast("Field[Any, Any]", Consultation._meta.get_field(name))
            labels.append(str(field.verbose_name))
        except FieldDoesNotExist:
            labels.append(name)
    return labels


# --- Figures for the plan KPIs (mie_dx.figures; declared in apps.py) -------------------------

# The drill-down lists at most this many records per source and year (the oldest first).
KPI_RECORDS_LIMIT = 1000


# mie_dx.surveys.UsefulnessSource types `label` and `rule` as str, though it reads them when
# asked (str(self.label)) so that they follow the page's language: a core signature (reported).
kpi_survey_usefulness = UsefulnessSource(
    Survey,
    label=gettext_lazy("相談の満足度アンケート"),
    changelist="admin:consultations_survey_changelist",
    related="consultation",
    reference=lambda survey: survey.consultation.reference,
    rule=gettext_lazy(
        "相談の満足度アンケートの回答を、回答した日（日本時間）の年度に数えます。"
        "「役に立った」「やや役に立った」の回答数を分子、回答の総数を分母とします。"
    ),
)


# 10-1 b counts the support given to those the plan names: 事業者等 — businesses and groups.
# Individual residents, municipalities and the prefecture are helped too, but not counted.
KPI_REQUESTER_TYPES = (RequesterType.BUSINESS, RequesterType.GROUP)

# A consultation counts for 10-1 b once, in the fiscal year of the first advice recorded on it
# (the earliest AdviceSession.held_on): support given, not a supporter only asked. Sample
# consultations (is_sample, only ever loaded by `load_demo`) count: they are what makes the
# demo's figures meaningful, and a production database holds none.


def _first_advice_in(fiscal_years: Sequence[int]) -> QuerySet[AdviceSession]:
    """Each counted consultation's first advice session, when it falls in the fiscal years
    (ties on the same day broken by the row's id, so each consultation has one)."""
    start, end = fiscal_year_bounds(min(fiscal_years))[0], fiscal_year_bounds(max(fiscal_years))[1]
    earlier = AdviceSession.objects.filter(
        assignment__consultation=OuterRef("assignment__consultation")
    ).filter(
        Q(held_on__lt=OuterRef("held_on")) | Q(held_on=OuterRef("held_on"), pk__lt=OuterRef("pk"))
    )
    return AdviceSession.objects.filter(
        held_on__gte=start,
        held_on__lte=end,
        assignment__consultation__requester_type__in=KPI_REQUESTER_TYPES,
    ).exclude(Exists(earlier))


def _support_cases_label() -> str:
    return gettext("相談窓口での支援（事業者・団体）")


def _support_cases(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
    """10-1 b: consultations from businesses and groups, by the fiscal year of their first
    advice. One query for all the years."""
    if not fiscal_years:
        return {}
    rows = (
        _first_advice_in(fiscal_years)
        .annotate(fy=fiscal_year_of("held_on", is_datetime=False))
        .values("fy")
        .annotate(cases=Count("pk"))
        .order_by("fy")
    )
    today = timezone.localdate()
    return {
        row["fy"]: KpiContribution(
            numerator=row["cases"], label=_support_cases_label(), as_of=today
        )
        for row in rows
    }


def _support_case_records(fy: int) -> list[dict[str, Any]]:
    sessions = (
        _first_advice_in([fy])
        .select_related("assignment__consultation")
        .only(
            "held_on",
            "assignment__consultation__reference",
            "assignment__consultation__requester_type",
            "assignment__consultation__category",
        )
        .order_by("held_on", "pk")[:KPI_RECORDS_LIMIT]
    )
    return [
        {
            "source": _support_cases_label(),
            "reference": session.assignment.consultation.reference,
            "date": session.held_on,
            "detail": (
                f"{session.assignment.consultation.get_requester_type_display()} / "
                f"{session.assignment.consultation.get_category_display()}"
            ),
        }
        for session in sessions
    ]


kpi_support_cases = DrilldownSource(
    _support_cases,
    records=_support_case_records,
    rule=gettext_lazy(
        "みえDXセンターの相談のうち、相談者が事業者または団体（県内事業者・県民グループ）のものを、"
        "最初の助言・提案を記録した実施日の年度に1件と数えます（アドバイザー等に依頼しただけで"
        "助言・提案の記録がない相談、個人・市町・県からの相談は数えません）。"
    ),
)


def _support_records_label() -> str:
    return gettext("相談窓口以外の支援（スタートアップ支援・空の移動革命・先端技術等）")


def _support_records_in(fiscal_years: Sequence[int]) -> QuerySet[SupportRecord]:
    start, end = fiscal_year_bounds(min(fiscal_years))[0], fiscal_year_bounds(max(fiscal_years))[1]
    return SupportRecord.objects.filter(supported_on__gte=start, supported_on__lte=end)


def _support_records_url(fy: int) -> str:
    # The admin's fiscal-year filter on the date (mie_dx.admin_filters.FiscalYearDateListFilter).
    start, last = fiscal_year_bounds(fy)
    query = urlencode(
        {
            "supported_on__gte": start.isoformat(),
            "supported_on__lt": (last + timedelta(days=1)).isoformat(),
        }
    )
    return f"{reverse('admin:consultations_supportrecord_changelist')}?{query}"


def _support_records(fiscal_years: Sequence[int]) -> dict[int, KpiContribution]:
    """10-1 b: support recorded outside the desk, by the fiscal year of the support's date.
    One query for all the years."""
    if not fiscal_years:
        return {}
    rows = (
        _support_records_in(fiscal_years)
        .annotate(fy=fiscal_year_of("supported_on", is_datetime=False))
        .values("fy")
        .annotate(records=Count("pk"))
        .order_by("fy")
    )
    today = timezone.localdate()
    return {
        row["fy"]: KpiContribution(
            numerator=row["records"],
            url=_support_records_url(row["fy"]),
            label=_support_records_label(),
            as_of=today,
        )
        for row in rows
    }


def _support_record_records(fy: int) -> list[dict[str, Any]]:
    records = _support_records_in([fy]).order_by("supported_on", "pk")[:KPI_RECORDS_LIMIT]
    return [
        {
            "source": _support_records_label(),
            "reference": record.organization,
            "date": record.supported_on,
            "detail": f"{record.get_programme_display()} / {record.get_kind_display()}",
        }
        for record in records
    ]


kpi_support_records = DrilldownSource(
    _support_records,
    records=_support_record_records,
    rule=gettext_lazy(
        "相談窓口以外の事業（スタートアップ支援、空の移動革命、先端技術など）で事業者・団体に行った"
        "情報提供・マッチング・事業計画への助言を、「相談窓口以外の支援記録」の1件ごとに、"
        "支援日の年度に1件と数えます。"
    ),
)
