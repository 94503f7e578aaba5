"""Models shared by every app: the e-mail outbox, the audit log, the organisation.

A notification is a database row first. It is written inside the business transaction, with
its subject and bodies already rendered, so that a rolled-back transaction leaves nothing to
send and a committed one always leaves something to send (the sweep finds rows whose task
message was lost). See mie_dx/notifications.py for the API and mie_dx/delivery.py for delivery.
"""

from typing import Self, TypeVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import FiscalYearField


class Notification(models.Model):
    """One e-mail to one recipient, rendered when it was queued.

    Life cycle: pending → sending → sent, or → failed (a permanent error, retries exhausted),
    or → ambiguous ("may have been sent": the connection dropped after the whole message had
    gone to the server, or the worker died while sending — the server may have the mail).
    An ambiguous send of a requester's acknowledgement is retried once automatically with the
    same Message-ID (a duplicate is better than silence); every other one waits for staff
    (mie_dx.delivery, policy declared by the apps: mie_dx.registry.acknowledgement_templates).
    Failed and ambiguous rows go back to pending only through the admin's resend action
    (`mie_dx.notifications.resend`), which asks first when a row may have been delivered.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信失敗")
        AMBIGUOUS = "ambiguous", _("送信済みの可能性あり")

    to = models.EmailField(_("宛先"))
    template = models.CharField(
        _("テンプレート"), max_length=100, help_text=_("templates/emails/ 以下のテンプレート名")
    )
    language = models.CharField(_("言語"), max_length=10)
    subject = models.CharField(_("件名"), max_length=255)
    body_text = models.TextField(_("本文（テキスト）"))
    body_html = models.TextField(_("本文（HTML）"), blank=True)

    attachment_filename = models.CharField(_("添付ファイル名"), max_length=255, blank=True)
    attachment_mimetype = models.CharField(_("添付ファイルの種類"), max_length=100, blank=True)
    attachment_content = models.BinaryField(_("添付ファイル"), null=True, blank=True)

    # What the message is about, so that staff can see it in the admin.
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("関連する対象の種類"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    object_id = models.PositiveBigIntegerField(_("関連する対象のID"), null=True, blank=True)
    related = GenericForeignKey("content_type", "object_id")

    message_id = models.CharField(
        _("Message-ID"),
        max_length=255,
        blank=True,
        help_text=_("再試行・再送でも同じ値を使うため、受信側で重複を見分けられます。"),
    )
    dedupe_key = models.CharField(
        _("重複防止キー"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("同じキーの通知は一度しか作成されません（空欄は制限なし）。"),
    )

    status = models.CharField(
        _("状態"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    due_at = models.DateTimeField(_("送信予定日時"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("送信試行回数"), default=0)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now, editable=False)
    queued_at = models.DateTimeField(
        _("キュー投入日時"),
        null=True,
        blank=True,
        help_text=_("送信タスクを最後にキューへ入れた日時（再試行の場合は再試行の予定日時）"),
    )
    claimed_at = models.DateTimeField(_("送信開始日時"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    ambiguous_at = models.DateTimeField(
        _("送信済みの可能性が生じた日時"),
        null=True,
        blank=True,
        help_text=_("送信の結果が分からなくなった最後の日時。受信者に届いている可能性があります。"),
    )
    ambiguous_sends = models.PositiveSmallIntegerField(
        _("結果不明の送信回数"),
        default=0,
        help_text=_("自動の再送はこれが初めての場合だけ、受付確認のメールに限って行います。"),
    )

    class Meta:
        verbose_name = _("メール通知")
        verbose_name_plural = _("メール通知")
        indexes = [
            # The sweep: pending rows that are due, and sending rows that are stale.
            models.Index(fields=["status", "due_at"], name="notification_sweep_idx"),
            models.Index(fields=["content_type", "object_id"], name="notification_related_idx"),
            models.Index(fields=["-created_at"], name="notification_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_unique_dedupe_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class AuditLogQuerySet(models.QuerySet["AuditLog"]):
    def about(self, obj: models.Model) -> Self:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )


class AuditLog(models.Model):
    """One thing that happened to one object: what, who did it, when, and its details.

    Written only through `mie_dx.audit.log_action`, by the service that made the change, in the
    same transaction. `user` is empty when the requester (through a private link) or the system
    (a scheduled task) acted. `data` holds identifiers, states and field names; where it has
    to hold a person's words (a note, a reason), erasure scrubs it (mie_dx.erasure).
    """

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("対象の種類"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("対象のID"))
    action = models.CharField(_("操作"), max_length=100)
    data = models.JSONField(_("内容"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作記録")
        verbose_name_plural = _("操作記録")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "created_at"], name="auditlog_obj_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.object_id}"


def exists_in_fiscal_year(fy: int) -> models.Q:
    """The organisation units (first_fiscal_year … last_fiscal_year) that exist in `fy`."""
    return models.Q(first_fiscal_year__lte=fy) & (
        models.Q(last_fiscal_year__isnull=True) | models.Q(last_fiscal_year__gte=fy)
    )


_Unit = TypeVar("_Unit", bound="OrganisationUnit")


class FiscalYearRangeQuerySet(models.QuerySet[_Unit]):
    def in_fiscal_year(self, fy: int) -> Self:
        """The rows that exist in fiscal year `fy`."""
        return self.filter(exists_in_fiscal_year(fy))


class OrganisationUnit(models.Model):
    """A unit of the prefecture's organisation, existing from one fiscal year to another.

    The organisation is reorganised in April: a unit that is abolished keeps its row (past
    records point at it) with `last_fiscal_year` set; a new one starts in its first year.
    """

    code = models.CharField(_("コード"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    first_fiscal_year = FiscalYearField(_("設置年度"))
    last_fiscal_year = FiscalYearField(
        _("廃止前の最終年度"), null=True, blank=True, help_text=_("空欄は現存しています。")
    )
    is_sample = models.BooleanField(
        _("サンプルデータ"),
        default=False,
        help_text=_("デモ用に生成したもので、県の実際の組織ではありません。"),
    )

    objects = FiscalYearRangeQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(OrganisationUnit):
    """部局 — e.g. デジタル社会推進局."""

    class Meta(OrganisationUnit.Meta):
        verbose_name = _("部局")
        verbose_name_plural = _("部局")


class Division(OrganisationUnit):
    """所属 — e.g. デジタル戦略企画課; staff and procedures belong to one."""

    department = models.ForeignKey(
        Department, verbose_name=_("部局"), on_delete=models.PROTECT, related_name="divisions"
    )

    class Meta(OrganisationUnit.Meta):
        verbose_name = _("所属")
        verbose_name_plural = _("所属")


class ErasureJournalEntry(models.Model):
    """One erasure of a person's data: which row, when — never the erased data.

    Written in the erasure's own transaction (mie_dx.erasure) and copied to the journal file
    beside the backups (mie_dx.backup), so that a restored backup taken before the erasure can
    erase the person again (`manage.py restore`).
    """

    model = models.CharField(_("対象の種類"), max_length=100)  # "app_label.modelname"
    object_pk = models.CharField(_("対象のID"), max_length=64)
    erased_at = models.DateTimeField(_("削除日時"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("個人情報削除の記録")
        verbose_name_plural = _("個人情報削除の記録")
        ordering = ["erased_at", "pk"]

    def __str__(self) -> str:
        return f"{self.model} {self.object_pk} {self.erased_at:%Y-%m-%d %H:%M}"
