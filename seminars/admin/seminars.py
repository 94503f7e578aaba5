"""Seminars in the admin: seats and alerts, publishing, cancelling, check-in at the door
(walk-ins too) and the individual-consultation slots.

Status never changes through a ModelForm: actions and small admin views call the services,
which lock the seminar and notify the people concerned."""

from collections.abc import Iterable
from datetime import time
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib import admin, messages
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mie_dx.admin_filters import FiscalYearFieldListFilter
from mie_dx.admin_mixins import AuditLogAdminMixin
from mie_dx.fiscal import fiscal_year_label
from seminars import selectors, services
from seminars.forms import CancelSeminarForm, SeminarAdminForm
from seminars.models import (
    Registration,
    RegistrationStatus,
    Seminar,
    SeminarStatus,
    Talk,
)
from seminars.walkin import WalkInForm, register_walk_in

if TYPE_CHECKING:
    from django.contrib.admin.options import _ListDisplayT
    from django_stubs_ext import FieldsetSpec, WithAnnotations

    from seminars.selectors import AdminCounts

    # django-stubs' admin classes are generic in their models; Django's are not subscriptable.
    _SeminarAdmin = admin.ModelAdmin[Seminar]
    _TalkInline = admin.StackedInline[Talk, Seminar]
else:
    _SeminarAdmin = admin.ModelAdmin
    _TalkInline = admin.StackedInline

# At or above this share of on-site seats taken, the change list flags the seminar.
NEARLY_FULL = 0.9


class TalkInline(_TalkInline):
    model = Talk
    extra = 0
    fields = (
        ("order", "kind"),
        "title",
        "subtitle",
        "supporter",
        "speaker_name",
        "speaker_affiliation",
    )
    autocomplete_fields = ("supporter",)


