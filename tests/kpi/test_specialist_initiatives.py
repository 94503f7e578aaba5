"""KPI 行政運営6 a — initiatives in which a certified DX推進スペシャリスト took part, counted per
fiscal year (not cumulative) — as the KPI app shows it, against figures worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from kpi.models import Measure, Policy, SourceKind
from kpi.selectors import drilldown_records, kpi_figures
from mie_dx.registry import kpi_sources
from tests.kpi.factories import KpiActualFactory, KpiFactory
from tests.training.factories import (
    InitiativeFactory,
    SpecialistCertificationFactory,
    StaffFactory,
)
from training import selectors

pytestmark = pytest.mark.django_db

CODE = "行政運営6 a"
# FY2024 (令和6年度): R4 and R5 have ended.
TODAY = date(2024, 11, 30)
R4, R5, R6 = 2022, 2023, 2024


@pytest.fixture
def kpi():
    """行政運営6 a as the plan defines it: a yearly count (not cumulative), computed from R4;
    R3's 10 is the plan's baseline, entered."""
    kpi = KpiFactory(
        code=CODE,
        slug="gyosei-6-a",
        policy=Policy.ADMINISTRATION,
        name="DX推進スペシャリストが参画した業務改善等の取組件数",
        measure=Measure.COUNT,
        unit="件",
        baseline_value=Decimal(10),
        baseline_fiscal_year=2021,
        final_target_value=Decimal(100),
        final_target_fiscal_year=2026,
        cumulative=False,
        source=SourceKind.COMPUTED,
        first_computed_fiscal_year=R4,
    )
    KpiActualFactory(kpi=kpi, fiscal_year=2021, value=Decimal(10))
    return kpi


def shown(fy: int) -> Decimal | None:
    """The actual the KPI app shows for `fy`."""
    figures = next(f for f in kpi_figures(today=TODAY) if f.kpi.code == CODE)
    return next(y for y in figures.years if y.fiscal_year == fy).actual


def specialist(certified_on: date, **staff):
    return SpecialistCertificationFactory(
        certified_on=certified_on, staff=StaffFactory(**staff)
    ).staff


@pytest.fixture
def certified_in_r3():
    """Two specialists of the R3 cohort (certified 18 March 2022) and a member of staff who
    was never certified (a trainee who did not finish, or anyone else)."""
    return (
        specialist(date(2022, 3, 18)),
        specialist(date(2022, 3, 18)),
        StaffFactory(),
    )


def test_the_source_is_registered_with_its_rule_and_drill_down():
    (source,) = kpi_sources()[CODE]
    assert source is selectors.kpi_specialist_initiatives
    assert "累計ではありません" in str(source.rule)
    assert "実施日までに認定" in str(source.rule)
    assert callable(source.records)


def test_an_initiative_without_a_certified_specialist_changes_nothing(kpi, certified_in_r3):
    first, second, never_certified = certified_in_r3
    InitiativeFactory(date=date(2022, 6, 1), specialists=[first, second])
    assert shown(R4) == 1  # one initiative; two specialists in it count it once

    InitiativeFactory(date=date(2022, 7, 1), specialists=[never_certified])
    InitiativeFactory(date=date(2022, 8, 1))  # nobody recorded as taking part

    assert shown(R4) == 1


def test_an_initiative_before_its_only_specialists_certification_changes_nothing(kpi):
    r3 = specialist(date(2022, 3, 18))
    r4 = specialist(date(2023, 1, 20))  # certified at the end of R4's 養成研修
    InitiativeFactory(date=date(2022, 5, 1), specialists=[r3])
    assert shown(R4) == 1

    # As a trainee, in the 養成研修's group work: not yet a specialist.
    InitiativeFactory(date=date(2022, 10, 1), specialists=[r4])
    InitiativeFactory(date=date(2023, 1, 19), specialists=[r4])
    assert shown(R4) == 1

    # On the day of the certification and after: counted.
    InitiativeFactory(date=date(2023, 1, 20), specialists=[r4])
    InitiativeFactory(date=date(2023, 3, 1), specialists=[r4])
    assert shown(R4) == 3


def test_a_trainee_with_a_certified_specialist_is_counted_once(kpi):
    r3 = specialist(date(2022, 3, 18))
    trainee = specialist(date(2023, 1, 20))
    InitiativeFactory(date=date(2022, 11, 1), specialists=[trainee, r3])

    assert shown(R4) == 1


def test_two_years_each_have_their_own_count_not_summed(kpi, certified_in_r3):
    first, second, never_certified = certified_in_r3
    # R4: 2 counted (31 March 2023 is R4's last day), 1 not.
    InitiativeFactory(date=date(2022, 4, 1), specialists=[first])
    InitiativeFactory(date=date(2023, 3, 31), specialists=[second])
    InitiativeFactory(date=date(2022, 9, 1), specialists=[never_certified])
    # R5: 3 counted (1 April 2023 is R5's first day).
    InitiativeFactory(date=date(2023, 4, 1), specialists=[first])
    InitiativeFactory(date=date(2023, 6, 1), specialists=[first, second])
    InitiativeFactory(date=date(2024, 3, 31), specialists=[second, never_certified])

    assert shown(2021) == 10  # the plan's baseline, entered
    assert shown(R4) == 2
    assert shown(R5) == 3  # not 5: the KPI is counted per year
    assert shown(R6) == 0  # nothing yet this year


def test_the_kpi_pages_and_the_training_page_show_the_same_figures(
    client, kpi, manager, certified_in_r3
):
    first, _second, never_certified = certified_in_r3
    first.name = "三重 花子"
    first.save()
    InitiativeFactory(title="RPAによる照合の自動化", date=date(2022, 6, 1), specialists=[first])
    InitiativeFactory(title="研修生の取組", date=date(2022, 7, 1), specialists=[never_certified])
    InitiativeFactory(title="翌年度の取組", date=date(2023, 5, 1), specialists=[first])
    client.force_login(manager)

    kpi_page = client.get("/kpi/gyosei-6-a/")
    actuals = {y.fiscal_year: y.actual for y in kpi_page.context["figures"].years}
    training = client.get("/training/specialists/", {"fy": R4})
    per_year = {r.fiscal_year: r.counted for r in training.context["initiatives_by_year"]}

    assert actuals[R4] == per_year[R4] == 1
    assert actuals[R5] == per_year[R5] == 1
    page = training.content.decode()
    assert "年度ごとの件数です（累計ではありません）。" in page
    assert str(selectors.INITIATIVE_RULE) in page

    drill = client.get(f"/kpi/gyosei-6-a/drilldown/{R4}/").content.decode()
    assert "RPAによる照合の自動化" in drill and "認定スペシャリスト1名" in drill
    assert "研修生の取組" not in drill and "翌年度の取組" not in drill
    assert "三重 花子" not in drill and first.employee_number not in drill


def test_the_drill_down_records_name_no_one(kpi, certified_in_r3):
    first, second, never_certified = certified_in_r3
    initiative = InitiativeFactory(
        title="電子決裁への移行",
        date=date(2022, 10, 17),
        specialists=[first, second, never_certified],
    )

    (record,) = drilldown_records(kpi, R4)

    assert record["reference"] == "電子決裁への移行"
    assert record["date"] == date(2022, 10, 17)
    assert record["division"] == initiative.division.name
    assert record["certified_specialists"] == 2  # of the three taking part
    text = " ".join(str(value) for value in record.values())
    for person in (first, second, never_certified):
        assert person.name not in text and person.employee_number not in text


@pytest.mark.parametrize("size", [5, 300])
def test_the_figures_take_one_query_whatever_the_number_of_initiatives(
    django_assert_num_queries, certified_in_r3, size
):
    first, _second, never_certified = certified_in_r3
    for i in range(size):
        InitiativeFactory(
            date=date(2022 + i % 3, 6, 1), specialists=[first if i % 2 else never_certified]
        )

    with django_assert_num_queries(1):
        figures = selectors.kpi_specialist_initiatives([R4, R5, R6])

    assert sum(c.numerator for c in figures.values()) == size // 2
