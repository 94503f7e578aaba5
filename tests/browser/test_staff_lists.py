"""Issue 21 in a real chromium: the demo procedure officer at work, the lists staff read at
1280 px (key columns on screen without scrolling sideways), the matching page and the case page
on a phone, the staff bar on the staff pages, and axe (WCAG 2.1 AA) on the admin pages at both
sizes. Screenshots in test-artifacts/."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.db import transaction
from playwright.sync_api import Page, expect

from consultations.models import Consultation
from mie_dx.models import AuditLog
from mie_dx.notifications import queue_notification
from mie_dx.registry import demo_loaders
from procedures.models import Procedure
from tests.browser.conftest import DESKTOP, PHONE
from tests.mie_dx.test_demo_users import SIGN_IN_LINE, load_demo

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
VIEWPORTS = [
    pytest.param(DESKTOP, "desktop", id="desktop"),
    pytest.param(PHONE, "phone", id="phone"),
]


def assert_accessible(page: Page, console) -> None:
    # The page itself broke no CSP rule …
    assert console.csp_errors() == [], page.url
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"
    # … while axe-core, measuring scrollable parts, sets inline styles the CSP refuses (its
    # own, not the portal's): forget those (as tests/browser/test_consultation_staff.py).
    console.errors.clear()


# How many lines an element's text takes.
LINES = """el => { const range = document.createRange(); range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""


def page_width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def assert_columns_on_screen(page: Page, headers: list[str]) -> None:
    """Each column is on screen at 1280 px without scrolling the page or the list sideways."""
    assert page_width(page) <= DESKTOP["width"]
    results = page.locator("#changelist .results")
    overflow = results.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 0, f"the list scrolls sideways by {overflow} px"
    for header in headers:
        cell = page.locator("#result_list thead th", has_text=header).first
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0, header
        assert box["x"] + box["width"] <= DESKTOP["width"], (header, box)


@pytest.fixture
def demo_accounts(transactional_db, settings, staff_roles) -> dict[str, str]:
    """`load_demo` as `make run` does it (local accounts on): {username: printed password}."""
    settings.DEMO_USERS = True
    return dict(SIGN_IN_LINE.findall(load_demo()))


@pytest.fixture
def consultations_demo(transactional_db):
    for label, loader in demo_loaders():
        if label in {"mie_dx", "advisors", "consultations"}:
            loader()


# --- The procedure officer (items 3 and 4) --------------------------------------------------


def test_the_demo_procedure_officer_edits_a_procedure_in_their_division(
    page: Page, console, artifacts, demo_accounts, staff_sign_in
):
    officer = get_user_model().objects.get(username="demo-procedures")
    procedure = Procedure.objects.get(code="SAMPLE-O-0001")
    staff_sign_in(
        page, officer, demo_accounts["demo-procedures"], next_path="/admin/procedures/procedure/"
    )
    console.errors.clear()  # the admin's login page asks for /favicon.ico (a 404)

    # The list at 1280 px: the name readable, 状態 and デジタル化日 on screen.
    expect(page.locator("#without-division-note")).to_have_count(0)
    assert_columns_on_screen(
        page, ["手続コード", "手続名（様式名）", "所属", "予定年度", "状態", "デジタル化日"]
    )
    name = page.locator("#result_list td.field-name_and_form").first
    assert name.bounding_box()["width"] >= 150
    page.screenshot(path=artifacts / "staff21-procedures-list-desktop.png")
    assert_accessible(page, console)

    page.locator("#searchbar").fill("SAMPLE-O-0001")
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name="SAMPLE-O-0001").click()
    expect(page.get_by_role("button", name="保存", exact=True)).to_be_visible()
    assert_accessible(page, console)
    page.get_by_label("年間受付件数").fill("1450")
    page.get_by_label("備考").fill("受付件数を令和7年度の実績に更新")
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("変更しました")
    procedure.refresh_from_db()
    assert (procedure.annual_applications, procedure.notes) == (
        1450, "受付件数を令和7年度の実績に更新"
    )  # fmt: skip
    entry = AuditLog.objects.get(action="procedure.updated")
    assert entry.user == officer
    page.screenshot(path=artifacts / "staff21-procedures-edited-desktop.png")
    assert console.errors == []


