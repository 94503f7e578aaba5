"""KPI 10-1 b as the plan defines it (施策10-1: 事業者等への情報提供・マッチング・事業計画への
助言等の支援件数, cumulative from 26 in R3): the consultations of businesses and groups, once,
in the fiscal year of their first advice, and the support recorded outside the desk.

Each expected figure is worked out by hand here and compared with what the KPI app computes
(kpi.selectors.kpi_figures) for a 10-1 b KPI built with a factory.
"""

from datetime import date
from decimal import Decimal

import pytest

from consultations import selectors, services
from consultations.models import Status
from kpi import selectors as kpi_selectors
from kpi.models import SourceKind
from mie_dx.people import RequesterType
from mie_dx.registry import kpi_sources
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import ConsultationFactory
from tests.kpi.factories import KpiFactory

pytestmark = pytest.mark.django_db

BASELINE = 26  # R3 (FY2021), the plan's 現状値
# FY2024 (令和6年度) is under way; FY2022 and FY2023 have ended.
TODAY = date(2024, 11, 30)


@pytest.fixture
def kpi():
    return KpiFactory(
        code="10-1 b",
        slug="10-1-b",
        baseline_value=Decimal(BASELINE),
        baseline_fiscal_year=2021,
        final_target_value=Decimal(91),
        final_target_fiscal_year=2026,
        cumulative=True,
        source=SourceKind.COMPUTED,
        first_computed_fiscal_year=2022,
    )


def actuals() -> dict[int, Decimal | None]:
    (figures,) = [f for f in kpi_selectors.kpi_figures(today=TODAY) if f.kpi.code == "10-1 b"]
    return {year.fiscal_year: year.actual for year in figures.years}


def asked(requester_type: str = RequesterType.BUSINESS, **kwargs):
    """A consultation in matching with one supporter asked (not yet answered)."""
    consultation = ConsultationFactory(
        status=Status.MATCHING, requester_type=requester_type, **kwargs
    )
    (assignment,) = services.assign_supporters(
        consultation=consultation, supporters=[SupporterFactory()], by=None
    )
    return assignment


def advised(on: date, requester_type: str = RequesterType.BUSINESS, **kwargs):
    """Asked, accepted, and advice recorded on `on`."""
    assignment = asked(requester_type, **kwargs)
    services.respond_to_assignment(assignment=assignment, accept=True)
    services.record_advice(assignment=assignment, held_on=on, summary="助言", by_supporter=True)
    return assignment


def test_asking_a_supporter_who_never_accepts_counts_nothing(kpi):
    before = actuals()
    asked()
    accepted = asked()
    services.respond_to_assignment(assignment=accepted, accept=True)  # no advice recorded

    assert actuals() == before
    assert before[2022] == before[2023] == Decimal(BASELINE)


def test_a_business_with_advice_counts_once_in_the_fiscal_year_of_its_first_advice(kpi):
    assignment = advised(date(2023, 5, 10))
    # A second session a year later does not count it again.
    services.record_advice(
        assignment=assignment, held_on=date(2024, 6, 1), summary="2回目", by_supporter=True
    )

    # By hand: 26 (R3); R4 nothing; R5 (FY2023) one; R6 nothing new.
    assert actuals()[2022] == Decimal(26)
    assert actuals()[2023] == Decimal(27)
    assert actuals()[2024] == Decimal(27)


def test_a_group_counts_but_residents_municipalities_and_the_prefecture_do_not(kpi):
    advised(date(2023, 5, 10), RequesterType.GROUP, organization="見本の県民グループ")
    for requester_type in (
        RequesterType.INDIVIDUAL,
        RequesterType.MUNICIPALITY,
        RequesterType.PREFECTURE,
    ):
        advised(date(2023, 5, 10), requester_type)

    assert actuals()[2023] == Decimal(BASELINE + 1)


def test_a_support_record_counts_in_the_fiscal_year_of_its_date(kpi):
    services.record_support(
        supported_on=date(2023, 3, 31),  # the last day of FY2022
        organization="株式会社見本ドローン",
        programme="air_mobility",
        kind="matching",
        by=None,
    )
    services.record_support(
        supported_on=date(2023, 4, 1),
        organization="株式会社見本ドローン",
        programme="air_mobility",
        kind="matching",
        by=None,
    )

    assert actuals()[2022] == Decimal(27)
    assert actuals()[2023] == Decimal(28)


