"""Every e-mail says it is sent from a no-reply address and whom to contact, in Japanese; the
slot e-mail says where the consultation takes place; links follow SITE_URL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mie_dx.models import Notification
from seminars import services
from seminars.models import Attendance
from tests.seminars.factories import SeminarFactory, register

pytestmark = pytest.mark.django_db

NO_REPLY = "このメールは送信専用のアドレスから送っています。返信はできません。"


def test_every_email_has_the_no_reply_note_and_a_japanese_footer(capture_mail):
    seminar = SeminarFactory()
    with capture_mail() as sent:
        register(seminar, email="footer@example.jp")

    message = sent[0]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert NO_REPLY in body
        assert "dxcenter@pref.mie.lg.jp" in body and "059-224-3086" in body
        assert "メール: " in body
        assert "Mail:" not in body


def test_the_footer_is_english_for_an_english_registrant(capture_mail):
    seminar = SeminarFactory()
    with capture_mail() as sent:
        register(seminar, email="en@example.jp", language="en")
    assert "Mail:" not in sent[0].body
    assert "Email: dxcenter@pref.mie.lg.jp" in sent[0].body


def test_links_in_emails_follow_site_url(settings, capture_mail):
    settings.SITE_URL = "http://127.0.0.1:8110"
    seminar = SeminarFactory()
    with capture_mail() as sent:
        register(seminar, email="port@example.jp")
    assert "http://127.0.0.1:8110/seminars/manage/" in sent[0].body
    assert "http://127.0.0.1:8000" not in sent[0].body


def slot_email(seminar, attendance: str, email: str) -> Notification:
    registration = register(
        seminar,
        attendance=attendance,
        email=email,
        wants_consultation=True,
        consultation_topic="ホームページの改善",
    )
    services.assign_consultation_slots(seminar=seminar, registrations=[registration])
    return Notification.objects.get(template="seminar_consultation_slot", to=email)


def test_the_slot_email_says_where_on_site_and_online(django_capture_on_commit_callbacks):
    seminar = SeminarFactory()
    with django_capture_on_commit_callbacks(execute=True):
        onsite = slot_email(seminar, Attendance.ONSITE, "onsite@example.jp")
        online = slot_email(seminar, Attendance.ONLINE, "online@example.jp")

    assert "場所: テスト会場 第1会議室（津市テスト町1番地）" in onsite.body_text
    assert "場所: オンライン（セミナーと同じ参加用URLから入れます）" in online.body_text
    assert seminar.online_meeting_url in online.body_text
    assert f'href="{seminar.online_meeting_url}"' in online.body_html
    assert seminar.online_meeting_url not in onsite.body_text

    no_link = SeminarFactory(online_meeting_url="", date=timezone.localdate() + timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        waiting = slot_email(no_link, Attendance.ONLINE, "later@example.jp")
    assert (
        "場所: オンライン（参加用のURLは、決まりしだいメールでお知らせします）" in waiting.body_text
    )
