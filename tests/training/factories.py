"""Factories for the training app. Staff are fictional and recognisable as such."""

from datetime import date, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from mie_dx.fiscal import fiscal_year
from tests.mie_dx.factories import DivisionFactory
from training.models import (
    Course,
    CourseRun,
    Enrolment,
    Initiative,
    MunicipalObserver,
    PromoterAppointment,
    SpecialistCertification,
    Staff,
    StaffSurvey,
    Stage,
    StagePeriod,
)

FY = 2022


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = Staff

    employee_number = factory.Sequence(lambda n: f"E{n:06d}")
    name = factory.Sequence(lambda n: f"テスト 職員{n}")
    name_kana = "テスト ショクイン"
    division = factory.SubFactory(DivisionFactory)
    stage = Stage.NEW_HIRE
    email = factory.Sequence(lambda n: f"staff{n}@example.jp")


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"テスト研修{n}")
    category = Course.Category.STAGE
    delivery = Course.Delivery.ELEARNING
    is_mandatory = True
    target_stages = factory.LazyFunction(lambda: [Stage.NEW_HIRE.value])


class CourseRunFactory(DjangoModelFactory):
    class Meta:
        model = CourseRun

    course = factory.SubFactory(CourseFactory)
    fiscal_year = FY
    label = "4-7月"
    starts_on = date(FY, 4, 1)
    ends_on = date(FY, 7, 29)


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    staff = factory.SubFactory(StaffFactory)
    run = factory.SubFactory(CourseRunFactory)
    course = factory.LazyAttribute(lambda o: o.run.course)
    fiscal_year = factory.LazyAttribute(lambda o: o.run.fiscal_year)
    division = factory.LazyAttribute(lambda o: o.staff.division)
    stage = factory.LazyAttribute(lambda o: o.staff.stage)
    is_mandatory = factory.LazyAttribute(lambda o: o.run.course.is_mandatory)


class SpecialistCertificationFactory(DjangoModelFactory):
    """A DX推進スペシャリスト certified on `certified_on` (in that day's fiscal year)."""

    class Meta:
        model = SpecialistCertification

    staff = factory.SubFactory(StaffFactory)
    certified_on = date(2022, 3, 18)
    fiscal_year = factory.LazyAttribute(lambda o: fiscal_year(o.certified_on))


class InitiativeFactory(DjangoModelFactory):
    """A business-improvement initiative; `specialists=[staff, ...]` sets who took part."""

    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"テスト取組{n}")
    division = factory.SubFactory(DivisionFactory)
    date = date(2022, 10, 1)

    @factory.post_generation
    def specialists(self, create, extracted, **kwargs):
        if create and extracted:
            self.specialists.set(extracted)


class StagePeriodFactory(DjangoModelFactory):
    class Meta:
        model = StagePeriod

    fiscal_year = FY
    stage = Stage.NEW_HIRE
    headcount = 100
    label = "4-7月"
    starts_on = factory.Sequence(lambda n: date(FY, 4, 1) + timedelta(days=n))
    ends_on = date(FY, 7, 29)


class MunicipalObserverFactory(DjangoModelFactory):
    class Meta:
        model = MunicipalObserver

    fiscal_year = FY
    name = factory.Sequence(lambda n: f"テスト 観察{n}")
    municipality = "tsu"


class PromoterAppointmentFactory(DjangoModelFactory):
    """A secondary デジタル活用推進員 of the staff member's division."""

    class Meta:
        model = PromoterAppointment

    staff = factory.SubFactory(StaffFactory)
    division = factory.LazyAttribute(lambda o: o.staff.division)
    fiscal_year = FY
    role = PromoterAppointment.Role.SECONDARY


class StaffSurveyFactory(DjangoModelFactory):
    """A round of the staff survey, open today for a fortnight."""

    class Meta:
        model = StaffSurvey

    fiscal_year = factory.LazyFunction(lambda: fiscal_year(timezone.localdate()))
    title = factory.Sequence(lambda n: f"テスト職員アンケート{n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
