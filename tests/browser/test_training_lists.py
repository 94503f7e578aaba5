"""The training office's lists read at 1280 px (every key column on screen, no sideways
scrolling) and on a phone, and an officer finds a person by name, opens their page and
records a completion from it. Screenshots at both widths in test-artifacts/."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_training_office import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_plan(transactional_db):
    from mie_dx.demo import load_organisation
    from training.demo import load_training_plan

    load_organisation()
    load_training_plan()


# The element lies within the window and within every box that clips it (a scrolling region).
ON_SCREEN = """(element) => {
    const box = element.getBoundingClientRect();
    if (box.left < 0 || box.right > window.innerWidth) return false;
    for (let outer = element.parentElement; outer; outer = outer.parentElement) {
        if (getComputedStyle(outer).overflowX === 'visible') continue;
        const frame = outer.getBoundingClientRect();
        if (box.left < frame.left - 1 || box.right > frame.right + 1) return false;
    }
    return true;
}"""


def assert_key_columns_on_screen(page: Page, table: str, headers: list[str]) -> None:
    """Each named column's header lies within the 1280 px window and neither the page nor the
    table's scrolling region scrolls sideways."""
    width = DESKTOP["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for name in headers:
        header = page.locator(f"{table} thead th", has_text=name).first
        expect(header).to_be_visible()
        assert header.evaluate(ON_SCREEN), name
    overflow = page.evaluate(
        """(selector) => {
            const region = document.querySelector(selector).closest('.table-responsive');
            return region ? region.scrollWidth - region.clientWidth : 0;
        }""",
        table,
    )
    assert overflow <= 0


def test_the_lists_read_at_1280_and_an_officer_records_a_completion_from_a_staff_page(
    page: Page, console, artifacts, demo_plan, training_officer, password, staff_sign_in
):
    from training.models import Enrolment

    overdue = (
        Enrolment.objects.filter(
            is_mandatory=True, completed_on__isnull=True, run__ends_on__lt=date.today()
        )
        .select_related("staff")
        .order_by("-fiscal_year", "pk")
        .first()
    )
    person = overdue.staff
    surname_and_given = person.name.removeprefix("【サンプル】")

    staff_sign_in(page, training_officer, password, next_path="/training/overdue/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("期限を過ぎた未修了")
    assert_key_columns_on_screen(
        page,
        "table.training-overdue-table",
        ["職員番号", "氏名", "所属", "研修", "期間の終了日", "階層"],
    )
    assert_accessible(page)
    page.screenshot(path=artifacts / "training-overdue-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=artifacts / "training-overdue-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    # The enrolments in the admin, found by the person's name as people type it.
    page.goto("/admin/training/enrolment/")
    page.locator("#searchbar").fill(surname_and_given)
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list")).to_contain_text(person.name)
    assert_key_columns_on_screen(
        page, "#result_list", ["職員", "氏名", "研修", "年度", "受講時の所属", "修了日"]
    )
    page.screenshot(path=artifacts / "training-enrolments-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=artifacts / "training-enrolments-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    # The person's page lists their enrolments; 「修了を記録」 opens the enrolment to record it.
    page.goto(f"/admin/training/staff/{person.pk}/change/")
    enrolments = page.locator(".inline-group", has_text="受講登録と修了")
    expect(enrolments).to_contain_text(overdue.course.name)
    page.screenshot(path=artifacts / "training-staff-page-1280.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=artifacts / "training-staff-page-390.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    enrolments.locator(
        f'a[href="/admin/training/enrolment/{overdue.pk}/change/#id_completed_on"]'
    ).click()
    expect(page.locator("main, #content").first).to_contain_text(person.name)
    page.locator("#id_completed_on").fill(overdue.run.ends_on.isoformat())
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    overdue.refresh_from_db()
    assert overdue.completed_on == overdue.run.ends_on
    assert console.csp_errors() == []
