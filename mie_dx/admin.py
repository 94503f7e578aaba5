"""Admin for the e-mail outbox: staff see what was sent to whom, and resend failures.

Notifications are records: nobody adds, edits or deletes them here. The HTML body is never
shown (it would be rendered as markup); the text body carries the same content.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mie_dx.models import AuditLog, Notification
from mie_dx.notifications import resend_failed
from mie_dx.registry import audit_action_labels
from mie_dx.tokens import mask_private_links


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "to",
        "subject",
        "status",
        "attempts",
        "reason",
        "sent_at",
        "due_at",
    )
    list_filter = ("status", "template")
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
        "dedupe_key",
        "due_at",
        "attempts",
        "last_error",
        "created_at",
        "queued_at",
        "claimed_at",
        "sent_at",
    )
    readonly_fields = ("body", "attachment", "related_object")

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

    @admin.action(description=_("再送する"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        count = resend_failed(notification_ids=selected)
        self.message_user(
            request,
            gettext("%(count)d 件の通知を再送します。") % {"count": count},
            messages.SUCCESS,
        )
        if count < len(selected):
            self.message_user(
                request,
                gettext("送信失敗ではない %(count)d 件は再送しませんでした。")
                % {"count": len(selected) - count},
                messages.WARNING,
            )

    @admin.display(description=_("理由"))
    def reason(self, obj: Notification) -> str:
        """Why the last attempt failed (first line), for the failed list."""
        if not obj.last_error:
            return "-"
        return obj.last_error.splitlines()[0][:80]

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

    def lookups(self, request, model_admin):
        labels = audit_action_labels()
        present = AuditLog.objects.order_by("action").values_list("action", flat=True).distinct()
        return [(action, labels.get(action, action)) for action in present]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
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
