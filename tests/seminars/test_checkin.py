"""The door: a kana-insensitive search, on-site people only, and walk-ins recorded there."""

from datetime import timedelta

import pytest
from django.urls import reverse

from mie_dx.models import AuditLog, Notification
from seminars import services
from seminars.models import Attendance, Registration, RegistrationStatus
from tests.seminars.factories import RegistrationFactory, SeminarFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def door(client, center_staff, time_machine):
    """The check-in page of a seminar on its day, for a member of センター事務局."""
    seminar = SeminarFactory(onsite_capacity=3)
    time_machine.move_to(seminar.starts_at - timedelta(minutes=20), tick=False)
    client.force_login(center_staff)
    return client, seminar, reverse("admin:seminars_checkin", args=[seminar.pk])


def names(response) -> set[str]:
    return {r.name for r in response.context["registrations"]}


def test_search_ignores_script_and_width_of_kana(door):
    client, seminar, url = door
    RegistrationFactory(seminar=seminar, name="名張 太郎", name_kana="ナバリ　タロウ")
    RegistrationFactory(seminar=seminar, name="名張 花子", name_kana="ﾅﾊﾞﾘ ﾊﾅｺ")
    RegistrationFactory(seminar=seminar, name="津 一郎", name_kana="ツ　イチロウ")

    for query in ("なばり", "ナバリ", "ﾅﾊﾞﾘ", "ナバリ タロウ", "なばりたろう"):
        found = names(client.get(url, {"q": query}))
        expected = (
            {"名張 太郎"} if "たろう" in query or "タロウ" in query else {"名張 太郎", "名張 花子"}
        )
        assert found == expected, query
    assert names(client.get(url, {"q": "名張"})) == {"名張 太郎", "名張 花子"}
    assert names(client.get(url, {"q": "サンプル商事"})) == {"名張 太郎", "名張 花子", "津 一郎"}
    assert names(client.get(url, {"q": "よっかいち"})) == set()


def test_online_attendees_are_not_in_the_door_list(door):
    client, seminar, url = door
    RegistrationFactory(seminar=seminar, name="会場 参加")
    RegistrationFactory(seminar=seminar, name="遠隔 参加", attendance=Attendance.ONLINE)
    RegistrationFactory(seminar=seminar, name="待機 中", status=RegistrationStatus.WAITLISTED)

    response = client.get(url)

    assert names(response) == {"会場 参加"}
    body = response.content.decode()
    assert "遠隔 参加" not in body
    assert "オンライン参加の1人は受付の一覧に含めていません" in body


@pytest.mark.parametrize("rows", [5, 80])
def test_the_door_list_runs_a_fixed_number_of_queries(door, rows, django_assert_max_num_queries):
    client, seminar, url = door
    Registration.objects.bulk_create(
        [RegistrationFactory.build(seminar=seminar, email=f"d{i}@example.jp") for i in range(rows)]
    )
    with django_assert_max_num_queries(14):
        response = client.get(url, {"q": "みほん"})
    assert len(response.context["registrations"]) == rows


def walk_in_data(**overrides) -> dict[str, str]:
    data = {
        "action": "walk_in",
        "name": "当日 来場",
        "name_kana": "とうじつ ﾗｲｼﾞｮｳ",
        "organization": "",
        "requester_type": "individual",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def test_a_walk_in_is_recorded_as_attended_on_site_and_sent_nothing(
    door, center_staff, django_capture_on_commit_callbacks, mailoutbox
):
    client, seminar, url = door
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, walk_in_data())

    walk_in = Registration.objects.get(seminar=seminar, name="当日 来場")
    assert response.status_code == 302
    assert response.url.endswith(f"#registration-{walk_in.pk}")
    assert walk_in.status == RegistrationStatus.ATTENDED
    assert walk_in.attendance == Attendance.ONSITE
    assert walk_in.name_kana == "トウジツ　ライジョウ"
    assert walk_in.checked_in_by == center_staff
    assert walk_in.privacy_consent_at is not None
    assert not walk_in.can_be_emailed
    assert not Notification.objects.exists() and mailoutbox == []
    entry = AuditLog.objects.get(action="registration.created", object_id=str(walk_in.pk))
    assert entry.data["walk_in"] is True and entry.user == center_staff

    # Found at the door by its reading; nothing is mailed to it afterwards (the survey).
    assert names(client.get(url, {"q": "らいじょう"})) == {"当日 来場"}
    # The staff's list of registrants shows no made-up address for them.
    exported = client.get(
        reverse("admin:seminars_registration_export"), {"seminar__id__exact": seminar.pk}
    ).content.decode("utf-8")
    (row,) = (line for line in exported.splitlines() if "当日 来場" in line)
    assert "@" not in row and "invalid" not in row
    services.send_surveys(now=seminar.ends_at + timedelta(hours=2))
    assert not Notification.objects.exists()


def test_walk_ins_need_a_name_and_the_consent_and_save_nothing_otherwise(door):
    client, seminar, url = door
    response = client.post(url, walk_in_data(name="", privacy_consent=""))

    assert response.status_code == 200
    body = response.content.decode()
    assert "このフィールドは必須です。" in body
    assert "個人情報の取扱いへのご本人の同意を確認してください。" in body
    response = client.post(url, walk_in_data(requester_type="business"))
    assert "団体・事業者・所属名を入力してください" in response.content.decode()
    response = client.post(url, walk_in_data(name_kana="abc"))
    assert "フリガナはカタカナまたはひらがなで入力してください。" in response.content.decode()
    assert not Registration.objects.filter(seminar=seminar).exists()


def test_walk_ins_beyond_the_capacity_are_recorded_with_a_warning(door):
    client, seminar, url = door
    RegistrationFactory.create_batch(3, seminar=seminar)

    response = client.post(url, walk_in_data(), follow=True)

    assert "会場の定員を超えています。" in response.content.decode()
    assert Registration.objects.filter(seminar=seminar).count() == 4


def test_no_walk_in_before_the_day_nor_by_a_manager(client, center_staff, manager):
    seminar = SeminarFactory()
    url = reverse("admin:seminars_checkin", args=[seminar.pk])
    client.force_login(center_staff)
    assert "当日参加として出席を記録" not in client.get(url).content.decode()
    response = client.post(url, walk_in_data(), follow=True)
    assert "開催日より前には出欠を記録できません。" in response.content.decode()

    client.force_login(manager)
    assert client.post(url, walk_in_data()).status_code == 403
    assert not Registration.objects.exists()
