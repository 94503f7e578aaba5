"""Staff tools in the admin: seats and alerts, registrants, check-in, slots, cancelling, CSV."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from seminars.models import (
    Attendance,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
)
from tests.seminars.factories import RegistrationFactory, SeminarFactory, register

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:seminars_seminar_changelist"
REGISTRATIONS = "admin:seminars_registration_changelist"


@pytest.fixture
def staff_client(client, center_staff):
    client.force_login(center_staff)
    return client


def test_changelist_shows_seats_and_flags_full_and_nearly_full(staff_client):
    full = SeminarFactory(title="満席の回", onsite_capacity=2)
    RegistrationFactory.create_batch(2, seminar=full)
    nearly = SeminarFactory(title="ほぼ満席の回", onsite_capacity=10)
    RegistrationFactory.create_batch(9, seminar=nearly)
    RegistrationFactory(seminar=nearly, status=RegistrationStatus.CANCELLED)
    SeminarFactory(title="空いている回", onsite_capacity=20)

    body = staff_client.get(reverse(CHANGELIST)).content.decode()

    assert "2 / 2席（残り0）" in body
    assert "9 / 10席（残り1）" in body
    assert 'class="seat-alert seat-full">満席' in body
    assert 'class="seat-alert seat-nearly">残りわずか' in body
    assert 'class="seat-alert seat-open">受付可' in body


@pytest.mark.parametrize("count", [3, 60])
def test_changelists_run_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries, count
):
    seminars = SeminarFactory.create_batch(count)
    Registration.objects.bulk_create(
        [
            RegistrationFactory.build(seminar=seminars[i % count], email=f"q{i}@example.jp")
            for i in range(400)
        ]
    )
    with django_assert_max_num_queries(12):
        assert staff_client.get(reverse(CHANGELIST)).status_code == 200
    with django_assert_max_num_queries(14):
        assert staff_client.get(reverse(REGISTRATIONS)).status_code == 200


def test_registrants_per_seminar_with_status_filters(staff_client):
    seminar = SeminarFactory(onsite_capacity=1)
    register(seminar, name="確定 一郎", email="a@example.jp")
    register(seminar, name="待機 二郎", email="b@example.jp")
    other = SeminarFactory()
    register(other, name="別回 三郎", email="c@example.jp")

    url = reverse(REGISTRATIONS)
    body = staff_client.get(
        url, {"seminar__id__exact": seminar.pk, "status__exact": "waitlisted"}
    ).content.decode()
    assert "待機 二郎" in body
    assert "確定 一郎" not in body and "別回 三郎" not in body


def test_csv_export_is_for_japanese_excel(staff_client):
    seminar = SeminarFactory()
    register(seminar, name="=HYPERLINK(1)", email="csv@example.jp")
    response = staff_client.get(
        reverse("admin:seminars_registration_export"), {"seminar__id__exact": seminar.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeffセミナー,状態,参加方法")
    assert "'=HYPERLINK(1)" in content
    assert "csv@example.jp" in content
    assert "\r\n" in content


def test_checkin_page_and_buttons(staff_client, center_staff, time_machine):
    seminar = SeminarFactory()
    person = register(seminar, name="受付 花子", email="door@example.jp")
    url = reverse("admin:seminars_checkin", args=[seminar.pk])

    before = staff_client.get(url).content.decode()
    assert "受付 花子" in before
    assert "開催日になると出欠を記録できます" in before

    time_machine.move_to(seminar.starts_at - timedelta(minutes=20), tick=False)
    staff_client.force_login(center_staff)  # the session expired while time moved on
    page = staff_client.get(url).content.decode()
    assert 'name="action" value="attended"' in page

    response = staff_client.post(url, {"registration": person.pk, "action": "attended"})
    assert response.status_code == 302
    assert response.url.endswith(f"#registration-{person.pk}")
    person.refresh_from_db()
    assert person.status == RegistrationStatus.ATTENDED

    staff_client.post(url, {"registration": person.pk, "action": "no_show"})
    person.refresh_from_db()
    assert person.status == RegistrationStatus.NO_SHOW

    found = staff_client.get(url, {"q": "ウケツケ"}).content.decode()
    assert "受付 花子" in found
    assert "受付 花子" not in staff_client.get(url, {"q": "該当なし"}).content.decode()


def test_checkin_refuses_people_without_the_permission(client, public_user, manager):
    seminar = SeminarFactory()
    person = register(seminar)
    url = reverse("admin:seminars_checkin", args=[seminar.pk])

    # Not signed in, or not staff: sent to the login page.
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response.url
    client.force_login(public_user)
    response = client.post(url, {"registration": person.pk, "action": "attended"})
    assert response.status_code == 302 and "/admin/login/" in response.url

    client.force_login(manager)
    assert client.get(url).status_code == 403
    assert client.post(url, {"registration": person.pk, "action": "attended"}).status_code == 403
    person.refresh_from_db()
    assert person.status == RegistrationStatus.CONFIRMED


def test_managers_see_seminar_figures_but_not_registrants(client, manager):
    seminar = SeminarFactory()
    register(seminar, name="個人 情報")
    client.force_login(manager)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    assert client.get(reverse(REGISTRATIONS)).status_code == 403
    assert client.get(reverse("admin:seminars_registration_export")).status_code == 403
    change = client.get(reverse("admin:seminars_seminar_change", args=[seminar.pk]))
    assert change.status_code == 200
    assert "個人 情報" not in change.content.decode()


def test_attendance_figures_after_the_seminar(staff_client, center_staff, time_machine):
    seminar = SeminarFactory(onsite_capacity=2)
    a = register(seminar, email="a@example.jp")
    b = register(seminar, email="b@example.jp")
    register(seminar, email="c@example.jp")  # waiting
    register(seminar, attendance=Attendance.ONLINE, email="d@example.jp")
    time_machine.move_to(seminar.starts_at, tick=False)
    from seminars import services

    services.record_attendance(registration=a, attended=True, by=center_staff)
    services.record_attendance(registration=b, attended=False, by=center_staff)
    staff_client.force_login(center_staff)  # the session expired while time moved on

    body = staff_client.get(
        reverse("admin:seminars_seminar_change", args=[seminar.pk])
    ).content.decode()
    assert "出席率 50%（出欠を記録した2人のうち出席1人）" in body
    assert "1 / 1" in staff_client.get(reverse(CHANGELIST)).content.decode()


def test_assign_slots_action_in_turn(staff_client, capture_mail):
    seminar = SeminarFactory(consultation_slot_minutes=30)
    first = register(
        seminar, email="first@example.jp", wants_consultation=True, consultation_topic="A"
    )
    second = register(
        seminar, email="second@example.jp", wants_consultation=True, consultation_topic="B"
    )
    with capture_mail() as sent:
        response = staff_client.post(
            reverse(REGISTRATIONS),
            {"action": "assign_slots", "_selected_action": [second.pk, first.pk]},
            follow=True,
        )
    assert "2人に個別相談の時間を割り当てました" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert timezone.localtime(first.consultation_slot_at).strftime("%H:%M") == "15:30"
    assert timezone.localtime(second.consultation_slot_at).strftime("%H:%M") == "16:00"
    assert {m.to[0] for m in sent} == {"first@example.jp", "second@example.jp"}


def test_cancel_view_tells_everyone(staff_client, capture_mail):
    seminar = SeminarFactory()
    register(seminar, email="x@example.jp")
    register(seminar, email="y@example.jp", attendance=Attendance.ONLINE)
    url = reverse("admin:seminars_cancel", args=[seminar.pk])
    assert "2人全員にメールで知らせます" in staff_client.get(url).content.decode()

    staff_client.post(url, {"reason": "台風のため"})  # no confirmation: nothing happens
    seminar.refresh_from_db()
    assert seminar.status == SeminarStatus.PUBLISHED

    with capture_mail() as sent:
        staff_client.post(url, {"reason": "台風のため", "confirm": "on"})
    seminar.refresh_from_db()
    assert seminar.status == SeminarStatus.CANCELLED
    assert seminar.cancellation_reason == "台風のため"
    assert sorted(m.to[0] for m in sent) == ["x@example.jp", "y@example.jp"]


def test_publish_action_and_status_is_not_editable_in_the_form(staff_client):
    draft = SeminarFactory(status=SeminarStatus.DRAFT)
    staff_client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    draft.refresh_from_db()
    assert draft.status == SeminarStatus.PUBLISHED
    form = staff_client.get(reverse("admin:seminars_seminar_change", args=[draft.pk]))
    assert 'name="status"' not in form.content.decode()


def test_staff_create_a_seminar_with_its_fiscal_year_from_the_date(staff_client):
    response = staff_client.post(
        reverse("admin:seminars_seminar_add"),
        {
            "number": "1",
            "slug": "r9-01",
            "title": "新しいセミナー",
            "theme": "",
            "description": "",
            "date": "2027-02-10",
            "date_note": "",
            "doors_open_time": "",
            "start_time": "13:30",
            "end_time": "15:00",
            "registration_deadline": "2027-02-05",
            "format": "hybrid",
            "venue_name": "会場",
            "venue_address": "",
            "onsite_capacity": "20",
            "online_platform": "Zoom",
            "online_capacity": "",
            "online_meeting_url": "https://zoom.example.jp/j/1",
            "online_meeting_note": "",
            "fee_yen": "0",
            "consultation_start_time": "",
            "consultation_end_time": "",
            "consultation_slot_minutes": "",
            "talks-TOTAL_FORMS": "0",
            "talks-INITIAL_FORMS": "0",
            "talks-MIN_NUM_FORMS": "0",
            "talks-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    seminar = Seminar.objects.get(slug="r9-01")
    assert seminar.fiscal_year == 2026  # February 2027 is in 令和8年度
    assert seminar.status == SeminarStatus.DRAFT


def test_the_public_user_cannot_open_the_seminar_admin(client, public_user):
    client.force_login(public_user)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302 and "/admin/login/" in response.url
