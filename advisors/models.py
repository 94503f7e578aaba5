"""Registered supporters of the Mie DX Center (別紙2 of the seed).

みえDXアドバイザーズ are individual experts, みえDXパートナーズ are companies. Both receive
consultations matched by the center, so they share one model (`Supporter`) and one expertise
vocabulary (`ExpertiseArea`) that the matching suggestions rank against.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mie_dx.fiscal import FiscalYearField, fiscal_year_label

# The seed registers every supporter "as of 令和4年4月1日", i.e. from FY2022 (R4).
FIRST_TERM_FY = 2022


class ExpertiseArea(models.Model):
    """A field a supporter can advise on: the center's own tagging, used to filter and match."""

    slug = models.SlugField(_("識別子"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("名称（英語）"), max_length=100, blank=True)
    display_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("専門分野")
        verbose_name_plural = _("専門分野")
        ordering = ["display_order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="advisors_expertise_name_unique"),
        ]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        """The name in the active language: English when it is active and a name exists."""
        language = get_language() or "ja"
        if language.startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Supporter(models.Model):
    """An advisor (a person) or a partner (a company) registered with the center.

    `affiliation` holds one role per line (the seed separates roles with " / ").
    `contact_email` is private: it is for notifications of matched consultations and must never
    be rendered on a public page.
    """

    class Kind(models.TextChoices):
        ADVISOR = "advisor", _("アドバイザー")
        PARTNER = "partner", _("パートナー")

    kind = models.CharField(_("区分"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("氏名・企業名"), max_length=200)
    name_kana = models.CharField(
        _("よみがな"),
        max_length=200,
        blank=True,
        help_text=_("ひらがなで入力してください。企業の場合は空欄で構いません。"),
    )
    slug = models.SlugField(
        _("URL用識別子"),
        max_length=80,
        unique=True,
        help_text=_("公開ページのURLに使う半角英数字。公開後は変更しないでください。"),
    )
    affiliation = models.TextField(
        _("所属・役職等"), blank=True, help_text=_("役職が複数ある場合は1行に1つずつ入力します。")
    )
    expertise = models.ManyToManyField(
        ExpertiseArea, verbose_name=_("専門分野"), related_name="supporters", blank=True
    )
    term_start_fy = FiscalYearField(_("任期開始年度"), default=FIRST_TERM_FY)
    term_end_fy = FiscalYearField(
        _("任期終了年度"), null=True, blank=True, help_text=_("空欄は任期中（終了未定）です。")
    )
    is_active = models.BooleanField(
        _("公開・受付中"),
        default=True,
        help_text=_("外すと公開ページに表示されず、マッチングの対象外になります。"),
    )
    profile = models.TextField(_("プロフィール（公開）"), blank=True)
    contact_email = models.EmailField(
        _("連絡先メールアドレス（非公開）"),
        blank=True,
        help_text=_("マッチングの通知に使います。公開ページには表示されません。"),
    )
    sort_key = models.CharField(
        _("並び順キー"),
        max_length=200,
        blank=True,
        help_text=_("五十音順に並べるための読み（ひらがな）。"),
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[expertise])

    class Meta:
        verbose_name = _("アドバイザー・パートナー")
        verbose_name_plural = _("アドバイザー・パートナー")
        ordering = ["kind", "sort_key", "name"]
        indexes = [
            # The public directory and the matching read active supporters by kind in order.
            models.Index(
                fields=["is_active", "kind", "sort_key"], name="advisors_active_kind_sort"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["advisor", "partner"]), name="advisors_supporter_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(term_end_fy__isnull=True)
                | Q(term_end_fy__gte=models.F("term_start_fy")),
                name="advisors_supporter_term_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("advisors:detail", kwargs={"slug": self.slug})

    @property
    def affiliation_lines(self) -> list[str]:
        """The roles, one per item, without blank lines."""
        return [line.strip() for line in self.affiliation.splitlines() if line.strip()]

    @property
    def term_label(self) -> str:
        """'令和4年度〜' (or '令和4年度〜令和5年度'); 'FY2022〜' when English is active."""
        start = fiscal_year_label(self.term_start_fy)
        end = fiscal_year_label(self.term_end_fy) if self.term_end_fy else ""
        return f"{start}〜{end}"
