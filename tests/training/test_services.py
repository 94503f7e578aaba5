"""Auto-enrolment, completions and certification, promoters' coverage, the KPI selector."""

from datetime import date

import pytest
from django.urls import reverse

from mie_dx.models import AuditLog
from tests.mie_dx.factories import DivisionFactory
from tests.training.factories import (
    CourseRunFactory,
    EnrolmentFactory,
    SpecialistCertificationFactory,
    StaffFactory,
)
from training import selectors, services
from training.models import (
    Course,
    Enrolment,
    MunicipalObserver,
    PromoterAppointment,
    SpecialistCertification,
    Stage,
)

pytestmark = pytest.mark.django_db
FY = 2022


@pytest.fixture
def plan():
    """Two mandatory courses (new hires; new hires and new chiefs) and a volunteer one."""
    basics = CourseRunFactory(
        course__code="EL01",
        course__target_stages=[Stage.NEW_HIRE, Stage.NEW_CHIEF],
        stages=[Stage.NEW_HIRE],
    )
    later = CourseRunFactory(
        course=basics.course,
        label="8-11月",
        starts_on=date(FY, 8, 1),
        ends_on=date(FY, 11, 30),
        stages=[Stage.NEW_HIRE, Stage.NEW_CHIEF],
    )
    wbs = CourseRunFactory(course__code="EL02", course__target_stages=[Stage.NEW_HIRE])
    rpa = CourseRunFactory(
        course__code="SE03", course__is_mandatory=False, course__target_stages=[]
    )
    return {"basics": basics, "later": later, "wbs": wbs, "rpa": rpa}


def test_auto_enrolment_enrols_target_stages_once(plan, training_officer):
    hire = StaffFactory(stage=Stage.NEW_HIRE)
    chief = StaffFactory(stage=Stage.NEW_CHIEF)
    StaffFactory(stage=Stage.OTHER)
    StaffFactory(stage=Stage.NEW_HIRE, is_active=False)

    assert services.auto_enrol(fiscal_year=FY, by=training_officer) == 3
    assert services.auto_enrol(fiscal_year=FY, by=training_officer) == 0  # rerunnable

    enrolments = {
        (e.staff_id, e.course.code): e for e in Enrolment.objects.select_related("course")
    }
    assert set(enrolments) == {(hire.pk, "EL01"), (hire.pk, "EL02"), (chief.pk, "EL01")}
    # Each stage on its period: new hires on the first that lists them.
    assert enrolments[(hire.pk, "EL01")].run == plan["basics"]
    assert enrolments[(chief.pk, "EL01")].run == plan["later"]
    assert enrolments[(hire.pk, "EL01")].enrolled_by == training_officer
    assert not Enrolment.objects.filter(course__code="SE03").exists()
    assert AuditLog.objects.filter(action="training.auto_enrolled").count() == 1


def test_a_stage_or_division_change_keeps_what_was_done(plan):
    first, second = DivisionFactory(), DivisionFactory()
    hire = StaffFactory(stage=Stage.NEW_HIRE, division=first)
    services.auto_enrol(fiscal_year=FY)
    done = Enrolment.objects.get(staff=hire, course__code="EL01")
    services.record_completion(enrolment=done, completed_on=date(FY, 6, 1), by=None)

    hire.stage, hire.division = Stage.NEW_CHIEF, second
    hire.save()
    assert services.auto_enrol(fiscal_year=FY) == 0  # EL01 already taken this year

    done.refresh_from_db()
    assert (done.stage, done.division, done.completed_on) == (Stage.NEW_HIRE, first, date(FY, 6, 1))
    wbs = Enrolment.objects.get(staff=hire, course__code="EL02")
    assert (wbs.stage, wbs.division) == (Stage.NEW_HIRE, first)  # kept, with its old stage


def test_volunteers_are_enrolled_by_the_office_once(plan, training_officer):
    staff = StaffFactory()
    enrolment = services.enrol(staff=staff, run=plan["rpa"], by=training_officer)
    assert enrolment.is_mandatory is False
    with pytest.raises(services.TrainingError):
        services.enrol(staff=staff, run=plan["rpa"], by=training_officer)


