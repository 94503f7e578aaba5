"""Seminars (みえDXセンターセミナー): the events, their talks, registrations and surveys.

Status and seats never change here: `seminars/services.py` owns every write that registers,
promotes, cancels or checks in, under a lock on the seminar row.

A seminar's date may be only approximately known ("12月中旬（予定）" in the seed): then `date`
is empty and `date_note` says what is known. Times are wall-clock times in Asia/Tokyo on
`date`; the datetimes the services need are built by the properties below.
"""

from datetime import date as date_type
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mie_dx.erasure import ERASED_EMAIL_DOMAIN
from mie_dx.fiscal import FiscalYearField, fiscal_year
from mie_dx.links import PrivateLinkModel
from mie_dx.people import Requester, RequesterType
from mie_dx.surveys import SatisfactionSurvey
from mie_dx.tokens import new_token  # noqa: F401 (the historical migrations name it here)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Format(models.TextChoices):
    ONSITE = "onsite", _("会場のみ")
    ONLINE = "online", _("オンライン")
    HYBRID = "hybrid", _("ハイブリッド（会場とオンライン）")


class Attendance(models.TextChoices):
    """How one registrant takes part. The values are a public contract (POST `attendance`)."""

    ONSITE = "onsite", _("会場で参加")
    ONLINE = "online", _("オンラインで参加")


class SeminarStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    PUBLISHED = "published", _("公開")
    CANCELLED = "cancelled", _("中止")
    HELD = "held", _("開催済み")


# The statuses a visitor may see on the public pages.
PUBLIC_STATUSES = (SeminarStatus.PUBLISHED, SeminarStatus.CANCELLED, SeminarStatus.HELD)


