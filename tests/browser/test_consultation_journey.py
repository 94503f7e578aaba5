"""A consultation from start to end in a real chromium.

A resident submits the form on a phone, staff triage, match and close it in the admin on a
desktop, the supporter accepts through their private link and the requester answers the
survey. axe (WCAG 2.1 A/AA) checks every public page on the way; screenshots go to
test-artifacts/consultation-*.png for a person to look at.

With live_server the portal runs in a thread of this process and Celery is eager, so the
e-mails a request sends are in django.core.mail.outbox when the response arrives.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from consultations.models import Assignment, Consultation, Status
from tests.advisors.factories import ExpertiseAreaFactory, SupporterFactory
from tests.browser.conftest import DESKTOP, PHONE
from tests.consultations.helpers import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def center_staff(transactional_db, center_staff):
    return center_staff


def check_accessibility(page: Page, console, artifacts, name: str) -> None:
    page.screenshot(path=artifacts / f"consultation-{name}.png", full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"
    assert console.errors == [], name


def mail_to(address: str, subject_part: str) -> mail.EmailMessage:
    matching = [m for m in mail.outbox if m.to == [address] and subject_part in m.subject]
    assert len(matching) == 1, [(m.to, m.subject) for m in mail.outbox]
    return matching[0]


def path_in(message: mail.EmailMessage, path: str) -> str:
    match = re.search(rf"https?://[^\s/]+({re.escape(path)}[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_resident_consults_staff_match_and_close_and_the_resident_answers_the_survey(
    page: Page,
    browser: Browser,
    live_server,
    console,
    artifacts,
    center_staff,
    password,
    staff_sign_in,
):
    SupporterFactory(
        name="関 治之",
        expertise=[ExpertiseAreaFactory(slug="business-dx", name="事業者のDX")],
        contact_email="seki@example.jp",
    )
    SupporterFactory(name="田澤 由利", expertise=[ExpertiseAreaFactory(slug="telework")])

    # --- The resident, on a phone ------------------------------------------------------------
    page.set_viewport_size(PHONE)
    page.goto("/consultations/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("オンライン相談フォーム")
    check_accessibility(page, console, artifacts, "form-phone")

    # Sent empty: the summary at the top lists each problem and links to the field.
    page.get_by_role("button", name="入力内容を確認する").click()
    summary = page.get_by_role("alert").filter(has_text="入力内容を確認してください")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("メールアドレス"))).to_be_visible()
    expect(page.locator("#id_email_error")).to_be_visible()
    check_accessibility(page, console, artifacts, "form-errors-phone")
    assert Consultation.objects.count() == 0

    page.get_by_label("県内事業者").check()
    page.get_by_label("団体・事業者・所属名").fill("株式会社みえ見本製作所")
    page.get_by_label("氏名").fill("見本 花子")
    page.get_by_label("フリガナ").fill("ﾐﾎﾝ ﾊﾅｺ")
    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_label("電話番号").fill("059-224-3086")
    page.get_by_label("所在市町").select_option(label="津市")
    page.get_by_label("課題解決のための相談").check()
    page.get_by_label("件名").fill("現場作業員へのIT導入の進め方")
    page.get_by_label("相談内容", exact=False).last.fill(
        "現場作業員へのIT導入活用の展開など、社内のデジタル化の進め方を相談したい。"
    )
    page.get_by_label("添付ファイル").set_input_files(
        files=[{"name": "現状の業務.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    consent = page.get_by_label("個人情報の取扱いに同意します")
    # Keyboard: focus the box and tick it with the space bar, as a keyboard user would.
    consent.focus()
    page.keyboard.press("Space")
    expect(consent).to_be_checked()
    page.get_by_role("button", name="入力内容を確認する").click()

    # The confirmation page (確認画面): the values and the file's name, nothing saved yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("入力内容の確認")
    expect(page.locator("#confirm-attachment")).to_have_text("現状の業務.pdf")
    check_accessibility(page, console, artifacts, "confirm-phone")
    assert Consultation.objects.count() == 0
    page.get_by_role("button", name="送信する").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("相談を受け付けました")
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"DX-\d{4}-0001", reference)
    check_accessibility(page, console, artifacts, "submitted-phone")

    consultation = Consultation.objects.get()
    assert (consultation.reference, consultation.name_kana) == (reference, "ミホン　ハナコ")
    assert consultation.attachment_name == "現状の業務.pdf"
    acknowledgement = mail_to("hanako@example.jp", "ご相談を受け付けました")
    mail_to("dxcenter@pref.mie.lg.jp", "新しい相談")
    status_path = path_in(acknowledgement, "/consultations/status/")
    page.goto(status_path)
    expect(page.locator(".status-label")).to_have_text("受付")
    check_accessibility(page, console, artifacts, "status-phone")

    # --- Staff, on a desktop, in the admin ----------------------------------------------------
    staff_context = browser.new_context(
        viewport=DESKTOP, locale="ja-JP", base_url=live_server.url, reduced_motion="reduce"
    )
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    # Password, then the code from the authenticator app (center staff see personal data).
    staff_sign_in(staff, center_staff, password)
    staff.goto("/admin/consultations/consultation/")
    staff.get_by_role("link", name=reference).click()
    staff.screenshot(path=artifacts / "consultation-admin-change.png", full_page=True)

    for to_status, label in (("triage", "課題の明確化"), ("matching", "マッチング")):
        staff.get_by_label("変更後の状態").select_option(to_status)
        staff.get_by_label("メモ（相談者には表示されません）").first.fill(f"{label}へ（内部メモ）")
        staff.get_by_role("button", name="状態を変更する").click()
        expect(staff.locator(".messagelist")).to_contain_text(f"状態を「{label}」に変更しました。")

    staff.get_by_role("link", name="アドバイザー・パートナーを選ぶ（推薦を見る）").click()
    expect(staff.locator("#match-suggested")).to_contain_text(
        "相談の種類に合う専門分野: 事業者のDX"
    )
    first_row = staff.locator("#match-suggested tbody tr").first
    expect(first_row).to_contain_text("関 治之")
    staff.screenshot(path=artifacts / "consultation-admin-match.png", full_page=True)
    staff.get_by_label("関 治之").check()
    staff.get_by_role("button", name="選んだアドバイザー等に依頼する").click()
    expect(staff.locator(".messagelist")).to_contain_text("関 治之 に依頼しました。")

    # --- The supporter, through the private link from their e-mail ------------------------------
    request_mail = mail_to("seki@example.jp", "相談対応のご依頼")
    # The resident hears about the supporter only once the supporter accepts.
    assert not [m for m in mail.outbox if "アドバイザー・パートナーが決まりました" in m.subject]
    supporter_page = browser.new_page(base_url=live_server.url, locale="ja-JP", viewport=PHONE)
    supporter_page.goto(path_in(request_mail, "/consultations/supporter/"))
    expect(supporter_page.get_by_text("hanako@example.jp")).to_have_count(0)
    supporter_page.get_by_label("引き受けます").check()
    supporter_page.get_by_role("button", name="回答する").click()
    expect(supporter_page.get_by_role("status")).to_contain_text("ご回答ありがとうございます。")
    expect(supporter_page.get_by_role("link", name="hanako@example.jp")).to_be_visible()
    supporter_page.screenshot(path=artifacts / "consultation-supporter-phone.png", full_page=True)
    supporter_page.close()
    assert Assignment.objects.get().state == Assignment.State.ACCEPTED
    mail_to("hanako@example.jp", "アドバイザー・パートナーが決まりました")

    # --- Staff close the consultation ---------------------------------------------------------
    staff.reload()
    staff.get_by_label("変更後の状態").select_option("closed")
    staff.get_by_role("button", name="状態を変更する").click()
    expect(staff.locator(".messagelist")).to_contain_text("状態を「完了」に変更しました。")
    staff.screenshot(path=artifacts / "consultation-admin-closed.png", full_page=True)
    staff_context.close()

    # --- The requester answers the survey ------------------------------------------------------
    survey_mail = mail_to("hanako@example.jp", "満足度アンケートのお願い")
    page.goto(status_path)
    expect(page.locator(".status-label")).to_have_text("完了")
    # The status page never shows the staff's notes.
    expect(page.get_by_text("内部メモ")).to_have_count(0)
    check_accessibility(page, console, artifacts, "status-closed-phone")

    page.goto(path_in(survey_mail, "/consultations/survey/"))
    check_accessibility(page, console, artifacts, "survey-phone")
    page.get_by_label("役に立った", exact=True).check()
    page.get_by_label("ご意見・ご感想（任意）").fill("進め方が整理できました。")
    page.get_by_role("button", name="回答する").click()
    expect(page.get_by_role("status")).to_contain_text("ご回答ありがとうございました")
    check_accessibility(page, console, artifacts, "survey-answered-phone")

    consultation.refresh_from_db()
    assert consultation.status == Status.CLOSED
    assert (consultation.survey.rating, consultation.survey.comment) == (
        "useful",
        "進め方が整理できました。",
    )
    assert console.csp_errors() == []
    # The e-mails as sent, for a person to read (the closing note quotes them).
    (artifacts / "consultation-emails.txt").write_text(
        "\n\n".join(
            f"To: {', '.join(m.to)}\nSubject: {m.subject}\n\n{m.body}" for m in mail.outbox
        ),
        encoding="utf-8",
    )
