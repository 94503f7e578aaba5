"""The demo reproduces the seed's survey table (§7 2-1) and the 39 % baseline of R3."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from procedures import selectors
from procedures.models import Procedure

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


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)


def test_the_demo_reproduces_the_seeds_schedule_table(demo):
    table = selectors.schedule_table()
    labels = [label for _key, label in table.columns]

    for row in table.rows:
        assert (row.total.procedures, row.total.applications) == TOTALS[row.label]
        got = {
            label: (c.procedures, c.applications, c.procedure_share, c.application_share)
            for label, c in zip(labels, row.cells, strict=True)
        }
        assert got == SEED[row.label]


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

    call_command("load_demo", verbosity=0)

    assert Procedure.objects.count() == 460
    assert Procedure.objects.get(code="MIE-R4-01").notes == "職員が修正"