def test_the_figure_is_cumulative_over_the_baseline_year_and_adds_both_sources(kpi):
    # FY2022: one consultation (first advice on 31 March 2023) and one support record.
    first = advised(date(2023, 3, 31))
    services.record_advice(
        assignment=first, held_on=date(2023, 4, 2), summary="翌年度も", by_supporter=True
    )
    services.record_support(
        supported_on=date(2022, 12, 1),
        organization="見本スタートアップ",
        programme="startup",
        kind="business_plan",
        by=None,
    )
    # FY2023: two businesses, one group, one support record; a resident (not counted).
    advised(date(2023, 6, 1))
    advised(date(2024, 1, 15))
    advised(date(2023, 9, 9), RequesterType.GROUP, organization="見本の会")
    advised(date(2023, 9, 9), RequesterType.INDIVIDUAL)
    services.record_support(
        supported_on=date(2023, 7, 7),
        organization="見本製作所",
        programme="advanced_technology",
        kind="information",
        by=None,
    )
    # FY2021 is the baseline (entered 26): advice then is inside it, not added.
    advised(date(2022, 3, 1))

    fy2022 = BASELINE + 1 + 1
    fy2023 = fy2022 + 3 + 1
    assert actuals() == {
        2021: Decimal(BASELINE),
        2022: Decimal(fy2022),
        2023: Decimal(fy2023),
        2024: Decimal(fy2023),  # to date: nothing this year
        2025: None,
        2026: None,
    }


def test_the_drilldown_lists_both_sources_without_personal_data(kpi):
    assignment = advised(date(2023, 5, 10), name="見本 花子", email="hanako@example.jp")
    services.record_support(
        supported_on=date(2023, 7, 7),
        organization="見本製作所",
        programme="advanced_technology",
        kind="information",
        by=None,
    )

    records = kpi_selectors.drilldown_records(kpi, 2023)

    assert [(r["reference"], r["date"]) for r in records] == [
        (assignment.consultation.reference, date(2023, 5, 10)),
        ("見本製作所", date(2023, 7, 7)),
    ]
    assert records[0]["detail"] == "県内事業者 / 課題解決のための相談"
    assert records[1]["detail"] == "先端技術 / 情報提供"
    text = repr(records)
    for personal in ("見本 花子", "hanako@example.jp", "株式会社サンプル商事"):
        assert personal not in text


def test_the_sources_state_their_rules_and_are_registered():
    assert selectors.kpi_support_cases in kpi_sources()["10-1 b"]
    assert selectors.kpi_support_records in kpi_sources()["10-1 b"]
    assert selectors.kpi_survey_usefulness in kpi_sources()["10-1 a"]
    assert "事業者または団体" in str(selectors.kpi_support_cases.rule)
    assert "最初の助言・提案" in str(selectors.kpi_support_cases.rule)
    assert "支援日の年度" in str(selectors.kpi_support_records.rule)
    assert "役に立った" in str(selectors.kpi_survey_usefulness.rule)


@pytest.mark.parametrize("size", [1, 12])
def test_the_sources_run_one_query_whatever_the_data(size, django_assert_num_queries):
    for n in range(size):
        advised(date(2023, 5, 1 + n % 28))
        services.record_support(
            supported_on=date(2023, 6, 1 + n % 28),
            organization=f"見本{n}",
            programme="startup",
            kind="information",
            by=None,
        )
    years = [2022, 2023, 2024]

    with django_assert_num_queries(1):
        cases = selectors.kpi_support_cases(years)
    with django_assert_num_queries(1):
        records = selectors.kpi_support_records(years)
    with django_assert_num_queries(1):
        assert len(selectors.kpi_support_cases.records(2023)) == size
    with django_assert_num_queries(1):
        assert len(selectors.kpi_support_records.records(2023)) == size

    assert cases[2023].numerator == records[2023].numerator == size
    assert 2022 not in cases and 2024 not in records