def test_completing_the_specialist_training_certifies_once(training_officer):
    run = CourseRunFactory(
        course__category=Course.Category.SPECIALIST_TRAINING,
        course__is_mandatory=False,
        fiscal_year=FY,
    )
    enrolment = EnrolmentFactory(run=run)
    services.record_completion(
        enrolment=enrolment, completed_on=date(FY, 7, 1), by=training_officer
    )
    services.record_completion(
        enrolment=enrolment, completed_on=date(FY, 7, 2), by=training_officer
    )
    certification = SpecialistCertification.objects.get()
    assert (certification.staff, certification.fiscal_year) == (enrolment.staff, FY)
    assert certification.certified_on == date(FY, 7, 1)
    assert AuditLog.objects.filter(action="training.specialist_certified").count() == 1
    assert AuditLog.objects.filter(action="training.completed").count() == 2


def test_other_completions_certify_nobody():
    enrolment = EnrolmentFactory()
    services.record_completion(enrolment=enrolment, completed_on=date(FY, 7, 1), by=None)
    assert not SpecialistCertification.objects.exists()


def test_observers_are_not_certified(client, training_officer):
    client.force_login(training_officer)
    response = client.post(
        reverse("admin:training_municipalobserver_add"),
        {"fiscal_year": FY, "name": "テスト 観察", "municipality": "tsu"},
    )
    assert response.status_code == 302
    observer = MunicipalObserver.objects.get()
    assert observer.get_municipality_display() == "津市"
    assert not SpecialistCertification.objects.exists()
    assert list(selectors.observers(FY)) == [observer]


def test_promoter_coverage_shows_divisions_without_primary_or_secondary(training_officer):
    full, no_secondary, no_primary = DivisionFactory(), DivisionFactory(), DivisionFactory()
    future = DivisionFactory(first_fiscal_year=FY + 1)  # not yet existing in FY
    abolished = DivisionFactory(first_fiscal_year=2010, last_fiscal_year=FY - 1)
    primary = PromoterAppointment.Role.PRIMARY
    secondary = PromoterAppointment.Role.SECONDARY
    for division, role in ((full, primary), (full, secondary), (no_secondary, primary)):
        services.appoint_promoter(
            division=division,
            fiscal_year=FY,
            role=role,
            staff=StaffFactory(division=full),
            by=training_officer,
        )
    services.appoint_promoter(
        division=no_primary,
        fiscal_year=FY,
        role=secondary,
        staff=StaffFactory(division=full),
        by=None,
    )
    services.appoint_promoter(
        division=no_primary,
        fiscal_year=FY - 1,
        role=primary,
        staff=StaffFactory(division=full),
        by=None,
    )
    rows = {row.code: row for row in selectors.promoter_coverage(FY)}
    assert set(rows) == {full.code, no_secondary.code, no_primary.code}
    assert future.code not in rows and abolished.code not in rows
    assert rows[full.code].complete
    assert (rows[no_secondary.code].primary, rows[no_secondary.code].secondary) == (1, 0)
    assert (rows[no_primary.code].primary, rows[no_primary.code].secondary) == (0, 1)


def test_a_new_primary_replaces_the_former_one():
    division = DivisionFactory()
    old, new = StaffFactory(), StaffFactory()
    primary = PromoterAppointment.Role.PRIMARY
    services.appoint_promoter(division=division, fiscal_year=FY, role=primary, staff=old, by=None)
    services.appoint_promoter(division=division, fiscal_year=FY, role=primary, staff=new, by=None)
    assert list(PromoterAppointment.objects.values_list("staff", flat=True)) == [new.pk]