@pytest.mark.parametrize(("viewport", "viewport_name"), VIEWPORTS)
def test_an_officer_without_a_division_reads_why(
    page: Page, console, artifacts, procedure_officer, password, staff_sign_in, viewport,
    viewport_name
):  # fmt: skip
    staff_sign_in(page, procedure_officer, password, next_path="/admin/procedures/procedure/")
    page.set_viewport_size(viewport)
    page.reload()

    expect(page.locator("#without-division-note")).to_contain_text(
        "システム管理者に依頼してください"
    )
    assert page_width(page) <= viewport["width"]
    page.screenshot(path=artifacts / f"staff21-procedures-no-division-{viewport_name}.png")
    assert_accessible(page, console)


# --- The outbox (item 4) --------------------------------------------------------------------


@pytest.mark.parametrize(("viewport", "viewport_name"), VIEWPORTS)
def test_the_outbox_reads_at_1280_with_kinds_in_words(
    page: Page, console, artifacts, center_staff, password, staff_sign_in, viewport,
    viewport_name
):  # fmt: skip
    for i in range(12):
        with transaction.atomic():
            queue_notification(
                to=f"person{i}@example.jp",
                template="staff_alert",
                context={
                    "title": "受付から3営業日が経過した相談があります（長い件名の例）",
                    "lines": ["DX-2026-0001"],
                },
            )
    staff_sign_in(page, center_staff, password, next_path="/admin/mie_dx/notification/")
    page.set_viewport_size(viewport)
    page.reload()

    if viewport == DESKTOP:
        assert_columns_on_screen(page, ["作成日時", "件名", "状態", "送信日時（予定）"])
        subject = page.locator("#result_list td.field-subject").first
        assert subject.bounding_box()["width"] >= 180
        # States and times on one line (one line box each).
        for cell in (".field-status_label", ".field-sent_or_due", ".field-created"):
            lines = page.locator(f"#result_list {cell}").first.evaluate(LINES)
            assert lines == 1, (cell, lines)
    kinds = page.locator("#changelist-filter")
    expect(kinds).to_contain_text("職員への通知")
    expect(kinds).not_to_contain_text("staff_alert")
    assert page_width(page) <= viewport["width"]
    page.screenshot(path=artifacts / f"staff21-outbox-{viewport_name}.png")
    assert_accessible(page, console)

    page.locator("#result_list td.field-subject a").first.click()
    expect(page).to_have_url(re.compile(r"/admin/mie_dx/notification/\d+/change/$"))
    assert page_width(page) <= viewport["width"]
    assert_accessible(page, console)


# --- Center staff (items 3 and 8) -----------------------------------------------------------


@pytest.mark.parametrize(("viewport", "viewport_name"), VIEWPORTS)
def test_the_demo_cases_the_suggestions_and_the_case_page_at_both_sizes(
    page: Page, console, artifacts, consultations_demo, center_staff, password, staff_sign_in,
    viewport, viewport_name
):  # fmt: skip
    staff_sign_in(page, center_staff, password, next_path="/admin/consultations/consultation/")
    page.set_viewport_size(viewport)
    page.reload()

    # Every demo case is a sample: the list shows them and says so.
    expect(page.locator("#sample-note")).to_contain_text("すべてデモ用のサンプルです")
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    assert page_width(page) <= viewport["width"]
    page.screenshot(path=artifacts / f"staff21-consultations-{viewport_name}.png")
    assert_accessible(page, console)

    case = Consultation.objects.get(reference="DX-2022-0010")  # in matching
    page.goto(f"/admin/consultations/consultation/{case.pk}/change/")
    expect(page.get_by_role("button", name="自分が担当する")).to_have_class(re.compile("button"))
    assert page_width(page) <= viewport["width"]
    page.screenshot(path=artifacts / f"staff21-case-{viewport_name}.png", full_page=True)
    assert_accessible(page, console)

    page.goto(f"/admin/consultations/consultation/{case.pk}/match/")
    others = page.locator("details#match-others")
    expect(others).not_to_have_attribute("open", "")
    suggested = page.locator("#match-suggested tbody tr")
    assert suggested.count() >= 1
    scores = [int(s) for s in page.locator("#match-suggested td.match-score").all_inner_texts()]
    assert all(score > 0 for score in scores) and scores == sorted(scores, reverse=True)
    button = page.get_by_role("button", name="選んだアドバイザー等に依頼する")
    # The button comes right after the suggestions, before anyone unrelated.
    assert button.bounding_box()["y"] < others.bounding_box()["y"]
    expect(page.locator("#match-others-table")).not_to_be_visible()
    assert page_width(page) <= viewport["width"]
    page.screenshot(path=artifacts / f"staff21-match-{viewport_name}.png", full_page=True)
    assert_accessible(page, console)
    page.get_by_text("ほかのアドバイザー等を表示").click()
    expect(page.locator("#match-others-table")).to_be_visible()
    zero = page.locator("#match-others-table td.match-score").all_inner_texts()
    assert zero and all(int(s) == 0 for s in zero)
    assert_accessible(page, console)


