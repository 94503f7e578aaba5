"""The nightly purge (beat) erases what the retention period allows, in every app."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Consultation, Status
from mie_dx.tasks import purge_personal_data
from tests.consultations.factories import ConsultationFactory

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


def test_the_purge_runs_nightly_in_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-personal-data"]
    assert entry["task"] == "mie_dx.tasks.purge_personal_data"
    assert entry["schedule"].hour == {3}
