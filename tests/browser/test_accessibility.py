"""WCAG 2.1 AA (axe-core), keyboard use and the menu on a phone, in a real chromium.

Each page is opened at desktop and phone sizes; screenshots go to test-artifacts/ for a
person to look at.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from mie_dx.registry import demo_loaders
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = [
    pytest.param("/", "home", id="home"),
    pytest.param("/advisors/", "advisors", id="advisors"),
]
# Checked with axe at both sizes too (issue 11): the form and the information pages.
AXE_ONLY_PAGES = [
    pytest.param("/consultations/new/", "consultation-form", id="consultation-form"),
    pytest.param("/contact/", "contact", id="contact"),
    pytest.param("/privacy/", "privacy", id="privacy"),
    pytest.param("/accessibility/", "accessibility", id="accessibility"),
    pytest.param("/site-policy/", "site-policy", id="site-policy"),
    pytest.param("/faq/", "faq", id="faq"),
]
VIEWPORTS = [
    pytest.param(DESKTOP, "desktop", id="desktop"),
    pytest.param(PHONE, "phone", id="phone"),
]


# What these public pages show: the supporters (the seed's 17 advisors and 11 partners) and the
# seminars (the home page's next one). The plan apps' demo (1,000 staff, 460 procedures) is on
# none of them and would only cost each case seconds of loading.
PUBLIC_DEMO = {"mie_dx", "advisors", "seminars"}


@pytest.fixture
def demo_data(transactional_db):
    for label, loader in demo_loaders():
        if label in PUBLIC_DEMO:
            loader()


def active_element(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), id: el.id,
                    href: el.getAttribute("href"), text: el.textContent.trim()};
        }"""
    )


@pytest.mark.parametrize(("viewport", "viewport_name"), VIEWPORTS)
@pytest.mark.parametrize(("path", "page_name"), PAGES + AXE_ONLY_PAGES)
def test_no_wcag_violations(
    page: Page, console, artifacts, demo_data, path, page_name, viewport, viewport_name
):
    page.set_viewport_size(viewport)
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.screenshot(path=artifacts / f"{page_name}-{viewport_name}.png", full_page=True)
    # What a visitor sees first, at readable size (a phone's full page is very tall).
    page.screenshot(path=artifacts / f"{page_name}-{viewport_name}-first-screen.png")
    results = Axe().run(page, options=AXE_OPTIONS)

    assert results.violations_count == 0, results.generate_report()
    assert console.csp_errors() == []
    assert console.errors == []


@pytest.mark.parametrize(("path", "page_name"), PAGES)
def test_tab_reaches_the_skip_link_first_and_enter_moves_to_main(
    page: Page, artifacts, demo_data, path, page_name
):
    page.goto(path)

    page.keyboard.press("Tab")
    focused = active_element(page)
    assert focused["tag"] == "a"
    assert focused["href"] == "#main"
    assert focused["text"] == "本文へ移動"
    # Visible while focused (it is visually hidden otherwise).
    expect(page.locator("a.skip-link")).to_be_visible()
    page.screenshot(path=artifacts / f"{page_name}-skip-link.png")

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#main")
    assert active_element(page)["id"] == "main"
    # The next Tab continues from the main content, not from the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize(("path", "page_name"), PAGES)
def test_the_menu_opens_on_a_phone(page: Page, console, artifacts, demo_data, path, page_name):
    page.set_viewport_size(PHONE)
    page.goto(path)
    menu = page.locator("#site-nav")
    toggler = page.locator("button.navbar-toggler")
    expect(menu).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")

    # Bootstrap's script opens it: proves the vendored JS loads under the CSP.
    toggler.click()

    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="アドバイザー・パートナー")).to_be_visible()
    page.screenshot(path=artifacts / f"{page_name}-phone-menu.png", full_page=False)
    assert console.csp_errors() == []
    assert console.errors == []


def test_the_language_switcher_works_in_the_browser(page: Page, console, demo_data):
    page.goto("/")
    page.set_viewport_size(PHONE)
    # On a phone, without opening the menu.
    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert console.errors == []


def test_the_browser_enforces_the_csp_and_the_console_check_sees_it(page: Page, console):
    # Proves the two halves the tests above rely on: the policy reaches the browser, and a
    # refusal would show up in `console`.
    page.goto("/")
    ran = page.evaluate(
        """() => {
            window.inlineRan = false;
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true;";
            document.body.appendChild(script);
            return window.inlineRan;
        }"""
    )

    assert ran is False
    page.wait_for_timeout(200)
    assert any("script-src" in error for error in console.csp_errors()), console.errors


def test_a_form_sent_back_with_errors_takes_focus_to_the_summary_and_its_links_to_the_field(
    page: Page, console
):
    page.goto("/consultations/new/")
    page.get_by_role("button", name="入力内容を確認する").click()
    page.wait_for_load_state()
    assert page.title().startswith("入力エラー")
    assert active_element(page)["id"] == "error-summary"
    page.locator("#error-summary a", has_text="メールアドレス").click()
    assert active_element(page)["id"] == "id_email"
    assert console.errors == []
