"""Admin for the e-mail outbox: staff see what was sent to whom, and resend failures.

Notifications are records: nobody adds, edits or deletes them here. The HTML body is never
shown (it would be rendered as markup); the text body carries the same content. The list
starts with the backlog (late, failed, may-have-been-sent), each linked to its rows. Resending
a row that may already have reached its recipient asks first, on a page that lists them.
"""

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mie_dx.models import AuditLog, Notification
from mie_dx.notifications import RESENDABLE, outbox_status, resend
from mie_dx.registry import audit_action_labels, notification_template_labels
from mie_dx.tokens import mask_private_links

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # django-stubs' ModelAdmin is generic in its model; Django's is not subscriptable.
    _NotificationAdmin = admin.ModelAdmin[Notification]
    _AuditLogAdmin = admin.ModelAdmin[AuditLog]
else:
    _NotificationAdmin = _AuditLogAdmin = admin.ModelAdmin

Status = Notification.Status


class MaybeDeliveredFilter(admin.SimpleListFilter):
    """Rows a send of which had an unknown outcome (now or before a later attempt)."""

    title = _("届いている可能性")
    parameter_name = "maybe_delivered"

    def lookups(
        self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
    ) -> list[tuple[str, "StrOrPromise"]]:
        return [("yes", _("送信結果が不明だったことがある"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Notification]
    ) -> QuerySet[Notification]:
        if self.value() == "yes":
            return queryset.filter(ambiguous_at__isnull=False)
        return queryset


class TemplateFilter(admin.SimpleListFilter):
    """The kinds of e-mail present, by the names the apps give them (mie_dx.registry
    notification_templates); a template no app names keeps its file name."""

    title = _("メールの種類")
    parameter_name = "template"

    def lookups(
        self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
    ) -> list[tuple[str, str]]:
        labels = notification_template_labels()
        present = (
            Notification.objects.order_by("template").values_list("template", flat=True).distinct()
        )
        choices = [(name, str(labels.get(name, name))) for name in present]
        return sorted(choices, key=lambda choice: choice[1])

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Notification]
    ) -> QuerySet[Notification]:
        return queryset.filter(template=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(_NotificationAdmin):
    # At 1280 px beside the filters: the subject takes the width, states and times stay on
    # one line (static/css/outbox_admin.css); the kind of e-mail is the filter's (in words).
    list_display = (
        "created",
        "to",
        "subject",
        "status_label",
        "attempts_shown",
        "reason",
        "sent_or_due",
    )
    list_display_links = ("created", "subject")
    list_filter = ("status", MaybeDeliveredFilter, TemplateFilter)
    search_fields = ("to", "subject")
    ordering = ("-created_at", "-pk")
    actions = ("resend",)
    fields = (
        "to",
        "subject",
        "status",
        "template",
        "language",
        "body",
        "attachment",
        "related_object",
        "message_id",
        "dedupe_key",
        "due_at",
        "attempts",
        "last_error",
        "ambiguous_at",
        "ambiguous_sends",
        "created_at",
        "queued_at",
        "claimed_at",
        "sent_at",
    )
    readonly_fields = ("body", "attachment", "related_object")

    class Media:
        css = {"all": ("css/outbox_admin.css",)}

    @admin.display(description=_("本文（テキスト）"))
    def body(self, obj: Notification) -> str:
        # The private links in a message act for the requester or the supporter (withdraw,
        # answer, record advice): staff reading the outbox must not be able to use them.
        return format_html(
            '<pre class="notification-body">{}</pre>', mask_private_links(obj.body_text)
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        # The change list never shows the bodies or the attachment: do not load them.
        return super().get_queryset(request).defer("body_html", "attachment_content")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        """Resending needs the model's change permission (staff who run the outbox)."""
        return request.user.has_perm("mie_dx.change_notification")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        backlog = outbox_status()
        late_after = settings.NOTIFICATION_LATE_AFTER
        late_query = urlencode(
            {"status__exact": "pending", "due_at__lt": (timezone.now() - late_after).isoformat()}
        )
        base = reverse("admin:mie_dx_notification_changelist")
        counters = [
            (
                gettext("%(minutes)s分以上の送信待ち")
                % {"minutes": int(late_after.total_seconds() // 60)},
                backlog.late,
                f"{base}?{late_query}",
                "late",
            ),
            (gettext("送信中"), backlog.sending, f"{base}?status__exact=sending", "sending"),
            (gettext("送信失敗"), backlog.failed, f"{base}?status__exact=failed", "failed"),
            (
                gettext("送信済みの可能性あり"),
                backlog.ambiguous,
                f"{base}?status__exact=ambiguous",
                "ambiguous",
            ),
        ]
        extra_context = {
            **(extra_context or {}),
            "outbox_counters": counters,
            "outbox_oldest_pending_age_s": backlog.oldest_pending_age_s,
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("再送する"), permissions=["resend"])
    def resend(
        self, request: HttpRequest, queryset: QuerySet[Notification]
    ) -> TemplateResponse | None:
        """Resend failed and ambiguous rows. When some may already have reached their
        recipient, first show them and resend those only when staff confirm."""
        selected = list(
            queryset.only("pk", "status", "ambiguous_at", "to", "subject", "last_error")
        )
        resendable = [n for n in selected if n.status in RESENDABLE]
        maybe_delivered = [n for n in resendable if n.ambiguous_at is not None]
        choice = request.POST.get("confirm")
        if maybe_delivered and choice not in ("all", "undelivered"):
            return TemplateResponse(
                request,
                "admin/mie_dx/notification/resend_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": gettext("再送の確認"),
                    "opts": self.model._meta,
                    "maybe_delivered": maybe_delivered,
                    "undelivered": [n for n in resendable if n.ambiguous_at is None],
                    "ignored": len(selected) - len(resendable),
                    "selected": [n.pk for n in selected],
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        count = resend(
            notification_ids=[n.pk for n in resendable],
            include_maybe_delivered=choice == "all",
            by=request.user,
        )
        self.message_user(
            request,
            gettext("%(count)d 件の通知を再送します。") % {"count": count},
            messages.SUCCESS,
        )
        skipped = len(selected) - count
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d 件は再送しませんでした（送信失敗・送信済みの可能性ありではない、"
                    "または届いている可能性があるもの）。",
                    "%(count)d 件は再送しませんでした（送信失敗・送信済みの可能性ありではない、"
                    "または届いている可能性があるもの）。",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        return None

    @admin.display(description=_("状態"), ordering="status")
    def status_label(self, obj: Notification) -> str:
        """The status as a coloured label (with its text: never colour alone)."""
        label = obj.get_status_display()
        if obj.status == Status.SENT and obj.ambiguous_at is not None:
            label = gettext("送信済み（重複して届いた可能性あり）")
        return format_html('<span class="outbox-status outbox-{}">{}</span>', obj.status, label)

    @admin.display(description=_("試行"), ordering="attempts")
    def attempts_shown(self, obj: Notification) -> int:
        return obj.attempts

    @admin.display(description=_("作成日時"), ordering="created_at")
    def created(self, obj: Notification) -> str:
        return f"{timezone.localtime(obj.created_at):%Y-%m-%d %H:%M}"

    @admin.display(description=_("送信日時（予定）"), ordering="sent_at")
    def sent_or_due(self, obj: Notification) -> str:
        """When it was sent; for one not sent yet, when it is due (a reminder waits)."""
        if obj.sent_at is not None:
            return f"{timezone.localtime(obj.sent_at):%Y-%m-%d %H:%M}"
        if obj.status in (Status.PENDING, Status.SENDING):
            due = f"{timezone.localtime(obj.due_at):%Y-%m-%d %H:%M}"
            return gettext("予定 %(due)s") % {"due": due}
        return "-"

    @admin.display(description=_("理由"))
    def reason(self, obj: Notification) -> str:
        """Why the last attempt failed or is uncertain (first line)."""
        if not obj.last_error:
            return "-"
        first_line = obj.last_error.splitlines()[0][:80]
        if obj.status == Status.AMBIGUOUS and obj.ambiguous_at is not None:
            when = timezone.localtime(obj.ambiguous_at)
            return f"{when:%Y-%m-%d %H:%M} {first_line}"
        return first_line

    @admin.display(description=_("添付ファイル"))
    def attachment(self, obj: Notification) -> str:
        if not obj.attachment_filename:
            return "-"
        size = len(obj.attachment_content or b"")
        return gettext("%(name)s（%(mimetype)s、%(size)s バイト）") % {
            "name": obj.attachment_filename,
            "mimetype": obj.attachment_mimetype,
            "size": f"{size:,}",
        }

    @admin.display(description=_("関連する対象"))
    def related_object(self, obj: Notification) -> str:
        related = obj.related
        if related is None:
            return "-"
        opts = related._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[related.pk])
        except NoReverseMatch:
            return f"{opts.verbose_name}: {related}"
        return format_html('<a href="{}">{}: {}</a>', url, opts.verbose_name, related)


class ActionFilter(admin.SimpleListFilter):
    """The actions present, by their labels (mie_dx.registry audit_actions)."""

    title = _("操作")
    parameter_name = "action"

    def lookups(
        self, request: HttpRequest, model_admin: "admin.ModelAdmin[Any]"
    ) -> list[tuple[str, str]]:
        labels = audit_action_labels()
        present = AuditLog.objects.order_by("action").values_list("action", flat=True).distinct()
        return [(action, labels.get(action, action)) for action in present]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditLog]) -> QuerySet[AuditLog]:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditLog)
class AuditLogAdmin(_AuditLogAdmin):
    """Every app's audit log in one list, for an audit: read-only, no personal data in it."""

    list_display = ("created_at", "action_label", "content_type", "object_id", "acted_by")
    list_filter = (
        ActionFilter,
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("user", "content_type")
    search_fields = ("action", "user__username", "user__last_name", "user__first_name")
    ordering = ("-created_at", "-pk")
    fields = ("created_at", "action_label", "content_type", "object_id", "acted_by", "data")
    readonly_fields = fields

    @admin.display(description=_("操作"), ordering="action")
    def action_label(self, entry: AuditLog) -> str:
        return audit_action_labels().get(entry.action, entry.action)

    @admin.display(description=_("操作した人"), ordering="user")
    def acted_by(self, entry: AuditLog) -> str:
        if entry.user is None:
            return gettext("本人・システム")
        return entry.user.get_full_name() or entry.user.get_username()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLog | None = None) -> bool:
        return False


# The organisation's admin (部局, 所属) and the fiscal-year list filters, registered with the
# admin when it loads this module.
from mie_dx import admin_filters as _admin_filters  # noqa: E402, F401
from mie_dx import organisation_admin as _organisation_admin  # noqa: E402, F401
