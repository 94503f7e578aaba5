"""The public seminar pages through the HTTP client: list, detail, .ics, registration,
the private management page and the survey."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation, Source
from mie_dx.tokens import new_token
from seminars.models import (
    Attendance,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
    SeminarSurvey,
)
from seminars.views import REGISTERED
from tests.consultations.helpers import element_text, error_summary, field_error
from tests.seminars.factories import (
    RegistrationFactory,
    SeminarFactory,
    TalkFactory,
    register,
    valid_form_data,
)

pytestmark = pytest.mark.django_db

SECRET_URL = "https://zoom.example.jp/j/secret-meeting-123"


def _register_url(seminar: Seminar) -> str:
    return reverse("seminars:register", args=[seminar.slug])


def _post(client, seminar, capture, **overrides):
    with capture(execute=True):
        return client.post(_register_url(seminar), valid_form_data(**overrides))


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# --- List --------------------------------------------------------------------------------


def test_list_shows_upcoming_first_then_past_and_never_drafts(client):
    today = timezone.localdate()
    SeminarFactory(title="来月のセミナー", date=today + timedelta(days=30))
    SeminarFactory(title="来週のセミナー", date=today + timedelta(days=7))
    SeminarFactory(
        title="先月のセミナー",
        date=today - timedelta(days=30),
        registration_deadline=today - timedelta(days=34),
    )
    SeminarFactory(title="下書きのセミナー", status=SeminarStatus.DRAFT)

    body = client.get(reverse("seminars:list")).content.decode()

    upcoming = element_text(body, "upcoming-title")
    assert upcoming == "今後のセミナー"
    assert (
        body.index("来週のセミナー") < body.index("来月のセミナー") < body.index("先月のセミナー")
    )
    assert body.index("来月のセミナー") < body.index("これまでのセミナー")
    assert "下書きのセミナー" not in body
    assert SECRET_URL not in body


def _many_seminars(count: int, registrations: int) -> None:
    today = timezone.localdate()
    seminars = [
        SeminarFactory.build(
            number=n + 1,
            slug=f"bulk-{n:04d}",
            fiscal_year=2020 + n % 7,
            date=today + timedelta(days=n - count // 2),
            registration_deadline=None,
        )
        for n in range(count)
    ]
    Seminar.objects.bulk_create(seminars)
    saved = list(Seminar.objects.filter(slug__startswith="bulk-"))
    for seminar in saved[:10]:
        TalkFactory(seminar=seminar)
    Registration.objects.bulk_create(
        [
            RegistrationFactory.build(
                seminar=saved[i % len(saved)],
                email=f"bulk{i}@example.jp",
                attendance=Attendance.ONSITE if i % 3 else Attendance.ONLINE,
            )
            for i in range(registrations)
        ]
    )


@pytest.mark.parametrize("count", [3, 300])
def test_list_runs_a_fixed_number_of_queries(client, count):
    _many_seminars(count, 2000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("seminars:list"))
    assert response.status_code == 200
    # upcoming + their talks, past count + page + their talks.
    assert len(queries) <= 5, [q["sql"] for q in queries.captured_queries]


def test_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    _many_seminars(300, 2000)
    with django_assert_max_num_queries(5):
        client.get(reverse("seminars:list"))
    with django_assert_max_num_queries(5):
        client.get(reverse("seminars:list") + "?page=3")


# --- Detail and .ics --------------------------------------------------------------------------


def test_detail_shows_seats_left_live_and_never_the_meeting_link(client, capture):
    seminar = SeminarFactory(onsite_capacity=3)
    TalkFactory(seminar=seminar, title="DXの第一歩を踏み出すには")
    url = seminar.get_absolute_url()

    body = client.get(url).content.decode()
    assert element_text(body, "seats-left") == "残り3席"
    assert "DXの第一歩を踏み出すには" in body
    assert SECRET_URL not in body and "secret-pass" not in body

    with capture(execute=True):  # committed, as a registration through the form is
        register(seminar, email="a@example.jp")
        register(seminar, email="b@example.jp")
    assert element_text(client.get(url).content.decode(), "seats-left") == "残り1席"
    with capture(execute=True):
        register(seminar, email="c@example.jp")
    assert "満席" in element_text(client.get(url).content.decode(), "seats-left")
    # From the page cache, renewed by each registration; a proxy may keep it a few seconds.
    assert client.get(url).headers["Cache-Control"] == (
        f"public, max-age={settings.PAGE_CACHE_MAX_AGE}"
    )


def test_a_draft_is_not_public(client):
    seminar = SeminarFactory(status=SeminarStatus.DRAFT)
    assert client.get(seminar.get_absolute_url()).status_code == 404
    assert client.get(_register_url(seminar)).status_code == 404
    assert client.get(reverse("seminars:calendar", args=[seminar.slug])).status_code == 404


def test_public_ics_has_the_event_but_not_the_meeting_link(client):
    seminar = SeminarFactory(title="カレンダーのテスト")
    response = client.get(reverse("seminars:calendar", args=[seminar.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "DTSTART:" in text and "カレンダーのテスト" in text.replace("\r\n ", "")
    assert "secret-meeting" not in text.replace("\r\n ", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_a_seminar_without_a_time_has_no_ics(client):
    seminar = SeminarFactory(start_time=None, end_time=None)
    assert client.get(reverse("seminars:calendar", args=[seminar.slug])).status_code == 404


# --- Registration ----------------------------------------------------------------------------


def test_register_onsite_then_see_the_outcome(client, capture, mailoutbox):
    seminar = SeminarFactory()
    response = _post(client, seminar, capture)

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.name_kana == "ミホン　ハナコ"
    assert registration.phone == "059-000-0000"
    assert registration.privacy_consent_at is not None
    page = client.get(response.url).content.decode()
    assert "参加が確定しました" in page
    assert [m.to for m in mailoutbox] == [["hanako@example.jp"]]


def test_register_when_full_is_waitlisted_and_told_so(client, capture):
    seminar = SeminarFactory(onsite_capacity=0)
    form_page = client.get(_register_url(seminar)).content.decode()
    assert "キャンセル待ちでの受付" in form_page
    response = _post(client, seminar, capture)
    assert "キャンセル待ちで受け付けました" in client.get(response.url).content.decode()


def test_register_with_a_consultation_request_creates_a_seminar_consultation(client, capture):
    seminar = SeminarFactory()
    _post(client, seminar, capture, wants_consultation="on", consultation_topic="クラウドの相談")
    registration = Registration.objects.get()
    assert registration.consultation.source == Source.SEMINAR
    assert Consultation.objects.get().description == "クラウドの相談"


def test_a_consultation_request_needs_a_topic(client, capture):
    seminar = SeminarFactory()
    response = _post(client, seminar, capture, wants_consultation="on", consultation_topic=" ")
    assert response.status_code == 200
    assert "相談したい内容を入力してください" in field_error(
        response.content.decode(), "consultation_topic"
    )
    assert not Registration.objects.exists() and not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "有効なメールアドレス"),
        ({"privacy_consent": ""}, "privacy_consent", "同意が必要です"),
        ({"name_kana": "mihon"}, "name_kana", "カタカナまたはひらがな"),
        ({"organization": ""}, "organization", "団体・事業者・所属名を入力"),
        ({"attendance": "hologram"}, "attendance", "正しく選択"),
        ({"name": "長" * 101}, "name", "100 文字以下"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, capture, overrides, field, message):
    seminar = SeminarFactory()
    response = _post(client, seminar, capture, **overrides)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in field_error(body, field)
    assert message in error_summary(body)
    assert not Registration.objects.exists()


def test_the_honeypot_refuses_bots(client, capture):
    seminar = SeminarFactory()
    response = _post(client, seminar, capture, website="http://spam.example.com")
    assert response.status_code == 200
    assert "送信内容を確認できませんでした" in error_summary(response.content.decode())
    assert not Registration.objects.exists()


def test_html_in_any_field_is_shown_escaped(client, capture):
    seminar = SeminarFactory()
    _post(
        client,
        seminar,
        capture,
        name="<script>alert('x')</script>",
        organization="<b>太字</b>株式会社",
        wants_consultation="on",
        consultation_topic="<img src=x onerror=alert(1)>",
    )
    registration = Registration.objects.get()
    page = client.get(registration.get_manage_url()).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>太字</b>" not in page
    assert "<img src=x" not in page


def test_registration_after_the_deadline_is_refused_with_the_reason(client, capture, time_machine):
    seminar = SeminarFactory()
    time_machine.move_to(seminar.registration_closes_at + timedelta(minutes=1), tick=False)
    page = client.get(_register_url(seminar)).content.decode()
    assert "締め切りました" in element_text(page, "registration-closed")
    assert '<form method="post" novalidate class="registration-form">' not in page
    response = _post(client, seminar, capture)
    assert "締め切りました" in element_text(response.content.decode(), "registration-closed")
    assert not Registration.objects.exists()


def test_a_cancelled_seminar_says_so(client, capture):
    seminar = SeminarFactory(status=SeminarStatus.CANCELLED)
    assert "中止になりました" in client.get(seminar.get_absolute_url()).content.decode()
    response = _post(client, seminar, capture)
    assert "中止になりました" in element_text(response.content.decode(), "registration-closed")
    assert not Registration.objects.exists()


def test_an_address_already_registered_gets_the_same_answer_as_a_new_one(
    client, capture, mailoutbox
):
    """Nobody learns from the page whether an address is registered (any letter case); the
    address's owner learns from the e-mail what happened."""
    seminar = SeminarFactory()
    _post(client, seminar, capture)
    mailoutbox.clear()

    again = _post(client, seminar, capture, email="HANAKO@example.jp", name="別の名前")
    again_page = element_text(client.get(again.url).content.decode(), "main")
    new = _post(client, seminar, capture, email="someone-else@example.jp", name="別の名前")
    new_page = element_text(client.get(new.url).content.decode(), "main")

    assert again.status_code == new.status_code == 302
    assert again.url == new.url
    assert again_page == new_page
    assert "参加が確定しました" in again_page
    assert "見本 花子" not in again_page
    assert Registration.objects.count() == 2
    resent, confirmation = mailoutbox
    assert resent.to == ["hanako@example.jp"]
    assert "もう一度ありました" in resent.body
    assert Registration.objects.get(email="hanako@example.jp").get_manage_url() in resent.body
    assert confirmation.to == ["someone-else@example.jp"]


