"""Private links end a set time after what they are about ends, and at once on erasure; the
supporter's link stops showing the requester's contact details when the case closes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import retention as consultation_retention
from consultations import services as consultation_services
from consultations.models import Assignment, Status
from seminars import retention as seminar_retention
from seminars import services as seminar_services
from seminars.models import SeminarSurvey
from tests.consultations.factories import (
    AssignmentFactory,
    ConsultationFactory,
    closed_consultation,
)
from tests.seminars.factories import SeminarFactory, register

pytestmark = pytest.mark.django_db

EXPIRED = "このリンクの有効期限が切れています"


def status_url(consultation) -> str:
    return reverse("consultations:status", args=[consultation.private_token])


def assert_expired(response) -> None:
    assert response.status_code == 410
    body = response.content.decode()
    assert EXPIRED in body
    assert "059-224-3086" in body  # the center's phone, to ask instead


def test_a_status_link_works_until_the_period_after_the_case_ended(client, settings, time_machine):
    settings.PRIVATE_LINK_DAYS_AFTER_END = timedelta(days=90)
    consultation = closed_consultation(name="見本 花子")

    time_machine.move_to(timezone.now() + timedelta(days=89))
    assert client.get(status_url(consultation)).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(days=2))
    assert_expired(client.get(status_url(consultation)))
    assert_expired(client.post(status_url(consultation), {"confirm": "on"}))


def test_an_open_case_keeps_its_link_however_old(client, time_machine):
    consultation = ConsultationFactory()
    time_machine.move_to(timezone.now() + timedelta(days=1000))
    assert client.get(status_url(consultation)).status_code == 200


def test_erasure_ends_every_link_of_the_person_at_once(client):
    consultation = closed_consultation()
    assignment = consultation.assignments.get()
    survey = consultation.survey

    consultation_retention.erase_personal_data(consultation=consultation)

    for url in (
        status_url(consultation),
        reverse("consultations:survey", args=[survey.private_token]),
        reverse("consultations:assignment", args=[assignment.private_token]),
    ):
        assert_expired(client.get(url))


def test_the_supporters_link_stops_showing_contact_details_when_the_case_closes(client):
    assignment = AssignmentFactory(
        consultation=ConsultationFactory(
            status=Status.ADVISING, name="見本 花子", email="hanako@example.jp"
        ),
        state=Assignment.State.ACCEPTED,
    )
    url = reverse("consultations:assignment", args=[assignment.private_token])
    assert "hanako@example.jp" in client.get(url).content.decode()

    consultation_services.change_status(
        consultation=assignment.consultation, to_status=Status.CLOSED, by=None
    )

    page = client.get(url)
    assert page.status_code == 200
    assert "hanako@example.jp" not in page.content.decode()
    assert "見本 花子" not in page.content.decode()


def test_a_survey_link_ends_after_its_period(client, settings, time_machine):
    settings.SURVEY_LINK_DAYS = timedelta(days=30)
    survey = closed_consultation().survey
    url = reverse("consultations:survey", args=[survey.private_token])

    time_machine.move_to(timezone.now() + timedelta(days=29))
    assert client.get(url).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(days=2))
    assert_expired(client.post(url, {"rating": "useful"}))
    survey.refresh_from_db()
    assert not survey.is_answered


def test_a_management_link_ends_after_the_seminar_and_after_cancellation(
    client, settings, time_machine
):
    settings.PRIVATE_LINK_DAYS_AFTER_END = timedelta(days=90)
    seminar = SeminarFactory()  # 30 days ahead
    kept = register(seminar, email="kept@example.jp")
    cancelled = register(seminar, email="cancelled@example.jp")
    seminar_services.cancel_registration(registration=cancelled)

    time_machine.move_to(timezone.now() + timedelta(days=89))
    assert client.get(kept.get_manage_url()).status_code == 200  # the seminar is not over
    assert client.get(cancelled.get_manage_url()).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(days=2))
    assert_expired(client.get(cancelled.get_manage_url()))
    assert client.get(kept.get_manage_url()).status_code == 200  # 61 days after the seminar
    time_machine.move_to(timezone.now() + timedelta(days=30))
    assert_expired(client.get(kept.get_manage_url()))


def test_erasing_a_registrant_ends_their_links(client):
    seminar = SeminarFactory()
    registration = register(seminar)
    survey = SeminarSurvey.objects.create(registration=registration)
    seminar_services.cancel_registration(registration=registration)

    seminar_retention.erase_personal_data(registration=registration)

    assert_expired(client.get(registration.get_manage_url()))
    assert_expired(client.get(reverse("seminars:survey", args=[survey.private_token])))


def test_a_cancelled_registrations_page_shows_no_personal_details(client):
    registration = register(SeminarFactory(), name="見本 花子", email="hanako@example.jp")
    seminar_services.cancel_registration(registration=registration)

    page = client.get(registration.get_manage_url()).content.decode()

    assert "見本 花子" not in page
    assert "hanako@example.jp" not in page
