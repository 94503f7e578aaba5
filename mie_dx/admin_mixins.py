"""What every app's admin shares: the personal-data guard and the audit log on each object.

PersonalDataAdminMixin — one guard for people's details. Each app has a `view_personal_data`
permission (on the model that holds the people); staff without it (managers) never see a
personal field: not in the form, the change list, the search, the filters, a URL lookup, an
export column, nor in the change form's own sections (templates test
`can_view_personal_data`). Declare on the ModelAdmin:

    personal_fields = ("name", "name_kana", "email", "phone", "organization")
    personal_display = ("attachment_link",)   # admin methods that show personal data
    personal_permission = "seminars.view_personal_data"  # default: <app>.view_personal_data

AuditLogAdminMixin — the object's entries of mie_dx.audit, shown in a section of its change
page with the staff member's full name ("本人・システム" when nobody signed in acted).

LoggedSaveAdminMixin — the one generic save for plain reference data (no rules beyond its
form's): saved as the form says and logged once. A change with rules goes through its app's
service instead.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from mie_dx.audit import entries_for, log_action, save_changes, save_new
from mie_dx.registry import audit_action_labels

if TYPE_CHECKING:
    # The shapes of the admin's options, as django-stubs spells them.
    from django.contrib.admin.options import _FieldGroups, _ListDisplayT, _ListFilterT
    from django.contrib.auth.models import AnonymousUser, User
    from django.forms import BaseModelForm, BaseModelFormSet
    from django.utils.datastructures import _ListOrTuple
    from django_stubs_ext import FieldOpts, FieldsetSpec, StrOrPromise

    # What the mixins below are mixed into (for mypy; at run time they stand alone).
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object

_Name = TypeVar("_Name")


class FieldsetsChain(_ModelAdmin):
    """Lets several mixins adjust the fieldsets, also of an admin that builds its own.

    An admin overriding get_fieldsets ends with `return self.finish_fieldsets(request, obj,
    fieldsets)`; each mixin's finish_fieldsets transforms and passes on. (Fieldsets built in
    a variable first are typed `django_stubs_ext.FieldsetSpec`, as the admin's own are.)
    """

    def get_fieldsets(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> "FieldsetSpec":
        return self.finish_fieldsets(request, obj, super().get_fieldsets(request, obj))

    def finish_fieldsets(
        self, request: HttpRequest, obj: models.Model | None, fieldsets: "FieldsetSpec"
    ) -> "FieldsetSpec":
        return fieldsets


class PersonalDataAdminMixin(FieldsetsChain):
    personal_fields: tuple[str, ...] = ()
    personal_display: tuple[str, ...] = ()
    personal_permission: str | None = None

    def has_personal_data_permission(self, request: HttpRequest) -> bool:
        permission = self.personal_permission or f"{self.opts.app_label}.view_personal_data"
        return request.user.has_perm(permission)

    @property
    def _hidden(self) -> frozenset[str]:
        return frozenset((*self.personal_fields, *self.personal_display))

    def _without_personal(self, request: HttpRequest, names: Iterable[_Name]) -> list[_Name]:
        if self.has_personal_data_permission(request):
            return list(names)
        return [name for name in names if _name_of(name) not in self._hidden]

    # Forms and change pages.
    def finish_fieldsets(
        self, request: HttpRequest, obj: models.Model | None, fieldsets: "FieldsetSpec"
    ) -> "FieldsetSpec":
        fieldsets = super().finish_fieldsets(request, obj, fieldsets)
        if self.has_personal_data_permission(request):
            return fieldsets
        hidden = self._hidden
        guarded: list[tuple[StrOrPromise | None, FieldOpts]] = []
        for title, options in fieldsets:
            fields = [f for f in options.get("fields", ()) if _name_of(f) not in hidden]
            if fields:
                guarded.append((title, {**options, "fields": fields}))
        return guarded

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> "_FieldGroups":
        return self._without_personal(request, super().get_fields(request, obj))

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> "_ListOrTuple[str]":
        return self._without_personal(request, super().get_readonly_fields(request, obj))

    def get_exclude(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> "_ListOrTuple[str] | None":
        excluded = super().get_exclude(request, obj)
        if self.has_personal_data_permission(request):
            return excluded
        return [*(excluded or ()), *self.personal_fields]

    # Change lists.
    def get_list_display(self, request: HttpRequest) -> "_ListDisplayT[Any]":
        return self._without_personal(request, super().get_list_display(request))

    def get_list_display_links(
        self, request: HttpRequest, list_display: "_ListDisplayT[Any]"
    ) -> "_ListDisplayT[Any]":
        links = super().get_list_display_links(request, list_display)
        if links is None:
            return links
        kept = [name for name in links if name in list_display]
        return kept or list(list_display[:1])

    def get_search_fields(self, request: HttpRequest) -> "_ListOrTuple[str]":
        return self._without_personal(request, super().get_search_fields(request))

    def get_list_filter(self, request: HttpRequest) -> "_ListOrTuple[_ListFilterT]":
        return self._without_personal(request, super().get_list_filter(request))

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        """Filtering by a personal field through the URL (?email__startswith=…) would reveal
        it through the counts. A refused lookup is a 400 in the change list."""
        if not self.has_personal_data_permission(request):
            field_name = lookup.split(LOOKUP_SEP, 1)[0]
            if field_name in self._hidden:
                return False
        return super().lookup_allowed(lookup, value, request)

    # The object's own sections (templates) and history.
    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_view_personal_data": self.has_personal_data_permission(request),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)


def _name_of(field: object) -> str:
    """A fieldsets entry may be a name or a tuple of names on one line."""
    return field if isinstance(field, str) else ""


class AuditLogAdminMixin(FieldsetsChain):
    """Adds the read-only 「操作記録」 section to the object's change page."""

    audit_log_fieldset_title = _("操作記録")

    def finish_fieldsets(
        self, request: HttpRequest, obj: models.Model | None, fieldsets: "FieldsetSpec"
    ) -> "FieldsetSpec":
        fieldsets = list(super().finish_fieldsets(request, obj, fieldsets))
        if obj is None:
            return fieldsets
        return [
            *fieldsets,
            (self.audit_log_fieldset_title, {"fields": ["audit_log"], "classes": ["collapse"]}),
        ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> "_ListOrTuple[str]":
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if obj is None else [*readonly, "audit_log"]

    @admin.display(description=_("操作記録"))
    def audit_log(self, obj: models.Model) -> str:
        labels = audit_action_labels()
        entries = [
            {
                "at": entry.created_at,
                "action": labels.get(entry.action, entry.action),
                "user": entry.user,
                "data": entry.data,
            }
            for entry in entries_for(obj)
        ]
        return render_to_string("admin/includes/audit_log.html", {"entries": entries})


class ErasePersonalDataMixin(_ModelAdmin):
    """The one admin action that erases people's data on their request (mie_dx.erasure), for
    staff who may both change the objects and see the personal data (the app's
    `view_personal_data`). Add "erase_personal_data" to `actions` and implement
    `erase_one(obj, by=...)`: the app's erasure service, raising ValueError when the object
    still needs the person's details (a case still open, a registration still active).

    `still_needed_message` names the objects that were kept (%(items)s, each by
    `erase_label`), saying what to do first.
    """

    still_needed_message = _("%(items)s はまだ個人情報が必要なため削除できません。")

    def erase_one(self, obj: Any, *, by: "User | AnonymousUser") -> None:
        raise NotImplementedError

    def erase_label(self, obj: Any) -> str:
        return str(obj)

    def has_erase_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.has_perms(
            [f"{opts.app_label}.change_{opts.model_name}", f"{opts.app_label}.view_personal_data"]
        )

    @admin.action(description=_("個人情報を削除する（本人の求めによる）"), permissions=["erase"])
    def erase_personal_data(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        erased, kept = 0, []
        for obj in queryset:
            try:
                self.erase_one(obj, by=request.user)
            except ValueError:
                kept.append(self.erase_label(obj))
            else:
                erased += 1
        if erased:
            self.message_user(
                request,
                _("%(count)s件の%(objects)sの個人情報を削除しました。")
                % {"count": erased, "objects": self.opts.verbose_name},
                messages.SUCCESS,
            )
        if kept:
            self.message_user(
                request, self.still_needed_message % {"items": "、".join(kept)}, messages.ERROR
            )


class LoggedSaveAdminMixin(_ModelAdmin):
    """Plain reference data (a course, a period, a staff member's details) saved by the admin as
    its form says, and logged once, the same way in every app: `<audit_prefix>.created`,
    `<audit_prefix>.edited` (the names of the fields changed, never their values — and only
    those columns are written, as `mie_dx.audit.save_changes` explains) and
    `<audit_prefix>.deleted`; the rows of its inlines likewise. `audit_prefix` defaults to the
    app's label; the app's `audit_actions` name the three."""

    audit_prefix: str = ""

    def audit_action(self, verb: str) -> str:
        return f"{self.audit_prefix or self.opts.app_label}.{verb}"

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: "BaseModelForm[Any]", change: bool
    ) -> None:
        if change:
            save_changes(
                obj,
                fields=_concrete(obj, form.changed_data),
                by=request.user,
                action=self.audit_action("edited"),
            )
        else:
            save_new(obj, by=request.user, action=self.audit_action("created"))

    def save_formset(
        self,
        request: HttpRequest,
        form: "BaseModelForm[Any]",
        formset: "BaseModelFormSet[Any, Any]",
        change: bool,
    ) -> None:
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            self._log_and_delete(request, obj)
        for obj in formset.new_objects:
            save_new(obj, by=request.user, action=self.audit_action("created"))
        for obj, changed in formset.changed_objects:
            save_changes(
                obj,
                fields=_concrete(obj, changed),
                by=request.user,
                action=self.audit_action("edited"),
            )
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self._log_and_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            self._log_and_delete(request, obj)

    def _log_and_delete(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            log_action(obj, self.audit_action("deleted"), by=request.user)
            obj.delete()


def _concrete(obj: models.Model, names: Iterable[str]) -> list[str]:
    """The names among `names` that are columns of `obj` (a form's changed many-to-many
    fields are saved with the form's `save_m2m`)."""
    columns = {f.name for f in obj._meta.concrete_fields}
    return [name for name in names if name in columns]
