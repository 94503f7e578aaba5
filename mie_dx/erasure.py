"""Erasing a person's data: one routine for every app, on request and after the retention period.

`erase_personal_data(obj, ...)` blanks the person's fields on the object the same way in every
app (`blank_value`), the personal text in related rows the app names, and every copy the
portal made of them:
- the e-mails about the object (address, subject, bodies, attachment), pending ones cancelled;
- the audit log entries about the object (any string in their data holding an erased value);
- the field-level history (django-simple-history) of the object, if it has one;
- the name Django's admin history gives the object (`object_repr`);
and journals the erasure (ids and time only, mie_dx.backup) so that restoring an older backup
erases the person again.

Each app decides *when* a record may be erased (its own retention.py) and which related rows
carry personal text; this module decides *how*.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from mie_dx.audit import log_action
from mie_dx.backup import journal_erasure
from mie_dx.models import AuditLog, Notification

ERASED = "（削除済み）"
ERASED_EMAIL_DOMAIN = "invalid.invalid"  # RFC 2606: never delivered

_Model = TypeVar("_Model", bound=models.Model)


def blank_value(obj: models.Model, field: "models.Field[Any, Any]") -> Any:
    """What an erased field holds: the same rule in every app.

    E-mail: a unique, undeliverable placeholder (an address may be part of a uniqueness rule);
    an optional field: empty; a required text: （削除済み）; a file: no file.
    """
    if isinstance(field, models.EmailField):
        return f"erased-{obj.pk}@{ERASED_EMAIL_DOMAIN}"
    if isinstance(field, models.FileField):
        return ""
    if field.null and not isinstance(field, models.CharField | models.TextField):
        return None
    if field.blank:
        return ""
    return ERASED


def _personal_field(obj: models.Model, name: str) -> "models.Field[Any, Any]":
    # A person's details are the model's own columns, never the reverse side of a relation.
    return cast("models.Field[Any, Any]", obj._meta.get_field(name))


def _blanked(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: blank_value(obj, _personal_field(obj, name)) for name in names}


def _scrub(value: Any, secrets: Sequence[str]) -> Any:
    """`value` (JSON data) with every string holding one of `secrets` replaced by ERASED."""
    if isinstance(value, str):
        return ERASED if any(secret in value for secret in secrets) else value
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    return value


@transaction.atomic
def erase_personal_data(
    obj: _Model,
    *,
    fields: Iterable[str],
    related: Iterable[tuple[models.QuerySet[models.Model], Sequence[str]]] = (),
    also_about: Iterable[models.Model] = (),
    by: AbstractBaseUser | AnonymousUser | None = None,
    action: str,
    now: datetime | None = None,
) -> _Model:
    """Erase the person's data held by `obj` (locked by the caller) and every copy of it.

    `fields`: obj's personal fields; `related`: (queryset, fields) of related rows whose
    personal text goes too (notes, comments); `also_about`: other objects whose e-mails and
    log entries carry the same person (a survey, say). Sets `personal_data_erased_at` when
    the model has it, and logs `action` (with no personal data). Idempotent.
    """
    now = now or timezone.now()
    fields = list(fields)
    secrets = sorted(
        {
            value
            for name in fields
            if isinstance(value := getattr(obj, name), str) and len(value.strip()) >= 2
        },
        key=len,
        reverse=True,
    )
    for name, value in _blanked(obj, fields).items():
        field = obj._meta.get_field(name)
        if isinstance(field, models.FileField):
            stored = getattr(obj, name)
            if stored:
                stored.delete(save=False)
        setattr(obj, name, value)
    update = list(fields)
    if hasattr(obj, "personal_data_erased_at"):
        obj.personal_data_erased_at = now
        update.append("personal_data_erased_at")
    obj.save(update_fields=update)

    related_rows = []
    for queryset, names in related:
        for row in queryset:
            for name, value in _blanked(row, names).items():
                old = getattr(row, name)
                if isinstance(old, str) and len(old.strip()) >= 2:
                    secrets.append(old)
                setattr(row, name, value)
            row.save(update_fields=list(names))
            related_rows.append(row)

    subjects: list[models.Model] = [obj, *also_about, *related_rows]
    _erase_copies(subjects, fields=fields, secrets=secrets)
    log_action(obj, action, by=by)
    journal_erasure(obj, now=now)
    return obj


def _about(model_objects: Iterable[models.Model]) -> Q:
    query = Q(pk__in=[])
    for item in model_objects:
        content_type = ContentType.objects.get_for_model(item, for_concrete_model=False)
        query |= Q(content_type=content_type, object_id=item.pk)
    return query


def _erase_copies(subjects: list[models.Model], *, fields: list[str], secrets: list[str]) -> None:
    about = _about(subjects)
    mails = Notification.objects.filter(about)
    # A pending message would go out with the erased details: it is cancelled, not sent.
    mails.filter(status__in=[Notification.Status.PENDING, Notification.Status.SENDING]).update(
        status=Notification.Status.FAILED, last_error=ERASED
    )
    mails.update(
        to=f"erased@{ERASED_EMAIL_DOMAIN}",
        subject=ERASED,
        body_text="",
        body_html="",
        attachment_filename="",
        attachment_content=None,
    )
    if secrets:
        for entry in AuditLog.objects.filter(about):
            scrubbed = _scrub(entry.data, secrets)
            if scrubbed != entry.data:
                AuditLog.objects.filter(pk=entry.pk).update(data=scrubbed)

    for item in subjects:
        history = getattr(type(item), "history", None)
        if history is not None and hasattr(history, "model"):
            names = [n for n in fields if hasattr(history.model, n)] if item is subjects[0] else []
            if names:
                history.model.objects.filter(id=item.pk).update(**_blanked(item, names))
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=str(item.pk)
        ).update(object_repr=str(item)[:200])
