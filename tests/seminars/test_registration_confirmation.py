"""The registration form's confirmation step (確認画面) and wording (issue 11), and seminar
dates once held (no 「（予定）」)."""

import html
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from seminars.models import Registration
from tests.consultations.helpers import element_text, error_summary, field_error
from tests.seminars.factories import SeminarFactory, valid_form_data

pytestmark = pytest.mark.django_db

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def first_step(**overrides) -> dict:
    data = valid_form_data(**overrides)
    del data["confirm"]
    return data


def hidden_inputs(page: str) -> list[tuple[str, str]]:
    form = page[page.index('class="registration-confirm"') :]
    return [
        (name, html.unescape(value))
        for name, value in HIDDEN.findall(form)
        if name != "csrfmiddlewaretoken"
    ]


def test_a_valid_registration_shows_the_confirmation_page_first(client, mailoutbox):
    seminar = SeminarFactory()
    url = reverse("seminars:register", args=[seminar.slug])

    response = client.post(
        url, first_step(wants_consultation="on", consultation_topic="<i>RPA</i>の導入")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "申込内容の確認" in page
    assert element_text(page, "confirm-name") == "見本 花子"
    assert element_text(page, "confirm-wants_consultation") == "はい"
    assert "&lt;i&gt;RPA&lt;/i&gt;の導入" in page
    assert Registration.objects.count() == 0
    assert mailoutbox == []

    reposted = hidden_inputs(page)
    assert ("confirm", "1") in reposted
    assert {name for name, _value in reposted} >= set(first_step())
    edit = client.post(url, {**dict(reposted), "edit": "1"}).content.decode()
    assert 'class="registration-form"' in edit
    assert 'id="error-summary"' not in edit
    assert "&lt;i&gt;RPA&lt;/i&gt;の導入" in edit

    done = client.post(url, dict(reposted))

    assert done.status_code == 302
    registration = Registration.objects.get()
    assert registration.consultation_topic == "<i>RPA</i>の導入"


def test_required_labels_messages_and_retention_on_the_registration_form(client):
    seminar = SeminarFactory()
    url = reverse("seminars:register", args=[seminar.slug])

    page = client.get(url).content.decode()
    assert re.search(r'<label for="id_email"[^>]*>メールアドレス <span class="badge', page)
    assert "必須" in page and "区分により必須" in page
    assert "相談や申込みが終わってから3年を過ぎた個人情報は削除します" in page

    body = client.post(url, valid_form_data(email="", requester_type="", privacy_consent="on"))
    text = body.content.decode()
    assert field_error(text, "email") == "メールアドレスを入力してください。"
    assert field_error(text, "requester_type") == "参加者の区分を選んでください。"
    assert "入力内容を確認してください" in error_summary(text)
    assert re.search(r'<input type="checkbox" name="privacy_consent"[^>]* checked', text)


def test_the_english_registration_needs_no_katakana(client):
    seminar = SeminarFactory()
    client.cookies["django_language"] = "en"

    response = client.post(
        reverse("seminars:register", args=[seminar.slug]),
        valid_form_data(name="John Smith", name_kana=""),
    )

    assert response.status_code == 302
    assert Registration.objects.get().name == "John Smith"


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_confirmation_pages_do_not_count_against_the_budget(client, settings):
    settings.PUBLIC_POST_RATE = "1/h"
    seminar = SeminarFactory()
    url = reverse("seminars:register", args=[seminar.slug])
    for n in range(4):
        assert client.post(url, first_step(email=f"p{n}@example.jp")).status_code == 200

    assert client.post(url, valid_form_data(email="ok@example.jp")).status_code == 302
    over = client.post(url, valid_form_data(email="next@example.jp"))
    assert over.status_code == 429
    assert "電話（059-224-3086）" in error_summary(over.content.decode())


@time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_a_held_seminar_no_longer_says_planned(client):
    SeminarFactory(slug="held", date=date(2026, 10, 2), date_note="（予定）", title="済んだ回")
    SeminarFactory(slug="later", date=date(2027, 1, 20), date_note="（予定）", title="これからの回")

    page = client.get(reverse("seminars:list")).content.decode()
    past = page.split("これまでのセミナー", 1)[1]
    upcoming = page.split("これまでのセミナー", 1)[0]

    assert "済んだ回" in past and "（予定）" not in past
    assert "これからの回" in upcoming and "（予定）" in upcoming
    detail = client.get(reverse("seminars:detail", args=["held"])).content.decode()
    assert "（予定）" not in detail
