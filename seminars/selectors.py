"""Reads of seminars, each with its access rule and the related rows it needs.

Public reads show only published, cancelled and held seminars (never drafts) and never the
online meeting link or anyone's registration. Seats are counted by the database on every
request (annotations), so what a visitor sees is live.
"""

from datetime import date, datetime, time, timedelta
from typing import TypedDict

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mie_dx.fiscal import fiscal_year, fiscal_year_start
from mie_dx.links import end_link_if_over, object_for_token
from mie_dx.surveys import UsefulnessSource
from mie_dx.text import search_key
from seminars.models import (
    ACTIVE,
    PUBLIC_STATUSES,
    SEAT_HOLDING,
    Attendance,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarSurvey,
    Talk,
)


def _with_seat_counts(queryset: QuerySet[Seminar]) -> QuerySet[Seminar]:
    # Seminar declares onsite_taken / online_taken (its seat properties read them), which the
    # django-stubs plugin reports as a redefinition of the annotations that set them.
    return queryset.annotate(  # type: ignore[no-redef]
        onsite_taken=Count(
            "registrations",
            filter=Q(
                registrations__attendance=Attendance.ONSITE,
                registrations__status__in=SEAT_HOLDING,
            ),
        ),
        online_taken=Count(
            "registrations",
            filter=Q(
                registrations__attendance=Attendance.ONLINE,
                registrations__status__in=SEAT_HOLDING,
            ),
        ),
    )


def public_seminars() -> QuerySet[Seminar]:
    """Seminars a visitor may see, with seat counts and their talks (one query each)."""
    return _with_seat_counts(Seminar.objects.filter(status__in=PUBLIC_STATUSES)).prefetch_related(
        Prefetch("talks", queryset=Talk.objects.select_related("supporter"))
    )


def _past_filter(today: date) -> Q:
    # A seminar whose date is not known yet (12月中旬（予定）) is past once its fiscal year is.
    return Q(date__lt=today) | Q(date__isnull=True, fiscal_year__lt=fiscal_year(today))


def upcoming_seminars(today: date | None = None) -> QuerySet[Seminar]:
    """Today's and later seminars, soonest first; those without a date at the end."""
    today = today or timezone.localdate()
    return (
        public_seminars()
        .exclude(_past_filter(today))
        .order_by(F("date").asc(nulls_last=True), "start_time", "fiscal_year", "number", "pk")
    )


def past_seminars(today: date | None = None) -> QuerySet[Seminar]:
    """Earlier seminars, the most recent first."""
    today = today or timezone.localdate()
    return public_seminars().filter(_past_filter(today)).order_by("-fiscal_year", "-number", "-pk")


def seminar_for_public(slug: str) -> Seminar:
    return get_object_or_404(public_seminars(), slug=slug)


def registration_for_registrant(token: str) -> Registration:
    """The one registration a management link opens (404 for any other token; LinkExpired
    PRIVATE_LINK_DAYS_AFTER_END after the registration ended — cancelled, or the seminar
    over — and at once when the registrant's data is erased)."""
    registration = object_for_token(
        Registration.objects.select_related("seminar").prefetch_related(
            Prefetch("seminar__talks", queryset=Talk.objects.select_related("supporter"))
        ),
        token,
    )
    end_link_if_over(
        ended_at=_registration_ended_at(registration),
        keep_for=settings.PRIVATE_LINK_DAYS_AFTER_END,
        erased=registration.personal_data_erased_at is not None,
    )
    return registration


def _registration_ended_at(registration: Registration) -> datetime | None:
    if registration.status == RegistrationStatus.CANCELLED:
        return registration.cancelled_at
    seminar = registration.seminar
    if seminar.date is not None:
        # The end of the seminar's day: its time may be unknown.
        next_day = seminar.date + timedelta(days=1)
        return datetime.combine(next_day, time(0), tzinfo=timezone.get_default_timezone())
    if seminar.is_past():
        # Date never fixed: the end of its fiscal year.
        return fiscal_year_start(seminar.fiscal_year + 1)
    return None