def test_initiatives_count_per_year_not_cumulative_for_the_kpi(client, training_officer):
    specialist = SpecialistCertificationFactory(certified_on=date(FY, 4, 1)).staff
    never_certified = StaffFactory()
    division = specialist.division
    client.force_login(training_officer)

    def record(day: date, specialists: list) -> None:
        """As the office records one: the admin's form (services.record_initiative)."""
        response = client.post(
            reverse("admin:training_initiative_add"),
            {
                "title": "取組",
                "division": division.pk,
                "date": day.isoformat(),
                "specialists": ",".join(str(s.pk) for s in specialists),
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    for day in (date(FY, 5, 1), date(FY + 1, 3, 31), date(FY + 1, 4, 1)):
        record(day, [specialist])
    # No specialist taking part (the admin's form requires one; the service does not): not
    # counted.
    services.record_initiative(
        title="取組", division=division, specialists=[], date=date(FY, 6, 1), by=None
    )
    record(date(FY, 7, 1), [never_certified])  # nobody certified taking part: not counted
    assert selectors.initiatives_by_year() == [
        selectors.InitiativeYear(fiscal_year=FY, recorded=4, counted=2),
        selectors.InitiativeYear(fiscal_year=FY + 1, recorded=1, counted=1),
    ]
    figures = selectors.kpi_specialist_initiatives([FY, FY + 1, FY + 2])
    assert figures[FY].numerator == 2 and figures[FY].denominator is None
    assert figures[FY + 1].numerator == 1  # its own year's count, not 3
    assert FY + 2 not in figures
    assert figures[FY].url.startswith("/training/specialists/")


def test_the_kpi_source_is_registered():
    from mie_dx.registry import kpi_sources

    assert selectors.kpi_specialist_initiatives in kpi_sources()["行政運営6 a"]


def test_completion_rates_by_course_stage_and_department():
    run = CourseRunFactory()
    done = EnrolmentFactory.create_batch(3, run=run, completed_on=date(FY, 5, 1))
    EnrolmentFactory(run=run)
    (row,) = selectors.completion_by_course(FY)
    assert (row.enrolled, row.completed, row.rate) == (4, 3, 75.0)
    (stage,) = selectors.completion_by_stage(FY)
    assert stage.label == "新規採用" and stage.rate == 75.0
    departments = selectors.completion_by_department(FY)
    assert {r.key: r.enrolled for r in departments} == {
        e.division.department.code: 1
        for e in Enrolment.objects.select_related("division__department")
    } | {r.key: r.enrolled for r in departments if r.enrolled > 1}
    assert sum(r.enrolled for r in departments) == 4
    assert sum(r.completed for r in departments) == len(done)


def test_promoters_are_enrolled_in_the_promoter_trainings_once(training_officer):
    basic = CourseRunFactory(
        course__category=Course.Category.PROMOTER, course__target_stages=[], label="5月"
    )
    follow_up = CourseRunFactory(
        course__category=Course.Category.PROMOTER,
        course__target_stages=[],
        label="9月",
        starts_on=date(FY, 9, 1),
        ends_on=date(FY, 9, 30),
    )
    division = DivisionFactory()
    primary, secondary = StaffFactory(division=division), StaffFactory(division=division)
    StaffFactory(division=division)  # not a promoter
    for staff, role in ((primary, "primary"), (secondary, "secondary")):
        services.appoint_promoter(
            division=division, fiscal_year=FY, role=role, staff=staff, by=training_officer
        )
    assert services.enrol_promoters(fiscal_year=FY, by=training_officer) == 4
    assert services.enrol_promoters(fiscal_year=FY, by=training_officer) == 0
    assert set(Enrolment.objects.values_list("staff", "run")) == {
        (primary.pk, basic.pk),
        (primary.pk, follow_up.pk),
        (secondary.pk, basic.pk),
        (secondary.pk, follow_up.pk),
    }


def test_appointing_the_primary_again_keeps_the_appointment():
    division = DivisionFactory()
    staff = StaffFactory()
    primary = PromoterAppointment.Role.PRIMARY
    first = services.appoint_promoter(
        division=division, fiscal_year=FY, role=primary, staff=staff, by=None
    )
    again = services.appoint_promoter(
        division=division, fiscal_year=FY, role=primary, staff=staff, by=None
    )
    assert again.pk == first.pk
    assert not AuditLog.objects.filter(action="training.promoter_replaced").exists()
    with pytest.raises(services.TrainingError):
        services.appoint_promoter(
            division=division, fiscal_year=FY, role="chief", staff=staff, by=None
        )
