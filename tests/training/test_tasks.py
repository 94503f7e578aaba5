"""Reminders of unfinished mandatory training: N business days before the period ends, once."""

from datetime import date

import pytest
import time_machine

from mie_dx.models import Notification
from tests.training.factories import CourseRunFactory, EnrolmentFactory
from training import services
from training.tasks import send_training_reminders

pytestmark = pytest.mark.django_db

# The period ends on Friday 29 July 2022; 5 business days before is Friday 22 July.
ENDS_ON = date(2022, 7, 29)


@pytest.fixture
def run():
    return CourseRunFactory(ends_on=ENDS_ON)


def test_the_reminder_date_counts_business_days_back():
    assert services.reminder_date(ENDS_ON) == date(2022, 7, 22)
    # Across a holiday: 海の日 18 July 2022 does not count.
    assert services.reminder_date(date(2022, 7, 22)) == date(2022, 7, 14)


def test_reminders_go_once_to_those_not_finished(run, capture_mail):
    unfinished = EnrolmentFactory(run=run, staff__email="unfinished@example.jp")
    EnrolmentFactory(run=run, completed_on=date(2022, 7, 1))
    EnrolmentFactory(run=run, staff__is_active=False)
    volunteer = CourseRunFactory(course__is_mandatory=False, ends_on=ENDS_ON)
    EnrolmentFactory(run=volunteer, is_mandatory=False)

    with time_machine.travel(date(2022, 7, 21), tick=False):
        assert send_training_reminders() == 0  # too early
    with time_machine.travel(date(2022, 7, 22), tick=False), capture_mail() as sent:
        assert send_training_reminders() == 1
    assert [m.to for m in sent] == [["unfinished@example.jp"]]
    assert "受講期間" in sent[0].body
    with time_machine.travel(date(2022, 7, 25), tick=False):
        assert send_training_reminders() == 0  # once each
    unfinished.refresh_from_db()
    assert unfinished.reminded_at is not None
    assert Notification.objects.filter(dedupe_key=f"training-reminder:{unfinished.pk}").count() == 1


def test_no_reminder_after_the_period_has_ended(run):
    EnrolmentFactory(run=run)
    with time_machine.travel(date(2022, 8, 1), tick=False):
        assert send_training_reminders() == 0


def test_the_beat_runs_the_task_every_day():
    from mie_dx.celery import app

    entry = app.conf.beat_schedule["training-reminders"]
    assert entry["task"] == "training.tasks.send_training_reminders"
