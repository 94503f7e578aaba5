"""Bad input on the public form /consultations/new/: a message next to the field and in the
summary at the top, and nothing saved (no consultation, no e-mail row, no mail, no file)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations.models import Consultation
from mie_dx.models import Notification
from tests.consultations.factories import valid_form_data
from tests.consultations.helpers import (
    docx_bytes,
    error_summary,
    field_error,
    pdf_bytes,
    png_bytes,
)

pytestmark = pytest.mark.django_db

URL = reverse("consultations:new")
TEN_MB = 10 * 1024 * 1024


def files_in(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """POST the form as a browser would; on-commit callbacks run (so mail would be sent)."""

    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, valid_form_data(**overrides))

    return post


def assert_refused(response, field: str, message: str, mailoutbox, private_media) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    # Next to the field ...
    assert message in field_error(html, field)
    # ... and in the summary at the top, which comes before the form and links to the field.
    summary = error_summary(html)
    assert message in summary
    assert html.index('id="error-summary"') < html.index('class="consultation-form"')
    # The link goes to the field's input (or, for radio buttons, to the group around them).
    link = re.search(rf'href="#(id_{field}(?:-field)?)"', html)
    assert link, html
    assert f'id="{link.group(1)}"' in html
    # Nothing saved, nothing queued, nothing sent.
    assert Consultation.objects.count() == 0
    assert Notification.objects.count() == 0
    assert mailoutbox == []
    assert files_in(private_media) == []


def test_valid_submission_is_saved_once(submit, mailoutbox):
    response = submit()

    assert response.status_code == 302
    assert response.url == reverse("consultations:submitted")
    assert Consultation.objects.count() == 1
    assert len(mailoutbox) == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("email", "not-an-email", "有効なメールアドレス", id="email-invalid"),
        pytest.param("email", "hanako@", "有効なメールアドレス", id="email-no-domain"),
        pytest.param("email", "", "メールアドレスを入力してください。", id="email-missing"),
        pytest.param("privacy_consent", "", "個人情報の取扱いへの同意が必要です", id="no-consent"),
        pytest.param("name", "", "氏名を入力してください。", id="name-missing"),
        pytest.param("title", "", "件名を入力してください。", id="title-missing"),
        pytest.param("description", "   ", "相談内容を入力してください。", id="description-blank"),
        pytest.param("name_kana", "見本花子", "カタカナまたはひらがな", id="kana-kanji"),
        pytest.param("name_kana", "Mihon Hanako", "カタカナまたはひらがな", id="kana-latin"),
        pytest.param("name_kana", "ミホン1", "カタカナまたはひらがな", id="kana-digit"),
        pytest.param("phone", "12345", "電話番号は市外局番から", id="phone-short"),
        pytest.param("phone", "059-224-308", "電話番号は市外局番から", id="phone-9-digits"),
        pytest.param("phone", "059-224-30860", "電話番号は市外局番から", id="phone-too-long"),
        pytest.param("phone", "tel:0592243086", "電話番号は市外局番から", id="phone-letters"),
        pytest.param("phone", "+1 415 555 0100", "電話番号は市外局番から", id="phone-foreign"),
        pytest.param("requester_type", "company", "company は候補にありません", id="type-unknown"),
        pytest.param("requester_type", "", "相談者の区分を選んでください。", id="type-missing"),
        pytest.param("category", "consulting", "consulting は候補にありません", id="cat-unknown"),
        pytest.param("municipality", "nagoya", "nagoya は候補にありません", id="muni-unknown"),
        pytest.param("municipality", "", "所在市町を選んでください。", id="muni-missing"),
        pytest.param("title", "題" * 101, "100 文字以下", id="title-too-long"),
        pytest.param("description", "あ" * 4001, "4000 文字以下", id="description-too-long"),
        pytest.param("organization", "団" * 201, "200 文字以下", id="organization-too-long"),
        pytest.param("name", "名" * 101, "100 文字以下", id="name-too-long"),
    ],
)
def test_each_bad_field_is_refused_with_its_message(
    submit, mailoutbox, private_media, field, value, message
):
    response = submit(**{field: value})

    assert_refused(response, field, message, mailoutbox, private_media)


def test_an_over_long_organisation_gets_one_message_not_two(submit):
    html = submit(requester_type="business", organization="団" * 201).content.decode()

    errors = field_error(html, "organization")
    assert "200 文字以下" in errors
    assert "入力してください" not in errors


@pytest.mark.parametrize("requester_type", ["group", "business", "municipality", "prefecture"])
def test_organisation_is_required_for_groups_businesses_and_government(
    submit, mailoutbox, private_media, requester_type
):
    response = submit(requester_type=requester_type, organization="  ")

    assert_refused(
        response,
        "organization",
        "団体・事業者・所属名を入力してください",
        mailoutbox,
        private_media,
    )


def test_organisation_is_optional_for_an_individual(submit):
    response = submit(requester_type="individual", organization="")

    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.requester_type == "individual"
    assert consultation.organization == ""


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("ﾐﾎﾝ ﾊﾅｺ", "ミホン　ハナコ", id="half-width"),
        pytest.param("ｶﾞｯｺｳ ﾎｳｼﾞﾝ", "ガッコウ　ホウジン", id="half-width-dakuten"),
        pytest.param("みほん　はなこ", "ミホン　ハナコ", id="hiragana"),
        pytest.param("ミホン  ハナコ", "ミホン　ハナコ", id="spaces-collapsed"),
        pytest.param("ミホン・ハナコ", "ミホン・ハナコ", id="middle-dot"),
    ],
)
def test_kana_is_normalised_to_full_width_katakana(submit, typed, stored):
    assert submit(name_kana=typed).status_code == 302

    assert Consultation.objects.get().name_kana == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("059-224-3086", "059-224-3086", id="hyphens"),
        pytest.param("０５９－２２４－３０８６", "059-224-3086", id="full-width"),
        pytest.param("(059) 224-3086", "059-224-3086", id="brackets"),
        pytest.param("+81 59-224-3086", "059-224-3086", id="country-code"),
        pytest.param("0592243086", "0592243086", id="digits-only"),
        pytest.param("090-1234-5678", "090-1234-5678", id="mobile"),
        pytest.param("050 5555 1234", "050-5555-1234", id="ip-phone"),
        pytest.param("", "", id="blank-is-optional"),
    ],
)
def test_japanese_phone_formats_are_accepted_and_normalised(submit, typed, stored):
    assert submit(phone=typed).status_code == 302

    assert Consultation.objects.get().phone == stored


# --- Attachments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            lambda: SimpleUploadedFile(
                "big.pdf", pdf_bytes() + b"0" * TEN_MB, content_type="application/pdf"
            ),
            "10.0 MB",
            id="over-10-MB",
        ),
        pytest.param(
            lambda: SimpleUploadedFile(
                "setup.exe", b"MZ\x90\x00" + b"\x00" * 60, content_type="application/x-msdownload"
            ),
            "添付できるのはPDF、画像、Office文書のみです",
            id="exe",
        ),
        pytest.param(
            lambda: SimpleUploadedFile(
                "page.html", b"<html><script>alert(1)</script></html>", content_type="text/html"
            ),
            "添付できるのはPDF、画像、Office文書のみです",
            id="html",
        ),
        pytest.param(
            lambda: SimpleUploadedFile("no-extension", pdf_bytes()),
            "添付できるのはPDF、画像、Office文書のみです",
            id="no-extension",
        ),
        pytest.param(
            lambda: SimpleUploadedFile("report.pdf", png_bytes(), content_type="application/pdf"),
            "ファイルの中身が拡張子（.pdf）と一致しません",
            id="pdf-that-is-a-png",
        ),
        pytest.param(
            lambda: SimpleUploadedFile(
                "report.pdf", "ただのテキストです。".encode(), content_type="application/pdf"
            ),
            "ファイルの中身が拡張子（.pdf）と一致しません",
            id="pdf-that-is-text",
        ),
        pytest.param(
            lambda: SimpleUploadedFile("photo.png", pdf_bytes(), content_type="image/png"),
            "ファイルの中身が拡張子（.png）と一致しません",
            id="png-that-is-a-pdf",
        ),
        pytest.param(
            lambda: SimpleUploadedFile("memo.docx", b"PK\x03\x04" + b"\x00" * 100),
            "ファイルの中身が拡張子（.docx）と一致しません",
            id="docx-that-is-a-broken-zip",
        ),
    ],
)
def test_disallowed_attachments_are_refused(submit, mailoutbox, private_media, upload, message):
    response = submit(attachment=upload())

    assert_refused(response, "attachment", message, mailoutbox, private_media)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("相談の資料.pdf", pdf_bytes, id="pdf"),
        pytest.param("現場の写真.PNG", png_bytes, id="png-upper-case"),
        pytest.param("業務フロー.docx", docx_bytes, id="docx"),
    ],
)
def test_allowed_attachments_are_stored_privately_with_their_original_name(
    submit, private_media, name, content
):
    data = content()

    response = submit(attachment=SimpleUploadedFile(name, data))

    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.attachment_name == name
    stored = Path(consultation.attachment.path).resolve()
    assert stored.is_relative_to(private_media.resolve())
    assert stored.read_bytes() == data
    # Random file name on disk (the original is only in the database), never under static.
    assert name not in stored.name
    static_dirs = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    assert not any(stored.is_relative_to(d.resolve()) for d in static_dirs)
    assert files_in(private_media) == [stored]


def test_an_attachment_exactly_10_mb_is_accepted(submit):
    data = pdf_bytes()
    upload = SimpleUploadedFile("ちょうど10MB.pdf", data + b"0" * (TEN_MB - len(data)))

    assert submit(attachment=upload).status_code == 302

    assert Consultation.objects.get().attachment.size == TEN_MB
