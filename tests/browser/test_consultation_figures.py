"""The consultation figures (seed §4) in chromium: a manager on a 375 px phone and on a
desktop, after `load_demo`; the tables scroll sideways inside their own box (the page does
not), axe (WCAG 2.1 A/AA) finds nothing, screenshots go to test-artifacts/."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PHONE_375 = {"width": 375, "height": 812}


@pytest.fixture
def demo(transactional_db, staff_roles):
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize(
    ("viewport", "name"), [(PHONE_375, "phone"), (DESKTOP, "desktop")], ids=["phone", "desktop"]
)
def test_a_manager_reads_the_figures_of_r3(
    page: Page, console, artifacts, demo, manager, password, staff_sign_in, viewport, name
):
    page.set_viewport_size(viewport)
    staff_sign_in(page, manager, password, next_path="/consultations/figures/")
    console.errors.clear()  # the admin's login page asks for /favicon.ico (a 404)

    page.get_by_label("年度", exact=True).select_option("2021")
    page.get_by_role("button", name="表示").click()

    expect(page.get_by_role("heading", name="令和3年度の相談件数")).to_be_visible()
    expect(page.locator("#sample-note")).to_contain_text("デモ用のサンプルの相談29件")
    table = page.get_by_role("table", name="令和3年度 相談者の区分・相談内容の種類別の相談件数")
    expect(table).to_be_visible()
    row = table.get_by_role("row", name="県内事業者")
    expect(row.get_by_role("cell").last).to_have_text("16")
    expect(table.locator("tfoot td").last).to_have_text("29")
    # The page itself never scrolls sideways; a wide table scrolls inside its wrapper.
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, overflow
    page.screenshot(path=artifacts / f"consultation-figures-{name}.png", full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    with page.expect_download() as download:
        page.get_by_role("link", name="Excelで出力").click()
    assert download.value.suggested_filename.startswith("consultation-figures-2021-")
    assert console.csp_errors() == []
    assert console.errors == []