def _time(moment: time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


@admin.register(Seminar)
class SeminarAdmin(AuditLogAdminMixin, _SeminarAdmin):
    form = SeminarAdminForm
    change_form_template = "admin/seminars/seminar/change_form.html"
    inlines = (TalkInline,)
    list_display = (
        "numbered",
        "title",
        "schedule",
        "status",
        "seats",
        "capacity_alert",
        "waitlisted",
        "online_taken",
        "consultation_requests",
        "attendance",
        "registrants_link",
    )
    list_display_links = ("numbered", "title")
    list_filter = ("status", ("fiscal_year", FiscalYearFieldListFilter), "format")
    search_fields = ("title", "theme", "slug")
    readonly_fields = ("status", "cancelled_at", "cancellation_reason")
    actions = ("publish", "mark_held", "promote_waitlisted", "assign_slots")
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ("status", ("fiscal_year", "number"), "slug", "title", "theme")}),
        (gettext_lazy("内容"), {"fields": ("description",)}),
        (
            gettext_lazy("日時"),
            {
                "fields": (
                    "date",
                    "date_note",
                    ("doors_open_time", "start_time", "end_time"),
                    "registration_deadline",
                )
            },
        ),
        (
            gettext_lazy("会場・オンライン"),
            {
                "fields": (
                    "format",
                    "venue_name",
                    "venue_address",
                    "onsite_capacity",
                    "online_platform",
                    "online_capacity",
                    "online_meeting_url",
                    "online_meeting_note",
                    "fee_yen",
                )
            },
        ),
        (
            gettext_lazy("個別相談会"),
            {
                "fields": (
                    ("consultation_start_time", "consultation_end_time"),
                    "consultation_slot_minutes",
                )
            },
        ),
        (gettext_lazy("中止"), {"fields": ("cancelled_at", "cancellation_reason")}),
    )

    class Media:
        css = {"all": ("css/seminars.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Seminar]:
        return selectors.seminars_for_admin()

    def get_fieldsets(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> "FieldsetSpec":
        fieldsets = admin.ModelAdmin.get_fieldsets(self, request, obj)
        if not isinstance(obj, Seminar) or obj.status != SeminarStatus.CANCELLED:
            # The cancellation section means something only for a cancelled seminar.
            fieldsets = [fs for fs in fieldsets if "cancelled_at" not in fs[1]["fields"]]
        return self.finish_fieldsets(request, obj, fieldsets)

    def has_delete_permission(self, request: HttpRequest, obj: Seminar | None = None) -> bool:
        # Registrations (personal data, attendance figures) hang on the seminar; a seminar that
        # will not take place is cancelled, which tells the people registered.
        return False

    # --- Columns ---------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("回"), ordering="number")
    def numbered(self, obj: Seminar) -> str:
        return f"{fiscal_year_label(obj.fiscal_year)} {obj.numbered_label}"

    @admin.display(description=gettext_lazy("開催日時"), ordering="date")
    def schedule(self, obj: Seminar) -> str:
        if obj.date is None:
            return obj.date_note or "—"
        times = "–".join(t for t in (_time(obj.start_time), _time(obj.end_time)) if t)
        return f"{obj.date:%Y-%m-%d} {times}".strip()

    @admin.display(description=gettext_lazy("会場の席"), ordering="onsite_taken")
    def seats(self, obj: Seminar) -> str:
        if not obj.onsite_capacity:
            return "—"
        return _("%(taken)s / %(capacity)s席（残り%(left)s）") % {
            "taken": obj.onsite_taken,
            "capacity": obj.onsite_capacity,
            "left": obj.onsite_seats_left,
        }

    @admin.display(description=gettext_lazy("定員の状況"))
    def capacity_alert(self, obj: Seminar) -> str:
        if not obj.onsite_capacity:
            return ""
        if obj.onsite_seats_left == 0:
            return format_html('<span class="seat-alert seat-full">{}</span>', _("満席"))
        if obj.onsite_fill_ratio >= NEARLY_FULL:
            return format_html('<span class="seat-alert seat-nearly">{}</span>', _("残りわずか"))
        return format_html('<span class="seat-alert seat-open">{}</span>', _("受付可"))

    @admin.display(description=gettext_lazy("キャンセル待ち"), ordering="waitlisted")
    def waitlisted(self, obj: "WithAnnotations[Seminar, AdminCounts]") -> int:
        return obj.waitlisted

    @admin.display(description=gettext_lazy("オンライン"), ordering="online_taken")
    def online_taken(self, obj: Seminar) -> int:
        return obj.online_taken

    @admin.display(description=gettext_lazy("個別相談の希望"), ordering="consultation_requests")
    def consultation_requests(self, obj: "WithAnnotations[Seminar, AdminCounts]") -> int:
        return obj.consultation_requests

    @admin.display(description=gettext_lazy("出席 / 欠席"))
    def attendance(self, obj: "WithAnnotations[Seminar, AdminCounts]") -> str:
        if not (obj.attended or obj.no_show):
            return "—"
        return f"{obj.attended} / {obj.no_show}"

    def get_list_display(self, request: HttpRequest) -> "_ListDisplayT[Seminar]":
        # The registrants and the door are for those who may open them (not managers).
        columns = super().get_list_display(request)
        if not request.user.has_perm("seminars.view_registration"):
            columns = tuple(c for c in columns if c != "registrants_link")
        return columns

    @admin.display(description=gettext_lazy("申込み"))
    def registrants_link(self, obj: Seminar) -> str:
        registrants = (
            reverse("admin:seminars_registration_changelist")
            + "?"
            + urlencode({"seminar__id__exact": obj.pk})
        )
        checkin = reverse("admin:seminars_checkin", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> | <a href="{}">{}</a>',
            registrants,
            _("申込者"),
            checkin,
            _("受付（出欠）"),
        )

    # --- Actions (through services) --------------------------------------------------------

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Seminar],
        service: "_SeminarService",
        done: str,
    ) -> None:
        count = 0
        for seminar in queryset:
            try:
                service(seminar=seminar, by=request.user)
            except services.SeminarError as error:
                self.message_user(request, f"{seminar}: {error}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("選んだセミナーを公開する"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Seminar]) -> None:
        self._each(request, queryset, services.publish_seminar, _("%(count)s件を公開しました。"))

    @admin.action(
        description=gettext_lazy("選んだセミナーを開催済みにする"), permissions=["change"]
    )
    def mark_held(self, request: HttpRequest, queryset: QuerySet[Seminar]) -> None:
        self._each(request, queryset, services.mark_held, _("%(count)s件を開催済みにしました。"))

    @admin.action(
        description=gettext_lazy("空いた席にキャンセル待ちの方を繰り上げる"), permissions=["change"]
    )
    def promote_waitlisted(self, request: HttpRequest, queryset: QuerySet[Seminar]) -> None:
        for seminar in queryset:
            promoted = services.promote_waitlisted(seminar=seminar, by=request.user)
            self.message_user(
                request,
                _("%(seminar)s: %(count)s人を繰り上げました。")
                % {"seminar": seminar, "count": len(promoted)},
                messages.SUCCESS,
            )

    @admin.action(
        description=gettext_lazy("個別相談の時間を希望者全員に順に割り当てる"),
        permissions=["change"],
    )
    def assign_slots(self, request: HttpRequest, queryset: QuerySet[Seminar]) -> None:
        for seminar in queryset:
            _report_slots(self, request, seminar, None)

    # --- Extra pages -----------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/checkin/", wrap(self.checkin_view), name="seminars_checkin"),
            path("<int:pk>/cancel/", wrap(self.cancel_view), name="seminars_cancel"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="seminars_publish"),
            *super().get_urls(),
        ]

    def _seminar_or_403(self, request: HttpRequest, pk: int, perm: str) -> Seminar:
        seminar = get_object_or_404(Seminar, pk=pk)
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return seminar

    def checkin_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The door list on a tablet: a big 出席 / 欠席 button per person; plain POST forms."""
        seminar = self._seminar_or_403(request, pk, "seminars.change_registration")
        search = request.GET.get("q", "").strip()[:100]
        back = reverse("admin:seminars_checkin", args=[pk])
        if search:
            back += "?" + urlencode({"q": search})
        walk_in_form = WalkInForm()
        if request.method == "POST" and request.POST.get("action") == "walk_in":
            walk_in_form = WalkInForm(request.POST)
            if walk_in_form.is_valid():
                try:
                    registration, over = register_walk_in(
                        seminar=seminar, by=request.user, **walk_in_form.cleaned_data_for_service()
                    )
                except services.SeminarError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(
                        request,
                        _("%(name)s さんを当日参加（出席）として記録しました。")
                        % {"name": registration.name},
                    )
                    if over:
                        messages.warning(request, _("会場の定員を超えています。"))
                    return HttpResponseRedirect(f"{back}#registration-{registration.pk}")
        elif request.method == "POST":
            registration = get_object_or_404(
                Registration, pk=request.POST.get("registration") or 0, seminar=seminar
            )
            attended = {"attended": True, "no_show": False, "undo": None}
            action = request.POST.get("action")
            if action not in attended:
                messages.error(request, _("操作を選んでください。"))
                return HttpResponseRedirect(back)
            try:
                services.record_attendance(
                    registration=registration, attended=attended[action], by=request.user
                )
            except services.SeminarError as error:
                messages.error(request, str(error))
            else:
                registration.refresh_from_db(fields=["status"])
                messages.success(
                    request,
                    _("%(name)s さん: %(status)s")
                    % {"name": registration.name, "status": registration.get_status_display()},
                )
            return HttpResponseRedirect(f"{back}#registration-{registration.pk}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("受付（出欠の記録）"),
            "seminar": seminar,
            "registrations": selectors.registrations_for_checkin(seminar, search),
            "figures": selectors.attendance_figures(seminar),
            "search": search,
            "can_check_in": seminar.date is not None and timezone.localdate() >= seminar.date,
            "walk_in_form": walk_in_form,
        }
        return TemplateResponse(request, "admin/seminars/seminar/checkin.html", context)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The 「公開する」 button of the seminar's page (POST only), through the service."""
        seminar = self._seminar_or_403(request, pk, "seminars.change_seminar")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            services.publish_seminar(seminar=seminar, by=request.user)
        except services.SeminarError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("セミナーを公開しました。"),
                    seminar.get_absolute_url(),
                    _("公開ページを見る"),
                ),
            )
        return HttpResponseRedirect(reverse("admin:seminars_seminar_change", args=[pk]))

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        seminar = self._seminar_or_403(request, pk, "seminars.change_seminar")
        form = CancelSeminarForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                told = services.cancel_seminar(
                    seminar=seminar, reason=form.cleaned_data["reason"], by=request.user
                )
            except services.SeminarError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "セミナーを中止しました。登録者%(count)s人にメールで知らせます。",
                        "セミナーを中止しました。登録者%(count)s人にメールで知らせます。",
                        told,
                    )
                    % {"count": told},
                )
            return HttpResponseRedirect(reverse("admin:seminars_seminar_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("セミナーの中止"),
            "seminar": seminar,
            "form": form,
            "active_count": seminar.registrations.filter(
                status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
            ).count(),
        }
        return TemplateResponse(request, "admin/seminars/seminar/cancel.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = extra_context or {}
        seminar = self.get_object(request, object_id)
        if seminar is not None:
            extra_context.update(
                {
                    "figures": selectors.attendance_figures(seminar),
                    "registrants_url": reverse("admin:seminars_registration_changelist")
                    + "?"
                    + urlencode({"seminar__id__exact": seminar.pk}),
                    "export_url": reverse("admin:seminars_registration_export")
                    + "?"
                    + urlencode({"seminar__id__exact": seminar.pk}),
                    "can_cancel": seminar.status in (SeminarStatus.DRAFT, SeminarStatus.PUBLISHED)
                    and request.user.has_perm("seminars.change_seminar"),
                    "can_publish": seminar.status == SeminarStatus.DRAFT
                    and request.user.has_perm("seminars.change_seminar"),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)


class _SeminarService(Protocol):
    """A staff service an admin action runs on each seminar chosen (seminars.services)."""

    def __call__(self, *, seminar: Seminar, by: User | AnonymousUser) -> object: ...


def _report_slots(
    model_admin: "admin.ModelAdmin[Any]",
    request: HttpRequest,
    seminar: Seminar,
    registrations: Iterable[Registration] | None,
) -> None:
    try:
        result = services.assign_consultation_slots(
            seminar=seminar, registrations=registrations, by=request.user
        )
    except services.SeminarError as error:
        model_admin.message_user(request, f"{seminar}: {error}", messages.ERROR)
        return
    lines = [
        f"{timezone.localtime(r.consultation_slot_at):%H:%M} {r.name}" for r in result.assigned
    ]
    model_admin.message_user(
        request,
        _(
            "%(seminar)s: %(count)s人に個別相談の時間を割り当てました（変更のあった方にはメールで知らせます）。%(lines)s"
        )
        % {"seminar": seminar, "count": len(result.assigned), "lines": " / ".join(lines)},
        messages.SUCCESS,
    )
    if result.unassigned:
        model_admin.message_user(
            request,
            _("時間帯に収まらず割り当てられなかった方: %(names)s")
            % {"names": "、".join(r.name for r in result.unassigned)},
            messages.WARNING,
        )
