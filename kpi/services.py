"""Writes of the KPI app: actuals entered by managers."""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kpi.models import Kpi, KpiActual
from mie_dx.audit import log_action
from mie_dx.users import acting_user


class KpiError(Exception):
    """The figure cannot be recorded; the message is shown to the manager."""


@transaction.atomic
def enter_actual(
    *,
    kpi: Kpi,
    fiscal_year: int,
    value: Decimal | None,
    by: AbstractBaseUser | AnonymousUser | None,
    note: str = "",
    grade: str = "",
) -> KpiActual:
    """Record (or correct) the actual of `kpi` for `fiscal_year`; for a year the portal computes,
    only the grade (進展度) and the note (`value` None).

    Locks the existing row of that KPI and year, if any. The field history (every value,
    grade and note, who and when) is the row's django-simple-history; the audit log records
    the action, who did it and for which KPI and year — not the values a second time.
    """
    problem = value_problem(kpi, fiscal_year, value)
    if problem:
        raise KpiError(problem)
    actual = KpiActual.objects.select_for_update().filter(kpi=kpi, fiscal_year=fiscal_year).first()
    existed = actual is not None
    if actual is None:
        actual = KpiActual(kpi=kpi, fiscal_year=fiscal_year)
    actual.value = None if value is None else Decimal(value)
    actual.note = note
    actual.grade = grade
    actual.entered_by = acting_user(by)
    actual.entered_at = timezone.now()
    actual._history_user = actual.entered_by  # simple-history: who, also outside a request
    actual.save()
    log_action(
        actual,
        "kpi.actual_corrected" if existed else "kpi.actual_entered",
        by=by,
        data={"kpi": kpi.code, "fiscal_year": fiscal_year},
    )
    return actual


def value_problem(kpi: Kpi, fiscal_year: int, value: Decimal | None) -> str:
    """Why `value` cannot be recorded for that year ("" when it can): a year the portal
    computes takes no value (its grade and note only); any other year needs one."""
    if kpi.is_computed_in(fiscal_year):
        if value is not None:
            return gettext(
                "この年度の実績はポータルの記録から集計されるため、手入力できません。"
                "実績値は空欄のまま、進展度と備考だけを入力してください。"
            )
        return ""
    return gettext("実績値を入力してください。") if value is None else ""
