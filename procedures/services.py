"""Writes to the procedure inventory: one service per named change, each in one transaction,
logged once (mie_dx.audit: ids, states and the names of changed fields — a procedure holds no
personal data, but the rule is the same).

- `register_procedure` — a new procedure (`procedure.created`);
- `edit_details` — its name, division, applications, … (`procedure.updated`);
- `change_plan` — 年度 / R9以降 / 要調整 with its reason (`procedure.plan_changed`);
- `change_status` — 未着手 / 対応中 / デジタル化済 with its date (`procedure.digitised`) /
  対象外 (`procedure.status_changed`);
- `update_procedure` — an edit from the admin's form or an import row, each changed part
  through the service above that names it.

The admin and the import (procedures.resources) call these and nothing else. Each checks the
record's rules (`Procedure.clean` and its constraints: a `ValidationError` keyed by field) and
that `by` may edit the division (`PermissionDenied`; `by=None` is a command).
"""

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from mie_dx.audit import log_action
from mie_dx.pagecache import bump
from procedures.models import (
    MIN_PARTICIPANTS,
    PARTICIPANT_MUNICIPALITIES,
    InventorySurvey,
    JointInitiative,
    JointInitiativeMunicipality,
    Procedure,
)
from procedures.selectors import can_edit_division

PLAN_FIELDS = ("plan", "planned_fiscal_year", "adjustment_reason")
STATUS_FIELDS = ("status", "digitised_on")
# What the log compares of a joint initiative (not its timestamps).
INITIATIVE_FIELDS = [
    f
    for f in JointInitiative._meta.concrete_fields
    if f.name not in ("id", "created_at", "updated_at")
]
DETAIL_FIELDS = (
    "code",
    "name",
    "form_name",
    "division",
    "kind",
    "annual_applications",
    "applications_fiscal_year",
    "is_priority",
    "needs_e_signature",
    "needs_e_payment",
    "online_url",
    "online_applications",
    "notes",
)


def _check_division(by: AbstractBaseUser | AnonymousUser | None, division_id: int | None) -> None:
    if by is not None and not can_edit_division(by, division_id):
        raise PermissionDenied


def _lock(procedure: Procedure, by: AbstractBaseUser | AnonymousUser | None) -> Procedure:
    """The procedure's row, locked, once `by` may edit its division."""
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    _check_division(by, locked.division_id)
    return locked


def _validate(procedure: Procedure, fields: Collection[str]) -> None:
    """The record's rules about `fields`: their own checks, `Procedure.clean` and the
    constraints on them (a ValidationError keyed by field)."""
    exclude = [f.name for f in Procedure._meta.concrete_fields if f.name not in fields]
    procedure.full_clean(exclude=exclude)


def _plan_value(plan: str, planned_fiscal_year: int | None) -> str:
    """「2022」, 「r9_or_later」 or 「needs_adjustment」: the survey's column values."""
    if plan == Procedure.Plan.FISCAL_YEAR:
        return str(planned_fiscal_year)
    return str(plan)


def register_procedure(
    *, procedure: Procedure, by: AbstractBaseUser | AnonymousUser | None
) -> Procedure:
    """Add `procedure` to the inventory: a new row whose fields the admin's form or an import
    row set, checked as a whole before it is saved."""
    with transaction.atomic():
        _check_division(by, procedure.division_id)
        procedure.full_clean()
        procedure.save(force_insert=True)
        log_action(
            procedure,
            "procedure.created",
            by=by,
            data={"code": procedure.code, "status": procedure.status},
        )
    return procedure