def test_the_public_form_is_rate_limited(client, capture, settings):
    settings.PUBLIC_POST_RATE = "3/h"
    seminar = SeminarFactory()
    statuses = [
        _post(client, seminar, capture, email=f"r{i}@example.jp").status_code for i in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
    assert Registration.objects.count() == 3


def test_the_done_page_needs_the_outcome_of_this_browsers_registration(client):
    seminar = SeminarFactory()
    done = reverse("seminars:registered", args=[seminar.slug])
    response = client.get(done)
    assert response.status_code == 302
    assert response.url == _register_url(seminar)
    # A made-up or altered outcome is not believed.
    made_up = {"slug": seminar.slug, "status": "confirmed"}
    for value in (json.dumps(made_up), signing.dumps(made_up, salt="another purpose")):
        client.cookies["seminar_registered"] = value
        assert client.get(done).status_code == 302


def test_registering_keeps_no_session_on_the_server(client, capture):
    seminar = SeminarFactory()

    response = _post(client, seminar, capture)

    assert response.status_code == 302
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    outcome = response.cookies["seminar_registered"]
    assert outcome["httponly"] and outcome["samesite"] == "Lax" and outcome["path"] == "/seminars/"
    # Nothing personal in it: which seminar, the outcome, how they attend.
    assert signing.loads(outcome.value, salt=REGISTERED.salt) == {
        "slug": seminar.slug,
        "status": "confirmed",
        "attendance": "onsite",
        "wants_consultation": False,
    }
    page = client.get(response.url).content.decode()
    assert "参加が確定しました" in page
    # Another seminar's page is not fooled by this seminar's outcome.
    other = SeminarFactory()
    assert client.get(reverse("seminars:registered", args=[other.slug])).status_code == 302


# --- Management link ---------------------------------------------------------------------------


def test_management_page_shows_details_and_a_bad_token_is_404(client):
    seminar = SeminarFactory()
    registration = register(seminar, attendance=Attendance.ONLINE)
    body = client.get(registration.get_manage_url()).content.decode()
    assert element_text(body, "registration-status") == "参加確定"
    assert element_text(body, "registration-attendance") == "オンラインで参加"
    # The online attendee's private page shows the meeting link (never a public page).
    assert SECRET_URL in body
    assert client.get(reverse("seminars:manage", args=["x" * 43])).status_code == 404


def test_management_page_never_shows_the_link_to_onsite_or_waitlisted(client):
    seminar = SeminarFactory(online_capacity=0)
    onsite = register(seminar, email="on@example.jp")
    waiting = register(seminar, attendance=Attendance.ONLINE, email="wait@example.jp")
    for registration in (onsite, waiting):
        assert SECRET_URL not in client.get(registration.get_manage_url()).content.decode()


def test_cancel_through_the_management_link_promotes_the_next(client, capture, mailoutbox):
    seminar = SeminarFactory(onsite_capacity=1)
    holder = register(seminar, email="holder@example.jp")
    waiting = register(seminar, email="waiting@example.jp")
    url = holder.get_manage_url()

    missing = client.post(url, {"action": "cancel"})
    assert missing.status_code == 400
    assert "チェックを入れてください" in missing.content.decode()

    with capture(execute=True):
        response = client.post(url, {"action": "cancel", "confirm": "on"})
    assert response.status_code == 302
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert "取り消しました" in client.get(url).content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == ["holder@example.jp", "waiting@example.jp"]


def test_a_waitlisted_person_switches_to_online_through_the_link(client, capture):
    seminar = SeminarFactory(onsite_capacity=0)
    waiting = register(seminar)
    url = waiting.get_manage_url()
    page = client.get(url).content.decode()
    assert "1番目" in element_text(page, "registration-status")

    with capture(execute=True):
        response = client.post(url, {"action": "change_attendance", "attendance": "online"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.attendance, waiting.status) == ("online", RegistrationStatus.CONFIRMED)


def test_switching_to_a_full_attendance_shows_the_reason(client):
    seminar = SeminarFactory(onsite_capacity=1)
    register(seminar, email="holder@example.jp")
    online = register(seminar, attendance=Attendance.ONLINE, email="o@example.jp")
    response = client.post(
        online.get_manage_url(), {"action": "change_attendance", "attendance": "onsite"}
    )
    assert response.status_code == 400
    assert "満席のため変更できません" in response.content.decode()


def test_an_unknown_action_is_404(client):
    registration = register(SeminarFactory())
    assert client.post(registration.get_manage_url(), {"action": "delete"}).status_code == 404


# --- Survey ----------------------------------------------------------------------------------


def test_the_survey_is_answered_once_through_its_link(client):
    registration = register(SeminarFactory())
    survey = SeminarSurvey.objects.create(registration=registration)
    url = reverse("seminars:survey", args=[survey.private_token])
    assert "役に立ちましたか" in client.get(url).content.decode()

    assert client.post(url, {}).status_code == 400
    assert client.post(url, {"rating": "useful", "comment": "とても参考に"}).status_code == 302
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == ("useful", "とても参考に")

    again = client.post(url, {"rating": "not_useful"})
    assert again.status_code == 400
    assert "すでにご回答" in again.content.decode()
    survey.refresh_from_db()
    assert survey.rating == "useful"
    assert client.get(reverse("seminars:survey", args=[new_token()])).status_code == 404


def test_the_nav_marks_the_seminar_pages(client):
    body = client.get(reverse("seminars:list")).content.decode()
    assert re.search(r'href="/seminars/"\s+aria-current="page"', body)
