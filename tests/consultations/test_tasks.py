"""The scheduled jobs (survey reminder, stale alert) with frozen time, and the e-mails:
queued only when the transaction commits, and each sent once."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from consultations import services, tasks
from consultations.models import Consultation, Status
from consultations.retention import erase_personal_data
from mie_dx.delivery import send_notification
from mie_dx.models import Notification
from tests.consultations.factories import (
    ConsultationFactory,
    closed_consultation,
    requester_details,
    valid_form_data,
)
from tests.consultations.helpers import link_in

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a beat task at a frozen moment, as the worker would (e-mails sent after commit)."""

    def run_task(task, moment: datetime) -> int:
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return task.delay().get()

    return run_task


def test_the_beat_schedule_runs_both_jobs():
    from mie_dx.celery import app

    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert {
        "consultations.tasks.send_survey_reminders",
        "consultations.tasks.alert_stale_consultations",
    } <= tasks_scheduled


# --- Survey reminder ----------------------------------------------------------------------------

CLOSED_AT = at(2026, 11, 2, 15, 0)


@pytest.fixture
def closed(django_capture_on_commit_callbacks, mailoutbox):
    with (
        time_machine.travel(CLOSED_AT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        consultation = closed_consultation(email="hanako@example.jp")
    (survey_mail,) = [m for m in mailoutbox if "アンケート" in m.subject]
    mailoutbox.clear()
    return consultation, survey_mail


def test_one_reminder_is_sent_seven_days_after_an_unanswered_survey(closed, run, mailoutbox):
    consultation, survey_mail = closed

    assert run(tasks.send_survey_reminders, CLOSED_AT + timedelta(days=7, minutes=-1)) == 0
    assert mailoutbox == []

    assert run(tasks.send_survey_reminders, CLOSED_AT + timedelta(days=7)) == 1
    (reminder,) = mailoutbox
    assert reminder.to == ["hanako@example.jp"]
    assert "（再送）満足度アンケートのお願い" in reminder.subject
    assert link_in(reminder, "/consultations/survey/") == link_in(
        survey_mail, "/consultations/survey/"
    )
    consultation.survey.refresh_from_db()
    assert consultation.survey.reminder_sent_at == CLOSED_AT + timedelta(days=7)

    # Never twice, however often beat runs.
    for later in (timedelta(days=7, hours=1), timedelta(days=8), timedelta(days=30)):
        assert run(tasks.send_survey_reminders, CLOSED_AT + later) == 0
    assert len(mailoutbox) == 1


def test_no_reminder_for_an_answered_survey(closed, run, mailoutbox, client):
    consultation, survey_mail = closed
    with time_machine.travel(CLOSED_AT + timedelta(days=3), tick=False):
        client.post(link_in(survey_mail, "/consultations/survey/"), {"rating": "useful"})

    assert run(tasks.send_survey_reminders, CLOSED_AT + timedelta(days=7)) == 0
    assert run(tasks.send_survey_reminders, CLOSED_AT + timedelta(days=14)) == 0

    assert mailoutbox == []
    consultation.survey.refresh_from_db()
    assert consultation.survey.reminder_sent_at is None


def test_no_reminder_after_erasure_and_the_others_are_still_reminded(
    closed, run, mailoutbox, django_capture_on_commit_callbacks
):
    erased, _ = closed
    with (
        time_machine.travel(CLOSED_AT + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        other = closed_consultation(email="jiro@example.jp")
    mailoutbox.clear()
    erase_personal_data(consultation=erased)

    assert run(tasks.send_survey_reminders, CLOSED_AT + timedelta(days=8)) == 1

    assert [m.to for m in mailoutbox] == [["jiro@example.jp"]]
    erased.survey.refresh_from_db()
    other.survey.refresh_from_db()
    assert erased.survey.reminder_sent_at is None
    assert other.survey.reminder_sent_at == CLOSED_AT + timedelta(days=8)


def test_a_survey_that_cannot_be_mailed_is_logged_and_skipped(
    closed, run, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    broken, _ = closed
    with (
        time_machine.travel(CLOSED_AT + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        other = closed_consultation(email="jiro@example.jp")
    mailoutbox.clear()
    # An address the outbox refuses, on a consultation that was not erased.
    Consultation.objects.filter(pk=broken.pk).update(email="not-an-address")

    with caplog.at_level(logging.WARNING, logger="consultations.services"):
        assert run(tasks.send_survey_reminders, CLOSED_AT + timedelta(days=8)) == 1

    assert [m.to for m in mailoutbox] == [["jiro@example.jp"]]
    assert f"survey {broken.survey.pk}: no reminder sent" in caplog.text
    broken.survey.refresh_from_db()
    assert broken.survey.reminder_sent_at is None  # its transaction rolled back
    other.survey.refresh_from_db()
    assert other.survey.reminder_sent_at is not None


def test_the_reminder_e_mail_row_is_never_queued_twice(closed):
    with time_machine.travel(CLOSED_AT + timedelta(days=8), tick=False):
        services.send_survey_reminders()
        services.send_survey_reminders()

    assert Notification.objects.filter(template="consultation_survey_reminder").count() == 1


# --- Stale alert --------------------------------------------------------------------------------

# Friday 20 November 2026, 10:00. Monday 23 November is 勤労感謝の日 (a public holiday), so the
# three business days are Tue 24, Wed 25 and Thu 26: stale from Thursday 10:00.
SUBMITTED = at(2026, 11, 20, 10, 0)


@pytest.fixture
def received(django_capture_on_commit_callbacks, mailoutbox):
    with (
        time_machine.travel(SUBMITTED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        consultation = services.submit_consultation(details=requester_details(title="滞留の相談"))
    mailoutbox.clear()
    return consultation


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(at(2026, 11, 23, 18, 30), id="holiday-monday"),
        pytest.param(at(2026, 11, 25, 10, 30), id="wednesday-would-be-3-days-without-holiday"),
        pytest.param(at(2026, 11, 26, 9, 30), id="thursday-before-10"),
    ],
)
def test_no_alert_before_three_business_days(received, run, mailoutbox, moment):
    assert run(tasks.alert_stale_consultations, moment) == 0

    assert mailoutbox == []
    received.refresh_from_db()
    assert received.stale_alert_sent_at is None


def test_a_consultation_still_received_after_three_business_days_alerts_staff_once(
    received, run, mailoutbox
):
    thursday = at(2026, 11, 26, 10, 30)

    assert run(tasks.alert_stale_consultations, thursday) == 1

    (alert,) = mailoutbox
    assert alert.to == ["dxcenter@pref.mie.lg.jp"]
    assert "未対応の相談が1件あります" in alert.subject
    assert received.reference in alert.body
    assert "2026-11-20" in alert.body
    # Not `related` to one consultation, so erasure could not reach it: no title, nothing the
    # requester wrote, no contact details.
    assert "滞留の相談" not in alert.body
    assert received.name not in alert.body
    assert received.email not in alert.body
    assert "3営業日" in alert.body
    assert reverse("admin:consultations_consultation_change", args=[received.pk]) in alert.body
    received.refresh_from_db()
    assert received.stale_alert_sent_at == thursday

    for later in (at(2026, 11, 26, 11, 30), at(2026, 11, 27, 8, 30), at(2026, 12, 10, 8, 30)):
        assert run(tasks.alert_stale_consultations, later) == 0
    assert len(mailoutbox) == 1


def test_no_alert_once_triaged(received, run, mailoutbox, center_staff):
    with time_machine.travel(at(2026, 11, 25, 9, 0), tick=False):
        services.change_status(consultation=received, to_status="triage", by=center_staff)

    assert run(tasks.alert_stale_consultations, at(2026, 11, 30, 8, 30)) == 0
    assert mailoutbox == []


def test_one_alert_lists_every_stale_consultation_and_skips_samples(received, run, mailoutbox):
    with time_machine.travel(at(2026, 11, 19, 16, 0), tick=False):
        older = services.submit_consultation(details=requester_details(title="もっと前の相談"))
        sample = services.submit_consultation(details=requester_details(), is_sample=True)
    mailoutbox.clear()

    assert run(tasks.alert_stale_consultations, at(2026, 11, 30, 8, 30)) == 2

    (alert,) = mailoutbox
    assert "未対応の相談が2件あります" in alert.subject
    assert alert.body.index(older.reference) < alert.body.index(received.reference)
    assert sample.reference not in alert.body


def test_the_year_end_closure_is_not_counted(run, mailoutbox):
    with time_machine.travel(at(2026, 12, 28, 10, 0), tick=False):
        consultation = ConsultationFactory()
    # Closed 29 Dec – 3 Jan (3 Jan 2027 is a Sunday): business days are 4, 5 and 6 January.
    assert run(tasks.alert_stale_consultations, at(2027, 1, 6, 9, 30)) == 0
    assert run(tasks.alert_stale_consultations, at(2027, 1, 6, 10, 30)) == 1
    assert consultation.reference in mailoutbox[-1].body


# --- Queued on commit, sent once ----------------------------------------------------------------


def test_e_mails_are_queued_on_commit_and_each_sent_once(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("consultations:new"), valid_form_data())

    # Written in the business transaction, not yet sent: the task is published on commit.
    consultation = Consultation.objects.get()
    rows = list(Notification.objects.order_by("pk"))
    assert [(n.to, n.status) for n in rows] == [
        (consultation.email, "pending"),
        ("dxcenter@pref.mie.lg.jp", "pending"),
    ]
    assert len(callbacks) == 2
    assert mailoutbox == []

    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}

    # A redelivered or duplicated task finds nothing to send.
    for row in rows:
        assert send_notification.delay(row.pk).get() == "skipped"
    assert len(mailoutbox) == 2


def test_a_rolled_back_submission_leaves_no_e_mail(client, mailoutbox, monkeypatch):
    from consultations import notifications

    def fail_after_queueing(consultation):
        original(consultation)
        raise RuntimeError("the database went away")

    original = notifications.consultation_received
    monkeypatch.setattr(notifications, "consultation_received", fail_after_queueing)
    client.raise_request_exception = False

    response = client.post(reverse("consultations:new"), valid_form_data())

    assert response.status_code == 500
    assert Consultation.objects.count() == 0
    assert Notification.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("to_status", ["on_hold", "declined"])
def test_status_e_mails_are_sent_once_per_change(
    center_staff, mailoutbox, django_capture_on_commit_callbacks, to_status
):
    consultation = ConsultationFactory(status=Status.TRIAGE)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.change_status(consultation=consultation, to_status=to_status, by=center_staff)
    for callback in callbacks:
        callback()  # as if the broker delivered the task twice

    assert len(mailoutbox) == 1
