"""The training office's pages: who may see them, names only with the personal-data
permission, exports, auto-enrolment from the page, and a fixed number of queries."""

from datetime import date

import pytest
from django.urls import reverse

from tests.mie_dx.factories import DivisionFactory
from tests.training.factories import CourseRunFactory, EnrolmentFactory, StaffFactory
from training import services
from training.models import Enrolment, PromoterAppointment, Staff, Stage

pytestmark = pytest.mark.django_db
FY = 2022

PAGES = [
    "/training/",
    "/training/overdue/",
    "/training/specialists/",
    "/training/promoters/",
    "/training/plan/",
    "/training/export/courses/",
    "/training/export/overdue/",
]


@pytest.fixture
def overdue():
    """An unfinished mandatory enrolment whose period ended, of a named member of staff."""
    run = CourseRunFactory(course__name="DXの基礎", ends_on=date(FY, 7, 29))
    return EnrolmentFactory(run=run, staff__name="三重 太郎", staff__employee_number="A0001")


@pytest.fixture
def certified():
    from training.models import Course

    run = CourseRunFactory(
        course__category=Course.Category.SPECIALIST_TRAINING, course__is_mandatory=False
    )
    enrolment = EnrolmentFactory(run=run, staff__name="伊勢 花子")
    services.record_completion(enrolment=enrolment, completed_on=date(FY, 9, 1), by=None)
    return enrolment


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ["center_staff", "procedure_officer", "public_user"])
@pytest.mark.parametrize("path", PAGES)
def test_other_roles_see_nothing(client, request, role, path, overdue):
    client.force_login(request.getfixturevalue(role))
    response = client.get(path)
    assert response.status_code == 403
    assert "三重 太郎" not in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_officers_and_managers_may_open_every_page(client, training_officer, manager, path):
    for user in (training_officer, manager):
        client.force_login(user)
        assert client.get(path).status_code == 200


def test_officers_see_names_managers_only_figures(
    client, training_officer, manager, overdue, certified
):
    urls = ["/training/overdue/?fy=2022", "/training/specialists/?fy=2022"]
    exports = ["/training/export/overdue/?fy=2022", "/training/export/specialists/?fy=2022"]
    client.force_login(training_officer)
    officer = [client.get(u).content.decode() for u in urls + exports]
    client.force_login(manager)
    managers = [client.get(u).content.decode() for u in urls + exports]
    assert "三重 太郎" in officer[0] and "三重 太郎" in officer[2]
    assert "伊勢 花子" in officer[1] and "伊勢 花子" in officer[3]
    for page in managers:
        assert "三重 太郎" not in page and "伊勢 花子" not in page
        assert "A0001" not in page
    assert "DXの基礎" in managers[0] and "DXの基礎" in managers[2]  # the figures are there


def test_dashboard_shows_rates_and_the_department_drill_down(client, manager, overdue):
    EnrolmentFactory(run=overdue.run, completed_on=date(FY, 5, 1), division=overdue.division)
    client.force_login(manager)
    page = client.get("/training/?fy=2022").content.decode()
    assert "50.0%" in page
    department = overdue.division.department
    link = reverse("training:department", args=[department.code])
    assert link in page
    drill = client.get(f"{link}?fy=2022").content.decode()
    assert overdue.division.name in drill and "50.0%" in drill
    assert client.get(reverse("training:department", args=["NOPE"])).status_code == 404


def test_xlsx_export(client, training_officer, overdue):
    client.force_login(training_officer)
    response = client.get("/training/export/courses/?fy=2022&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    csv = client.get("/training/export/courses/?fy=2022")
    assert csv.content.startswith("\ufeff".encode())
    assert "DXの基礎" in csv.content.decode()
    assert client.get("/training/export/unknown/").status_code == 404


def test_a_formula_in_a_name_is_exported_as_text(client, training_officer, overdue):
    Staff.objects.filter(pk=overdue.staff_id).update(name="=HYPERLINK(1)")
    client.force_login(training_officer)
    content = client.get("/training/export/overdue/?fy=2022").content.decode()
    assert "'=HYPERLINK(1)" in content


def test_auto_enrolment_from_the_page(client, training_officer, manager):
    CourseRunFactory(course__target_stages=[Stage.NEW_HIRE])
    StaffFactory.create_batch(3, stage=Stage.NEW_HIRE)
    client.force_login(manager)
    assert client.post("/training/enrol/", {"fy": FY}).status_code == 403
    assert Enrolment.objects.count() == 0
    client.force_login(training_officer)
    response = client.post("/training/enrol/", {"fy": FY})
    assert response.status_code == 302
    assert Enrolment.objects.count() == 3
    client.post("/training/enrol/", {"fy": FY})
    assert Enrolment.objects.count() == 3


def _build(size: int) -> None:
    """`size` staff over 10 divisions, each enrolled in 2 courses, a third completed, and
    promoters in half of the divisions."""
    divisions = [DivisionFactory() for _ in range(10)]
    runs = [CourseRunFactory(), CourseRunFactory(ends_on=date(FY, 12, 1))]
    staff = Staff.objects.bulk_create(
        Staff(
            employee_number=f"Q{i:06d}",
            name=f"テスト{i}",
            division=divisions[i % 10],
            stage=Stage.NEW_HIRE,
        )
        for i in range(size)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            staff=s,
            run=run,
            course_id=run.course_id,
            fiscal_year=FY,
            division_id=s.division_id,
            stage=s.stage,
            completed_on=date(FY, 5, 1) if i % 3 == 0 else None,
        )
        for i, s in enumerate(staff)
        for run in runs
    )
    PromoterAppointment.objects.bulk_create(
        PromoterAppointment(
            division=d, fiscal_year=FY, role=PromoterAppointment.Role.PRIMARY, staff=staff[n]
        )
        for n, d in enumerate(divisions[:5])
    )


@pytest.mark.parametrize("size", [50, 5000])
@pytest.mark.parametrize(
    "path",
    [
        "/training/?fy=2022",
        "/training/overdue/?fy=2022",
        "/training/specialists/?fy=2022",
        "/training/promoters/?fy=2022",
        "/training/plan/?fy=2022",
        "/training/export/departments/?fy=2022",
    ],
)
def test_pages_keep_a_fixed_number_of_queries(
    client, training_officer, django_assert_max_num_queries, size, path
):
    _build(size)
    department = DivisionFactory().department
    client.force_login(training_officer)
    with django_assert_max_num_queries(14):
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/training/departments/{department.code}/?fy=2022").status_code == 200
