"""The procedures pages in a real chromium: the officers' page (signed in as a manager) and
the public progress page, with the demo data; axe (WCAG 2.1 AA) clean; screenshots in
test-artifacts/."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def demo_data(transactional_db):
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize(
    ("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")], ids=["desktop", "phone"]
)
def test_the_public_progress_page(page: Page, console, artifacts, demo_data, viewport, name):
    page.set_viewport_size(viewport)
    response = page.goto("/procedures/progress/")
    assert response is not None and response.status == 200

    expect(page.get_by_role("heading", name="行政手続のデジタル化の進捗")).to_be_visible()
    expect(
        page.get_by_role("link", name="一覧をCSVでダウンロード（オープンデータ）")
    ).to_be_visible()
    page.screenshot(path=artifacts / f"procedures-progress-{name}.png", full_page=True)
    page.screenshot(path=artifacts / f"procedures-progress-{name}-first-screen.png")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert console.csp_errors() == []
    assert console.errors == []


def test_the_officers_page(page: Page, console, artifacts, demo_data, manager, password):
    page.goto("/admin/login/?next=/procedures/")
    page.get_by_label("ユーザー名").fill(manager.username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/procedures/")
    page.set_viewport_size({"width": 1280, "height": 1400})

    expect(page.get_by_role("heading", name="令和8年度末の重点手続のデジタル化率")).to_be_visible()
    page.get_by_label("年度", exact=True).select_option("2021")
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_role("heading", name="令和3年度末の重点手続のデジタル化率")).to_be_visible()
    expect(page.get_by_text("39.0%").first).to_be_visible()
    page.get_by_label("状態").select_option("digitised")
    page.get_by_role("button", name="絞り込む").click()
    expect(page.get_by_role("status")).to_contain_text("98件")
    page.screenshot(path=artifacts / "procedures-dashboard-desktop.png", full_page=True)
    page.screenshot(path=artifacts / "procedures-dashboard-desktop-first-screen.png")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_role("link", name="SAMPLE-O-0001").click()
    expect(page.get_by_text("デモ用に生成したサンプルデータです。")).to_be_visible()
    page.screenshot(path=artifacts / "procedures-detail-desktop.png", full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert console.csp_errors() == []


def test_the_officers_page_on_a_phone_sets_the_survey_beside_the_live_plan(
    page: Page, console, artifacts, demo_data, manager, password
):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto("/admin/login/?next=/procedures/%3Ffy%3D2022")
    page.get_by_label("ユーザー名").fill(manager.username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/procedures/?fy=2022")

    progress = page.get_by_role(
        "table", name="重点手続のデジタル化率（受付件数ベース）の目標、計画と実績"
    )
    expect(progress.get_by_role("row", name="R6")).to_contain_text("100.0%")
    expect(
        page.get_by_role("heading", name="調査時点の予定（2021年12月14日〜2022年1月14日の調査）")
    ).to_be_visible()
    facts = page.get_by_role("table", name="手続全体の数値：調査時点と現在の台帳")
    expect(facts.get_by_role("row", name="全行政手続")).to_contain_text("年間受付件数 987,514件")
    # The page itself does not scroll sideways: wide tables scroll in their own region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("section", has=page.get_by_role("heading", name="目標に対する進捗")).screenshot(
        path=artifacts / "procedures-progress-table-phone.png"
    )
    page.locator(
        "section", has=page.get_by_role("heading", name="実施スケジュール（予定年度別）")
    ).screenshot(path=artifacts / "procedures-schedule-phone.png")
    facts.screenshot(path=artifacts / "procedures-survey-facts-phone.png")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert console.csp_errors() == []