def edit_details(
    *, procedure: Procedure, changes: Mapping[str, Any], by: AbstractBaseUser | AnonymousUser | None
) -> Procedure:
    """Change what describes the procedure (`DETAIL_FIELDS`: name, division, applications,
    …); not its plan nor its status, which have their own services. Locks its row; moving it
    to another division needs both divisions."""
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not details of a procedure: {sorted(unknown)}")
    if not changes:
        return procedure
    with transaction.atomic():
        locked = _lock(procedure, by)
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_division(by, locked.division_id)
        _validate(locked, changes)
        locked.save(update_fields=[*changes, "updated_at"])
        log_action(locked, "procedure.updated", by=by, data={"fields": sorted(changes)})
    return locked


def change_plan(
    *,
    procedure: Procedure,
    plan: str,
    planned_fiscal_year: int | None = None,
    adjustment_reason: str | None = None,
    by: AbstractBaseUser | AnonymousUser | None,
) -> Procedure:
    """The plan: a fiscal year (`planned_fiscal_year`), R9以降, or 要調整 with its reason
    (`adjustment_reason`; None keeps the recorded one). 要調整 leaves the plan but stays in
    the KPI's denominator. Locks the row."""
    with transaction.atomic():
        locked = _lock(procedure, by)
        before = {name: getattr(locked, name) for name in PLAN_FIELDS}
        locked.plan = plan
        locked.planned_fiscal_year = planned_fiscal_year
        if adjustment_reason is not None:
            locked.adjustment_reason = adjustment_reason
        changed = [name for name in PLAN_FIELDS if getattr(locked, name) != before[name]]
        if not changed:
            return locked
        _validate(locked, PLAN_FIELDS)
        locked.save(update_fields=[*changed, "updated_at"])
        log_action(
            locked,
            "procedure.plan_changed",
            by=by,
            data={
                "from": _plan_value(before["plan"], before["planned_fiscal_year"]),
                "to": _plan_value(locked.plan, locked.planned_fiscal_year),
                "fields": changed,
            },
        )
    return locked


def change_status(
    *,
    procedure: Procedure,
    status: str,
    digitised_on: date | None = None,
    by: AbstractBaseUser | AnonymousUser | None,
) -> Procedure:
    """The status: 未着手, 対応中, デジタル化済 (from `digitised_on`, which it needs) or 対象外
    (which leaves the KPI's denominator). Locks the row."""
    with transaction.atomic():
        locked = _lock(procedure, by)
        before = (locked.status, locked.digitised_on)
        locked.status = status
        locked.digitised_on = digitised_on
        if (locked.status, locked.digitised_on) == before:
            return locked
        _validate(locked, STATUS_FIELDS)
        locked.save(update_fields=[*STATUS_FIELDS, "updated_at"])
        data: dict[str, Any] = {"from": before[0], "to": locked.status}
        if digitised_on is not None:
            data["digitised_on"] = digitised_on.isoformat()
        action = (
            "procedure.digitised"
            if locked.status == Procedure.Status.DIGITISED
            else "procedure.status_changed"
        )
        log_action(locked, action, by=by, data=data)
    return locked


def update_procedure(
    *, procedure: Procedure, changes: Mapping[str, Any], by: AbstractBaseUser | AnonymousUser | None
) -> Procedure:
    """An edit from the admin's form or an import row: `changes` (field name → new value,
    only what changed) in one transaction, each part through its service — the details, then
    the plan, then the status. Nothing is saved if any part is refused."""
    unknown = set(changes) - {*DETAIL_FIELDS, *PLAN_FIELDS, *STATUS_FIELDS}
    if unknown:
        raise ValueError(f"not fields of a procedure: {sorted(unknown)}")
    with transaction.atomic():
        current = procedure
        details = {name: value for name, value in changes.items() if name in DETAIL_FIELDS}
        if details:
            current = edit_details(procedure=current, changes=details, by=by)
        if any(name in changes for name in PLAN_FIELDS):
            current = change_plan(
                procedure=current,
                plan=changes.get("plan", current.plan),
                planned_fiscal_year=changes.get("planned_fiscal_year", current.planned_fiscal_year),
                adjustment_reason=changes.get("adjustment_reason", current.adjustment_reason),
                by=by,
            )
        if any(name in changes for name in STATUS_FIELDS):
            current = change_status(
                procedure=current,
                status=changes.get("status", current.status),
                digitised_on=changes.get("digitised_on", current.digitised_on),
                by=by,
            )
    return current


