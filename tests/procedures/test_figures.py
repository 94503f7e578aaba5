"""The weighted digitised share (KPI 10-2 a), the schedule table and availability vs usage,
against values computed by hand."""

from datetime import date
from decimal import Decimal

import pytest

from mie_dx.registry import kpi_sources
from procedures import selectors, services
from procedures.models import Procedure
from tests.procedures.factories import ProcedureFactory

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


def test_adjustment_keeps_the_denominator_and_out_of_scope_leaves_it(procedure_officer):
    done = ProcedureFactory(annual_applications=2000, digitised=True)
    adjusted = ProcedureFactory(annual_applications=2000)
    dropped = ProcedureFactory(annual_applications=4000)
    assert selectors.digitised_share(2021).by_applications == Decimal("25.0")  # 2,000 / 8,000

    services.move_to_adjustment(procedure=adjusted, reason="来庁が前提", by=None)
    adjusted.refresh_from_db()
    assert adjusted.plan == Procedure.Plan.NEEDS_ADJUSTMENT
    assert adjusted.planned_fiscal_year is None
    assert selectors.digitised_share(2021).by_applications == Decimal("25.0")  # still 8,000

    services.mark_out_of_scope(procedure=dropped, by=None)
    share = selectors.digitised_share(2021)
    assert share.by_applications == Decimal("50.0")  # 2,000 / 4,000
    assert (share.procedures, share.digitised_procedures) == (2, 1)
    assert done.pk


def test_progress_against_the_targets_caps_achievement_at_one():
    ProcedureFactory(annual_applications=8000, digitised=True, digitised_on=date(2022, 9, 1))
    ProcedureFactory(annual_applications=2000)

    progress = {row.fiscal_year: row for row in selectors.progress_against_targets()}

    assert list(progress) == [2021, 2022, 2023, 2024, 2025, 2026]
    assert progress[2021].target is None  # the baseline year
    assert progress[2022].target == Decimal("76")
    assert progress[2022].by_applications == Decimal("80.0")
    assert progress[2022].achievement == Decimal("1.00")  # 80 / 76, capped
    assert progress[2023].achievement == Decimal("0.87")  # 80 / 92
    assert progress[2024].achievement == Decimal("0.80")  # 80 / 100


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
