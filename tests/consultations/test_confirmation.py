"""The consultation form's confirmation step (確認画面), its wording and the English form
(issue 11): a valid POST without confirm=1 shows the values and saves nothing; the page
re-posts every field with confirm=1, which saves; 「修正する」 brings back the filled form."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations.models import Consultation
from mie_dx.models import Notification
from tests.advisors.factories import ExpertiseAreaFactory
from tests.consultations.factories import valid_form_data
from tests.consultations.helpers import element_text, error_summary, field_error, pdf_bytes
from tests.seminars.factories import SeminarFactory

pytestmark = pytest.mark.django_db

NEW = reverse("consultations:new")
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def first_step(**overrides) -> dict:
    """The form as a browser sends it the first time: no confirm=1."""
    data = valid_form_data(**overrides)
    del data["confirm"]
    return data


def hidden_inputs(page: str) -> list[tuple[str, str]]:
    form = page[page.index('class="consultation-confirm"') :]
    return [
        (name, html.unescape(value))
        for name, value in HIDDEN.findall(form)
        if name != "csrfmiddlewaretoken"
    ]


def test_a_valid_form_shows_the_confirmation_page_and_saves_nothing(client, mailoutbox):
    response = client.post(NEW, first_step(description="<script>alert(1)</script>\n二行目"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "入力内容の確認" in page
    assert "まだ送信されていません" in page
    assert element_text(page, "confirm-name") == "見本 花子"
    assert element_text(page, "confirm-requester_type") == "県内事業者"
    assert element_text(page, "confirm-municipality") == "津市"
    assert element_text(page, "confirm-privacy_consent") == "はい"
    # Shown escaped, never as markup.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "修正する" in page and "送信する" in page
    assert Consultation.objects.count() == 0
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_the_confirmation_page_reposts_every_field_and_confirm_saves(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    typed = first_step(description="<b>太字</b> & 記号")
    page = client.post(NEW, typed).content.decode()
    reposted = hidden_inputs(page)

    names = {name for name, _value in reposted}
    assert names == {*typed.keys(), "confirm"}
    assert ("confirm", "1") in reposted
    assert ("description", "<b>太字</b> & 記号") in reposted

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, dict(reposted))

    assert response.status_code == 302
    assert response.url == reverse("consultations:submitted")
    consultation = Consultation.objects.get()
    assert consultation.description == "<b>太字</b> & 記号"
    assert consultation.name_kana == "ミホン\u3000ハナコ"  # normalised, as without the step
    assert len(mailoutbox) == 2


def test_the_page_after_the_form_shows_this_browsers_reference_and_keeps_no_session(client):
    """The reference travels to the page after the form in a signed cookie, as the seminar
    registration's outcome does (mie_dx.confirmation): no session row per resident."""
    from django.conf import settings
    from django.contrib.sessions.models import Session

    response = client.post(NEW, valid_form_data())

    reference = Consultation.objects.get().reference
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    cookie = response.cookies["consultation_submitted"]
    assert cookie["httponly"] and cookie["path"] == "/consultations/"
    assert reference in client.get(response.url).content.decode()
    # Another browser (no cookie, or a forged one) is sent back to the form.
    other = type(client)()
    assert other.get(response.url).status_code == 302
    other.cookies["consultation_submitted"] = '{"reference": "DX-2026-9999"}'
    assert other.get(response.url).url == NEW


def test_edit_brings_back_the_filled_form_without_errors(client):
    page = client.post(NEW, first_step(title="修正前の件名")).content.decode()
    reposted = dict(hidden_inputs(page))

    response = client.post(NEW, {**reposted, "edit": "1"})

    assert response.status_code == 200
    form = response.content.decode()
    assert 'class="consultation-form"' in form
    assert 'value="修正前の件名"' in form
    assert re.search(r'<input type="checkbox" name="privacy_consent"[^>]* checked', form)
    assert 'id="error-summary"' not in form
    assert Consultation.objects.count() == 0


def test_an_attachment_is_kept_until_the_confirmation(client, private_media):
    upload = SimpleUploadedFile("計画書.pdf", pdf_bytes(), content_type="application/pdf")
    page = client.post(NEW, {**first_step(), "attachment": upload}).content.decode()

    assert element_text(page, "confirm-attachment") == "計画書.pdf"
    reposted = hidden_inputs(page)
    assert any(name == "attachment_token" and value for name, value in reposted)
    assert Consultation.objects.count() == 0

    # 「修正する」 says the file is kept.
    edit = client.post(NEW, {**dict(reposted), "edit": "1"}).content.decode()
    assert "計画書.pdf" in element_text(edit, "kept-attachment")

    response = client.post(NEW, dict(reposted))

    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.attachment_name == "計画書.pdf"
    with consultation.attachment.open("rb") as stored:
        assert stored.read() == pdf_bytes()
    # The temporary copy is gone: only the consultation's file remains.
    pending = private_media / "pending"
    assert not pending.exists() or list(pending.iterdir()) == []


def test_a_tampered_attachment_token_is_refused_and_nothing_saved(client, private_media):
    response = client.post(NEW, {**valid_form_data(), "attachment_token": "forged:token"})

    assert response.status_code == 200
    assert "もう一度ファイルを選んでください" in field_error(
        response.content.decode(), "attachment"
    )
    assert Consultation.objects.count() == 0


def test_a_post_with_confirm_and_an_attachment_is_saved_at_once(client):
    upload = SimpleUploadedFile("memo.pdf", pdf_bytes(), content_type="application/pdf")

    response = client.post(NEW, {**valid_form_data(), "attachment": upload})

    assert response.status_code == 302
    assert Consultation.objects.get().attachment_name == "memo.pdf"


