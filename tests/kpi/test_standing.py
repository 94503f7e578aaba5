"""Status at a glance (達成 / 順調 / 遅れ / 実績なし) and the guide path, each expected figure
worked out by hand here from the KPI's numbers."""

from datetime import date
from decimal import Decimal

import pytest

from kpi.models import Measure
from kpi.selectors import (
    ACHIEVED,
    BEHIND,
    NO_ACTUAL,
    ON_TRACK,
    guide_value,
    kpi_figures,
    kpis_with_figures,
)
from tests.kpi.factories import KpiActualFactory, KpiFactory, KpiTargetFactory

pytestmark = pytest.mark.django_db

# 1 October 2024 is day 184 of FY2024's 365 days (1 April 2024 – 31 March 2025).
MID_FY2024 = date(2024, 10, 1)


def figures_of(kpi, today):
    return kpi_figures(today=today, kpis=kpis_with_figures().filter(pk=kpi.pk))[0]


def test_the_guide_is_the_straight_path_from_the_baseline_to_the_final_target():
    kpi = KpiFactory(
        baseline_value=Decimal(10),
        baseline_fiscal_year=2021,
        final_target_value=Decimal(100),
        final_target_fiscal_year=2026,
    )
    # 10 + 90 × (n / 5): 28, 46, 64, 82, 100; none at or before the baseline, none after R8.
    assert [guide_value(kpi, fy) for fy in range(2021, 2028)] == [
        None,
        Decimal(28),
        Decimal(46),
        Decimal(64),
        Decimal(82),
        Decimal(100),
        None,
    ]


def test_an_ended_year_at_its_target_is_achieved_and_below_it_behind():
    kpi = KpiFactory(baseline_value=Decimal(10), final_target_value=Decimal(60))
    KpiTargetFactory(kpi=kpi, fiscal_year=2022, value=Decimal(20))
    KpiTargetFactory(kpi=kpi, fiscal_year=2023, value=Decimal(30))
    KpiActualFactory(kpi=kpi, fiscal_year=2022, value=Decimal(20))
    KpiActualFactory(kpi=kpi, fiscal_year=2023, value=Decimal(29))

    standing = figures_of(kpi, date(2024, 5, 1)).standing

    # 2024 has no actual: the latest year with one (2023, ended) is judged: 29 < 30.
    assert standing.code == BEHIND
    assert standing.year.fiscal_year == 2023
    assert standing.target == Decimal(30)
    assert standing.year.target == standing.target  # the plan's target, not the guide
    KpiActualFactory(kpi=kpi, fiscal_year=2024, value=Decimal(45))
    KpiTargetFactory(kpi=kpi, fiscal_year=2024, value=Decimal(40))
    assert figures_of(kpi, date(2024, 5, 1)).standing.code == ACHIEVED


def test_a_running_year_is_on_track_when_at_or_above_the_path_through_the_year():
    kpi = KpiFactory(
        baseline_value=Decimal(26),
        final_target_value=Decimal(91),
        cumulative=True,
    )
    KpiTargetFactory(kpi=kpi, fiscal_year=2023, value=Decimal(52))
    KpiTargetFactory(kpi=kpi, fiscal_year=2024, value=Decimal(65))
    # By 1 October, 184/365 of the way from last year's 52 to this year's 65:
    # 52 + 13 × 184 / 365 = 58.55… → 58.6 as the KPI prints a count that is not whole.
    expected = Decimal("58.6")
    KpiActualFactory(kpi=kpi, fiscal_year=2024, value=Decimal(59))
    standing = figures_of(kpi, MID_FY2024).standing
    assert standing.code == ON_TRACK
    assert standing.expected == expected
    kpi.actuals.filter(fiscal_year=2024).update(value=Decimal(58))
    assert figures_of(kpi, MID_FY2024).standing.code == BEHIND


def test_a_yearly_count_starts_again_from_zero_and_uses_the_guide_without_a_target():
    # 行政運営6 a's shape: 10 in R3 to 100 in R8, a count per year, no yearly targets.
    kpi = KpiFactory(
        measure=Measure.COUNT,
        baseline_value=Decimal(10),
        final_target_value=Decimal(100),
        cumulative=False,
    )
    KpiActualFactory(kpi=kpi, fiscal_year=2024, value=Decimal(33))
    standing = figures_of(kpi, MID_FY2024).standing
    # Guide for R6: 10 + 90 × 3/5 = 64; by 1 October 64 × 184/365 = 32.26… → 32.3.
    assert standing.target == Decimal(64)
    assert standing.year.target is None  # no target in the plan for R6: the guide
    assert standing.expected == Decimal("32.3")
    assert standing.code == ON_TRACK


def test_no_actual_after_the_baseline_is_no_actual():
    kpi = KpiFactory(baseline_value=Decimal(7), cumulative=True)
    KpiActualFactory(kpi=kpi, fiscal_year=2021, value=Decimal(7))  # the baseline itself
    assert figures_of(kpi, MID_FY2024).standing.code == NO_ACTUAL


def test_the_dashboard_says_the_status_in_words_and_explains_the_terms_once(client, manager):
    kpi = KpiFactory(code="T-9 a", slug="t-9-a", name="試験指標")
    KpiTargetFactory(kpi=kpi, fiscal_year=2022, value=Decimal(20))
    KpiActualFactory(kpi=kpi, fiscal_year=2022, value=Decimal(25))
    client.force_login(manager)

    html = client.get("/kpi/").content.decode()

    assert 'class="kpi-standing kpi-standing-achieved"' in html
    assert html.count("この画面の見方") == 1
    for term in ("達成", "順調", "遅れ", "実績なし", "目標達成状況", "最終目標までの進み具合"):
        assert term in html
