"""Writes to the procedure inventory. Every change is in the audit log (ids, states and the
names of changed fields: a procedure holds no personal data, but the rule is the same)."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from mie_dx.audit import log_action
from procedures.models import InventorySurvey, Procedure
from procedures.selectors import can_edit_division


class ProcedureError(Exception):
    """A change the inventory's rules do not allow."""


def record_saved(
    *, procedure: Procedure, created: bool, changed: list[str], by: AbstractBaseUser | None
) -> None:
    """Log a procedure saved by the admin or an import (the row is saved by the caller)."""
    if created:
        log_action(
            procedure,
            "procedure.created",
            by=by,
            data={"code": procedure.code, "status": procedure.status},
        )
    elif changed:
        log_action(procedure, "procedure.updated", by=by, data={"fields": sorted(changed)})


def mark_digitised(
    *, procedure: Procedure, on: date, online_url: str = "", by: AbstractBaseUser | None
) -> Procedure:
    """デジタル化済 from `on`. Locks the procedure's row."""
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if by is not None and not can_edit_division(by, locked.division_id):
            raise PermissionDenied
        if locked.status == Procedure.Status.OUT_OF_SCOPE:
            raise ProcedureError("対象外の手続はデジタル化済にできません。")
        previous = locked.status
        locked.status = Procedure.Status.DIGITISED
        locked.digitised_on = on
        fields = ["status", "digitised_on", "updated_at"]
        if online_url:
            locked.online_url = online_url
            fields.append("online_url")
        locked.save(update_fields=fields)
        log_action(
            locked,
            "procedure.digitised",
            by=by,
            data={"from": previous, "to": locked.status, "digitised_on": on.isoformat()},
        )
    return locked


def move_to_adjustment(*, procedure: Procedure, reason: str, by: AbstractBaseUser | None) -> None:
    """要調整: leaves the plan (no planned year), stays in the KPI's denominator."""
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if by is not None and not can_edit_division(by, locked.division_id):
            raise PermissionDenied
        if not reason.strip():
            raise ProcedureError("要調整の理由を入力してください。")
        previous = locked.plan_label
        locked.plan = Procedure.Plan.NEEDS_ADJUSTMENT
        locked.planned_fiscal_year = None
        locked.adjustment_reason = reason.strip()
        locked.save(
            update_fields=["plan", "planned_fiscal_year", "adjustment_reason", "updated_at"]
        )
        log_action(
            locked, "procedure.plan_changed", by=by, data={"from": previous, "to": locked.plan}
        )


def mark_out_of_scope(*, procedure: Procedure, by: AbstractBaseUser | None) -> None:
    """対象外: leaves the KPI's denominator."""
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if by is not None and not can_edit_division(by, locked.division_id):
            raise PermissionDenied
        previous = locked.status
        locked.status = Procedure.Status.OUT_OF_SCOPE
        locked.save(update_fields=["status", "updated_at"])
        log_action(
            locked, "procedure.status_changed", by=by, data={"from": previous, "to": locked.status}
        )


def record_survey_saved(
    *,
    survey: InventorySurvey,
    created: bool,
    changed: list[str],
    rows: dict[str, int],
    by: AbstractBaseUser | None,
) -> None:
    """Log a survey record saved by the admin (the survey and its rows are saved by the caller,
    in the admin's one transaction): which fields changed and how many rows were added,
    changed and deleted."""
    if created:
        log_action(survey, "procedure.survey_created", by=by, data={"rows": rows})
    elif changed or any(rows.values()):
        log_action(
            survey,
            "procedure.survey_updated",
            by=by,
            data={"fields": sorted(changed), "rows": rows},
        )
