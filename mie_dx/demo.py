"""Shared by the apps' demo loaders (`manage.py load_demo`)."""

from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def create_missing(
    model: type[M], lookup: dict[str, Any], values: dict[str, Any]
) -> tuple[M, bool]:
    """The row matching `lookup`, created from `values` if it does not exist yet.

    An existing row is left exactly as it is: staff maintain the data in the admin (a supporter
    deactivated, a seminar corrected), and loading the demo data again must not undo their work.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is not None:
        return obj, False
    return model._default_manager.create(**lookup, **values), True


# A generated organisation for the rest of the prefecture, so that staff rosters, procedures
# and 推進員 coverage have divisions to point at. Clearly marked: is_sample and 【サンプル】.
SAMPLE_PREFIX = "【サンプル】"
SAMPLE_DEPARTMENTS: list[tuple[str, str, list[str]]] = [
    ("S01", "総務部", ["総務課", "人事課", "財政課", "税務企画課"]),
    ("S02", "防災対策部", ["防災企画課", "災害対策課", "消防・保安課"]),
    ("S03", "医療保健部", ["医療政策課", "健康推進課", "薬務課", "食品安全課"]),
    ("S04", "子ども・福祉部", ["子育て支援課", "福祉監査課", "障がい福祉課"]),
    ("S05", "環境生活部", ["環境共生課", "廃棄物対策課", "くらし・交通安全課", "文化振興課"]),
    ("S06", "農林水産部", ["農業戦略課", "森林・林業経営課", "水産振興課"]),
    (
        "S07",
        "雇用経済部",
        ["雇用対策課", "中小企業・サービス産業振興課", "観光政策課", "企業誘致推進課"],
    ),
    ("S08", "県土整備部", ["道路企画課", "河川課", "建築開発課"]),
]


def load_organisation() -> dict[str, int]:
    """The bureau and division the seed names (デジタル社会推進局 D10, デジタル戦略企画課 D1001),
    and a generated sample for the rest of the prefecture (S01–S08, marked as samples).

    Codes are the portal's own: the seed gives none. Idempotent: existing rows are left as
    they are (`create_missing`).
    """
    from mie_dx.models import Department, Division

    first = 2021  # the seed describes the organisation as of 令和3–4年度
    counts = {"departments_created": 0, "divisions_created": 0}

    def department(code: str, name: str, *, is_sample: bool) -> Department:
        obj, created = create_missing(
            Department,
            {"code": code},
            {"name": name, "first_fiscal_year": first, "is_sample": is_sample},
        )
        counts["departments_created"] += created
        return obj

    def division(code: str, name: str, parent: Department, *, is_sample: bool) -> None:
        _obj, created = create_missing(
            Division,
            {"code": code},
            {
                "name": name,
                "department": parent,
                "first_fiscal_year": first,
                "is_sample": is_sample,
            },
        )
        counts["divisions_created"] += created

    digital = department("D10", "デジタル社会推進局", is_sample=False)
    division("D1001", "デジタル戦略企画課", digital, is_sample=False)
    for code, name, divisions in SAMPLE_DEPARTMENTS:
        parent = department(code, SAMPLE_PREFIX + name, is_sample=True)
        for number, division_name in enumerate(divisions, start=1):
            division(f"{code}{number:02d}", SAMPLE_PREFIX + division_name, parent, is_sample=True)
    return counts
