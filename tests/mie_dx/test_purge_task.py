"""The nightly purge (beat) erases what the retention period allows, in every app."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultations import pending_uploads
from consultations.models import Consultation, Status
from mie_dx.tasks import purge_personal_data
from tests.consultations.factories import ConsultationFactory
from tests.seminars.factories import RegistrationFactory, SeminarFactory

pytestmark = pytest.mark.django_db


def test_the_beat_task_erases_ended_cases_past_the_retention_period(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    old = ConsultationFactory(name="見本 花子")
    recent = ConsultationFactory(name="見本 次郎")
    Consultation.objects.filter(pk__in=[old.pk, recent.pk]).update(status=Status.CLOSED)
    Consultation.objects.filter(pk=old.pk).update(
        status_changed_at=timezone.now() - timedelta(days=31)
    )

    counts = purge_personal_data.delay().get()

    assert counts == {"consultations": 1, "seminar registrations": 0}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.personal_data_erased_at is not None
    assert recent.name == "見本 次郎"


def test_the_purge_runs_nightly_in_beat():
    from mie_dx.celery import app

    entry = app.conf.beat_schedule["purge-personal-data"]
    assert entry["task"] == "mie_dx.tasks.purge_personal_data"
    assert entry["schedule"].hour == {3}


def test_the_nightly_purge_removes_attachments_nobody_confirmed(private_media):
    # Two residents chose a file and reached the confirmation page; neither sent the form.
    abandoned = pending_uploads.keep(SimpleUploadedFile("一昨日.pdf", b"%PDF-1.4 old"))
    waiting = pending_uploads.keep(SimpleUploadedFile("いま.pdf", b"%PDF-1.4 new"))
    pending = private_media / "pending"
    (old_file,) = (path for path in pending.iterdir() if path.read_bytes().endswith(b"old"))
    three_hours_ago = time.time() - 3 * 3600  # the token and the file are kept for 2 hours
    os.utime(old_file, (three_hours_ago, three_hours_ago))

    purge_personal_data.delay().get()

    assert [path.read_bytes() for path in pending.iterdir()] == [b"%PDF-1.4 new"]
    assert pending_uploads.name_of(waiting) == "いま.pdf"  # still there for its confirmation
    assert pending_uploads.name_of(abandoned) is None


def test_a_storage_fault_in_the_sweep_stops_no_other_purge(settings, monkeypatch, caplog):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    seminar = SeminarFactory(date=timezone.localdate() - timedelta(days=40))
    registration = RegistrationFactory(seminar=seminar, name="見本 三郎")

    def broken_storage():
        raise PermissionError("private storage not writable")

    monkeypatch.setattr(pending_uploads, "sweep", broken_storage)

    counts = purge_personal_data.delay().get()

    assert counts == {"consultations": 0, "seminar registrations": 1}
    registration.refresh_from_db()
    assert registration.personal_data_erased_at is not None and registration.name != "見本 三郎"
    assert "could not remove unconfirmed attachments" in caplog.text


def test_beat_runs_every_apps_declared_entries():
    """Each app declares its beat entries on its AppConfig; beat gets all of them, once."""
    from django.apps import apps

    from mie_dx.celery import app

    declared = {
        name for config in apps.get_app_configs() for name in getattr(config, "beat_schedule", {})
    }
    assert declared == set(app.conf.beat_schedule)
    assert {
        "sweep-notifications",
        "consultation-stale-alerts",
        "seminar-reminders",
        "training-reminders",
    } <= declared
