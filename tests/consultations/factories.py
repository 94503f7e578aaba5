"""Factories for consultations. Requesters are fictional and recognisable as such."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from consultations import services
from consultations.models import (
    Assignment,
    Category,
    Consultation,
    Source,
    Status,
)
from mie_dx.municipalities import Municipality
from mie_dx.people import RequesterType
from tests.advisors.factories import SupporterFactory


def requester_details(**overrides) -> services.ConsultationDetails:
    values = {
        "requester_type": RequesterType.BUSINESS,
        "organization": "株式会社サンプル商事",
        "name": "見本 花子",
        "name_kana": "ミホン　ハナコ",
        "email": "hanako@example.jp",
        "phone": "059-000-0000",
        "municipality": Municipality.TSU,
        "category": Category.PROBLEM,
        "title": "現場作業員へのIT導入の進め方",
        "description": "社内のデジタル化の取組の進め方について相談したい。",
    }
    values.update(overrides)
    return services.ConsultationDetails(**values)


class ConsultationFactory(DjangoModelFactory):
    """A consultation created through the service, as the public form would."""

    class Meta:
        model = Consultation

    @classmethod
    def _create(cls, model_class, *args, source=Source.WEB, **kwargs):
        status = kwargs.pop("status", None)
        is_sample = kwargs.pop("is_sample", False)
        consultation = services.submit_consultation(
            details=requester_details(**kwargs), source=source, is_sample=is_sample
        )
        if status:
            # Tests that need a later state set it directly: the workflow itself is
            # exercised by the service tests.
            Consultation.objects.filter(pk=consultation.pk).update(status=status)
            consultation.refresh_from_db()
        return consultation


def valid_form_data(**overrides) -> dict:
    data = {
        "requester_type": "business",
        "organization": "株式会社サンプル商事",
        "name": "見本 花子",
        "name_kana": "ﾐﾎﾝ ﾊﾅｺ",
        "email": "hanako@example.jp",
        "phone": "０５９－０００－００００",
        "municipality": "tsu",
        "category": "problem",
        "title": "現場作業員へのIT導入の進め方",
        "description": "社内のデジタル化の取組の進め方について相談したい。",
        "privacy_consent": "on",
        "website": "",
        # Past the confirmation page (確認画面): saved at once (spec.md).
        "confirm": "1",
    }
    data.update(overrides)
    return data


class AssignmentFactory(DjangoModelFactory):
    """A supporter proposed for a consultation in `advising` (set up directly, as a fixture)."""

    class Meta:
        model = Assignment

    consultation = factory.SubFactory(ConsultationFactory, status=Status.ADVISING)
    supporter = factory.SubFactory(SupporterFactory)
    state = Assignment.State.PROPOSED


def closed_consultation(**kwargs) -> Consultation:
    """A consultation closed through the service (so it has its survey), with one supporter."""
    assignment = AssignmentFactory(
        consultation=ConsultationFactory(status=Status.ADVISING, **kwargs),
        state=Assignment.State.ACCEPTED,
    )
    return services.change_status(
        consultation=assignment.consultation, to_status=Status.CLOSED, by=None
    )


def bulk_consultations(count: int, *, supporter=None, start: int = 1000) -> list[Consultation]:
    """`count` consultations written in two queries (volume rows for query-count tests).

    With `supporter`, each gets an accepted assignment so the supporter column has data.
    """
    now = timezone.now()
    statuses = list(Status)
    consultations = Consultation.objects.bulk_create(
        Consultation(
            reference=f"DX-1999-{start + n:05d}",
            link_seed=f"bulk-token-{start + n}",
            status=statuses[n % len(statuses)],
            requester_type=RequesterType.BUSINESS,
            organization=f"株式会社見本{n}",
            name=f"見本 太郎{n}",
            name_kana="ミホン　タロウ",
            email=f"bulk{n}@example.jp",
            municipality=Municipality.TSU,
            category=Category.INFO,
            title=f"大量の相談{n}",
            description="件数の多い一覧の確認用。",
            created_at=now - timedelta(days=n % 40),
        )
        for n in range(count)
    )
    if supporter is not None:
        Assignment.objects.bulk_create(
            Assignment(
                consultation=consultation,
                supporter=supporter,
                state=Assignment.State.ACCEPTED,
                link_seed=f"bulk-assignment-{consultation.reference}",
            )
            for consultation in consultations
        )
    return consultations
