"""A resident on a 375 px phone, from the home page through the consultation form and its
confirmation page (確認画面) to the status page (issue 11); axe (WCAG 2.1 A/AA) on every page;
screenshots at 375 px and 1280 px in test-artifacts/resident-*.png."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page, expect

from consultations.models import Consultation
from tests.browser.conftest import DESKTOP
from tests.seminars.factories import SeminarFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SMALL_PHONE = {"width": 375, "height": 812}


def look(page: Page, console, artifacts, name: str) -> None:
    """A screenshot, no horizontal scrolling, and axe finds nothing."""
    page.screenshot(path=artifacts / f"resident-{name}.png", full_page=True)
    assert (
        page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]
    ), f"{name}: wider than the screen"
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{name}:\n{results.generate_report()}"
    assert console.errors == [], name


def test_a_resident_on_a_phone_consults_through_the_confirmation_page(
    page: Page, console, artifacts
):
    SeminarFactory(title="DXの第一歩セミナー")
    page.set_viewport_size(SMALL_PHONE)
    page.goto("/")
    # The next seminar and the language switch are visible without opening the menu.
    expect(page.locator("#next-seminar")).to_contain_text("DXの第一歩セミナー")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    look(page, console, artifacts, "home-375")

    page.get_by_role("link", name="オンラインで相談する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("オンライン相談フォーム")
    look(page, console, artifacts, "form-375")

    page.get_by_label("個人（県民）").check()
    page.get_by_label("氏名").fill("見本 太郎")
    page.get_by_label("フリガナ").fill("みほん たろう")
    page.get_by_label("メールアドレス").fill("taro@example.jp")
    page.get_by_label("所在市町").select_option(label="伊勢市")
    page.get_by_label("DXに関する情報提供").check()
    page.get_by_label("件名").fill("スマホ教室について")
    page.get_by_label("相談内容", exact=False).last.fill("地域でスマホ教室を開きたい。")
    # Forgot the consent: the form comes back with everything typed.
    page.get_by_role("button", name="入力内容を確認する").click()
    expect(page.locator("#id_privacy_consent_error")).to_contain_text("チェックを入れてください")
    expect(page.get_by_label("件名")).to_have_value("スマホ教室について")
    look(page, console, artifacts, "form-error-375")
    page.get_by_label("個人情報の取扱いに同意します").check()
    page.get_by_role("button", name="入力内容を確認する").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("入力内容の確認")
    expect(page.locator("#confirm-title")).to_have_text("スマホ教室について")
    expect(page.locator("#confirm-municipality")).to_have_text("伊勢市")
    look(page, console, artifacts, "confirm-375")
    assert Consultation.objects.count() == 0

    # 「修正する」 goes back with everything filled in, consent included.
    page.get_by_role("button", name="修正する").click()
    expect(page.get_by_label("件名")).to_have_value("スマホ教室について")
    expect(page.get_by_label("個人情報の取扱いに同意します")).to_be_checked()
    page.get_by_label("件名").fill("スマホ教室の開き方")
    page.get_by_role("button", name="入力内容を確認する").click()
    expect(page.locator("#confirm-title")).to_have_text("スマホ教室の開き方")
    page.get_by_role("button", name="送信する").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("相談を受け付けました")
    look(page, console, artifacts, "submitted-375")
    consultation = Consultation.objects.get()
    assert consultation.title == "スマホ教室の開き方"
    message = next(m for m in mail.outbox if m.to == ["taro@example.jp"])
    status_path = re.search(r"https?://[^\s/]+(/consultations/status/[^\s]+/)", message.body)
    page.goto(status_path.group(1))
    expect(page.locator(".status-label")).to_have_text("受付")
    look(page, console, artifacts, "status-375")


def test_the_form_and_pages_at_desktop_width(page: Page, console, artifacts):
    page.set_viewport_size(DESKTOP)
    for path, name in [("/", "home"), ("/consultations/new/", "form"), ("/privacy/", "privacy")]:
        page.goto(path)
        look(page, console, artifacts, f"{name}-1280")
