"""Entering and correcting actuals: who, when, the audit log and the old value kept."""

from decimal import Decimal

import pytest

from kpi import services
from kpi.models import KpiActual, SourceKind
from mie_dx.audit import entries_for
from tests.kpi.factories import KpiFactory

pytestmark = pytest.mark.django_db


def test_entering_then_correcting_keeps_the_old_value_and_who_entered_it(manager, superuser):
    kpi = KpiFactory(code="10-2 b", cumulative=True)

    first = services.enter_actual(
        kpi=kpi, fiscal_year=2022, value=Decimal(17), by=manager, note="協議会の報告"
    )
    corrected = services.enter_actual(
        kpi=kpi, fiscal_year=2022, value=Decimal(18), by=superuser, note="1件の計上漏れ"
    )

    assert corrected.pk == first.pk
    actual = KpiActual.objects.get(kpi=kpi, fiscal_year=2022)
    assert actual.value == Decimal(18)
    assert actual.entered_by == superuser
    history = list(actual.history.order_by("history_date"))
    assert [(h.value, h.history_user) for h in history] == [
        (Decimal(17), manager),
        (Decimal(18), superuser),
    ]
    # The audit log says who did what; the values live in the field history only.
    assert [(e.action, e.user, e.data) for e in entries_for(actual)] == [
        ("kpi.actual_entered", manager, {"kpi": "10-2 b", "fiscal_year": 2022}),
        ("kpi.actual_corrected", superuser, {"kpi": "10-2 b", "fiscal_year": 2022}),
    ]


def test_a_computed_year_cannot_be_entered_by_hand(manager):
    kpi = KpiFactory(source=SourceKind.COMPUTED, first_computed_fiscal_year=2022)

    with pytest.raises(services.KpiError):
        services.enter_actual(kpi=kpi, fiscal_year=2023, value=Decimal(1), by=manager)
    # The years before the portal computes it are entered (the baseline year).
    services.enter_actual(kpi=kpi, fiscal_year=2021, value=Decimal(10), by=manager)
    assert KpiActual.objects.filter(kpi=kpi).count() == 1
