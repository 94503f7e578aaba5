"""Finding a person: officers search enrolments and the roster by name and reading whatever
the script or width; an enrolment's page names the person; a staff member's page lists their
enrolments with a 「修了を記録」 link whose save records the completion; the overdue list of
one department or division."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.mie_dx.factories import DivisionFactory
from tests.training.factories import CourseRunFactory, EnrolmentFactory
from training.models import Enrolment

pytestmark = pytest.mark.django_db
FY = 2022


@pytest.fixture
def kato():
    return EnrolmentFactory(
        staff__name="加藤 翔",
        staff__name_kana="カトウ　ショウ",
        staff__employee_number="S00406",
        run__course__name="DXの基礎",
    )


@pytest.fixture
def someone_else():
    return EnrolmentFactory(
        staff__name="伊藤 花子", staff__name_kana="イトウ　ハナコ", staff__employee_number="S00407"
    )


@pytest.mark.parametrize(
    "search", ["加藤 翔", "加藤翔", "かとう", "ｶﾄｳ", "カトウ ショウ", "S00406"]
)
def test_officers_find_enrolments_by_name_or_reading(
    client, training_officer, kato, someone_else, search
):
    client.force_login(training_officer)

    page = client.get("/admin/training/enrolment/", {"q": search}).content.decode()

    assert "加藤 翔" in page
    assert "伊藤 花子" not in page


@pytest.mark.parametrize("search", ["かとう", "ｶﾄｳ", "加藤 翔"])
def test_officers_find_staff_by_name_or_reading(
    client, training_officer, kato, someone_else, search
):
    client.force_login(training_officer)

    page = client.get("/admin/training/staff/", {"q": search}).content.decode()

    assert "加藤 翔" in page
    assert "伊藤 花子" not in page


def test_an_enrolments_page_names_the_person(client, training_officer, kato):
    client.force_login(training_officer)

    page = client.get(f"/admin/training/enrolment/{kato.pk}/change/").content.decode()

    assert "S00406" in page and "加藤 翔" in page


def test_a_staff_members_page_lists_their_enrolments_and_records_a_completion(
    client, training_officer, kato
):
    done = EnrolmentFactory(staff=kato.staff, completed_on=date(FY, 6, 3))
    client.force_login(training_officer)

    page = client.get(f"/admin/training/staff/{kato.staff.pk}/change/").content.decode()

    assert "受講登録と修了" in page
    assert "DXの基礎" in page and done.course.name in page
    record = f"/admin/training/enrolment/{kato.pk}/change/#id_completed_on"
    assert f'href="{record}">修了を記録</a>' in page
    assert f"/admin/training/enrolment/{done.pk}/change/#id_completed_on" in page
    assert "修了日を修正" in page

    # The link's page records the completion (training.services.record_completion).
    response = client.post(
        f"/admin/training/enrolment/{kato.pk}/change/",
        {"fiscal_year": FY, "completed_on": "2022-07-01"},
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=kato.pk).completed_on == date(FY, 7, 1)


def test_the_staff_page_runs_a_fixed_number_of_queries(client, training_officer, kato):
    for _i in range(3):
        EnrolmentFactory(staff=kato.staff)
    client.force_login(training_officer)
    url = f"/admin/training/staff/{kato.staff.pk}/change/"
    client.get(url)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _i in range(5):
        EnrolmentFactory(staff=kato.staff)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few), [q["sql"][:200] for q in more.captured_queries][-8:]


def test_the_overdue_list_of_one_department_or_division_with_names_for_officers(
    client, training_officer, manager
):
    ise, tsu = DivisionFactory(name="伊勢課"), DivisionFactory(name="津課")
    run = CourseRunFactory(ends_on=date(FY, 7, 29))
    EnrolmentFactory(run=run, staff__division=ise, staff__name="伊勢 一郎")
    EnrolmentFactory(run=run, staff__division=tsu, staff__name="津 二郎")
    client.force_login(training_officer)

    by_department = client.get(
        "/training/overdue/", {"fy": FY, "department": ise.department.code}
    ).content.decode()
    by_division = client.get("/training/overdue/", {"fy": FY, "division": tsu.code}).content
    export = client.get(
        "/training/export/overdue/", {"fy": FY, "division": tsu.code}
    ).content.decode("utf-8-sig")

    assert "伊勢 一郎" in by_department and "津 二郎" not in by_department
    assert "津 二郎" in by_division.decode() and "伊勢 一郎" not in by_division.decode()
    assert "津 二郎" in export and "伊勢 一郎" not in export
    # The export link keeps the filter.
    assert f"/training/export/overdue/?fy={FY}&amp;department={ise.department.code}" in (
        by_department
    )

    client.force_login(manager)
    page = client.get("/training/overdue/", {"fy": FY, "division": tsu.code}).content.decode()
    assert "津課" in page and "津 二郎" not in page


def test_saving_a_staff_members_page_leaves_their_enrolments_as_they_are(
    client, training_officer, kato
):
    staff = kato.staff
    client.force_login(training_officer)

    response = client.post(
        f"/admin/training/staff/{staff.pk}/change/",
        {
            "employee_number": staff.employee_number,
            "name": "加藤 翔太",
            "name_kana": staff.name_kana,
            "division": staff.division_id,
            "stage": staff.stage,
            "email": staff.email,
            "is_active": "on",
            # The list of enrolments as the page posts it (read-only rows).
            "enrolments-TOTAL_FORMS": "1",
            "enrolments-INITIAL_FORMS": "1",
            "enrolments-0-id": str(kato.pk),
            "enrolments-0-staff": str(staff.pk),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    staff.refresh_from_db()
    assert staff.name == "加藤 翔太"
    assert Enrolment.objects.get(pk=kato.pk).completed_on is None
