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
