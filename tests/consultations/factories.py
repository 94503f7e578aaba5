"""Factories for consultations. Requesters are fictional and recognisable as such."""

import factory
from factory.django import DjangoModelFactory

from consultations import services
from consultations.models import Category, Consultation, RequesterType, Source
from mie_dx.municipalities import Municipality


def requester_details(**overrides) -> services.RequesterDetails:
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
    return services.RequesterDetails(**values)


class ConsultationFactory(DjangoModelFactory):
    """A consultation created through the service, as the public form would."""

    class Meta:
        model = Consultation

    @classmethod
    def _create(cls, model_class, *args, source=Source.WEB, **kwargs):
        status = kwargs.pop("status", None)
        consultation = services.submit_consultation(
            details=requester_details(**kwargs), source=source
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
    }
    data.update(overrides)
    return data
