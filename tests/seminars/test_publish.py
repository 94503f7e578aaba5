"""Publishing from the seminar's own page, and a new seminar's 年度, 回 and URL filled in."""

import pytest
from django.urls import reverse

from mie_dx.models import AuditLog
from seminars.models import Seminar, SeminarStatus
from tests.seminars.factories import SeminarFactory

pytestmark = pytest.mark.django_db

PUBLISH_BUTTON = "公開する</button>"


def test_the_publish_button_publishes_through_the_service(client, center_staff):
    draft = SeminarFactory(status=SeminarStatus.DRAFT)
    change = reverse("admin:seminars_seminar_change", args=[draft.pk])
    client.force_login(center_staff)

    page = client.get(change).content.decode()
    assert PUBLISH_BUTTON in page
    publish = reverse("admin:seminars_publish", args=[draft.pk])
    assert f'action="{publish}"' in page

    assert client.get(publish).status_code == 405  # a change is a POST
    response = client.post(publish, follow=True)

    assert response.redirect_chain[-1][0] == change
    draft.refresh_from_db()
    assert draft.status == SeminarStatus.PUBLISHED
    body = response.content.decode()
    assert "セミナーを公開しました。" in body
    assert f'href="{draft.get_absolute_url()}"' in body
    assert PUBLISH_BUTTON not in body  # published: no button any more
    assert AuditLog.objects.filter(action="seminar.published", user=center_staff).count() == 1


def test_publishing_without_a_date_says_why_and_changes_nothing(client, center_staff):
    draft = SeminarFactory(status=SeminarStatus.DRAFT, date=None, registration_deadline=None)
    client.force_login(center_staff)

    response = client.post(reverse("admin:seminars_publish", args=[draft.pk]), follow=True)

    assert (
        "開催日（未定なら日程の補足）を入力してから公開してください。" in response.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == SeminarStatus.DRAFT


def test_a_manager_sees_no_publish_button_and_cannot_publish(client, manager):
    draft = SeminarFactory(status=SeminarStatus.DRAFT)
    client.force_login(manager)

    page = client.get(reverse("admin:seminars_seminar_change", args=[draft.pk]))
    assert PUBLISH_BUTTON not in page.content.decode()
    assert client.post(reverse("admin:seminars_publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == SeminarStatus.DRAFT


def new_seminar_data(**overrides) -> dict[str, str]:
    data = {
        "fiscal_year": "",
        "number": "",
        "slug": "",
        "title": "新しいセミナー",
        "theme": "",
        "description": "",
        "date": "2026-11-10",
        "date_note": "",
        "doors_open_time": "",
        "start_time": "13:30",
        "end_time": "15:00",
        "registration_deadline": "2026-11-05",
        "format": "online",
        "venue_name": "",
        "venue_address": "",
        "onsite_capacity": "",
        "online_platform": "Zoom",
        "online_capacity": "",
        "online_meeting_url": "",
        "online_meeting_note": "",
        "fee_yen": "0",
        "consultation_start_time": "",
        "consultation_end_time": "",
        "consultation_slot_minutes": "",
        "talks-TOTAL_FORMS": "0",
        "talks-INITIAL_FORMS": "0",
        "talks-MIN_NUM_FORMS": "0",
        "talks-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_fiscal_year_number_and_slug_are_filled_in_from_the_date(client, center_staff):
    client.force_login(center_staff)
    add = reverse("admin:seminars_seminar_add")
    form = client.get(add).content.decode()
    assert "空欄なら年度と回から自動で付けます" in form
    assert "開催日から自動で入ります" in form

    assert client.post(add, new_seminar_data()).status_code == 302
    first = Seminar.objects.get(title="新しいセミナー")
    assert (first.fiscal_year, first.number, first.slug) == (2026, 1, "r8-01")

    # The next one of the year takes the next number; a slug in use is not taken twice.
    SeminarFactory(slug="r8-03", fiscal_year=2025, number=9)
    assert client.post(add, new_seminar_data(title="2回目")).status_code == 302
    assert client.post(add, new_seminar_data(title="3回目")).status_code == 302
    assert Seminar.objects.get(title="2回目").slug == "r8-02"
    third = Seminar.objects.get(title="3回目")
    assert (third.number, third.slug) == (3, "r8-03-2")

    # What staff type is kept.
    assert (
        client.post(add, new_seminar_data(title="手入力", number="7", slug="dx-day")).status_code
        == 302
    )
    assert Seminar.objects.filter(title="手入力", number=7, slug="dx-day").exists()


def test_an_undated_seminar_still_needs_its_fiscal_year(client, center_staff):
    client.force_login(center_staff)
    response = client.post(
        reverse("admin:seminars_seminar_add"),
        new_seminar_data(date="", registration_deadline="", date_note="2月中旬（予定）"),
    )
    assert response.status_code == 200
    assert "開催日が未定のときは年度を入力してください。" in response.content.decode()
    assert not Seminar.objects.exists()
