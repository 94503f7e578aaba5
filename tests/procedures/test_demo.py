"""The demo: the survey's own record reproduces the seed's table (§7 2-1) and figures; the live
inventory follows the 方針 (every priority procedure planned by R6) and gives R3's 39 %."""

from datetime import date
from decimal import Decimal

import pytest

from kpi.demo import load_kpis
from mie_dx.demo import load_organisation
from procedures import selectors
from procedures.demo import load_procedures
from procedures.models import InventorySurvey, Procedure

pytestmark = pytest.mark.django_db

# The seed's table: (procedures, applications, % of procedures, % of applications).
SEED = {
    "独自": {
        "R2": (26, 27_674, 23, 20),
        "R3": (25, 15_732, 23, 11),
        "R4": (8, 39_983, 7, 29),
        "R5": (2, 250, 2, 0),
        "R6": (1, 434, 1, 0),
        "R9以降": (12, 9_557, 11, 7),
        "要調整": (37, 43_307, 33, 32),
    },
    "法定": {
        "R2": (30, 289_153, 9, 35),
        "R3": (17, 48_128, 5, 6),
        "R4": (4, 860, 1, 0),
        "R5": (28, 13_551, 8, 2),
        "R6": (21, 116_253, 6, 14),
        "R9以降": (158, 183_059, 45, 22),
        "要調整": (91, 168_149, 26, 21),
    },
}
TOTALS = {"独自": (111, 136_937), "法定": (349, 819_153)}


def load_procedures_demo() -> None:
    """What the procedures' demo stands on — the organisation and the KPIs (10-2 a's targets) —
    and the procedures' own loader, as `load_demo` runs them (the rest of the demo is not
    needed here and costs seconds per test)."""
    load_organisation()
    load_procedures()
    load_kpis()


@pytest.fixture
def demo():
    load_procedures_demo()


def table_as_dict(table) -> dict:
    labels = [label for _key, label in table.columns]
    return {
        row.label: {
            label: (c.procedures, c.applications, c.procedure_share, c.application_share)
            for label, c in zip(labels, row.cells, strict=True)
        }
        for row in table.rows
    }


def test_the_survey_record_reproduces_the_seeds_table(demo):
    survey = selectors.latest_survey()
    table = selectors.survey_table(survey)

    assert [label for _key, label in table.columns] == list(SEED["独自"])
    assert {row.label: (row.total.procedures, row.total.applications) for row in table.rows} == (
        TOTALS
    )
    assert table_as_dict(table) == SEED
    assert table.priority is None  # the survey's table has no priority row


def test_the_survey_record_holds_the_seeds_inventory_wide_figures(demo):
    survey = InventorySurvey.objects.get()

    assert (survey.conducted_from, survey.conducted_to) == (date(2021, 12, 14), date(2022, 1, 14))
    assert survey.published_label == "令和4年4月"
    assert (survey.all_procedures, survey.all_applications) == (4_273, 987_514)
    assert (survey.own_procedures, survey.own_procedures_over_100) == (1_337, 111)
    assert (survey.priority_procedures, survey.priority_applications) == (75, 110_145)
    assert survey.own_digitised_share == 31
    assert (survey.own_digitised_applications_approx, survey.own_applications_approx) == (
        46_000,
        148_000,
    )
    assert (survey.aim_fiscal_year, survey.aim_own_share, survey.aim_statutory_share) == (
        2024,
        74,
        78,
    )
    assert survey.rows.count() == 14


