"""Consultations (相談): intake, the status workflow, supporter assignments, advice, survey.

Status never changes here: `consultations/services.py` owns every write that moves a
consultation along, and records who did it, when and why.
"""

import uuid
from pathlib import PurePath
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mie_dx.links import PrivateLinkModel
from mie_dx.municipalities import Municipality
from mie_dx.people import Requester, RequesterType
from mie_dx.surveys import SatisfactionSurvey
from mie_dx.tokens import new_token  # noqa: F401 (the historical migrations name it here)


def attachment_path(instance: "Consultation", filename: str) -> str:
    # Random names: the original name is kept in the database, never in the file system.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"consultations/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Category(models.TextChoices):
    INFO = "info", _("DXに関する情報提供")
    TRAINING = "training", _("人材育成（セミナー開催等の相談）")
    PROBLEM = "problem", _("課題解決のための相談")
    OTHER = "other", _("その他")


class Status(models.TextChoices):
    RECEIVED = "received", _("受付")
    TRIAGE = "triage", _("課題の明確化")
    MATCHING = "matching", _("マッチング")
    ADVISING = "advising", _("助言・提案")
    CLOSED = "closed", _("完了")
    ON_HOLD = "on_hold", _("保留")
    WITHDRAWN = "withdrawn", _("取り下げ")
    DECLINED = "declined", _("対応見送り")


class Source(models.TextChoices):
    WEB = "web", _("Webフォーム")
    SEMINAR = "seminar", _("セミナー個別相談")
    PHONE = "phone", _("電話")
    EMAIL = "email", _("メール")
    VISIT = "visit", _("来所")


OPEN_STATUSES = (Status.RECEIVED, Status.TRIAGE, Status.MATCHING, Status.ADVISING, Status.ON_HOLD)


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)


