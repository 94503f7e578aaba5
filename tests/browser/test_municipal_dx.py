"""The public page of the joint initiatives with the municipalities (/municipal-dx/) in a real
chromium, with the demo's seven sample R3 initiatives: at 1280 px and on a 375 px phone, in
Japanese and in English, axe (WCAG 2.1 AA) clean; screenshots in test-artifacts/."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SMALL_PHONE = {"width": 375, "height": 812}


@pytest.fixture
def demo_data(transactional_db):
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize(
    ("viewport", "name"), [(DESKTOP, "desktop"), (SMALL_PHONE, "phone")], ids=["desktop", "phone"]
)
def test_the_public_initiatives_page(page: Page, console, artifacts, demo_data, viewport, name):
    page.set_viewport_size(viewport)
    page.goto("/")
    page.get_by_role("link", name="市町との連携による取組を見る").click()
    page.wait_for_url("**/municipal-dx/")

    expect(page.get_by_role("heading", name="市町との連携による取組", exact=True)).to_be_visible()
    expect(
        page.get_by_role("heading", name="【サンプル】電子申請システムの共同調達")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="取組の一覧（7件）")).to_be_visible()
    page.screenshot(path=artifacts / f"municipal-dx-{name}.png", full_page=True)
    page.screenshot(path=artifacts / f"municipal-dx-{name}-top.png")
    # A resident looks up their town.
    page.get_by_label("市町", exact=True).select_option("owase")
    page.get_by_role("button", name="表示").click()
    page.wait_for_url("**/municipal-dx/?town=owase")
    expect(page.get_by_role("heading", name="尾鷲市が参加している取組（2件）")).to_be_visible()
    expect(page.get_by_label("市町", exact=True)).to_have_value("owase")
    no_overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_overflow
    page.screenshot(path=artifacts / f"municipal-dx-{name}-owase.png", full_page=True)
    page.screenshot(path=artifacts / f"municipal-dx-{name}-first-screen.png")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("FY2021").first).to_be_visible()
    page.screenshot(path=artifacts / f"municipal-dx-{name}-en.png", full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    assert console.csp_errors() == []
    assert console.errors == []


@pytest.mark.parametrize(
    ("viewport", "name"), [(DESKTOP, "desktop"), (SMALL_PHONE, "phone")], ids=["desktop", "phone"]
)
def test_center_staff_record_an_initiative_in_the_admin(
    page: Page, console, artifacts, center_staff, password, staff_sign_in, viewport, name
):
    page.set_viewport_size(viewport)
    staff_sign_in(page, center_staff, password, "/admin/procedures/jointinitiative/add/")
    page.get_by_label("管理番号").fill("MJ-2022-01")
    page.get_by_label("取組名").fill("電子契約の共同利用")
    page.get_by_label("開始年度").fill("2022")
    page.get_by_label("種類").select_option("joint_procurement")
    page.get_by_label("津市").check()
    page.get_by_role("button", name="保存", exact=True).click()

    # One municipality: refused with the reason, nothing saved.
    expect(page.get_by_text("参加市町を2市町以上選んでください").first).to_be_visible()
    page.screenshot(path=artifacts / f"municipal-dx-admin-refused-{name}.png", full_page=True)
    # The page itself broke no CSP rule (checked before axe, which sets inline styles itself).
    assert console.csp_errors() == []
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_label("伊勢市").check()
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("link", name="MJ-2022-01", exact=True)).to_be_visible()
    page.screenshot(path=artifacts / f"municipal-dx-admin-list-{name}.png", full_page=True)
