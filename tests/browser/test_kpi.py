"""The managers' KPI dashboard and a KPI page in chromium: phone and desktop, axe clean,
screenshots and the A4 print layout (a screenshot in print media and a PDF) for a person to
look at in test-artifacts/."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.models import Status
from mie_dx.surveys import Rating
from tests.browser.conftest import DESKTOP
from tests.kpi.factories import consultation_survey, consultation_through, seminar_survey
from tests.seminars.factories import SeminarFactory

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PHONE_375 = {"width": 375, "height": 812}


@pytest.fixture
def kpi_data(transactional_db, staff_roles):
    call_command("load_demo", verbosity=0)
    # load_demo's upcoming sample series takes this year's first numbers.
    SeminarFactory.reset_sequence(100)
    # A few records this fiscal year, so that the computed lines have a point to draw.
    at = timezone.now() - timedelta(days=1)
    for rating in (Rating.USEFUL, Rating.SOMEWHAT_USEFUL, Rating.NOT_VERY_USEFUL):
        consultation_survey(rating, at)
    seminar_survey(Rating.USEFUL, at)
    for _n in range(3):
        consultation_through((Status.ADVISING, at))


def sign_in(page: Page, user, password: str) -> None:
    page.goto("/admin/login/?next=/kpi/")
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="KPIダッシュボード", level=1)).to_be_visible()


@pytest.mark.parametrize(
    ("viewport", "name"), [(DESKTOP, "desktop"), (PHONE_375, "phone")], ids=["desktop", "phone"]
)
def test_dashboard_and_kpi_page_as_a_manager(
    page: Page, console, artifacts, kpi_data, manager, password, viewport, name
):
    page.set_viewport_size(viewport)
    sign_in(page, manager, password)
    # The admin's login page asks for /favicon.ico (a 404): only the KPI pages are checked.
    console.errors.clear()
    page.reload()

    expect(page.get_by_role("img", name="DXや革新的な技術").first).to_be_visible()
    page.screenshot(path=artifacts / f"kpi-dashboard-{name}.png", full_page=True)
    page.screenshot(path=artifacts / f"kpi-dashboard-{name}-first-screen.png")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    # The chart's numbers as a table, one click away.
    page.get_by_text("グラフの数値（表）").first.click()
    expect(page.get_by_role("table").first).to_be_visible()

    page.get_by_role("link", name="10-1 b").click()
    expect(page.get_by_role("heading", name="集計方法")).to_be_visible()
    # 26 (R3) + in R4 the 2 demo businesses advised and the 3 sample support records + the
    # 3 consultations advised this year.
    expect(page.get_by_role("cell", name="34件").first).to_be_visible()
    page.screenshot(path=artifacts / f"kpi-detail-{name}.png", full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    page.get_by_role("link", name="内訳").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("内訳")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    assert console.csp_errors() == []
    assert console.errors == []


def test_the_dashboard_prints_on_a4(page: Page, console, artifacts, kpi_data, manager, password):
    sign_in(page, manager, password)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="CSVで出力")).to_be_hidden()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=artifacts / "kpi-dashboard-print.png", full_page=True)
    page.pdf(path=artifacts / "kpi-dashboard.pdf", format="A4", print_background=True)
    assert (artifacts / "kpi-dashboard.pdf").stat().st_size > 10_000
    assert console.csp_errors() == []