# --- The staff bar (item 9) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("procedure_officer", "/procedures/"),
        ("manager", "/kpi/"),
        ("training_officer", "/training/"),
    ],
)
def test_the_staff_pages_say_who_is_signed_in_and_lead_back_to_the_admin(
    page: Page, console, artifacts, request, password, staff_sign_in, who, path
):
    user = request.getfixturevalue(who)
    user.last_name, user.first_name = "三重", "花子"
    user.save()
    staff_sign_in(page, user, password, next_path=path)
    bar = page.get_by_role("navigation", name="職員メニュー")

    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        expect(bar).to_contain_text("花子 三重さんがログイン中")
        expect(bar.get_by_role("link", name="管理画面へ")).to_have_attribute("href", "/admin/")
        expect(bar.get_by_role("button", name="ログアウト")).to_be_visible()
        assert page_width(page) <= viewport["width"]
        page.screenshot(path=artifacts / f"staff21-bar-{who}-{name}.png")
        assert_accessible(page, console)

    bar.get_by_role("button", name="ログアウト").click()
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/admin/login/"))


# --- Admin pages Django draws without names (item 9) ------------------------------------------


@pytest.mark.parametrize(("viewport", "viewport_name"), VIEWPORTS)
def test_admin_change_pages_and_lists_pass_axe_where_django_leaves_controls_unnamed(
    page: Page, console, artifacts, superuser, password, staff_sign_in, viewport, viewport_name
):
    """Breadcrumbs (link-in-text-block), a tabular inline and a list_editable column (label,
    select-name), the two-box selector (aria-prohibited-attr), a date-and-time field, an
    autocomplete in an inline (aria-input-field-name)."""
    from procedures.models import InventorySurveyRow, SurveyColumn
    from tests.advisors.factories import ExpertiseAreaFactory, SupporterFactory
    from tests.procedures.factories import InventorySurveyFactory
    from tests.seminars.factories import SeminarFactory

    survey = InventorySurveyFactory()
    InventorySurveyRow.objects.create(
        survey=survey,
        kind=Procedure.Kind.OWN,
        column=SurveyColumn.R2,
        procedures=26,
        applications=27_674,
    )
    supporter = SupporterFactory(expertise=[ExpertiseAreaFactory()])
    seminar = SeminarFactory()  # its talks: autocomplete boxes in a tabular inline
    staff_sign_in(page, superuser, password)
    page.set_viewport_size(viewport)
    console.errors.clear()

    for path in (
        f"/admin/procedures/inventorysurvey/{survey.pk}/change/",
        "/admin/advisors/expertisearea/",
        f"/admin/advisors/supporter/{supporter.pk}/change/",
        f"/admin/auth/user/{superuser.pk}/change/",
        f"/admin/seminars/seminar/{seminar.pk}/change/",
    ):
        page.goto(path)
        expect(page.locator(".breadcrumbs a").first).to_have_css(
            "text-decoration-line", "underline"
        )
        assert page_width(page) <= viewport["width"], path
        assert_accessible(page, console)
    page.screenshot(path=artifacts / f"staff21-admin-user-{viewport_name}.png")
