"""The audit log: one table, one function, for "who changed what and when" in every app.

Every service that changes something calls `log_action` in its own transaction::

    log_action(seminar, "seminar.published", by=user)
    log_action(consultation, "consultation.status_changed", by=user,
               data={"from": "received", "to": "triage"})

`by` is the staff member who acted, or None when the requester (through a private link) or
the system (a scheduled task) did. `data` holds identifiers, states and the names of changed
fields, not a person's details: the admin shows it to every staff member who can open the
object. Each object's admin page lists its entries (mie_dx.admin_mixins.AuditLogAdminMixin).
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction

from mie_dx.models import AuditLog
from mie_dx.users import acting_user


def log_action(
    obj: models.Model,
    action: str,
    *,
    by: AbstractBaseUser | AnonymousUser | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Record that `action` ("app.verb", e.g. "seminar.cancelled") happened to `obj`."""
    from django.contrib.contenttypes.models import ContentType

    return AuditLog.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
        action=action,
        user=acting_user(by),
        data=data or {},
    )


def entries_for(obj: models.Model) -> models.QuerySet[AuditLog]:
    """The object's entries, oldest first, with the acting staff member loaded."""
    return AuditLog.objects.about(obj).select_related("user")


def save_changes(
    obj: models.Model,
    *,
    fields: list[str],
    by: AbstractBaseUser | AnonymousUser | None,
    action: str,
) -> None:
    """Save the fields staff changed in an admin form, and log which (never their values).

    Only those columns (and auto_now ones): the person may have cancelled, the record been
    erased or a task marked it since the page was loaded, and writing every column would
    undo that.
    """
    if not fields:
        return
    auto = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
    with transaction.atomic():
        obj.save(update_fields=[*fields, *auto])
        log_action(obj, action, by=by, data={"fields": sorted(fields)})


def save_new(
    obj: models.Model,
    *,
    by: AbstractBaseUser | AnonymousUser | None,
    action: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Save a new row of plain reference data (a course, a period, a staff member's details)
    and log it: the counterpart of `save_changes`. A row with rules of its own is created by
    its app's service instead."""
    with transaction.atomic():
        obj.save(force_insert=True)
        log_action(obj, action, by=by, data=data)
