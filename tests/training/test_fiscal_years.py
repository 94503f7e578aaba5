"""`?fy=` on the training pages and exports: a year without data shows that year, empty, and
says so (never another year's figures); a malformed one is a 400 with a message; a year
outside 令和 is no page (404)."""

from datetime import date

import pytest

from tests.training.factories import CourseRunFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/training/",
    "/training/overdue/",
    "/training/specialists/",
    "/training/promoters/",
    "/training/plan/",
]
EXPORTS = ["/training/export/courses/", "/training/export/overdue/"]


@pytest.fixture
def r4_data():
    run = CourseRunFactory(course__name="R4だけの研修", fiscal_year=2022, ends_on=date(2022, 7, 29))
    return EnrolmentFactory(run=run, staff__employee_number="A0001")


@pytest.mark.parametrize("path", PAGES)
def test_a_year_without_data_shows_that_year_empty_and_says_so(client, manager, r4_data, path):
    client.force_login(manager)
    response = client.get(f"{path}?fy=2026")
    assert response.status_code == 200
    page = response.content.decode()
    assert "令和8年度の研修データはまだありません" in page
    assert "R4だけの研修" not in page
    assert 'value="2026" selected' in page  # the picker shows the year asked for


def test_a_year_with_data_says_nothing_of_the_kind(client, manager, r4_data):
    client.force_login(manager)
    page = client.get("/training/?fy=2022").content.decode()
    assert "研修データはまだありません" not in page
    assert "R4だけの研修" in page


@pytest.mark.parametrize("path", EXPORTS)
def test_an_export_of_a_year_without_data_is_that_years_empty_table(
    client, training_officer, r4_data, path
):
    client.force_login(training_officer)
    response = client.get(f"{path}?fy=2026")
    assert response.status_code == 200
    assert "2026" in response["Content-Disposition"]
    content = response.content.decode("utf-8-sig")
    assert "R4だけの研修" not in content and "A0001" not in content
    assert len(content.strip().splitlines()) == 1  # the header row only


@pytest.mark.parametrize("path", PAGES + EXPORTS)
@pytest.mark.parametrize("value", ["abc", "22", "2022x", "-2022"])
def test_a_malformed_year_is_a_400_with_a_message(client, manager, r4_data, path, value):
    client.force_login(manager)
    response = client.get(path, {"fy": value})
    assert response.status_code == 400
    page = response.content.decode()
    assert "年度の指定が正しくありません" in page
    assert "西暦の4桁" in page


@pytest.mark.parametrize("path", ["/training/", "/training/export/courses/"])
@pytest.mark.parametrize("value", ["1999", "2300"])
def test_a_year_outside_reiwa_is_no_page(client, manager, r4_data, path, value):
    client.force_login(manager)
    assert client.get(path, {"fy": value}).status_code == 404


def test_without_fy_the_latest_year_with_data(client, manager, r4_data):
    client.force_login(manager)
    page = client.get("/training/").content.decode()
    assert "R4だけの研修" in page
