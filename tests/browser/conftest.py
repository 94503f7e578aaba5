"""Playwright against Debian's chromium and pytest-django's live server.

The fixtures are our own (pytest-playwright is not a dependency): one Playwright and one
browser for the session, a fresh context and page for every test, and the messages the
browser logs — a Content-Security-Policy refusal shows up there as a console error.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from mie_dx.two_factor.policy import requires_second_factor
from tests.conftest import enrol_authenticator, totp_code

# Playwright's sync API keeps an event loop running in the test thread; Django would then
# refuse database access from that thread (loading data, the live server's setup).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's chromium. "
            "Install it with `apt-get install chromium` (never `playwright install`).",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


class ConsoleLog:
    """Everything the page logged as an error, and uncaught exceptions."""

    def __init__(self):
        self.errors: list[str] = []

    def on_console(self, message: ConsoleMessage):
        if message.type == "error":
            self.errors.append(message.text)

    def on_page_error(self, error):
        self.errors.append(f"uncaught: {error}")

    def csp_errors(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e]


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser: Browser, console: ConsoleLog, live_server) -> Iterator[Page]:
    context = browser.new_context(
        viewport=DESKTOP, locale="ja-JP", base_url=live_server.url, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def sign_in(page: Page, user, password: str, next_path: str = "/admin/") -> None:
    """Staff sign-in as a person does it: the password, then (for those who must) the code
    their authenticator app shows, computed here from the device's key."""
    device = enrol_authenticator(user) if requires_second_factor(user) else None
    page.goto(f"/admin/login/?{urlencode({'next': next_path})}")
    page.get_by_label("ユーザー名").fill(user.username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    if device is not None:
        expect(page.get_by_role("heading", name="2段階認証", exact=True)).to_be_visible()
        page.get_by_label("確認コード（6桁）").fill(totp_code(device))
        page.get_by_role("button", name="確認する", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


@pytest.fixture
def staff_sign_in() -> Callable[..., None]:
    """``staff_sign_in(page, user, password)``: signed in to the admin, second factor included."""
    return sign_in
