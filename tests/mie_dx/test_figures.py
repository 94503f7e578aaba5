"""Fiscal years counted in the database: the boundary is 1 April 00:00 in Asia/Tokyo."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from mie_dx.audit import log_action
from mie_dx.figures import fiscal_year_of
from mie_dx.models import AuditLog, Department
from seminars.models import Seminar
from tests.seminars.factories import SeminarFactory

TOKYO = ZoneInfo("Asia/Tokyo")
pytestmark = pytest.mark.django_db


def test_fiscal_year_of_a_datetime_follows_tokyo_time_at_the_april_boundary():
    unit = Department.objects.create(code="T1", name="テスト局", first_fiscal_year=2024)
    moments = [
        datetime(2025, 3, 31, 23, 59, tzinfo=TOKYO),  # FY2024
        datetime(2025, 4, 1, 0, 0, tzinfo=TOKYO),  # FY2025 (still 31 March in UTC)
        datetime(2026, 1, 15, 12, 0, tzinfo=TOKYO),  # FY2025
        datetime(2026, 4, 1, 9, 0, tzinfo=TOKYO),  # FY2026
    ]
    for moment in moments:
        entry = log_action(unit, "test.counted")
        AuditLog.objects.filter(pk=entry.pk).update(created_at=moment)

    counts = dict(
        AuditLog.objects.annotate(fy=fiscal_year_of("created_at"))
        .values_list("fy")
        .annotate(n=Count("pk"))
        .values_list("fy", "n")
    )

    assert counts == {2024: 1, 2025: 2, 2026: 1}


def test_fiscal_year_of_a_date_column():
    # A date has no time zone: 31 March is the old fiscal year, 1 April the new one.
    SeminarFactory(date=date(2025, 3, 31), fiscal_year=2024, number=1)
    SeminarFactory(date=date(2025, 4, 1), fiscal_year=2025, number=1)

    years = sorted(
        Seminar.objects.annotate(fy=fiscal_year_of("date", is_datetime=False)).values_list(
            "date", "fy"
        )
    )

    assert years == [(date(2025, 3, 31), 2024), (date(2025, 4, 1), 2025)]
