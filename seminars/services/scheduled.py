"""What Celery beat runs: the day-before reminder and the survey after the seminar, each
sent once."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from seminars import notifications
from seminars.models import (
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
    SeminarSurvey,
)


def send_reminders(*, now: datetime | None = None) -> int:
    """The day-before reminder, for seminars whose reminder time has come and that have not
    started. Only people confirmed BEFORE the reminder time get one (someone who registers
    later has just received their confirmation), each at most once. Returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = Seminar.objects.filter(
        status=SeminarStatus.PUBLISHED,
        start_time__isnull=False,
        date__gte=today,
        date__lte=timezone.localdate(now + settings.SEMINAR_REMINDER_BEFORE),
    )
    sent = 0
    for seminar in candidates:
        # Both known: the query asks for a date and a start time.
        reminder_at, starts_at = seminar.reminder_at, seminar.starts_at
        if reminder_at is not None and starts_at is not None and reminder_at <= now < starts_at:
            sent += _send_reminders_for(seminar, now)
    return sent


@transaction.atomic
def _send_reminders_for(seminar: Seminar, now: datetime) -> int:
    # skip_locked: a registration being cancelled right now is left to the next run, which
    # then sees it cancelled. The reminder_sent_at mark and the dedupe key stop a second send.
    due = (
        Registration.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("seminar")
        .filter(
            seminar=seminar,
            status=RegistrationStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
            confirmed_at__lt=seminar.reminder_at,
        )
        .order_by("pk")
    )
    count = 0
    for registration in due:
        notifications.reminder(registration)
        registration.reminder_sent_at = now
        registration.save(update_fields=["reminder_sent_at"])
        count += 1
    return count


def send_surveys(*, now: datetime | None = None) -> int:
    """The survey after the seminar, to those who took part (confirmed or checked in as
    attended), once each, between SEMINAR_SURVEY_AFTER and SEMINAR_SURVEY_WINDOW after the
    end. Returns how many surveys were sent."""
    now = now or timezone.now()
    window = settings.SEMINAR_SURVEY_WINDOW
    candidates = Seminar.objects.filter(
        status__in=[SeminarStatus.PUBLISHED, SeminarStatus.HELD],
        start_time__isnull=False,
        date__gte=timezone.localdate(now - window) - timedelta(days=1),
        date__lte=timezone.localdate(now),
    )
    sent = 0
    for seminar in candidates:
        ended = seminar.ends_at or seminar.starts_at  # known: the query asks for both parts
        if ended is not None and ended + settings.SEMINAR_SURVEY_AFTER <= now <= ended + window:
            sent += _send_surveys_for(seminar, now)
    return sent


@transaction.atomic
def _send_surveys_for(seminar: Seminar, now: datetime) -> int:
    due = (
        Registration.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("seminar")
        .filter(
            seminar=seminar,
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
            survey__isnull=True,
        )
        .order_by("pk")
    )
    count = 0
    for registration in due:
        survey = SeminarSurvey.objects.create(registration=registration, sent_at=now)
        notifications.survey(survey)
        count += 1
    return count
