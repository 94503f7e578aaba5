"""The weighted digitised share (KPI 10-2 a), the schedule table and availability vs usage,
against values computed by hand."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpi.models import Kpi, Measure
from mie_dx.registry import kpi_sources
from procedures import selectors
from procedures.models import Procedure
from tests.kpi.factories import KpiFactory, KpiTargetFactory
from tests.procedures.factories import ProcedureFactory, admin_form_data

pytestmark = pytest.mark.django_db


def test_no_priority_procedures_gives_no_share_and_no_kpi_contribution():
    ProcedureFactory(is_priority=False, digitised=True)

    share = selectors.digitised_share(2022)

    assert (share.procedures, share.applications) == (0, 0)
    assert share.by_applications is None and share.by_count is None
    assert selectors.kpi_digitised_share([2021, 2022]) == {}


def test_the_share_is_weighted_by_applications_not_by_count():
    ProcedureFactory(annual_applications=9000, digitised=True)
    ProcedureFactory(annual_applications=500)
    ProcedureFactory(annual_applications=500)
    ProcedureFactory(annual_applications=99_999, is_priority=False, digitised=True)

    share = selectors.digitised_share(2021)

    # 9,000 of 10,000 applications; 1 of 3 procedures.
    assert share.by_applications == Decimal("90.0")
    assert share.by_count == Decimal("33.3")


def test_a_procedure_digitised_mid_year_counts_from_the_fiscal_year_of_its_date():
    ProcedureFactory(annual_applications=3000, digitised=True, digitised_on=date(2021, 6, 1))
    # 1 April 2023 is the first day of R5; 31 March 2023 the last of R4.
    ProcedureFactory(annual_applications=1000, digitised=True, digitised_on=date(2023, 4, 1))
    ProcedureFactory(annual_applications=6000, digitised=True, digitised_on=date(2023, 3, 31))

    shares = selectors.digitised_shares([2020, 2021, 2022, 2023])

    assert shares[2020].by_applications == Decimal("0.0")
    assert shares[2021].by_applications == Decimal("30.0")  # 3,000 / 10,000
    assert shares[2022].by_applications == Decimal("90.0")  # + 6,000 (31 March = R4)
    assert shares[2023].by_applications == Decimal("100.0")  # + 1,000 (1 April = R5)


def test_adjustment_keeps_the_denominator_and_out_of_scope_leaves_it(client, superuser):
    done = ProcedureFactory(annual_applications=2000, digitised=True)
    adjusted = ProcedureFactory(annual_applications=2000)
    dropped = ProcedureFactory(annual_applications=4000)
    assert selectors.digitised_share(2021).by_applications == Decimal("25.0")  # 2,000 / 8,000
    client.force_login(superuser)

    response = client.post(
        change_url(adjusted),
        admin_form_data(
            adjusted,
            plan="needs_adjustment",
            planned_fiscal_year="",
            adjustment_reason="来庁が前提",
        ),
    )
    assert response.status_code == 302
    adjusted.refresh_from_db()
    assert adjusted.plan == Procedure.Plan.NEEDS_ADJUSTMENT
    assert adjusted.planned_fiscal_year is None
    assert selectors.digitised_share(2021).by_applications == Decimal("25.0")  # still 8,000

    response = client.post(change_url(dropped), admin_form_data(dropped, status="out_of_scope"))
    assert response.status_code == 302
    share = selectors.digitised_share(2021)
    assert share.by_applications == Decimal("50.0")  # 2,000 / 4,000
    assert (share.procedures, share.digitised_procedures) == (2, 1)
    assert done.pk


def change_url(procedure: Procedure) -> str:
    return reverse("admin:procedures_procedure_change", args=[procedure.pk])


def kpi_10_2_a(targets: dict[int, int], **fields) -> Kpi:
    """KPI 10-2 a in the KPI app with its baseline (R3 39 %) and the given yearly targets."""
    kpi = KpiFactory(
        code="10-2 a",
        slug="10-2-a",
        measure=Measure.PERCENTAGE,
        unit="%",
        baseline_value=Decimal(39),
        baseline_fiscal_year=2021,
        final_target_value=Decimal(100),
        final_target_fiscal_year=2026,
        **fields,
    )
    for fy, value in targets.items():
        KpiTargetFactory(kpi=kpi, fiscal_year=fy, value=Decimal(value))
    return kpi


def test_progress_against_the_targets_caps_achievement_at_one():
    kpi_10_2_a({2022: 76, 2023: 92, 2024: 100, 2025: 100, 2026: 100})
    ProcedureFactory(annual_applications=8000, digitised=True, digitised_on=date(2022, 9, 1))
    ProcedureFactory(annual_applications=2000)

    rows, _shares = selectors.progress_against_targets(selectors.digitisation_plan())
    progress = {row.fiscal_year: row for row in rows}

    assert list(progress) == [2021, 2022, 2023, 2024, 2025, 2026]
    assert progress[2021].target is None  # the baseline year
    assert progress[2022].target.value == Decimal("76")
    assert progress[2022].by_applications == Decimal("80.0")
    assert progress[2022].achievement == Decimal("1.00")  # 80 / 76, capped
    assert progress[2023].achievement == Decimal("0.87")  # 80 / 92
    assert progress[2024].achievement == Decimal("0.80")  # 80 / 100


def test_without_the_kpi_the_plan_years_have_no_target():
    ProcedureFactory(annual_applications=8000, digitised=True, digitised_on=date(2022, 9, 1))

    assert selectors.digitisation_plan() is None
    rows, _shares = selectors.progress_against_targets(None)

    assert [row.fiscal_year for row in rows] == [2021, 2022, 2023, 2024, 2025, 2026]
    assert all(row.target is None and row.achievement is None for row in rows)
    assert rows[1].by_applications == Decimal("100.0")


def test_a_target_reads_in_applications_when_the_kpi_gives_them():
    kpi = kpi_10_2_a({})
    KpiTargetFactory(kpi=kpi, fiscal_year=2022, value=Decimal("76.0"), approx_count=80_000)
    KpiTargetFactory(kpi=kpi, fiscal_year=2023, value=Decimal("92.5"))

    plan = selectors.digitisation_plan()

    assert str(plan.targets[2022]) == "76%（約80,000件）"
    assert str(plan.targets[2023]) == "92.5%"
    assert plan.baseline_label == "令和3年度 39%"
    assert plan.full_by is None


def test_the_planned_path_counts_planned_years_and_what_is_digitised_already():
    # 1,000 digitised in R3 though planned for R5; 2,000 planned for R4; 3,000 for R6;
    # 4,000 R9以降 (never planned in the plan's years); 10,000 in all.
    ProcedureFactory(
        annual_applications=1000,
        digitised=True,
        digitised_on=date(2021, 7, 1),
        planned_fiscal_year=2023,
    )
    ProcedureFactory(annual_applications=2000, planned_fiscal_year=2022)
    ProcedureFactory(annual_applications=3000, planned_fiscal_year=2024)
    ProcedureFactory(
        annual_applications=4000, plan=Procedure.Plan.R9_OR_LATER, planned_fiscal_year=None
    )
    ProcedureFactory(annual_applications=9000, planned_fiscal_year=2022, is_priority=False)

    shares = selectors.digitised_shares([2021, 2022, 2023, 2024])

    assert {fy: s.planned_share for fy, s in shares.items()} == {
        2021: Decimal("10.0"),
        2022: Decimal("30.0"),
        2023: Decimal("30.0"),
        2024: Decimal("60.0"),
    }


def test_the_kpi_source_is_registered_and_gives_applications_per_fiscal_year():
    ProcedureFactory(annual_applications=300, digitised=True, digitised_on=date(2022, 5, 1))
    ProcedureFactory(annual_applications=700)
    ProcedureFactory(annual_applications=5000, status=Procedure.Status.OUT_OF_SCOPE)

    (source,) = kpi_sources()["10-2 a"]
    figures = source([2021, 2022])

    assert (figures[2021].numerator, figures[2021].denominator) == (0, 1000)
    assert (figures[2022].numerator, figures[2022].denominator) == (300, 1000)
    assert figures[2022].url == "/procedures/progress/"


def test_the_schedule_table_counts_by_kind_and_planned_year_with_shares():
    ProcedureFactory(kind=Procedure.Kind.OWN, planned_fiscal_year=2020, annual_applications=100)
    ProcedureFactory(kind=Procedure.Kind.OWN, planned_fiscal_year=2020, annual_applications=200)
    ProcedureFactory(
        kind=Procedure.Kind.OWN,
        plan=Procedure.Plan.NEEDS_ADJUSTMENT,
        planned_fiscal_year=None,
        annual_applications=700,
    )
    ProcedureFactory(
        kind=Procedure.Kind.STATUTORY,
        plan=Procedure.Plan.R9_OR_LATER,
        planned_fiscal_year=None,
        annual_applications=400,
    )

    table = selectors.schedule_table()
    keys = [key for key, _label in table.columns]
    assert [label for _key, label in table.columns] == [
        "R2", "R3", "R4", "R5", "R6", "R9以降", "要調整"
    ]  # fmt: skip
    own, statutory = table.rows
    r2 = own.cells[keys.index("2020")]
    adjust = own.cells[keys.index("needs_adjustment")]
    assert (own.total.procedures, own.total.applications) == (3, 1000)
    assert (r2.procedures, r2.applications, r2.procedure_share, r2.application_share) == (
        2, 300, Decimal("67"), Decimal("30")
    )  # fmt: skip
    assert (adjust.procedures, adjust.applications) == (1, 700)
    r9 = statutory.cells[keys.index("r9_or_later")]
    assert (r9.procedures, r9.applications, r9.application_share) == (1, 400, Decimal("100"))


def test_availability_is_what_can_be_done_online_usage_what_is():
    ProcedureFactory(annual_applications=1000, digitised=True, online_applications=250)
    ProcedureFactory(annual_applications=1000, digitised=True)  # usage unknown
    ProcedureFactory(annual_applications=2000)
    ProcedureFactory(annual_applications=9000, status=Procedure.Status.OUT_OF_SCOPE)

    own, statutory = selectors.availability_and_usage(2021)

    assert own.availability == Decimal("50.0")  # 2,000 of 4,000 can be done online
    assert own.usage == Decimal("25.0")  # 250 of the 1,000 whose online count is known
    assert own.with_usage_known == 1
    assert statutory.availability is None and statutory.usage is None


def test_the_kpi_contribution_says_when_the_inventory_last_changed():
    from django.utils import timezone

    ProcedureFactory(annual_applications=100)

    (source,) = kpi_sources()["10-2 a"]
    assert source([2022])[2022].as_of == timezone.localdate()


def test_the_kpi_source_states_its_rule_and_lists_what_it_counts():
    ProcedureFactory(code="P-1", name="願書", annual_applications=17_000, digitised=True)
    ProcedureFactory(
        code="P-2", annual_applications=900, digitised=True, digitised_on=date(2023, 5, 1)
    )
    ProcedureFactory(code="P-3", annual_applications=500, is_priority=False, digitised=True)
    ProcedureFactory(code="P-4", annual_applications=800)

    (source,) = kpi_sources()["10-2 a"]

    assert "受付件数ベース" in str(source.rule)
    (record,) = source.records(2022)  # P-2 was digitised in R5; P-3 is not a priority one
    assert record["reference"].startswith("P-1 願書")
    assert record["date"] == date(2021, 10, 1)
    assert record["detail"] == "年間受付件数 17,000件"
    assert [r["reference"][:3] for r in source.records(2023)] == ["P-1", "P-2"]


@pytest.mark.parametrize("count", [3, 400])
def test_the_drill_down_records_take_one_query(django_assert_num_queries, count):
    ProcedureFactory.create_batch(count, digitised=True)
    (source,) = kpi_sources()["10-2 a"]

    with django_assert_num_queries(1):
        records = source.records(2022)

    assert len(records) == count
