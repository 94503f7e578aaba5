"""The beat jobs: the day-before reminder and the survey after the seminar, with frozen time.

They run through the Celery tasks (eager in the tests), as beat would run them.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from mie_dx.models import Notification
from mie_dx.surveys import Rating, SurveyError, answer_survey
from seminars import selectors, services
from seminars.models import Attendance, RegistrationStatus, SeminarSurvey
from seminars.tasks import send_seminar_reminders, send_seminar_surveys
from tests.seminars.factories import SeminarFactory, register

pytestmark = pytest.mark.django_db

TOKYO = timezone.get_default_timezone()
DAY = date(2027, 6, 24)
START = datetime.combine(DAY, time(13, 30), tzinfo=TOKYO)
REMINDER_AT = START - timedelta(days=1)
SECRET_URL = "https://zoom.example.jp/j/secret-meeting-123"


@pytest.fixture
def seminar(time_machine):
    time_machine.move_to(datetime(2027, 6, 1, 9, 0, tzinfo=TOKYO), tick=False)
    return SeminarFactory(date=DAY, registration_deadline=DAY)


def _reminders() -> list[Notification]:
    return list(Notification.objects.filter(template="seminar_reminder").order_by("to"))


def test_reminder_goes_at_the_reminder_time_to_those_confirmed_before_it(seminar, time_machine):
    time_machine.move_to(REMINDER_AT - timedelta(days=3), tick=False)
    early = register(seminar, email="early@example.jp")
    online = register(seminar, attendance=Attendance.ONLINE, email="online@example.jp")

    # Not yet: fifteen minutes before the reminder time.
    time_machine.move_to(REMINDER_AT - timedelta(minutes=15), tick=False)
    assert send_seminar_reminders.delay().get() == 0

    time_machine.move_to(REMINDER_AT + timedelta(minutes=2), tick=False)
    late = register(seminar, email="late@example.jp")  # after the reminder time
    assert send_seminar_reminders.delay().get() == 2

    reminders = _reminders()
    assert [n.to for n in reminders] == [early.email, online.email]
    by_address = {n.to: n for n in reminders}
    # The meeting link only for the online attendee.
    assert SECRET_URL in by_address[online.email].body_text
    assert SECRET_URL not in by_address[early.email].body_text
    assert seminar.venue_name in by_address[early.email].body_text
    assert late.email not in by_address

    early.refresh_from_db()
    assert early.reminder_sent_at is not None


def test_reminders_are_sent_once_however_often_beat_runs(seminar, time_machine):
    time_machine.move_to(REMINDER_AT - timedelta(days=2), tick=False)
    register(seminar, email="once@example.jp")
    for minutes in (0, 15, 30, 45):
        time_machine.move_to(REMINDER_AT + timedelta(minutes=minutes), tick=False)
        send_seminar_reminders.delay()
    assert len(_reminders()) == 1
    assert Notification.objects.get(template="seminar_reminder").dedupe_key


def test_no_reminder_for_the_waitlisted_the_cancelled_or_after_the_start(seminar, time_machine):
    seminar.onsite_capacity = 1
    seminar.save()
    time_machine.move_to(REMINDER_AT - timedelta(days=2), tick=False)
    cancelled = register(seminar, email="cancelled@example.jp")
    waiting = register(seminar, email="waiting@example.jp")
    services.cancel_registration(registration=cancelled)  # promotes `waiting`...
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    still_waiting = register(seminar, email="still@example.jp")
    assert still_waiting.status == RegistrationStatus.WAITLISTED

    # Beat was down until after the start: nothing is sent late.
    time_machine.move_to(START + timedelta(minutes=1), tick=False)
    assert send_seminar_reminders.delay().get() == 0

    time_machine.move_to(REMINDER_AT, tick=False)
    send_seminar_reminders.delay()
    assert [n.to for n in _reminders()] == [waiting.email]


def test_someone_promoted_after_the_reminder_time_gets_no_reminder(seminar, time_machine):
    seminar.onsite_capacity = 1
    seminar.save()
    time_machine.move_to(REMINDER_AT - timedelta(days=2), tick=False)
    holder = register(seminar, email="holder@example.jp")
    waiting = register(seminar, email="waiting@example.jp")
    time_machine.move_to(REMINDER_AT + timedelta(hours=1), tick=False)
    services.cancel_registration(registration=holder)  # waiting is promoted (and told) now
    send_seminar_reminders.delay()
    assert _reminders() == []
    assert Notification.objects.filter(to=waiting.email, template="seminar_promoted").exists()


def test_the_survey_goes_after_the_seminar_once_to_those_who_took_part(
    seminar, time_machine, center_staff
):
    time_machine.move_to(REMINDER_AT - timedelta(days=2), tick=False)
    attended = register(seminar, email="attended@example.jp")
    online = register(seminar, attendance=Attendance.ONLINE, email="online@example.jp")
    no_show = register(seminar, email="noshow@example.jp")
    cancelled = register(seminar, email="cancelled@example.jp")
    services.cancel_registration(registration=cancelled)

    time_machine.move_to(START, tick=False)
    services.record_attendance(registration=attended, attended=True, by=center_staff)
    services.record_attendance(registration=no_show, attended=False, by=center_staff)

    # Not before the seminar has ended (15:15) plus the delay.
    time_machine.move_to(seminar.ends_at, tick=False)
    assert send_seminar_surveys.delay().get() == 0
    time_machine.move_to(seminar.ends_at + timedelta(hours=1), tick=False)
    assert send_seminar_surveys.delay().get() == 2
    time_machine.move_to(seminar.ends_at + timedelta(hours=2), tick=False)
    assert send_seminar_surveys.delay().get() == 0

    surveyed = set(SeminarSurvey.objects.values_list("registration__email", flat=True))
    assert surveyed == {attended.email, online.email}
    assert Notification.objects.filter(template="seminar_survey").count() == 2


def test_no_survey_for_a_seminar_long_past_or_cancelled(time_machine):
    time_machine.move_to(datetime(2027, 5, 1, 9, 0, tzinfo=TOKYO), tick=False)
    old = SeminarFactory(date=date(2027, 5, 10))
    register(old, email="old@example.jp")
    called_off = SeminarFactory(date=date(2027, 5, 12))
    register(called_off, email="off@example.jp")
    services.cancel_seminar(seminar=called_off)

    # Beat (or demo data) arriving weeks later sends nothing for old seminars.
    time_machine.move_to(datetime(2027, 6, 30, 9, 0, tzinfo=TOKYO), tick=False)
    assert send_seminar_surveys.delay().get() == 0


def test_a_survey_is_answered_once_and_counts_for_kpi_10_1_a(seminar, time_machine):
    time_machine.move_to(REMINDER_AT - timedelta(days=2), tick=False)
    people = [register(seminar, email=f"s{i}@example.jp") for i in range(3)]
    time_machine.move_to(seminar.ends_at + timedelta(hours=1), tick=False)
    send_seminar_surveys.delay()
    surveys = [SeminarSurvey.objects.get(registration=p) for p in people]

    # One answering service for every satisfaction survey (consultations' and seminars').
    answer_survey(survey=surveys[0], rating=Rating.USEFUL, comment="参考になった")
    answer_survey(survey=surveys[1], rating=Rating.NOT_USEFUL)
    with pytest.raises(SurveyError, match="すでにご回答"):
        answer_survey(survey=surveys[0], rating=Rating.NOT_USEFUL)

    # KPI 10-1 a's seminar source: 役に立った / やや役に立った ÷ answered, in the fiscal year
    # of the answers (the third survey is unanswered and not counted).
    fy = seminar.fiscal_year
    counted = selectors.kpi_survey_usefulness([fy - 1, fy])
    assert (counted[fy].numerator, counted[fy].denominator) == (1, 2)
    assert fy - 1 not in counted
