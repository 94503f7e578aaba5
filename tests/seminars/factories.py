"""Factories for seminars. Registrants are fictional and recognisable as such."""

from datetime import time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from mie_dx.fiscal import fiscal_year
from mie_dx.people import PersonDetails, RequesterType
from seminars import services
from seminars.models import (
    Attendance,
    Format,
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
    Talk,
)


class SeminarFactory(DjangoModelFactory):
    """A published hybrid seminar 30 days from now, 20 seats on site, open for registration."""

    class Meta:
        model = Seminar

    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"seminar-{n:04d}")
    title = factory.Sequence(lambda n: f"テストセミナー{n}")
    theme = "DXの第一歩"
    description = "テスト用のセミナーです。"
    status = SeminarStatus.PUBLISHED
    date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    fiscal_year = factory.LazyAttribute(lambda o: fiscal_year(o.date or timezone.localdate()))
    start_time = time(13, 30)
    end_time = time(15, 15)
    doors_open_time = time(13, 15)
    format = Format.HYBRID
    venue_name = "テスト会場 第1会議室"
    venue_address = "津市テスト町1番地"
    onsite_capacity = 20
    online_capacity = None
    online_platform = "Zoom"
    online_meeting_url = "https://zoom.example.jp/j/secret-meeting-123"
    online_meeting_note = "パスコード: secret-pass"
    fee_yen = 0
    registration_deadline = factory.LazyAttribute(
        lambda o: o.date - timedelta(days=4) if o.date else None
    )
    consultation_start_time = time(15, 30)
    consultation_end_time = time(16, 30)
    consultation_slot_minutes = 15


class TalkFactory(DjangoModelFactory):
    class Meta:
        model = Talk

    seminar = factory.SubFactory(SeminarFactory)
    order = factory.Sequence(lambda n: n + 1)
    kind = Talk.Kind.ADVISOR
    title = "DXとこれからの働き方"
    speaker_name = "講師 一郎"
    speaker_affiliation = "株式会社サンプル 代表取締役"


class RegistrationFactory(DjangoModelFactory):
    """A confirmed on-site registration stored directly (for fixtures; the rules are tested
    through services.register)."""

    class Meta:
        model = Registration

    seminar = factory.SubFactory(SeminarFactory)
    status = RegistrationStatus.CONFIRMED
    attendance = Attendance.ONSITE
    requester_type = RequesterType.BUSINESS
    organization = "株式会社サンプル商事"
    name = factory.Sequence(lambda n: f"見本 太郎{n}")
    name_kana = factory.Sequence(lambda n: f"ミホン　タロウ{n}")
    email = factory.Sequence(lambda n: f"registrant{n}@example.jp")
    phone = "059-000-0000"
    registered_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyAttribute(
        lambda o: o.registered_at if o.status != RegistrationStatus.WAITLISTED else None
    )
    waitlisted_at = factory.LazyAttribute(
        lambda o: o.registered_at if o.status == RegistrationStatus.WAITLISTED else None
    )
    privacy_consent_at = factory.LazyFunction(timezone.now)


def details(**overrides) -> PersonDetails:
    values = {
        "requester_type": RequesterType.BUSINESS,
        "organization": "株式会社サンプル商事",
        "name": "見本 花子",
        "name_kana": "ミホン　ハナコ",
        "email": "hanako@example.jp",
        "phone": "059-000-0000",
    }
    values.update(overrides)
    return PersonDetails(**values)


def register(seminar: Seminar, *, attendance: str = Attendance.ONSITE, **overrides):
    """Register through the service, as the public form does; returns the registration."""
    extra = {
        key: overrides.pop(key)
        for key in ("wants_consultation", "consultation_topic", "now", "language")
        if key in overrides
    }
    return services.register(
        seminar=seminar, details=details(**overrides), attendance=attendance, **extra
    ).registration


def valid_form_data(**overrides) -> dict:
    data = {
        "requester_type": "business",
        "organization": "株式会社サンプル商事",
        "name": "見本 花子",
        "name_kana": "ﾐﾎﾝ ﾊﾅｺ",
        "email": "hanako@example.jp",
        "phone": "０５９－０００－００００",
        "attendance": "onsite",
        "wants_consultation": "",
        "consultation_topic": "",
        "privacy_consent": "on",
        "website": "",
        # Past the confirmation page (確認画面): saved at once (spec.md).
        "confirm": "1",
    }
    data.update(overrides)
    return data
