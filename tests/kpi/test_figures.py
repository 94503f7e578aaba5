"""Computed and entered figures against values worked out by hand."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from consultations.models import Status
from kpi import selectors
from kpi.models import Measure, SourceKind
from mie_dx.surveys import Rating
from tests.kpi.factories import (
    KpiActualFactory,
    KpiFactory,
    KpiTargetFactory,
    consultation_survey,
    consultation_through,
    plan_kpis,
    seminar_survey,
    tokyo,
)

pytestmark = pytest.mark.django_db

# FY2024 (令和6年度): FY2022 and FY2023 have ended, FY2025 and later are to come.
TODAY = date(2024, 11, 30)


def by_code(code: str, today: date = TODAY) -> selectors.KpiFigures:
    return next(f for f in selectors.kpi_figures(today=today) if f.kpi.code == code)


def year(figures: selectors.KpiFigures, fy: int) -> selectors.YearFigure:
    return next(y for y in figures.years if y.fiscal_year == fy)


def test_10_1_a_adds_both_surveys_by_the_fiscal_year_of_the_answer():
    plan_kpis()
    # FY2023: consultations 4 of 6 useful, seminars 1 of 2 → 5 ÷ 8 = 62.5 %.
    for rating in [Rating.USEFUL] * 3 + [Rating.SOMEWHAT_USEFUL] + [Rating.NOT_VERY_USEFUL] * 2:
        consultation_survey(rating, tokyo(2023, 6, 1, 10))
    seminar_survey(Rating.USEFUL, tokyo(2023, 9, 1, 10))
    seminar_survey(Rating.NOT_USEFUL, tokyo(2024, 2, 1, 10))
    # FY2022: one answer, useful → 100.0 %; a survey sent but never answered is not counted.
    consultation_survey(Rating.SOMEWHAT_USEFUL, tokyo(2022, 5, 1, 10))
    consultation_survey(Rating.NOT_USEFUL, None)
    seminar_survey(Rating.NOT_USEFUL, None)
    # FY2021 is the plan's baseline (entered 90.0), not computed even with answers in it.
    consultation_survey(Rating.NOT_USEFUL, tokyo(2021, 12, 1, 10))

    figures = by_code("10-1 a")

    assert year(figures, 2021).actual == Decimal("90.0")
    assert year(figures, 2021).source == SourceKind.ENTERED
    assert year(figures, 2022).actual == Decimal("100.0")
    assert year(figures, 2022).achievement == Decimal("1.00")  # 100 ÷ 90 capped
    fy2023 = year(figures, 2023)
    assert fy2023.actual == Decimal("62.5")
    assert fy2023.source == SourceKind.COMPUTED
    assert fy2023.achievement == Decimal("0.69")  # 62.5 ÷ 90.0 = 0.694
    assert sorted((c.numerator, c.denominator) for c in fy2023.contributions) == [(1, 2), (4, 6)]
    assert all(c.url.startswith("/admin/") for c in fy2023.contributions)
    # This year has no answers yet: nothing to show (not 0 %), and it says "to date".
    assert year(figures, 2024).actual is None
    assert year(figures, 2024).ended is False
    assert year(figures, 2024).as_of == TODAY


def test_fiscal_year_boundary_is_midnight_on_1_april_in_tokyo():
    plan_kpis()
    consultation_survey(Rating.USEFUL, tokyo(2023, 3, 31, 23, 59, 59))  # FY2022
    # 15:30 UTC on 31 March is 00:30 on 1 April in Tokyo: FY2023.
    consultation_survey(Rating.NOT_USEFUL, datetime(2023, 3, 31, 15, 30, tzinfo=UTC))
    seminar_survey(Rating.USEFUL, tokyo(2023, 3, 31, 23, 59, 59))  # FY2022
    seminar_survey(Rating.NOT_USEFUL, tokyo(2023, 4, 1, 0, 0, 0))  # FY2023
    consultation_through(
        (Status.ADVISING, tokyo(2023, 3, 31, 23, 59)), (Status.CLOSED, tokyo(2023, 4, 2))
    )
    consultation_through((Status.ADVISING, tokyo(2023, 4, 1, 0, 0)))

    a, b = by_code("10-1 a"), by_code("10-1 b")

    assert year(a, 2022).actual == Decimal("100.0")  # 2 of 2
    assert year(a, 2023).actual == Decimal("0.0")  # 0 of 2
    assert year(b, 2022).actual == Decimal(27)  # 26 + 1
    assert year(b, 2023).actual == Decimal(28)  # 27 + 1


def test_10_1_b_counts_each_consultation_once_in_the_year_it_first_reached_advice():
    plan_kpis()
    # FY2022: two reach advice (one closes, one goes back to matching and advises again in
    # FY2023: still counted once, in FY2022).
    consultation_through(
        (Status.TRIAGE, tokyo(2022, 4, 5)),
        (Status.ADVISING, tokyo(2022, 5, 1)),
        (Status.CLOSED, tokyo(2022, 7, 1)),
    )
    consultation_through(
        (Status.ADVISING, tokyo(2022, 8, 1)),
        (Status.MATCHING, tokyo(2022, 9, 1)),
        (Status.ADVISING, tokyo(2023, 5, 1)),
    )
    # FY2023: one reached advice, then was withdrawn: the support was given, it counts.
    consultation_through(
        (Status.ADVISING, tokyo(2023, 6, 1)), (Status.WITHDRAWN, tokyo(2023, 7, 1))
    )
    # Never reached advice: not counted.
    consultation_through((Status.TRIAGE, tokyo(2022, 6, 1)), (Status.MATCHING, tokyo(2022, 6, 2)))
    consultation_through((Status.DECLINED, tokyo(2023, 6, 1)))
    # Reached advice in FY2021 (inside the baseline of 26), advised again in FY2022: not again.
    consultation_through(
        (Status.ADVISING, tokyo(2022, 3, 1)),
        (Status.ON_HOLD, tokyo(2022, 3, 20)),
        (Status.ADVISING, tokyo(2022, 4, 20)),
    )

    figures = by_code("10-1 b")

    assert [(y.fiscal_year, y.actual) for y in figures.years] == [
        (2021, Decimal(26)),
        (2022, Decimal(28)),
        (2023, Decimal(29)),
        (2024, Decimal(29)),  # to date: nothing yet this year
        (2025, None),
        (2026, None),
    ]
    assert year(figures, 2022).achievement == Decimal("0.72")  # 28 ÷ 39
    assert year(figures, 2023).contributions[0].numerator == 1
    assert figures.current.fiscal_year == 2024
    assert figures.progress == Decimal("0.05")  # (29 − 26) ÷ (91 − 26)
    records = selectors.drilldown_records(figures.kpi, 2022)
    assert len(records) == 2
    assert all(r["reference"].startswith("DX-") for r in records)


def test_achievement_is_capped_at_one_and_rounded_half_up():
    assert selectors.achievement(Decimal("31.8"), Decimal("40.0"), higher_is_better=True) == (
        Decimal("0.80")
    )
    assert selectors.achievement(Decimal(265), Decimal(167), higher_is_better=True) == Decimal(
        "1.00"
    )
    # Lower is better: target ÷ actual.
    assert selectors.achievement(Decimal(50), Decimal(40), higher_is_better=False) == Decimal(
        "0.80"
    )
    assert selectors.achievement(Decimal(30), Decimal(40), higher_is_better=False) == Decimal(
        "1.00"
    )
    assert selectors.achievement(None, Decimal(40), higher_is_better=True) is None
    assert selectors.achievement(Decimal(40), None, higher_is_better=True) is None


def test_entered_kpi_uses_the_entered_values_and_the_yearly_targets():
    kpi = KpiFactory(
        measure=Measure.PERCENTAGE,
        unit="%",
        baseline_value=None,
        baseline_fiscal_year=None,
        final_target_value=None,
        final_target_fiscal_year=None,
    )
    KpiTargetFactory(kpi=kpi, fiscal_year=2020, value=Decimal("10.0"))
    KpiTargetFactory(kpi=kpi, fiscal_year=2021, value=Decimal("40.0"))
    KpiActualFactory(kpi=kpi, fiscal_year=2020, value=Decimal("31.7"))
    KpiActualFactory(kpi=kpi, fiscal_year=2021, value=Decimal("31.8"), grade="C")

    figures = by_code(kpi.code)

    assert [(y.fiscal_year, y.target, y.actual, y.achievement) for y in figures.years] == [
        (2020, Decimal("10.0"), Decimal("31.7"), Decimal("1.00")),
        (2021, Decimal("40.0"), Decimal("31.8"), Decimal("0.80")),
    ]
    # The current fiscal year is not among them: the card shows the latest year with a figure.
    assert figures.current.fiscal_year == 2021
    assert figures.current.grade_display.startswith("C")
    assert all(y.ended for y in figures.years)


def test_a_computed_kpi_without_a_registered_source_has_no_actual():
    kpi = KpiFactory(code="99-9 z", source=SourceKind.COMPUTED, first_computed_fiscal_year=2022)
    KpiActualFactory(kpi=kpi, fiscal_year=2021, value=Decimal(10))

    figures = by_code(kpi.code)

    assert figures.connected is False
    assert year(figures, 2021).actual == Decimal(10)
    assert year(figures, 2022).actual is None