class Consultation(PrivateLinkModel, Requester):
    """A consultation and its requester (the requester fields come from mie_dx.people)."""

    LINK_PURPOSE = "status"  # the requester's status link

    # Erasure also blanks what the requester wrote and the attachment's name (the admin hides
    # only the attachment's name from managers: the title and description say what the case is).
    PERSONAL_FIELDS = (*Requester.PERSONAL_FIELDS, "title", "description", "attachment_name")

    # Staff take cases by phone or at the counter from people who give no e-mail address (and
    # are not asked to spell their name in kana): only the public forms require both.
    name_kana = models.CharField(_("フリガナ"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), max_length=254, blank=True)

    reference = models.CharField(_("受付番号"), max_length=16, unique=True, editable=False)
    source = models.CharField(_("受付経路"), max_length=16, choices=Source, default=Source.WEB)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status, default=Status.RECEIVED, db_index=True
    )

    requester_type = models.CharField(_("相談者の区分"), max_length=16, choices=RequesterType)
    municipality = models.CharField(_("所在市町"), max_length=16, choices=Municipality)
    category = models.CharField(_("相談内容の種類"), max_length=16, choices=Category)
    title = models.CharField(_("件名"), max_length=100)
    description = models.TextField(_("相談内容"), max_length=4000)
    attachment = models.FileField(_("添付ファイル"), upload_to=attachment_path, blank=True)
    attachment_name = models.CharField(_("添付ファイル名"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代理登録した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("センター担当者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations_in_charge",
    )
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)
    created_at = models.DateTimeField(_("受付日時"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    status_changed_at = models.DateTimeField(_("状態の更新日時"), default=timezone.now)
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    stale_alert_sent_at = models.DateTimeField(_("滞留通知日時"), null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("相談")
        verbose_name_plural = _("相談")
        ordering = ["-created_at"]
        permissions = [
            ("view_personal_data", _("相談者の個人情報を閲覧・出力できる")),
            ("change_status", _("相談の状態を変更できる")),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def can_be_emailed(self) -> bool:
        """False for a caller who gave no address (or whose data was erased): no e-mail."""
        return bool(self.email) and not self.is_erased


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year (DX-<year>-<number>).

    A row per year, incremented under a row lock so that concurrent submissions never get
    the same number.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("受付番号の採番")
        verbose_name_plural = _("受付番号の採番")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class StatusChange(models.Model):
    """One step of the workflow: who moved the consultation, when, and the internal note."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("変更前"), max_length=16, choices=Status, blank=True)
    to_status = models.CharField(_("変更後"), max_length=16, choices=Status)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("変更者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("日時"), default=timezone.now)
    note = models.TextField(_("内部メモ"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("状態の履歴")
        verbose_name_plural = _("状態の履歴")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class InternalNote(models.Model):
    """A staff note on a consultation. Never shown to the requester or the supporter."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="internal_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("メモ"), max_length=4000)
    created_at = models.DateTimeField(_("日時"), default=timezone.now)

    class Meta:
        verbose_name = _("内部メモ")
        verbose_name_plural = _("内部メモ")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]


class RequesterReply(models.Model):
    """What the center wrote to the requester from the case page (not an internal note).

    Shown on the requester's status page and e-mailed to them when they gave an address.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(_("相談者への連絡"), max_length=4000)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("送信した職員"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("日時"), default=timezone.now)
    emailed = models.BooleanField(_("メールで送信"), default=False)

    class Meta:
        verbose_name = _("相談者への連絡")
        verbose_name_plural = _("相談者への連絡")
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.sent_at:%Y-%m-%d %H:%M}"


class Assignment(PrivateLinkModel):
    """A supporter matched to a consultation, and their answer."""

    LINK_PURPOSE = "supporter"  # the supporter's private link

    class State(models.TextChoices):
        PROPOSED = "proposed", _("依頼中")
        ACCEPTED = "accepted", _("受諾")
        DECLINED = "declined", _("辞退")
        DONE = "done", _("対応完了")
        CANCELLED = "cancelled", _("取消（相談の終了）")

    # Still waiting for the supporter's answer or taken on: the supporter is (still) involved.
    ACTIVE_STATES = (State.PROPOSED, State.ACCEPTED)

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="assignments"
    )
    supporter = models.ForeignKey(
        "advisors.Supporter",
        verbose_name=_("アドバイザー・パートナー"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    state = models.CharField(_("状態"), max_length=16, choices=State, default=State.PROPOSED)
    score = models.PositiveSmallIntegerField(_("推薦スコア"), null=True, blank=True)
    reasons = models.JSONField(_("推薦理由"), default=list, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("依頼日時"), default=timezone.now)
    responded_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    decline_reason = models.CharField(_("辞退の理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("アドバイザー等の割当て")
        verbose_name_plural = _("アドバイザー等の割当て")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "supporter"], name="one_assignment_per_supporter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation.reference} – {self.supporter}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def response(self) -> str:
        """The supporter's answer as given at `responded_at` ("" before they answered).

        Only an acceptance or a refusal sets `responded_at`; an accepted request may later be
        done or cancelled, a declined one never changes, so the answer is recoverable.
        """
        if self.responded_at is None:
            return ""
        return self.State.DECLINED if self.state == self.State.DECLINED else self.State.ACCEPTED


class AdviceSession(models.Model):
    """One advice or proposal session given by a supporter (助言・提案)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("実施日"))
    summary = models.TextField(_("助言・提案の内容"), max_length=4000)
    recorded_by_supporter = models.BooleanField(_("アドバイザー等が記録"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("助言・提案の記録")
        verbose_name_plural = _("助言・提案の記録")
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.summary[:30]}"


class Survey(SatisfactionSurvey):
    """The satisfaction survey sent when a consultation closes."""

    LINK_PURPOSE = "consultation-survey"

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="survey"
    )
    reminder_sent_at = models.DateTimeField(_("督促日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("満足度アンケート")
        verbose_name_plural = _("満足度アンケート")

    def __str__(self) -> str:
        return f"{self.consultation.reference}: {self.get_rating_display() or '-'}"


class SupportProgramme(models.TextChoices):
    """The programmes besides the desk whose support counts for KPI 10-1 b (施策10-1)."""

    STARTUP = "startup", _("スタートアップ支援")
    AIR_MOBILITY = "air_mobility", _("空の移動革命")
    ADVANCED_TECHNOLOGY = "advanced_technology", _("先端技術")
    OTHER = "other", _("その他")


class SupportKind(models.TextChoices):
    """What the plan counts as support (情報提供やマッチング、事業計画への助言等)."""

    INFORMATION = "information", _("情報提供")
    MATCHING = "matching", _("マッチング")
    BUSINESS_PLAN = "business_plan", _("事業計画への助言")


class SupportRecord(models.Model):
    """Support given to a business or group outside the consultation desk (相談窓口以外の支援記録).

    Holds no personal data (an organisation's name, never a person's): managers may read it.
    Written only through consultations.services (and the import, mie_dx.importexport).
    """

    supported_on = models.DateField(_("支援日"), db_index=True)
    organization = models.CharField(_("支援先の事業者・団体名"), max_length=200)
    programme = models.CharField(_("事業"), max_length=32, choices=SupportProgramme)
    kind = models.CharField(_("支援の種類"), max_length=32, choices=SupportKind)
    note = models.TextField(
        _("備考"),
        max_length=1000,
        blank=True,
        help_text=_("個人名・連絡先などの個人情報は書かないでください（管理職も閲覧します）。"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("記録した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    class Meta:
        verbose_name = _("相談窓口以外の支援記録")
        verbose_name_plural = _("相談窓口以外の支援記録")
        ordering = ["-supported_on", "-pk"]
        constraints = [
            # One support of a kind to an organisation on a day in a programme: the import's
            # natural key (a file imported twice counts nothing twice).
            models.UniqueConstraint(
                fields=["supported_on", "organization", "programme", "kind"],
                name="one_support_record_per_day_kind",
                violation_error_message=_(
                    "同じ支援日・支援先・事業・支援の種類の記録がすでにあります。"
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.supported_on:%Y-%m-%d} {self.organization}（{self.get_kind_display()}）"