def test_required_fields_say_必須_and_the_condition_for_the_organisation(client):
    page = client.get(NEW).content.decode()

    name_label = re.search(r'<label for="id_name"[^>]*>(.*?)</label>', page).group(1)
    assert "氏名" in name_label and "必須" in name_label
    phone_label = re.search(r'<label for="id_phone"[^>]*>(.*?)</label>', page).group(1)
    assert "任意" in phone_label
    org_label = re.search(r'<label for="id_organization"[^>]*>(.*?)</label>', page).group(1)
    assert "区分により必須" in org_label
    assert "県民グループ、県内事業者、市町、県のときは必須です" in page
    assert "* は必須項目です" not in page


def test_messages_say_what_to_do(client):
    page = client.post(NEW, valid_form_data(name="", requester_type="group", organization=""))
    body = page.content.decode()

    assert field_error(body, "name") == "氏名を入力してください。"
    assert "団体・事業者・所属名を入力してください" in field_error(body, "organization")
    assert "このフィールドは必須です" not in body


def test_the_consent_box_stays_ticked_after_an_error(client):
    body = client.post(NEW, valid_form_data(name="")).content.decode()

    assert re.search(r'<input type="checkbox" name="privacy_consent"[^>]* checked', body)


def test_the_privacy_notice_states_the_real_retention_period(client, settings):
    assert (
        "相談や申込みが終わってから3年を過ぎた個人情報は削除します"
        in client.get(NEW).content.decode()
    )

    settings.PERSONAL_DATA_RETENTION_DAYS = 400
    cache.clear()  # the empty form is stored (mie_dx.pagecache); a new setting means a restart
    page = client.get(NEW).content.decode()
    assert "400日" in page
    assert "一定期間" not in page


def test_the_english_form_takes_a_name_without_katakana(client):
    client.cookies["django_language"] = "en"
    response = client.post(NEW, valid_form_data(name="Maria Santos", name_kana=""))

    assert response.status_code == 302
    assert Consultation.objects.get().name_kana == ""


def test_the_english_form_accepts_a_reading_in_latin_letters(client):
    client.cookies["django_language"] = "en"
    response = client.post(NEW, valid_form_data(name="Nguyen Van An", name_kana="nguyen  van an"))

    assert response.status_code == 302
    assert Consultation.objects.get().name_kana == "nguyen van an"


def test_the_japanese_form_still_asks_for_the_reading(client):
    body = client.post(NEW, valid_form_data(name_kana="")).content.decode()

    assert field_error(body, "name_kana") == "フリガナを入力してください。"
    body = client.post(NEW, valid_form_data(name_kana="Mihon")).content.decode()
    assert "カタカナまたはひらがな" in field_error(body, "name_kana")


def test_consult_in_this_field_prefills_the_form(client):
    area = ExpertiseAreaFactory(slug="open-data", name="オープンデータ")

    page = client.get(NEW, {"expertise": area.slug, "category": "info"}).content.decode()

    assert 'value="「オープンデータ」について相談したい"' in page
    assert re.search(r'<input type="radio" name="category" value="info"[^>]* checked', page)
    # An unknown one is ignored.
    assert client.get(NEW, {"expertise": "nope", "category": "nope"}).status_code == 200


# Frozen clock: django-ratelimit counts in fixed hourly windows.
@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_confirmation_pages_and_mistakes_never_count_against_the_budget(client, settings):
    settings.PUBLIC_POST_RATE = "2/h"
    for n in range(6):
        assert client.post(NEW, first_step(email=f"c{n}@example.jp")).status_code == 200
        assert client.post(NEW, first_step(email="bad")).status_code == 200

    assert client.post(NEW, valid_form_data(email="a@example.jp")).status_code == 302
    assert client.post(NEW, valid_form_data(email="b@example.jp")).status_code == 302
    third = client.post(NEW, valid_form_data(email="c@example.jp", title="三件目"))

    assert third.status_code == 429
    summary = error_summary(third.content.decode())
    # When exactly it can be sent again: the end of the address's hourly window.
    retry = int(third["Retry-After"])
    assert 1 <= retry <= 3600
    again = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")) + timedelta(seconds=retry)
    assert f"{again:%H:%M}以降にもう一度送信してください" in summary
    assert "電話（059-224-3086）" in summary
    assert 'value="三件目"' in third.content.decode()
    assert Consultation.objects.count() == 2


def test_a_new_file_replaces_the_kept_one(client, private_media):
    first = SimpleUploadedFile("古い.pdf", pdf_bytes(), content_type="application/pdf")
    page = client.post(NEW, {**first_step(), "attachment": first}).content.decode()
    reposted = dict(hidden_inputs(page))
    del reposted["confirm"]

    second = SimpleUploadedFile("新しい.pdf", pdf_bytes(), content_type="application/pdf")
    page = client.post(NEW, {**reposted, "attachment": second}).content.decode()

    assert element_text(page, "confirm-attachment") == "新しい.pdf"
    assert len(list((private_media / "pending").iterdir())) == 1
    assert client.post(NEW, dict(hidden_inputs(page))).status_code == 302
    assert Consultation.objects.get().attachment_name == "新しい.pdf"
    assert list((private_media / "pending").iterdir()) == []


def test_the_english_forms_say_required_and_optional_in_english(client):
    seminar = SeminarFactory()
    client.cookies["django_language"] = "en"
    for url in (NEW, f"/seminars/{seminar.slug}/register/"):
        page = client.get(url).content.decode()
        assert '<span class="badge field-required">Required</span>' in page
        assert '<span class="badge field-optional">Optional</span>' in page
        assert "必須" not in page and "任意" not in page
