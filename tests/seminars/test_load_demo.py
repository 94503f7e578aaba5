"""load_demo loads the five R4 seminars from the seed, once, and they show as past seminars;
and an upcoming sample series dated from today, so that registration can be tried."""

from datetime import date, time, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mie_dx.models import Notification
from seminars import selectors
from seminars.models import Format, Registration, Seminar, SeminarStatus, Talk
from seminars.services import registration_closed_reason
from tests.seminars.factories import valid_form_data

pytestmark = pytest.mark.django_db


def test_load_demo_loads_the_five_r4_seminars_idempotently(client):
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)

    seminars = list(Seminar.objects.filter(slug__startswith="r4-").order_by("number"))
    assert [(s.fiscal_year, s.number) for s in seminars] == [(2022, n) for n in range(1, 6)]
    assert Talk.objects.count() == 3

    first = seminars[0]
    assert first.title == "デジタル社会形成の前提条件"
    assert (first.date, first.start_time, first.end_time, first.doors_open_time) == (
        date(2022, 6, 24),
        time(13, 30),
        time(15, 15),
        time(13, 15),
    )
    assert first.format == Format.HYBRID
    assert first.venue_name == "三重県勤労者福祉会館4階第3教室"
    assert first.venue_address == "津市栄町1丁目891番地"
    assert first.onsite_capacity == 20 and first.online_capacity is None
    assert first.online_platform == "Zoom" and first.online_meeting_url == ""
    assert first.fee_yen == 0
    assert first.registration_deadline == date(2022, 6, 20)
    assert (first.consultation_start_time, first.consultation_end_time) == (
        time(15, 30),
        time(16, 30),
    )
    talks = list(first.talks.select_related("supporter"))
    assert [t.kind for t in talks] == [Talk.Kind.PARTNER, Talk.Kind.ADVISOR, Talk.Kind.DIALOGUE]
    assert talks[0].speaker_name == "梅原 みどり"
    assert talks[0].supporter.name == "ソフトバンク株式会社"
    assert talks[1].display_speaker == "小安 美和"
    assert "CDO" in talks[2].speaker_name

    # No day is invented for "12月中旬" / "2月中旬".
    assert [(s.date, s.date_note) for s in seminars[1:]] == [
        (date(2022, 8, 3), "（予定）"),
        (date(2022, 10, 2), "（予定）"),
        (None, "12月中旬（予定）"),
        (None, "2月中旬（予定）"),
    ]
    assert {s.status for s in seminars} == {SeminarStatus.PUBLISHED}


def test_the_demo_seminars_are_listed_as_past_and_closed(client):
    call_command("load_demo", verbosity=0)
    body = client.get(reverse("seminars:list")).content.decode()
    past = body.split("これまでのセミナー", 1)[1]
    for title in ("デジタル社会形成の前提条件", "フラットでオープンな組織", "12月中旬"):
        assert title in past
    # Held long ago: no longer "planned" (issue 11).
    assert "（予定）" not in past
    detail = client.get(reverse("seminars:detail", args=["r4-01"])).content.decode()
    assert "このセミナーは終了しました" in detail
    assert "ソフトバンク株式会社" in detail and "梅原 みどり" in detail
    assert client.get(reverse("seminars:register", args=["r4-01"])).status_code == 200
    assert (
        "終了しました" in client.get(reverse("seminars:register", args=["r4-01"])).content.decode()
    )


def _upcoming_samples():
    return list(
        selectors.upcoming_seminars().filter(slug__startswith="demo-").order_by("date", "pk")
    )


def test_an_upcoming_sample_series_dated_from_today_is_open_for_registration(client):
    call_command("load_demo", verbosity=0)

    upcoming = _upcoming_samples()
    today = timezone.localdate()
    assert len(upcoming) == 3
    for seminar in upcoming:
        assert seminar.title.startswith("【サンプル】")
        assert "実際の開催予定ではありません" in seminar.description
        assert seminar.status == SeminarStatus.PUBLISHED
        assert seminar.date > today
        assert registration_closed_reason(seminar) is None
    # One nearly full (one on-site seat left), one with an individual-consultation session.
    assert sorted(s.onsite_seats_left for s in upcoming) == [1, 20, 20]
    assert [s.has_consultation_session for s in upcoming].count(True) == 1
    # Their registrants are fictional and were sent nothing.
    assert not Registration.objects.exclude(email__endswith="@example.com").exists()
    assert not Notification.objects.exists()

    # Listed as upcoming, and a visitor can register.
    listing = client.get(reverse("seminars:list")).content.decode()
    assert upcoming[0].title in listing.split("これまでのセミナー", 1)[0]
    open_one = next(s for s in upcoming if s.onsite_seats_left == 20)
    response = client.post(
        reverse("seminars:register", args=[open_one.slug]),
        valid_form_data(email="try@example.jp", confirm="1"),
    )
    assert response.status_code == 302
    assert Registration.objects.filter(seminar=open_one, email="try@example.jp").exists()


def test_load_demo_twice_changes_nothing_and_a_later_day_adds_no_second_series(time_machine):
    call_command("load_demo", verbosity=0)
    first = sorted(Seminar.objects.values_list("slug", "date", "number", "fiscal_year"))
    registrations = Registration.objects.count()

    call_command("load_demo", verbosity=0)
    assert sorted(Seminar.objects.values_list("slug", "date", "number", "fiscal_year")) == first

    # A week later the series is still ahead: nothing is added.
    time_machine.move_to(timezone.now() + timedelta(days=7))
    call_command("load_demo", verbosity=0)
    assert sorted(Seminar.objects.values_list("slug", "date", "number", "fiscal_year")) == first
    assert Registration.objects.count() == registrations

    # Once it has taken place, a new series dated from that day is added beside it.
    time_machine.move_to(timezone.now() + timedelta(days=30))
    call_command("load_demo", verbosity=0)
    assert len(_upcoming_samples()) == 3
    assert Seminar.objects.filter(slug__startswith="demo-").count() == 6
