"""The admin: officers import the roster and completions; managers cannot reach people."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from mie_dx.models import AuditLog
from tests.mie_dx.factories import DivisionFactory
from tests.training.factories import (
    CourseRunFactory,
    EnrolmentFactory,
    InitiativeFactory,
    MunicipalObserverFactory,
    PromoterAppointmentFactory,
    SpecialistCertificationFactory,
    StaffFactory,
    StagePeriodFactory,
)
from training.models import (
    Course,
    CourseRun,
    Enrolment,
    Initiative,
    MunicipalObserver,
    PromoterAppointment,
    SpecialistCertification,
)

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


# --- Every write of the admin through its service, named once, its rule held -------------------

FY = 2022


def add_url(model: str) -> str:
    return reverse(f"admin:training_{model}_add")


def change_url(model: str, pk: int) -> str:
    return reverse(f"admin:training_{model}_change", args=[pk])


def logged() -> list[str]:
    return list(AuditLog.objects.order_by("pk").values_list("action", flat=True))


def test_a_second_primary_promoter_through_the_admin_replaces_the_first(client, training_officer):
    division = DivisionFactory()
    first, second = StaffFactory(division=division), StaffFactory(division=division)
    client.force_login(training_officer)

    for staff in (first, second):
        response = client.post(
            add_url("promoterappointment"),
            {"division": division.pk, "fiscal_year": FY, "role": "primary", "staff": staff.pk},
        )
        assert response.status_code == 302, response.content.decode()[:3000]

    (appointment,) = PromoterAppointment.objects.all()
    assert (appointment.staff, appointment.role) == (second, "primary")
    assert logged() == [
        "training.promoter_appointed",
        "training.promoter_replaced",
        "training.promoter_appointed",
    ]
    replaced = AuditLog.objects.get(action="training.promoter_replaced")
    assert (replaced.data, replaced.user) == ({"staff": first.pk}, training_officer)
    # The page after the save and the admin's own history name the service's row.
    assert response["Location"] == reverse("admin:training_promoterappointment_changelist")
    assert LogEntry.objects.order_by("pk").last().object_id == str(appointment.pk)


def test_making_a_secondary_the_primary_replaces_the_former_primary(client, training_officer):
    primary = PromoterAppointmentFactory(role="primary")
    secondary = PromoterAppointmentFactory(division=primary.division)
    client.force_login(training_officer)

    response = client.post(change_url("promoterappointment", secondary.pk), {"role": "primary"})

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(PromoterAppointment.objects.values_list("pk", "role")) == [
        (secondary.pk, "primary")
    ]
    assert logged() == ["training.promoter_replaced", "training.promoter_appointed"]


def test_the_same_person_twice_in_a_division_and_year_is_refused(client, training_officer):
    appointment = PromoterAppointmentFactory()
    client.force_login(training_officer)

    response = client.post(
        add_url("promoterappointment"),
        {
            "division": appointment.division_id,
            "fiscal_year": FY,
            "role": "primary",
            "staff": appointment.staff_id,
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert list(PromoterAppointment.objects.values_list("role", flat=True)) == ["secondary"]
    assert not AuditLog.objects.exists()


def test_ending_an_appointment_in_the_admin_is_logged(client, training_officer):
    appointment = PromoterAppointmentFactory()
    client.force_login(training_officer)

    response = client.post(
        reverse("admin:training_promoterappointment_delete", args=[appointment.pk]),
        {"post": "yes"},
    )

    assert response.status_code == 302
    assert not PromoterAppointment.objects.exists()
    entry = AuditLog.objects.get()
    assert (entry.action, entry.object_id) == ("training.promoter_dismissed", appointment.pk)
    assert entry.data == {"role": "secondary", "staff": appointment.staff_id, "fiscal_year": FY}


def test_an_observer_added_in_the_admin_is_the_services(client, training_officer):
    client.force_login(training_officer)

    refused = client.post(add_url("municipalobserver"), {"fiscal_year": FY, "municipality": "tsu"})
    response = client.post(
        add_url("municipalobserver"),
        {"fiscal_year": FY, "name": "テスト 観察", "municipality": "tsu"},
    )

    assert refused.status_code == 200  # no name: nothing saved
    assert response.status_code == 302
    observer = MunicipalObserver.objects.get()
    assert (observer.name, observer.get_municipality_display()) == ("テスト 観察", "津市")
    assert logged() == ["training.observer_added"]
    assert not SpecialistCertification.objects.exists()


def test_an_initiative_and_its_specialists_are_recorded_and_corrected_by_the_services(
    client, training_officer
):
    division = DivisionFactory()
    one, two = StaffFactory(division=division), StaffFactory(division=division)
    client.force_login(training_officer)
    data = {"title": "取組", "division": division.pk, "date": "2022-10-01", "outcome": ""}

    added = client.post(add_url("initiative"), {**data, "specialists": f"{one.pk}"})
    initiative = Initiative.objects.get()
    changed = client.post(
        change_url("initiative", initiative.pk),
        {**data, "title": "取組（修正）", "specialists": f"{one.pk},{two.pk}"},
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    initiative.refresh_from_db()
    assert initiative.title == "取組（修正）"
    assert set(initiative.specialists.all()) == {one, two}
    recorded, edited = AuditLog.objects.order_by("pk")
    assert (recorded.action, recorded.data) == (
        "training.initiative_recorded",
        {"specialists": [one.pk], "fiscal_year": FY},
    )
    assert (edited.action, edited.data) == (
        "training.initiative_edited",
        {"fields": ["specialists", "title"], "specialists": [one.pk, two.pk], "fiscal_year": FY},
    )


def test_an_enrolment_twice_in_a_year_is_refused_with_nothing_saved(client, training_officer):
    run = CourseRunFactory(course__is_mandatory=False)
    staff = StaffFactory()
    client.force_login(training_officer)
    data = {"staff": staff.pk, "run": run.pk, "completed_on": ""}

    first = client.post(add_url("enrolment"), data)
    second = client.post(add_url("enrolment"), {**data, "completed_on": "2022-06-01"})

    assert first.status_code == 302
    assert second.status_code == 200
    assert "この職員はこの年度の研修に登録済みです。" in second.content.decode()
    assert Enrolment.objects.get().completed_on is None
    assert logged() == ["training.enrolled"]


def test_the_specialist_training_completed_on_enrolment_in_the_admin_certifies(
    client, training_officer
):
    run = CourseRunFactory(
        course__category=Course.Category.SPECIALIST_TRAINING, course__is_mandatory=False
    )
    staff = StaffFactory()
    client.force_login(training_officer)

    response = client.post(
        add_url("enrolment"), {"staff": staff.pk, "run": run.pk, "completed_on": "2023-01-20"}
    )

    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert response["Location"] == reverse("admin:training_enrolment_changelist")
    assert LogEntry.objects.get().object_id == str(enrolment.pk)
    assert SpecialistCertification.objects.get().enrolment == enrolment
    assert logged() == [
        "training.enrolled",
        "training.completed",
        "training.specialist_certified",
    ]


def test_a_completion_emptied_in_the_admin_is_taken_back(client, training_officer):
    enrolment = EnrolmentFactory(completed_on=date(FY, 6, 1))
    client.force_login(training_officer)

    response = client.post(change_url("enrolment", enrolment.pk), {"completed_on": ""})

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None
    entry = AuditLog.objects.get()
    assert (entry.action, entry.data) == (
        "training.completion_cleared",
        {"course": enrolment.course.code, "completed_on": "2022-06-01"},
    )


def test_a_certification_by_hand_is_the_services_and_checks_the_enrolment(client, training_officer):
    staff, other = StaffFactory(), StaffFactory()
    others_training = EnrolmentFactory(
        staff=other,
        run__course__category=Course.Category.SPECIALIST_TRAINING,
        completed_on=date(2022, 3, 18),
    )
    client.force_login(training_officer)
    data = {"staff": staff.pk, "fiscal_year": 2021, "certified_on": "2022-03-18"}

    refused = client.post(
        add_url("specialistcertification"), {**data, "enrolment": others_training.pk}
    )
    response = client.post(add_url("specialistcertification"), data)

    assert refused.status_code == 200
    assert "別の職員の受講登録です。" in refused.content.decode()
    assert response.status_code == 302
    certification = SpecialistCertification.objects.get()
    assert (certification.staff, certification.enrolment) == (staff, None)
    entry = AuditLog.objects.get()
    assert (entry.action, entry.object_id, entry.data) == (
        "training.specialist_certified",
        certification.pk,
        {"fiscal_year": 2021, "enrolment": None},
    )

    corrected = client.post(
        change_url("specialistcertification", certification.pk),
        {"fiscal_year": 2021, "certified_on": "2022-03-25"},
    )
    assert corrected.status_code == 302
    assert AuditLog.objects.order_by("pk").last().data == {"fields": ["certified_on"]}


def test_courses_their_periods_and_staff_details_are_saved_by_the_core_logged_save(
    client, training_officer
):
    client.force_login(training_officer)
    runs = {
        "runs-TOTAL_FORMS": "1",
        "runs-INITIAL_FORMS": "0",
        "runs-0-fiscal_year": FY,
        "runs-0-label": "4-7月",
        "runs-0-starts_on": "2022-04-01",
        "runs-0-ends_on": "2022-07-29",
        "runs-0-stages": "[]",
    }
    course = {
        "code": "EL99",
        "name": "テスト研修",
        "category": "stage",
        "delivery": "elearning",
        "is_mandatory": "on",
        "target_stages": '["new_hire"]',
        "audience": "",
        "summary": "",
        "ordering": 0,
    }
    assert client.post(add_url("course"), {**course, **runs}).status_code == 302
    run = CourseRun.objects.get()
    response = client.post(
        change_url("course", run.course_id),
        {
            **course,
            **runs,
            "runs-INITIAL_FORMS": "1",
            "runs-0-id": run.pk,
            "runs-0-course": run.course_id,
            "runs-0-label": "4-8月",
            # The page's hidden initial values of the JSON fields (their default is callable).
            "initial-target_stages": '["new_hire"]',
            "initial-runs-0-stages": "[]",
        },
    )
    assert response.status_code == 302
    staff = StaffFactory()
    assert (
        client.post(
            change_url("staff", staff.pk),
            {
                "employee_number": staff.employee_number,
                "name": "名前を修正",
                "name_kana": staff.name_kana,
                "division": staff.division_id,
                "stage": staff.stage,
                "email": staff.email,
                "is_active": "on",
                # The page's list of enrolments (read-only, none here).
                "enrolments-TOTAL_FORMS": "0",
                "enrolments-INITIAL_FORMS": "0",
            },
        ).status_code
        == 302
    )

    assert [(e.action, e.content_type.model, e.data) for e in AuditLog.objects.order_by("pk")] == [
        ("training.created", "course", {}),
        ("training.created", "courserun", {}),
        ("training.edited", "courserun", {"fields": ["label"]}),
        ("training.edited", "staff", {"fields": ["name"]}),
    ]


# --- A fixed number of queries in every change list and admin view ------------------------------


def _rows(size: int) -> None:
    """`size` rows of every model the office keeps."""
    division = DivisionFactory()
    for i in range(size):
        staff = StaffFactory(division=division)
        enrolment = EnrolmentFactory(staff=staff, completed_on=date(FY, 5, 1))
        SpecialistCertificationFactory(staff=staff, enrolment=enrolment)
        MunicipalObserverFactory()
        InitiativeFactory(division=division, specialists=[staff])
        PromoterAppointmentFactory(staff=staff)
        StagePeriodFactory(starts_on=date(FY, 4, 1) + timedelta(days=i))


# Each: the session, the user, the second factor's device, the session's save; then a change
# list's count, rows (their related rows joined) and its filters' choices, an export's
# filters and rows (one cursor), the import page nothing more.
ADMIN_PAGES = {
    "admin:training_staff_changelist": 10,
    "admin:training_course_changelist": 9,
    "admin:training_courserun_changelist": 10,
    "admin:training_stageperiod_changelist": 10,
    "admin:training_enrolment_changelist": 12,  # and the departments filter's choices
    "admin:training_specialistcertification_changelist": 10,
    "admin:training_municipalobserver_changelist": 10,
    "admin:training_initiative_changelist": 9,
    "admin:training_promoterappointment_changelist": 10,
    "admin:training_staff_import": 6,
    "admin:training_staff_export": 8,
    "admin:training_enrolment_import": 6,
    "admin:training_enrolment_export": 9,  # and the departments filter's choices
}


@pytest.mark.parametrize("size", [2, 25])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_admin_list_and_view_runs_a_fixed_number_of_queries(
    client, superuser, django_assert_num_queries, size, page
):
    _rows(size)
    client.force_login(superuser)

    with django_assert_num_queries(ADMIN_PAGES[page]):
        response = client.get(reverse(page))

    assert response.status_code == 200
    if "changelist" in page:
        assert response.context["cl"].result_count >= size


def test_a_rule_broken_between_the_form_and_the_save_is_a_message_with_nothing_saved(
    client, training_officer, monkeypatch
):
    enrolment = EnrolmentFactory(run__course__is_mandatory=False)
    # As if another officer had enrolled them after this form was checked: the form's check
    # passes, the service's (the same rule, under the staff member's lock) refuses.
    monkeypatch.setattr("training.admin._rule", lambda check, **kwargs: None)
    client.force_login(training_officer)

    response = client.post(
        add_url("enrolment"),
        {"staff": enrolment.staff_id, "run": enrolment.run_id, "completed_on": "2022-06-01"},
        follow=True,
    )

    assert response.status_code == 200
    assert "この職員はこの年度の研修に登録済みです。" in [
        str(m) for m in response.context["messages"]
    ]
    assert list(Enrolment.objects.values_list("pk", "completed_on")) == [(enrolment.pk, None)]
    assert not AuditLog.objects.exists()


def test_the_admin_previews_then_saves_the_completions_through_the_services(
    client, training_officer
):
    enrolment = EnrolmentFactory(staff__employee_number="A0001", run__course__code="EL01")
    client.force_login(training_officer)
    upload = BytesIO("\ufeff職員番号,研修コード,修了日\nA0001,EL01,2022-06-01\n".encode())
    upload.name = "done.csv"

    preview = client.post(
        reverse("admin:training_enrolment_import"), {"import_file": upload, "format": "0"}
    )
    assert preview.status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None and not AuditLog.objects.exists()
    done = client.post(
        reverse("admin:training_enrolment_process_import"),
        preview.context["confirm_form"].initial,
        follow=True,
    )

    assert done.status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.completed_on == date(2022, 6, 1)
    entry = AuditLog.objects.get()
    assert (entry.action, entry.object_id, entry.user) == (
        "training.completed",
        enrolment.pk,
        training_officer,
    )
