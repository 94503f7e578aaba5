"""Writes of the KPI app: actuals entered by managers."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kpi.models import Kpi, KpiActual
from mie_dx.audit import log_action


class KpiError(Exception):
    """The figure cannot be recorded; the message is shown to the manager."""


@transaction.atomic
def enter_actual(
    *,
    kpi: Kpi,
    fiscal_year: int,
    value: Decimal,
    by: AbstractBaseUser | None,
    note: str = "",
    grade: str = "",
) -> KpiActual:
    """Record (or correct) the actual of `kpi` for `fiscal_year`.

    Locks the existing row of that KPI and year, if any. A correction keeps the previous value
    in the row's history (django-simple-history) and in the audit log.
    """
    if kpi.is_computed_in(fiscal_year):
        raise KpiError(
            gettext("この年度の実績はポータルの記録から集計されるため、手入力できません。")
        )
    actual = KpiActual.objects.select_for_update().filter(kpi=kpi, fiscal_year=fiscal_year).first()
    previous = None if actual is None else actual.value
    if actual is None:
        actual = KpiActual(kpi=kpi, fiscal_year=fiscal_year)
    actual.value = Decimal(value)
    actual.note = note
    actual.grade = grade
    actual.entered_by = by if by is not None and by.is_authenticated else None
    actual.entered_at = timezone.now()
    actual._history_user = actual.entered_by  # simple-history: who, also outside a request
    actual.save()
    log_action(
        actual,
        "kpi.actual_entered" if previous is None else "kpi.actual_corrected",
        by=by,
        data={
            "kpi": kpi.code,
            "fiscal_year": fiscal_year,
            "value": str(actual.value),
            **({} if previous is None else {"previous": str(previous)}),
            "grade": grade,
        },
    )
    return actual
