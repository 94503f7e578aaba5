"""Shared by the apps' demo loaders (`manage.py load_demo`)."""

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def create_missing(model: type[M], lookup: dict, values: dict) -> tuple[M, bool]:
    """The row matching `lookup`, created from `values` if it does not exist yet.

    An existing row is left exactly as it is: staff maintain the data in the admin (a supporter
    deactivated, a seminar corrected), and loading the demo data again must not undo their work.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is not None:
        return obj, False
    return model.objects.create(**lookup, **values), True


def load_organisation() -> dict[str, int]:
    """The bureau and division the seed names (デジタル社会推進局, デジタル戦略企画課).

    Codes are the portal's own: the seed gives none.
    """
    from mie_dx.models import Department, Division

    first = 2021  # the seed describes the organisation as of 令和3–4年度
    department, dept_created = create_missing(
        Department, {"code": "D10"}, {"name": "デジタル社会推進局", "first_fiscal_year": first}
    )
    _division, div_created = create_missing(
        Division,
        {"code": "D1001"},
        {"name": "デジタル戦略企画課", "department": department, "first_fiscal_year": first},
    )
    return {"departments_created": int(dept_created), "divisions_created": int(div_created)}
