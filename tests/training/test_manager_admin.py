"""Managers see no per-person record of the training office anywhere in the admin: every
admin page they may open (each registered model's list and a change page of each) is free of
employee numbers and of a person's training dates; the figures are at /training/."""

import contextlib
from datetime import date

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.training.factories import CourseRunFactory, StaffFactory
from training import services
from training.models import Course, Enrolment, Initiative, SpecialistCertification, Staff

pytestmark = pytest.mark.django_db

EMPLOYEE_NUMBER = "Q73519"
COMPLETED_ON = date(2022, 11, 17)
CERTIFIED_ON = date(2023, 1, 23)


def _spellings(day: date) -> list[str]:
    """How a page may write `day`: ISO, slashes, Japanese (西暦 and 令和), English."""
    return [
        day.isoformat(),
        day.strftime("%Y/%m/%d"),
        f"{day.year}年{day.month}月{day.day}日",
        f"令和{day.year - 2018}年{day.month}月{day.day}日",
        f"{day.strftime('%b')}. {day.day}, {day.year}",
        f"{day.strftime('%B')} {day.day}, {day.year}",
    ]


@pytest.fixture
def person_with_records(training_officer):
    """A member of staff with a completion, a specialist certification and an initiative,
    recorded through the services (so the audit log has them too)."""
    staff = StaffFactory(employee_number=EMPLOYEE_NUMBER, name="記録 太郎")
    run = CourseRunFactory(
        course__category=Course.Category.SPECIALIST_TRAINING, course__is_mandatory=False
    )
    enrolment = services.enrol(staff=staff, run=run, by=training_officer)
    services.record_completion(enrolment=enrolment, completed_on=COMPLETED_ON, by=training_officer)
    certification = SpecialistCertification.objects.get(staff=staff)
    certification.certified_on = CERTIFIED_ON
    certification.save()
    services.record_initiative(
        title="テスト取組",
        division=staff.division,
        specialists=[staff],
        date=date(2022, 12, 1),
        by=training_officer,
    )
    return staff


def _admin_urls() -> list[tuple[str, str]]:
    """(model, URL) of every registered model's list and export, and of the change and
    history pages of its first row; and the admin's index."""
    urls = [("admin", reverse("admin:index"))]
    for model in admin.site._registry:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        try:
            urls.append((opts.label, reverse(f"{prefix}_changelist")))
        except NoReverseMatch:
            continue
        with contextlib.suppress(NoReverseMatch):  # an import/export admin's export page
            urls.append((opts.label, reverse(f"{prefix}_export")))
        first = model._default_manager.first()
        if first is not None:
            for view in ("change", "history"):
                urls.append((opts.label, reverse(f"{prefix}_{view}", args=[first.pk])))
    return urls


def test_managers_see_no_employee_number_nor_a_persons_dates_on_any_admin_page(
    client, manager, person_with_records
):
    client.force_login(manager)
    forbidden = [EMPLOYEE_NUMBER, *_spellings(COMPLETED_ON), *_spellings(CERTIFIED_ON)]
    opened = []
    for label, url in _admin_urls():
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        if response.status_code != 200:
            continue
        opened.append(label)
        page = response.content.decode()
        for text in forbidden:
            assert text not in page, (url, text)
    # The pages with the records are closed to managers; the plan's reference data is open.
    assert "training.Course" in opened and "training.CourseRun" in opened
    for model in (Staff, Enrolment, SpecialistCertification, Initiative):
        assert model._meta.label not in opened
    # The figures stay with them.
    assert client.get("/training/?fy=2022").status_code == 200


def test_officers_see_the_same_records(client, training_officer, person_with_records):
    client.force_login(training_officer)
    page = client.get("/admin/training/enrolment/").content.decode()
    assert EMPLOYEE_NUMBER in page


def test_managers_overdue_list_and_exports_are_counts_not_people(client, manager):
    from tests.training.factories import EnrolmentFactory

    run = CourseRunFactory(course__name="DXの基礎", ends_on=date(2022, 7, 29))
    first = EnrolmentFactory(run=run, staff__employee_number=EMPLOYEE_NUMBER)
    EnrolmentFactory(run=run, staff__division=first.division)
    certified = CourseRunFactory(
        course__category=Course.Category.SPECIALIST_TRAINING, course__is_mandatory=False
    )
    services.record_completion(
        enrolment=EnrolmentFactory(run=certified), completed_on=CERTIFIED_ON, by=None
    )
    client.force_login(manager)

    page = client.get("/training/overdue/?fy=2022").content.decode()
    overdue = client.get("/training/export/overdue/?fy=2022").content.decode("utf-8-sig")
    specialists = client.get("/training/export/specialists/?fy=2022").content.decode("utf-8-sig")

    assert "2名" in page and "DXの基礎" in page
    assert "新規採用" not in page  # a person's stage in a division points at them
    assert overdue.splitlines()[0] == "部局,所属,研修,期間の終了日,未修了者数"
    assert overdue.splitlines()[1].endswith(",2")
    assert specialists.splitlines()[0] == "所属,認定者数"
    for text in (EMPLOYEE_NUMBER, *_spellings(CERTIFIED_ON)):
        assert text not in page + overdue + specialists