def waitlist_position(registration: Registration) -> int | None:
    """1 for the next person to be promoted in the registrant's kind of attendance."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        seminar_id=registration.seminar_id,
        attendance=registration.attendance,
        status=RegistrationStatus.WAITLISTED,
    ).filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def survey_for_respondent(token: str) -> SeminarSurvey:
    """A seminar's survey; its link ends SURVEY_LINK_DAYS after it was sent."""
    survey = object_for_token(SeminarSurvey.objects.select_related("registration__seminar"), token)
    end_link_if_over(
        ended_at=survey.sent_at,
        keep_for=settings.SURVEY_LINK_DAYS,
        erased=survey.registration.personal_data_erased_at is not None,
    )
    return survey


class AdminCounts(TypedDict):
    """What `seminars_for_admin` adds to each seminar (the admin reads them as
    `WithAnnotations[Seminar, AdminCounts]`), beside the seats taken."""

    waitlisted: int
    attended: int
    no_show: int
    consultation_requests: int


def seminars_for_admin() -> QuerySet[Seminar]:
    """The admin's change list: seat use, waiting list and attendance per seminar
    (AdminCounts)."""
    return _with_seat_counts(Seminar.objects.all()).annotate(
        waitlisted=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
        attended=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.ATTENDED)
        ),
        no_show=Count("registrations", filter=Q(registrations__status=RegistrationStatus.NO_SHOW)),
        consultation_requests=Count(
            "registrations",
            filter=Q(registrations__wants_consultation=True, registrations__status__in=ACTIVE),
        ),
    )


def attendance_figures(seminar: Seminar) -> dict[str, int]:
    """Counts by status and attendance for one seminar (one query)."""
    rows = (
        Registration.objects.filter(seminar=seminar)
        .values("status", "attendance")
        .annotate(n=Count("pk"))
        .order_by()
    )
    figures = {f"{s}_{a}": 0 for s in RegistrationStatus.values for a in Attendance.values}
    for row in rows:
        figures[f"{row['status']}_{row['attendance']}"] = row["n"]
    for status in RegistrationStatus.values:
        figures[status] = sum(figures[f"{status}_{a}"] for a in Attendance.values)
    checked = figures[RegistrationStatus.ATTENDED] + figures[RegistrationStatus.NO_SHOW]
    figures["checked_in"] = checked
    figures["attendance_rate"] = (
        round(100 * figures[RegistrationStatus.ATTENDED] / checked) if checked else 0
    )
    return figures


def registrations_for_checkin(seminar: Seminar, search: str = "") -> list[Registration]:
    """The people who hold an on-site seat, for the door, by reading (フリガナ); one query.

    `search` matches the name, reading or organisation whatever the script or width it is
    typed or stored in: なばり, ナバリ and ﾅﾊﾞﾘ find one another (mie_dx.text.search_key).
    The door list of one seminar is at most a few hundred rows, so it is matched here rather
    than by the database (which cannot fold kana).
    """
    registrations = list(
        Registration.objects.filter(
            seminar=seminar, attendance=Attendance.ONSITE, status__in=SEAT_HOLDING
        ).order_by("name_kana", "pk")
    )
    key = search_key(search)
    if not key:
        return registrations
    return [
        r
        for r in registrations
        if any(key in search_key(value) for value in (r.name, r.name_kana, r.organization))
    ]


# --- Figures for the plan KPIs (mie_dx.figures; declared in apps.py) -------------------------

# label and rule: lazy texts, which mie_dx.surveys.UsefulnessSource types as str (reported).
kpi_survey_usefulness = UsefulnessSource(
    SeminarSurvey,
    label=gettext_lazy("セミナーのアンケート"),
    changelist="admin:seminars_seminarsurvey_changelist",
    related="registration__seminar",
    reference=lambda survey: str(survey.registration.seminar),
    rule=gettext_lazy(
        "セミナーのアンケートの回答を、回答した日（日本時間）の年度に数えます。"
        "「役に立った」「やや役に立った」の回答数を分子、回答の総数を分母とします。"
    ),
)
