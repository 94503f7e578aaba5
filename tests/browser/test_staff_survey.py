"""The staff survey in a real chromium: a member of staff answers on a 375 px phone, in
Japanese and in English, with no WCAG 2.1 AA violation (axe) on the form, the error summary
and the page after; the results page for a manager, axe clean too."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.mie_dx.factories import DepartmentFactory, DivisionFactory
from tests.training.factories import StaffFactory, StaffSurveyFactory
from training import services
from training.models import StaffSurveyInvitation

pytestmark = pytest.mark.browser

PHONE_375 = {"width": 375, "height": 812}


@pytest.fixture
def survey_link(transactional_db):
    survey = StaffSurveyFactory(title="テスト職員アンケート")
    division = DivisionFactory(department=DepartmentFactory(name="テスト部"))
    StaffFactory.create_batch(6, division=division)
    services.send_staff_survey(survey=survey)
    invitations = StaffSurveyInvitation.objects.filter(survey=survey).order_by("pk")
    return survey, [f"/training/staff-survey/{i.private_token}/" for i in invitations]


def assert_axe_clean(page: Page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_member_of_staff_answers_on_a_phone(
    page: Page, console, artifacts, survey_link, language
):
    _survey, links = survey_link
    page.set_viewport_size(PHONE_375)
    page.goto(links[0])
    if language == "en":
        page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_375["width"]
    page.screenshot(path=artifacts / f"staff-survey-{language}-375.png", full_page=True)
    assert_axe_clean(page)

    submit = page.locator("form:has(input[name=smart]) button[type=submit]")
    submit.click()  # nothing chosen: the error summary
    expect(page.locator("input[name=smart]").first).to_be_visible()
    assert_axe_clean(page)

    page.locator("input[name=smart][value=somewhat]").check()
    page.locator("input[name=digital][value=yes]").check()
    submit.click()
    expect(page.locator("[role=status].alert-success")).to_be_visible()
    expect(page.locator("input[name=smart]")).to_have_count(0)
    page.screenshot(path=artifacts / f"staff-survey-answered-{language}-375.png", full_page=True)
    assert_axe_clean(page)
    assert console.csp_errors() == []
    # The form sent back with mistakes is a 400, by design (as mie_dx.views.SurveyView's).
    assert [e for e in console.errors if "status of 400" not in e] == []


def test_the_results_page_is_axe_clean(
    page: Page, console, artifacts, survey_link, manager, password, staff_sign_in
):
    survey, links = survey_link
    for link in links[:5]:
        page.goto(link)
        page.locator("input[name=smart][value=yes]").check()
        page.locator("input[name=digital][value=no]").check()
        page.locator("form:has(input[name=smart]) button[type=submit]").click()
        expect(page.locator("[role=status].alert-success")).to_be_visible()
    staff_sign_in(page, manager, password, next_path=f"/training/surveys/{survey.pk}/")
    for viewport, name in ((DESKTOP, "desktop"), (PHONE_375, "phone")):
        page.set_viewport_size(viewport)
        page.reload()
        expect(page.get_by_text("テスト部").first).to_be_visible()
        page.screenshot(path=artifacts / f"staff-survey-results-{name}.png", full_page=True)
        assert_axe_clean(page)
    assert console.errors == []