class Seminar(models.Model):
    fiscal_year = FiscalYearField(
        _("年度"),
        help_text=_("西暦の年度（令和4年度は2022）。開催日があるときは開催日の年度にそろえます。"),
    )
    number = models.PositiveSmallIntegerField(_("回"), help_text=_("年度内の回数（第1回は1）。"))
    slug = models.SlugField(
        _("URL用識別子"),
        max_length=80,
        unique=True,
        help_text=_("公開ページのURLに使う半角英数字（例: r4-01）。公開後は変更しないでください。"),
    )
    title = models.CharField(_("タイトル"), max_length=200)
    theme = models.CharField(_("テーマ"), max_length=300, blank=True)
    description = models.TextField(_("内容（公開）"), blank=True)
    status = models.CharField(
        _("状態"),
        max_length=16,
        choices=SeminarStatus,
        default=SeminarStatus.DRAFT,
        editable=False,
    )

    date = models.DateField(_("開催日"), null=True, blank=True)
    date_note = models.CharField(
        _("日程の補足"),
        max_length=100,
        blank=True,
        help_text=_(
            "開催日が未定のときの目安など（例: 12月中旬（予定））。公開ページに表示します。"
        ),
    )
    start_time = models.TimeField(_("開始時刻"), null=True, blank=True)
    end_time = models.TimeField(_("終了時刻"), null=True, blank=True)
    doors_open_time = models.TimeField(_("開場時刻"), null=True, blank=True)

    format = models.CharField(
        _("開催方法"),
        max_length=16,
        choices=Format,
        blank=True,
        help_text=_("空欄は未定です。未定の間は申込みを受け付けません。"),
    )
    venue_name = models.CharField(_("会場"), max_length=200, blank=True)
    venue_address = models.CharField(_("会場の所在地"), max_length=200, blank=True)
    onsite_capacity = models.PositiveIntegerField(_("会場の定員"), null=True, blank=True)
    online_capacity = models.PositiveIntegerField(
        _("オンラインの定員"), null=True, blank=True, help_text=_("空欄は上限なしです。")
    )
    online_platform = models.CharField(
        _("オンライン配信の方法"), max_length=100, blank=True, help_text=_("例: Zoom")
    )
    online_meeting_url = models.URLField(
        _("オンライン参加用URL（非公開）"),
        blank=True,
        help_text=_(
            "オンライン参加が確定した方にだけメールで知らせます。公開ページには表示しません。"
        ),
    )
    online_meeting_note = models.CharField(
        _("オンライン参加の補足（非公開）"),
        max_length=300,
        blank=True,
        help_text=_("ミーティングID・パスコードなど。URLと同じく参加者にだけ知らせます。"),
    )
    fee_yen = models.PositiveIntegerField(
        _("参加費（円）"), default=0, help_text=_("0は無料です。")
    )
    registration_deadline = models.DateField(
        _("申込締切日"),
        null=True,
        blank=True,
        help_text=_("この日の終わり（24時）まで受け付けます。"),
    )

    consultation_start_time = models.TimeField(_("個別相談会の開始時刻"), null=True, blank=True)
    consultation_end_time = models.TimeField(_("個別相談会の終了時刻"), null=True, blank=True)
    consultation_slot_minutes = models.PositiveSmallIntegerField(
        _("個別相談の1枠の長さ（分）"), null=True, blank=True
    )

    cancelled_at = models.DateTimeField(_("中止日時"), null=True, blank=True, editable=False)
    cancellation_reason = models.CharField(
        _("中止の理由"), max_length=500, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("セミナー")
        verbose_name_plural = _("セミナー")
        ordering = ["-fiscal_year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "number"], name="seminars_one_number_per_year"
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gt=models.F("start_time")),
                name="seminars_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(consultation_end_time__isnull=True)
                | Q(consultation_start_time__isnull=True)
                | Q(consultation_end_time__gt=models.F("consultation_start_time")),
                name="seminars_consultation_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["status", "date"], name="seminars_status_date")]

    def __str__(self) -> str:
        return f"{self.numbered_label} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("seminars:detail", kwargs={"slug": self.slug})

    # --- Derived values ------------------------------------------------------------------

    @property
    def numbered_label(self) -> str:
        return _("第%(number)s回") % {"number": self.number}

    def _at(self, moment: time | None) -> datetime | None:
        if self.date is None or moment is None:
            return None
        return datetime.combine(self.date, moment, tzinfo=timezone.get_default_timezone())

    @property
    def starts_at(self) -> datetime | None:
        return self._at(self.start_time)

    @property
    def ends_at(self) -> datetime | None:
        return self._at(self.end_time)

    @property
    def consultation_starts_at(self) -> datetime | None:
        return self._at(self.consultation_start_time)

    @property
    def consultation_ends_at(self) -> datetime | None:
        return self._at(self.consultation_end_time)

    @property
    def has_consultation_session(self) -> bool:
        return self.consultation_start_time is not None and self.consultation_end_time is not None

    @property
    def registration_closes_at(self) -> datetime | None:
        """The end of the deadline day (Asia/Tokyo); registration is open before it."""
        if self.registration_deadline is None:
            return None
        next_day = self.registration_deadline + timedelta(days=1)
        return datetime.combine(next_day, time(0), tzinfo=timezone.get_default_timezone())

    @property
    def reminder_at(self) -> datetime | None:
        starts_at = self.starts_at
        return starts_at - settings.SEMINAR_REMINDER_BEFORE if starts_at else None

    @property
    def offers_onsite(self) -> bool:
        return self.format in (Format.ONSITE, Format.HYBRID)

    @property
    def offers_online(self) -> bool:
        return self.format in (Format.ONLINE, Format.HYBRID)

    @property
    def attendance_choices(self) -> list[tuple[str, "StrOrPromise"]]:
        choices: list[tuple[str, StrOrPromise]] = []
        if self.offers_onsite:
            choices.append((Attendance.ONSITE.value, Attendance.ONSITE.label))
        if self.offers_online:
            choices.append((Attendance.ONLINE.value, Attendance.ONLINE.label))
        return choices

    def capacity_for(self, attendance: str) -> int | None:
        """The seats of one kind of attendance; None is unlimited."""
        if attendance == Attendance.ONSITE:
            return self.onsite_capacity or 0
        return self.online_capacity

    def is_past(self, today: date_type | None = None) -> bool:
        """Held before today, or (date unknown) in a fiscal year that has ended."""
        today = today or timezone.localdate()
        if self.date is not None:
            return self.date < today
        return self.fiscal_year < fiscal_year(today)

    @property
    def is_free(self) -> bool:
        return self.fee_yen == 0

    # The seats taken, counted by the database on every request: annotations that
    # seminars.selectors adds (the properties below need them; a Seminar loaded otherwise
    # has neither).
    onsite_taken: int
    online_taken: int

    @property
    def onsite_seats_left(self) -> int:
        return max((self.onsite_capacity or 0) - self.onsite_taken, 0)

    @property
    def online_seats_left(self) -> int | None:
        if self.online_capacity is None:
            return None
        return max(self.online_capacity - self.online_taken, 0)

    @property
    def onsite_fill_ratio(self) -> float:
        return self.onsite_taken / self.onsite_capacity if self.onsite_capacity else 0.0


class Talk(models.Model):
    """One talk of a seminar: a registered supporter or a guest, or the dialogue."""

    class Kind(models.TextChoices):
        PARTNER = "partner", _("みえDXパートナートーク")
        ADVISOR = "advisor", _("みえDXアドバイザートーク")
        DIALOGUE = "dialogue", _("対談")
        OTHER = "other", _("講演")

    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="talks")
    order = models.PositiveSmallIntegerField(_("順番"), default=1)
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("演題"), max_length=300)
    subtitle = models.CharField(_("副題"), max_length=300, blank=True)
    supporter = models.ForeignKey(
        "advisors.Supporter",
        verbose_name=_("登録アドバイザー・パートナー"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="talks",
        help_text=_("登録されたアドバイザー、または講師の所属するパートナー企業。"),
    )
    speaker_name = models.CharField(
        _("講師名"),
        max_length=200,
        blank=True,
        help_text=_("空欄のときは登録アドバイザー・パートナーの名前を表示します。"),
    )
    speaker_affiliation = models.TextField(
        _("講師の所属・役職"), blank=True, help_text=_("1行に1つずつ入力します。")
    )

    class Meta:
        verbose_name = _("講演")
        verbose_name_plural = _("講演")
        ordering = ["seminar", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(supporter__isnull=False) | ~Q(speaker_name=""),
                name="seminars_talk_has_speaker",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def display_speaker(self) -> str:
        return self.speaker_name or (self.supporter.name if self.supporter else "")

    @property
    def affiliation_lines(self) -> list[str]:
        text = self.speaker_affiliation
        if not text and self.supporter is not None and not self.speaker_name:
            return self.supporter.affiliation_lines
        return [line.strip() for line in text.splitlines() if line.strip()]


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("参加確定")
    WAITLISTED = "waitlisted", _("キャンセル待ち")
    CANCELLED = "cancelled", _("取消し")
    ATTENDED = "attended", _("出席")
    NO_SHOW = "no_show", _("欠席")


# Registrations holding a seat (on-site or online). After the seminar a checked-in person is
# `attended` or `no_show`; both still count against the capacity they were given.
SEAT_HOLDING = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
)
ACTIVE = (*SEAT_HOLDING, RegistrationStatus.WAITLISTED)


class Registration(PrivateLinkModel, Requester):
    """One person's registration for a seminar (the requester fields: mie_dx.people)."""

    LINK_PURPOSE = "manage"  # the registrant's management link

    PERSONAL_FIELDS = (*Requester.PERSONAL_FIELDS, "consultation_topic")

    seminar = models.ForeignKey(Seminar, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(_("状態"), max_length=16, choices=RegistrationStatus, db_index=True)
    attendance = models.CharField(_("参加方法"), max_length=16, choices=Attendance)

    requester_type = models.CharField(
        _("参加者の区分"), max_length=16, choices=RequesterType.choices
    )

    wants_consultation = models.BooleanField(_("個別相談を希望"), default=False)
    consultation_topic = models.TextField(_("個別相談の内容"), max_length=2000, blank=True)
    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("相談"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seminar_registration",
    )
    consultation_slot_at = models.DateTimeField(_("個別相談の時間"), null=True, blank=True)

    registered_at = models.DateTimeField(_("申込日時"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("参加確定日時"), null=True, blank=True)
    waitlisted_at = models.DateTimeField(
        _("キャンセル待ち登録日時"),
        null=True,
        blank=True,
        help_text=_("キャンセル待ちはこの日時の順に繰り上がります。"),
    )
    cancelled_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("出欠の記録日時"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出欠を記録した職員"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(_("前日のお知らせ送信日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("申込み")
        verbose_name_plural = _("申込み")
        ordering = ["seminar", "registered_at", "pk"]
        permissions = [("view_personal_data", _("申込者の個人情報を閲覧・出力できる"))]
        constraints = [
            # One active registration per address and seminar; a cancelled one may be followed
            # by a new one. The service checks first and explains; this is the backstop.
            models.UniqueConstraint(
                Lower("email"),
                "seminar",
                condition=~Q(status="cancelled"),
                name="seminars_one_active_registration_per_email",
            ),
            models.CheckConstraint(
                condition=Q(attendance__in=["onsite", "online"]),
                name="seminars_registration_attendance_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["seminar", "attendance", "status"], name="seminars_reg_seat_count"
            ),
        ]

    def __str__(self) -> str:
        # No name: managers reach registrations through surveys and the history.
        return _("申込み %(pk)s（%(seminar)s）") % {
            "pk": self.pk,
            "seminar": self.seminar.numbered_label,
        }

    def get_manage_url(self) -> str:
        return reverse("seminars:manage", kwargs={"token": self.private_token})

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def is_online(self) -> bool:
        return self.attendance == Attendance.ONLINE

    @property
    def can_be_emailed(self) -> bool:
        """False for a walk-in recorded at the door (seminars.walkin) and after erasure: their
        address is an undeliverable placeholder."""
        return not self.email.lower().endswith("@" + ERASED_EMAIL_DOMAIN)


class SeminarSurvey(SatisfactionSurvey):
    """The survey sent after the seminar (KPI 10-1 a, with the consultation surveys)."""

    LINK_PURPOSE = "seminar-survey"

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="survey"
    )

    class Meta:
        verbose_name = _("セミナーのアンケート")
        verbose_name_plural = _("セミナーのアンケート")

    def __str__(self) -> str:
        return f"{self.registration}: {self.get_rating_display() or '-'}"
