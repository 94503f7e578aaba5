"""The consultation list's filters: the case state, the age, sample data, who is in charge."""

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from consultations.models import OPEN_STATUSES, ConsultationQuerySet

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices
    from django.contrib.admin.views.main import ChangeList
    from django_stubs_ext import StrOrPromise

# A filter's choices: (value in the URL, label).
Lookups = list[tuple[str, "StrOrPromise"]]

PERSONAL_FIELDS = ("organization", "name", "name_kana", "email", "phone")
# The requester's private status link (it can withdraw the case): nobody filters by it.
SECRET_LOOKUPS = frozenset({"link_seed"})


class AgeFilter(admin.SimpleListFilter):
    title = gettext_lazy("受付からの経過")
    parameter_name = "age"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> Lookups:
        return [
            ("3", gettext_lazy("3日以内")),
            ("7", gettext_lazy("4〜7日")),
            ("30", gettext_lazy("8〜30日")),
            ("older", gettext_lazy("31日以上")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        bounds = {"3": (0, 3), "7": (3, 7), "30": (7, 30), "older": (30, None)}
        value = self.value()
        if value is None or value not in bounds:
            return queryset
        newest, oldest = bounds[value]
        queryset = queryset.filter(created_at__lte=now - timedelta(days=newest))
        if oldest is not None:
            queryset = queryset.filter(created_at__gt=now - timedelta(days=oldest))
        return queryset


def staff_name(user: User | None) -> str:
    """A staff member as people call them: the full name, the login name only without one."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class DefaultChoiceFilter(admin.SimpleListFilter):
    """A filter that applies its first choice when the URL names none (the default view),
    unless the URL filters the same column another way (`overridden_by` parameters), and
    offers "すべて" as a choice of its own instead of Django's unfiltered "All"."""

    parameter_name: str  # each filter names its own
    default_label: "StrOrPromise" = ""
    overridden_by: tuple[str, ...] = ()

    def overridden(self, request: HttpRequest) -> bool:
        if (
            request.method == "POST"
            and request.POST.get("action")
            and request.POST.get("select_across", "0") == "0"
        ):
            # An admin action on rows staff ticked: those rows, whatever the default view
            # (an ended case is erased from the "ended" view, which may not be in the URL).
            # "Select all N" keeps the view's filters, default included.
            return True
        return any(key.startswith(self.overridden_by) for key in request.GET)

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: "ChangeList") -> Iterator["_ListFilterChoices"]:
        value = self.value()
        yield {
            "selected": value is None and not self._overridden,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.default_label,
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def __init__(
        self,
        request: HttpRequest,
        params: dict[str, list[str]],
        model: type[models.Model],
        model_admin: "admin.ModelAdmin[Any]",
    ) -> None:
        self._overridden = self.overridden(request)
        super().__init__(request, params, model, model_admin)

    def default_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raise NotImplementedError

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset if self._overridden else self.default_queryset(queryset)
        return self.chosen_queryset(value, queryset)

    def chosen_queryset(self, value: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset


class CaseStateFilter(DefaultChoiceFilter):
    """Open cases by default (what staff work on); ended ones or all of them on request."""

    title = gettext_lazy("対応状況")
    parameter_name = "case"
    default_label = gettext_lazy("対応中（終了したものを除く）")
    overridden_by = ("status",)

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> Lookups:
        return [("ended", gettext_lazy("終了した相談")), ("all", gettext_lazy("すべて"))]

    def default_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Django types a filter's queryset by no model; the change list's is the admin's
        # (ConsultationAdmin.get_queryset: Consultation.objects, a ConsultationQuerySet).
        return cast(ConsultationQuerySet, queryset).open()

    def chosen_queryset(self, value: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if value == "ended":
            return queryset.exclude(status__in=OPEN_STATUSES)
        return queryset


class SampleFilter(DefaultChoiceFilter):
    """The demo's sample cases stay out of the way of real ones unless asked for.

    While there is no real case at all (a demo, a fresh install) the list shows the samples
    rather than an empty page, and the page says they are samples (`samples_shown`)."""

    title = gettext_lazy("サンプルデータ")
    parameter_name = "sample"
    default_label = gettext_lazy("サンプルを除く")
    overridden_by = ("is_sample",)
    # Set by queryset(): "demo" when only samples exist and the default shows them,
    # "included" when staff asked for samples; "" when the list shows no samples.
    samples_shown = ""

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> Lookups:
        return [("include", gettext_lazy("サンプルも表示")), ("only", gettext_lazy("サンプルのみ"))]

    def default_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not queryset.model._default_manager.filter(is_sample=False).exists():
            self.samples_shown = "demo"
            return queryset
        return queryset.filter(is_sample=False)

    def chosen_queryset(self, value: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        self.samples_shown = "included"
        if value == "only":
            return queryset.filter(is_sample=True)
        return queryset


class StaffInChargeFilter(admin.SimpleListFilter):
    title = gettext_lazy("センター担当者")
    parameter_name = "in_charge"

    def lookups(self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]") -> Lookups:
        in_charge = (
            get_user_model()
            .objects.filter(consultations_in_charge__isnull=False)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        return [
            ("me", gettext_lazy("自分の担当")),
            ("none", gettext_lazy("担当者なし")),
            *((str(user.pk), staff_name(user)) for user in in_charge),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "me":
            return queryset.filter(staff_in_charge=request.user)
        if value == "none":
            return queryset.filter(staff_in_charge__isnull=True)
        if value and value.isdigit():
            return queryset.filter(staff_in_charge_id=int(value))
        return queryset
