"""A resident on a phone: finds a seminar, registers, gets the confirmation, cancels through the
private link. axe (WCAG 2.1 A/AA) checks every page on the way; screenshots go to
test-artifacts/ for a person to look at.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from seminars.models import Registration, RegistrationStatus
from tests.browser.conftest import DESKTOP, PHONE
from tests.seminars.factories import SeminarFactory, TalkFactory

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def seminar(transactional_db):
    # The five R4 seminars, past by now, and the upcoming sample series (numbers 1-3 of its year).
    call_command("load_demo", verbosity=0)
    seminar = SeminarFactory(
        number=50,
        slug="next-seminar",
        title="はじめてのDX",
        theme="DXの第一歩を踏み出すために",
        onsite_capacity=20,
    )
    TalkFactory(seminar=seminar, order=1, title="地域のDXと人材", speaker_name="講師 一郎")
    return seminar


def test_register_on_a_phone_then_cancel_through_the_link(page: Page, console, artifacts, seminar):
    page.set_viewport_size(PHONE)

    page.goto("/seminars/")
    expect(page.get_by_role("heading", name="今後のセミナー")).to_be_visible()
    page.screenshot(path=artifacts / "seminars-list-phone.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("はじめてのDX")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("はじめてのDX")
    expect(page.locator("#seats-left")).to_have_text("残り20席")
    page.screenshot(path=artifacts / "seminar-detail-phone.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="このセミナーに申し込む").click()
    expect(page.get_by_role("heading", name="セミナーの申込み")).to_be_visible()
    assert_accessible(page)

    # Sent empty first: the error summary lists what is missing, and stays accessible.
    page.get_by_role("button", name="入力内容を確認する").click()
    expect(page.locator("#error-summary")).to_be_visible()
    page.screenshot(path=artifacts / "seminar-register-errors-phone.png", full_page=True)
    page.screenshot(path=artifacts / "seminar-register-errors-phone-first-screen.png")
    assert_accessible(page)

    page.get_by_label("県内事業者").check()
    page.get_by_label("団体・事業者・所属名").fill("株式会社サンプル商事")
    page.get_by_label("氏名").fill("見本 花子")
    page.get_by_label("フリガナ").fill("みほん はなこ")
    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_label("会場で参加").check()
    page.get_by_label("セミナー終了後の個別相談会を希望する").check()
    page.get_by_label("個別相談で相談したい内容").fill("社内のペーパーレス化の進め方")
    page.get_by_label("個人情報の取扱いに同意します").check()
    page.screenshot(path=artifacts / "seminar-register-filled-phone.png", full_page=True)
    page.locator("#id_attendance-field").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "seminar-register-attendance-phone.png")
    page.get_by_role("button", name="入力内容を確認する").click()

    # The confirmation page (確認画面): nothing registered yet.
    expect(page.get_by_role("heading", name="申込内容の確認")).to_be_visible()
    page.screenshot(path=artifacts / "seminar-register-confirm-phone.png", full_page=True)
    assert_accessible(page)
    assert not Registration.objects.filter(seminar=seminar).exists()
    page.get_by_role("button", name="申し込む").click()

    expect(page.get_by_role("heading", name="参加が確定しました")).to_be_visible()
    page.screenshot(path=artifacts / "seminar-registered-phone.png", full_page=True)
    assert_accessible(page)

    registration = Registration.objects.get(seminar=seminar)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.name_kana == "ミホン　ハナコ"
    assert registration.consultation is not None
    confirmation = next(m for m in mail.outbox if "参加が確定しました" in m.subject)
    assert confirmation.to == ["hanako@example.jp"]
    assert confirmation.attachments[0][0] == "seminar.ics"
    link = re.search(r"https?://[^\s]+(/seminars/manage/[^\s]+/)", confirmation.body).group(1)

    page.goto(link)
    expect(page.locator("#registration-status")).to_have_text("参加確定")
    page.screenshot(path=artifacts / "seminar-manage-phone.png", full_page=True)
    assert_accessible(page)

    page.get_by_label("この申込みを取り消します").check()
    page.get_by_role("button", name="申込みを取り消す").click()
    expect(page.get_by_text("申込みを取り消しました。")).to_be_visible()
    expect(page.locator("#registration-status")).to_have_text("取消し")
    page.screenshot(path=artifacts / "seminar-cancelled-phone.png", full_page=True)
    assert_accessible(page)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert any("取り消しました" in m.subject for m in mail.outbox)

    assert console.csp_errors() == []
    assert console.errors == []


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_first_seminar_of_r4_reads_well(
    page: Page, console, artifacts, seminar, viewport, name
):
    page.set_viewport_size(viewport)
    page.goto("/seminars/r4-01/")
    expect(page.get_by_role("heading", level=1)).to_have_text("デジタル社会形成の前提条件")
    expect(page.get_by_text("このセミナーは終了しました。")).to_be_visible()
    page.screenshot(path=artifacts / f"seminar-r4-01-{name}.png", full_page=True)
    assert_accessible(page)
    page.goto("/seminars/")
    page.screenshot(path=artifacts / f"seminars-list-{name}.png", full_page=True)
    assert_accessible(page)
    assert console.errors == []


def test_the_checkin_page_on_a_tablet(
    page: Page, console, artifacts, superuser, password, staff_sign_in
):
    today = timezone.localdate()
    seminar = SeminarFactory(date=today, registration_deadline=today)
    Registration.objects.bulk_create(
        [
            Registration(
                seminar=seminar,
                status=RegistrationStatus.CONFIRMED,
                attendance="onsite",
                requester_type="business",
                name=f"受付 太郎{i}",
                name_kana=f"ウケツケ　タロウ{i}",
                email=f"door{i}@example.jp",
            )
            for i in range(4)
        ]
    )
    page.set_viewport_size({"width": 820, "height": 1180})
    staff_sign_in(page, superuser, password)  # password and the authenticator's code
    page.goto(f"/admin/seminars/seminar/{seminar.pk}/checkin/")
    expect(page.get_by_text("受付 太郎0")).to_be_visible()
    page.locator(
        "#registration-{}".format(Registration.objects.get(email="door1@example.jp").pk)
    ).get_by_role("button", name="出席").click()
    expect(page.get_by_text("受付 太郎1 さん: 出席")).to_be_visible()
    # Found by its reading typed in hiragana; a walk-in recorded at the door.
    page.get_by_label("氏名・フリガナ・所属で探す").fill("うけつけ　たろう2")
    page.get_by_role("button", name="探す").click()
    expect(page.get_by_text("受付 太郎2")).to_be_visible()
    expect(page.get_by_text("受付 太郎3")).to_have_count(0)
    page.get_by_label("氏名", exact=True).fill("飛込 三郎")
    page.get_by_label("ご本人が個人情報の取扱いに同意しました").check()
    page.get_by_role("button", name="当日参加として出席を記録").click()
    expect(page.get_by_text("飛込 三郎 さんを当日参加（出席）として記録しました。")).to_be_visible()
    page.screenshot(path=artifacts / "seminar-checkin-tablet.png", full_page=True)
    page.goto("/admin/seminars/seminar/")
    page.screenshot(path=artifacts / "seminar-admin-changelist.png", full_page=True)
    page.goto(f"/admin/seminars/seminar/{seminar.pk}/change/")
    page.screenshot(path=artifacts / "seminar-admin-change.png", full_page=True)
    assert console.csp_errors() == []
    assert console.errors == []  # the admin links the portal's icon: no /favicon.ico 404
