"""Factories for the KPI app, and the survey / consultation records the computed KPIs count."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from consultations.models import AdviceSession, Assignment, Status, StatusChange, Survey
from kpi.models import Kpi, KpiActual, KpiTarget, Measure, Policy, SourceKind
from seminars.models import SeminarSurvey
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import ConsultationFactory
from tests.seminars.factories import RegistrationFactory

TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


class KpiFactory(DjangoModelFactory):
    class Meta:
        model = Kpi

    code = factory.Sequence(lambda n: f"T-{n} a")
    slug = factory.Sequence(lambda n: f"t-{n}-a")
    policy = Policy.SOCIETY
    name = factory.Sequence(lambda n: f"テスト指標{n}")
    measure = Measure.COUNT
    unit = "件"
    baseline_value = Decimal(10)
    baseline_fiscal_year = 2021
    final_target_value = Decimal(60)
    final_target_fiscal_year = 2026
    source = SourceKind.ENTERED


class KpiTargetFactory(DjangoModelFactory):
    class Meta:
        model = KpiTarget

    kpi = factory.SubFactory(KpiFactory)
    fiscal_year = 2022
    value = Decimal(20)


class KpiActualFactory(DjangoModelFactory):
    class Meta:
        model = KpiActual

    kpi = factory.SubFactory(KpiFactory)
    fiscal_year = 2021
    value = Decimal(10)


def consultation_survey(rating: str, answered_at: datetime | None) -> Survey:
    return Survey.objects.create(
        consultation=ConsultationFactory(status=Status.CLOSED),
        rating=rating if answered_at else "",
        answered_at=answered_at,
    )


def seminar_survey(rating: str, answered_at: datetime | None) -> SeminarSurvey:
    return SeminarSurvey.objects.create(
        registration=RegistrationFactory(),
        rating=rating if answered_at else "",
        answered_at=answered_at,
    )


def consultation_through(*steps: tuple[str, datetime], final: str | None = None):
    """A business's consultation with the given status changes (status, when); its status is
    the last. Each move to `advising` comes as it does in the portal: a supporter accepted,
    and advice is recorded that day (what KPI 10-1 b counts)."""
    consultation = ConsultationFactory()
    assignment = None
    for to_status, at in steps:
        StatusChange.objects.create(consultation=consultation, to_status=to_status, changed_at=at)
        if to_status == Status.ADVISING:
            assignment = assignment or Assignment.objects.create(
                consultation=consultation,
                supporter=SupporterFactory(),
                state=Assignment.State.ACCEPTED,
                assigned_at=at,
                responded_at=at,
            )
            AdviceSession.objects.create(
                assignment=assignment, held_on=timezone.localdate(at), summary="助言"
            )
    consultation.status = final or steps[-1][0]
    consultation.save(update_fields=["status"])
    return consultation


def plan_kpis() -> dict[str, Kpi]:
    """10-1 a and 10-1 b as the demo defines them (baselines R3, computed from R4)."""
    from kpi.demo import load_kpis

    load_kpis()
    return {kpi.code: kpi for kpi in Kpi.objects.filter(code__in=["10-1 a", "10-1 b"])}