def test_the_live_schedule_has_every_priority_procedure_planned_by_r6(demo):
    """The inventory follows the 方針: the survey's table, except that the priority procedures
    it put in R9以降 (12, 9,557 applications) and 要調整 (3, 16,964) are planned for R6."""
    table = selectors.schedule_table()

    expected = {kind: dict(columns) for kind, columns in SEED.items()}
    expected["独自"]["R6"] = (1 + 12 + 3, 434 + 9_557 + 16_964, 14, 20)
    expected["独自"]["R9以降"] = (0, 0, 0, 0)
    expected["独自"]["要調整"] = (37 - 3, 43_307 - 16_964, 31, 19)
    assert table_as_dict(table) == expected
    assert {row.label: (row.total.procedures, row.total.applications) for row in table.rows} == (
        TOTALS
    )
    priority = {label: (c.procedures, c.applications) for (_k, label), c in zip(
        table.columns, table.priority.cells, strict=True)}  # fmt: skip
    assert (table.priority.total.procedures, table.priority.total.applications) == (75, 110_145)
    assert priority == {
        "R2": (26, 27_674),
        "R3": (23, 15_283),
        "R4": (8, 39_983),
        "R5": (2, 250),
        "R6": (1 + 12 + 3, 434 + 9_557 + 16_964),
        "R9以降": (0, 0),
        "要調整": (0, 0),
    }
    brought_forward = Procedure.objects.filter(is_priority=True, planned_fiscal_year=2024)
    assert brought_forward.filter(notes__contains="R6へ前倒し").count() == 12
    assert brought_forward.filter(notes__contains="調査時点は要調整").count() == 3


def test_the_planned_path_reaches_100_percent_in_r6(demo):
    # By hand: R2 27,674 + R3 15,283 = 42,957 digitised by R3; + R4 39,983 = 82,940;
    # + R5 250 = 83,190; + R6 26,955 = 110,145 — of 110,145.
    progress, _shares = selectors.progress_against_targets(selectors.digitisation_plan())
    planned = {row.label: row.planned_share for row in progress}

    assert planned == {
        "R3": Decimal("39.0"),
        "R4": Decimal("75.3"),
        "R5": Decimal("75.5"),
        "R6": Decimal("100.0"),
        "R7": Decimal("100.0"),
        "R8": Decimal("100.0"),
    }
    # The KPI's targets, read from the KPI app (loaded by the demo too).
    assert {row.label: row.target.value for row in progress if row.target} == {
        "R4": 76, "R5": 92, "R6": 100, "R7": 100, "R8": 100
    }  # fmt: skip


def test_the_demo_has_75_priority_procedures_and_the_39_percent_baseline(demo):
    share = selectors.digitised_share(2021)

    assert (share.procedures, share.applications) == (75, 110_145)
    assert share.by_applications == Decimal("39.0")


def test_the_demo_names_the_seeds_r4_procedures_and_marks_generated_rows(demo):
    real = Procedure.objects.filter(is_sample=False)
    assert sorted((p.name, p.form_name, p.annual_applications) for p in real) == sorted(
        [
            ("三重県立高等学校入学", "願書", 17_000),
            ("三重県立高等学校入学", "確約書（前期選抜等）", 8_000),
            ("三重県立高等学校入学", "確約書（スポーツ特別枠選抜）", 140),
            ("三重おもいやり駐車場利用証", "新規・更新交付申請書", 12_600),
            ("三重おもいやり駐車場利用証", "再交付申請書", 1_400),
            ("三重県太陽光発電施設の適正導入に係るガイドライン", "事業概要書", 100),
        ]
    )
    assert all(p.plan_label == "R4" and p.is_priority for p in real)
    generated = Procedure.objects.filter(is_sample=True)
    assert generated.count() == 454
    assert not generated.exclude(code__startswith="SAMPLE-").exists()
    assert not generated.exclude(name__startswith="【サンプル】").exists()


def test_loading_the_demo_twice_changes_nothing(demo):
    changed = Procedure.objects.get(code="MIE-R4-01")
    changed.notes = "職員が修正"
    changed.save()

    load_procedures_demo()

    assert Procedure.objects.count() == 460
    assert Procedure.objects.get(code="MIE-R4-01").notes == "職員が修正"
    assert InventorySurvey.objects.count() == 1
    assert InventorySurvey.objects.get().rows.count() == 14