def record_survey_saved(
    *,
    survey: InventorySurvey,
    created: bool,
    changed: list[str],
    rows: dict[str, int],
    by: AbstractBaseUser | AnonymousUser | None,
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


# --- Joint initiatives with the municipalities (KPI 10-2 b) -----------------------------------


def save_initiative(
    *,
    initiative: JointInitiative,
    municipalities: Collection[str],
    by: AbstractBaseUser | AnonymousUser | None,
) -> JointInitiative:
    """Register (no pk yet) or change a joint initiative and the municipalities taking part —
    the one write path of the admin and the import. The record is checked as a whole
    (`JointInitiative.clean`, its fields) and needs at least two of the portal's municipalities:
    otherwise a `ValidationError` keyed by field and nothing is saved. Logged once,
    `joint_initiative.created` or `joint_initiative.updated` with the fields that changed."""
    wanted = list(dict.fromkeys(municipalities))
    known = {value for value, _label in PARTICIPANT_MUNICIPALITIES}
    errors: dict[str, list[ValidationError]] = {}
    unknown = [value for value in wanted if value not in known]
    if unknown:
        message = gettext("三重県内の市町から選んでください（%(values)s）。") % {
            "values": "、".join(unknown)
        }
        errors["municipalities"] = [ValidationError(message, code="unknown_municipality")]
    elif len(wanted) < MIN_PARTICIPANTS:
        errors["municipalities"] = [
            ValidationError(too_few_municipalities_message(), code="too_few_municipalities")
        ]
    try:
        initiative.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)

    created = initiative.pk is None
    with transaction.atomic():
        if created:
            before: dict[str, Any] = {}
            current: set[str] = set()
            initiative.save(force_insert=True)
        else:
            locked = JointInitiative.objects.select_for_update().get(pk=initiative.pk)
            before = {f.attname: getattr(locked, f.attname) for f in INITIATIVE_FIELDS}
            current = set(locked.participants.values_list("municipality", flat=True))
            initiative.save()
        added = [value for value in wanted if value not in current]
        removed = current - set(wanted)
        if removed:
            initiative.participants.filter(municipality__in=removed).delete()
        JointInitiativeMunicipality.objects.bulk_create(
            JointInitiativeMunicipality(initiative=initiative, municipality=value)
            for value in added
        )
        if created:
            log_action(
                initiative,
                "joint_initiative.created",
                by=by,
                data={
                    "code": initiative.code,
                    "fiscal_year_started": initiative.fiscal_year_started,
                    "municipalities": len(wanted),
                },
            )
        else:
            changed = sorted(
                f.name
                for f in INITIATIVE_FIELDS
                if getattr(initiative, f.attname) != before[f.attname]
            )
            if added or removed:
                changed.append("municipalities")
            if changed:
                log_action(initiative, "joint_initiative.updated", by=by, data={"fields": changed})
    if added or removed:
        # bulk_create and a queryset delete send no signal the public page's cache follows.
        bump("municipal_dx")
    return initiative


def delete_initiative(
    *, initiative: JointInitiative, by: AbstractBaseUser | AnonymousUser | None
) -> None:
    """Remove a joint initiative recorded by mistake (logged with its code)."""
    with transaction.atomic():
        log_action(
            initiative,
            "joint_initiative.deleted",
            by=by,
            data={"code": initiative.code, "title": initiative.title},
        )
        initiative.delete()


def too_few_municipalities_message() -> str:
    return gettext(
        "参加市町を%(count)s市町以上選んでください（複数の市町と連携した取組を記録します）。"
    ) % {"count": MIN_PARTICIPANTS}
