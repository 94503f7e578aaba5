"""The admin: officers import the roster and completions; managers cannot reach people."""

import pytest

from tests.training.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_officers_see_staff_and_their_import_page(client, training_officer):
    StaffFactory(name="三重 太郎")
    client.force_login(training_officer)
    page = client.get("/admin/training/staff/").content.decode()
    assert "三重 太郎" in page
    importer = client.get("/admin/training/staff/import/")
    assert importer.status_code == 200
    assert client.get("/admin/training/enrolment/import/").status_code == 200


@pytest.mark.parametrize("role", ["manager", "center_staff", "procedure_officer"])
def test_other_staff_cannot_open_the_roster(client, request, role):
    StaffFactory(name="三重 太郎")
    client.force_login(request.getfixturevalue(role))
    response = client.get("/admin/training/staff/")
    assert response.status_code == 403
    assert client.get("/admin/training/staff/export/").status_code == 403


def test_officer_export_of_the_roster_has_names(client, training_officer):
    StaffFactory(name="三重 太郎", employee_number="A0001")
    client.force_login(training_officer)
    content = client.get("/admin/training/staff/export/").content.decode("utf-8-sig")
    assert content.splitlines()[0].startswith("職員番号,氏名,フリガナ,所属コード,階層")
    assert "三重 太郎" in content


def test_a_completion_entered_in_the_admin_certifies(client, training_officer):
    from datetime import date

    from tests.training.factories import CourseRunFactory, EnrolmentFactory
    from training.models import Course, SpecialistCertification

    run = CourseRunFactory(
        course__category=Course.Category.SPECIALIST_TRAINING, course__is_mandatory=False
    )
    enrolment = EnrolmentFactory(run=run)
    client.force_login(training_officer)
    url = f"/admin/training/enrolment/{enrolment.pk}/change/"
    response = client.post(
        url, {"fiscal_year": 2022, "is_mandatory": "", "completed_on": "2023-01-20"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    enrolment.refresh_from_db()
    assert enrolment.completed_on == date(2023, 1, 20)
    assert SpecialistCertification.objects.get().staff == enrolment.staff


def test_an_enrolment_added_in_the_admin_keeps_division_and_stage(client, training_officer):
    from tests.training.factories import CourseRunFactory
    from training.models import Enrolment

    run = CourseRunFactory(course__is_mandatory=False)
    staff = StaffFactory()
    client.force_login(training_officer)
    response = client.post(
        "/admin/training/enrolment/add/",
        {"staff": staff.pk, "run": run.pk, "fiscal_year": 2022, "completed_on": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    enrolment = Enrolment.objects.get()
    assert (enrolment.division, enrolment.stage, enrolment.course) == (
        staff.division,
        staff.stage,
        run.course,
    )
    assert enrolment.enrolled_by == training_officer
