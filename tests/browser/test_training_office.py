"""The training office in a real chromium: sign in as a training officer, read the R4
completion rates (chart + table), drill down into a department; axe clean; screenshots."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def demo_plan(transactional_db):
    from mie_dx.demo import load_organisation
    from training.demo import load_training_plan

    load_organisation()
    load_training_plan()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


def test_training_office_main_page_and_department_drill_down(
    page: Page, console, artifacts, demo_plan, training_officer, password, staff_sign_in
):
    # Training officers see staff names: the sign-in includes the second factor.
    staff_sign_in(page, training_officer, password, next_path="/training/")
    # The admin's sign-in page requests /favicon.ico (a 404 the console reports): not ours.
    assert console.csp_errors() == []
    console.errors.clear()
    expect(page.get_by_role("heading", level=1)).to_contain_text("研修修了状況")
    page.get_by_label("年度", exact=True).select_option("2022")
    page.get_by_role("button", name="表示").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("令和4年度の研修修了状況")
    expect(page.get_by_role("table").first).to_contain_text("DXの基礎")
    page.screenshot(path=artifacts / "training-dashboard-desktop.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="デジタル社会推進局").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("デジタル社会推進局の修了状況")
    expect(page.get_by_role("table")).to_contain_text("デジタル戦略企画課")
    page.screenshot(path=artifacts / "training-department-desktop.png", full_page=True)
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    page.goto("/training/overdue/?fy=2022")
    expect(page.get_by_role("heading", level=1)).to_contain_text("期限を過ぎた未修了")
    page.screenshot(path=artifacts / "training-overdue-phone-first-screen.png")
    assert_accessible(page)
    assert console.csp_errors() == []
    assert console.errors == []


@pytest.fixture
def demo_with_specialists(transactional_db):
    from mie_dx.demo import load_organisation
    from training.demo import load_training_plan

    load_organisation()
    load_training_plan()


def test_the_specialists_page_reads_per_year_on_a_phone(
    page: Page, console, artifacts, demo_with_specialists, manager, password, staff_sign_in
):
    # A manager: the figures, without names.
    staff_sign_in(page, manager, password, next_path="/training/specialists/?fy=2022")
    console.errors.clear()
    page.set_viewport_size({"width": 375, "height": 812})

    expect(page.get_by_role("heading", level=1)).to_contain_text("令和4年度")
    expect(page.get_by_text("計画：毎年20名程度").first).to_be_visible()
    per_year = page.get_by_role("table", name="年度別の取組件数（年度ごと、累計ではありません）")
    expect(per_year.get_by_role("row", name="令和4年度")).to_contain_text("17件")
    expect(page.get_by_text("年度ごとの件数です（累計ではありません）。")).to_be_visible()
    intake = page.get_by_role("table", name="年度別の認定者数（計画：毎年20名程度）")
    expect(intake.get_by_role("row", name="令和3年度")).to_contain_text("14名")
    expect(intake.get_by_role("row", name="令和4年度")).to_contain_text("37名")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=artifacts / "training-specialists-phone.png", full_page=True)
    assert_accessible(page)
    assert console.csp_errors() == []
    assert console.errors == []
