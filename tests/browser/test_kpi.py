"""The managers' KPI dashboard and a KPI page in chromium: phone and desktop, axe clean,
screenshots and the A4 print layout (a screenshot in print media and a PDF) for a person to
look at in test-artifacts/."""

import io
import unicodedata
from datetime import timedelta

import pdfplumber
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


A4_MARGIN_PT = 12 / 25.4 * 72  # the print style's @page margin, 12 mm


def flat(text: str) -> str:
    """Text as found in a PDF, comparable: NFKC (the fonts map some kanji to their Kangxi
    radicals, ⽤ for 用, and full-width brackets), without spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def printed_pages(pdf: bytes) -> list[dict]:
    """Each printed page's size and its lines of text with their boxes (pdfplumber)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [
            {
                "width": page.width,
                "height": page.height,
                "lines": page.extract_text_lines(),
                "chars": page.chars,
            }
            for page in document.pages
        ]


def assert_prints_on_a4(page: Page, pdf_path, *, max_pages: int) -> list[dict]:
    """A4 portrait; every character inside the page's content box; no heading alone at the
    foot of a page (the next content would follow it on the next page)."""
    headings = [flat(text) for text in page.locator("main h1, main h2, main h3").all_inner_texts()]
    pdf = page.pdf(path=pdf_path, format="A4", print_background=True)
    pages = printed_pages(pdf)
    assert 1 <= len(pages) <= max_pages
    for number, printed in enumerate(pages, start=1):
        # A4 portrait: 210 × 297 mm is 595 × 842 pt (chromium rounds to whole pixels).
        assert abs(printed["width"] - 595) < 2 and abs(printed["height"] - 842) < 2
        left, right = A4_MARGIN_PT - 1, printed["width"] - A4_MARGIN_PT + 1
        outside = [c["text"] for c in printed["chars"] if c["x0"] < left or c["x1"] > right]
        assert outside == [], f"page {number}: text outside the page: {''.join(outside)[:80]}"
        if number < len(pages) and printed["lines"]:
            last = max(printed["lines"], key=lambda line: line["bottom"])
            assert flat(last["text"]) not in headings, (
                f"page {number} ends with the heading {last['text']!r}"
            )
    return pages


def test_the_dashboard_prints_on_a4(page: Page, console, artifacts, kpi_data, manager, password):
    sign_in(page, manager, password)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="CSVで出力")).to_be_hidden()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.screenshot(path=artifacts / "kpi-dashboard-print.png", full_page=True)

    # Nine KPIs, two cards side by side and two rows a page at most: three pages.
    pages = assert_prints_on_a4(page, artifacts / "kpi-dashboard.pdf", max_pages=3)

    # Each card prints whole, its chart's figures as a table beside it: the card's code and
    # its table's caption on the same page.
    for code in ("10-1 a", "10-1 b", "10-2 a", "行政運営6 a", "県政レポート 副指標2"):
        on = [
            i
            for i, printed in enumerate(pages)
            if flat(f"{code}の目標と実績") in flat(" ".join(ln["text"] for ln in printed["lines"]))
        ]
        assert len(on) == 1, code
    assert console.csp_errors() == []


def test_the_annual_report_and_a_kpi_page_print_on_a4(
    page: Page, console, artifacts, kpi_data, manager, password
):
    sign_in(page, manager, password)
    page.get_by_role("link", name="年次評価（県政レポート）").click()
    page.get_by_role("link", name="令和3年度 令和4年版県政レポート（案）（関係分）").click()
    expect(page.get_by_role("heading", name="主指標")).to_be_visible()
    page.screenshot(path=artifacts / "kpi-annual-report.png", full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()

    page.emulate_media(media="print")
    pages = assert_prints_on_a4(page, artifacts / "kpi-annual-report.pdf", max_pages=3)
    text = flat(" ".join(line["text"] for printed in pages for line in printed["lines"]))
    for figure in (
        "31.8%",
        "0.80",
        "62,457件",
        "1,459",
        "（21人）",
        "進展度C（あまり進まなかった）",
    ):
        assert flat(figure) in text

    page.emulate_media(media="screen")
    page.goto("/kpi/10-1-b/")
    page.emulate_media(media="print")
    assert_prints_on_a4(page, artifacts / "kpi-detail.pdf", max_pages=3)
    assert console.csp_errors() == []
