"""The plan's KPIs (みえ元気プラン 施策10-1 / 10-2 / 行政運営6, and the 県政レポート indicators):
definitions, yearly targets and the actuals entered by hand.

Computed actuals are not stored: they are read live from the apps that hold the records
(mie_dx.registry.kpi_sources, contract in mie_dx.figures) by kpi.selectors.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mie_dx.fiscal import FiscalYearField, fiscal_year_label

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Policy(models.TextChoices):
    SOCIETY = "10-1", _("施策10-1 社会におけるDXの推進")
    SERVICES = "10-2", _("施策10-2 行政サービスのDX推進")
    ADMINISTRATION = "admin-6", _("行政運営6 県庁DXの推進")
    REPORT = "report", _("県政レポート（令和4年版）の指標")


class Measure(models.TextChoices):
    PERCENTAGE = "percentage", _("割合（%）")
    COUNT = "count", _("件数")


class SourceKind(models.TextChoices):
    COMPUTED = "computed", _("ポータルの記録から集計")
    ENTERED = "entered", _("手入力")


class Grade(models.TextChoices):
    A = "A", _("A（進んだ）")
    B = "B", _("B（ある程度進んだ）")
    C = "C", _("C（あまり進まなかった）")
    D = "D", _("D（進まなかった）")


class InLanguage:
    """`display_<field>`: the field's English text (`<field>_en`) on an English page when
    there is one, the Japanese otherwise."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.field = name.removeprefix("display_")

    def __get__(self, instance: object, owner: type | None = None) -> str:
        if instance is None:
            return self  # type: ignore[return-value]  # the class attribute itself
        english = not (get_language() or "ja").startswith("ja")
        text = getattr(instance, f"{self.field}_en") if english else ""
        return text or getattr(instance, self.field)


class Kpi(models.Model):
    """A plan KPI. Its texts are the plan's Japanese, each with an English version (`*_en`)
    shown when the page is in English (`display_*`); the Japanese is shown where one is empty.
    """

    code = models.CharField(_("コード"), max_length=32, unique=True)
    slug = models.SlugField(
        _("URL用の識別子"), max_length=40, unique=True, help_text=_("半角英数字とハイフン。")
    )
    policy = models.CharField(_("施策"), max_length=16, choices=Policy)
    name = models.CharField(_("項目"), max_length=200)
    description = models.TextField(_("項目の説明"), blank=True)
    measure = models.CharField(_("種類"), max_length=16, choices=Measure)
    unit = models.CharField(_("単位"), max_length=16)
    baseline_value = models.DecimalField(
        _("現状値"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    baseline_fiscal_year = FiscalYearField(_("現状値の年度"), null=True, blank=True)
    baseline_note = models.CharField(
        _("現状値の補足"), max_length=100, blank=True, help_text=_("例：調査中")
    )
    final_target_value = models.DecimalField(
        _("最終目標値"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    final_target_fiscal_year = FiscalYearField(_("最終目標の年度"), null=True, blank=True)
    final_target_note = models.CharField(
        _("最終目標の補足"), max_length=100, blank=True, help_text=_("例：以上")
    )
    cumulative = models.BooleanField(_("累計"), default=False)
    higher_is_better = models.BooleanField(_("値が大きいほど良い"), default=True)
    source = models.CharField(
        _("実績の取得方法"), max_length=16, choices=SourceKind, default=SourceKind.ENTERED
    )
    first_computed_fiscal_year = FiscalYearField(
        _("ポータルで集計する最初の年度"),
        null=True,
        blank=True,
        help_text=_("それより前の年度は手入力の実績を使います。"),
    )
    counting_rule = models.TextField(
        _("集計方法"),
        blank=True,
        help_text=_(
            "手入力のKPIの集計方法。ポータルの記録から集計するKPIは、集計元のアプリが定める"
            "規則がKPIのページに表示されます。"
        ),
    )
    name_en = models.CharField(_("項目（英語）"), max_length=200, blank=True)
    description_en = models.TextField(_("項目の説明（英語）"), blank=True)
    unit_en = models.CharField(_("単位（英語）"), max_length=16, blank=True)
    baseline_note_en = models.CharField(_("現状値の補足（英語）"), max_length=100, blank=True)
    final_target_note_en = models.CharField(_("最終目標の補足（英語）"), max_length=100, blank=True)
    counting_rule_en = models.TextField(_("集計方法（英語）"), blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPI")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("kpi:detail", args=[self.slug])

    display_name = InLanguage()
    display_description = InLanguage()
    display_unit = InLanguage()
    display_baseline_note = InLanguage()
    display_final_target_note = InLanguage()
    display_counting_rule = InLanguage()

    @property
    def baseline_label(self) -> str:
        return fiscal_year_label(self.baseline_fiscal_year) if self.baseline_fiscal_year else ""

    @property
    def final_target_label(self) -> str:
        fy = self.final_target_fiscal_year
        return fiscal_year_label(fy) if fy else ""

    @property
    def first_computed_label(self) -> str:
        fy = self.first_computed_fiscal_year
        return fiscal_year_label(fy) if fy else ""

    def is_computed_in(self, fy: int) -> bool:
        return (
            self.source == SourceKind.COMPUTED
            and self.first_computed_fiscal_year is not None
            and fy >= self.first_computed_fiscal_year
        )


class KpiTarget(models.Model):
    kpi = models.ForeignKey(
        Kpi, verbose_name="KPI", on_delete=models.CASCADE, related_name="targets"
    )
    fiscal_year = FiscalYearField(_("年度"))
    value = models.DecimalField(_("目標値"), max_digits=12, decimal_places=1)
    approx_count = models.PositiveIntegerField(
        _("件数での目安（概数）"),
        null=True,
        blank=True,
        help_text=_("割合の目標を件数でも示すとき（例：10-2 a の令和4年度 76% は約8万件）。"),
    )

    class Meta:
        verbose_name = _("年度目標")
        verbose_name_plural = _("年度目標")
        ordering = ["kpi", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpi_target_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.fiscal_year}: {self.value}"


class KpiActual(models.Model):
    """An actual entered by hand (who and when; a correction keeps the old value in history).

    For a year the portal computes (Kpi.is_computed_in) only the manager's assessment is
    entered: the grade (進展度) and a note, never a value."""

    kpi = models.ForeignKey(
        Kpi, verbose_name="KPI", on_delete=models.CASCADE, related_name="actuals"
    )
    fiscal_year = FiscalYearField(_("年度"))
    value = models.DecimalField(
        _("実績値"),
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("ポータルの記録から集計される年度は空欄のまま、進展度と備考だけを入力します。"),
    )
    grade = models.CharField(_("進展度"), max_length=1, choices=Grade, blank=True)
    note = models.TextField(_("備考"), blank=True, max_length=2000)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("入力者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("入力日時"), default=timezone.now)

    history = HistoricalRecords()
    # Whom simple-history records as the author of the next saved version, when set on the
    # row before it is saved (kpi.services.enter_actual: also outside a request).
    _history_user: "User | None"

    class Meta:
        verbose_name = _("実績（手入力）")
        verbose_name_plural = _("実績（手入力）")
        ordering = ["kpi", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "fiscal_year"], name="kpi_actual_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.fiscal_year}: {'—' if self.value is None else self.value}"


class AnnualReport(models.Model):
    """The annual evaluation of the plan's policy for a fiscal year (県政レポート), as the
    prefecture prints it: めざす姿, 進展度 and its reasoning, the main and sub indicators with
    every year's target and actual, the budget and staff, and what was done and what is left.

    The figures come from the KPIs (`main_indicator`, `indicators`); the grade (進展度) is the
    main indicator's grade for the year (entered on its KPI page), kept in one place. The texts
    are the managers'; their history is kept (django-simple-history).
    """

    fiscal_year = FiscalYearField(_("評価する年度"))
    title = models.CharField(
        _("表題"), max_length=200, help_text=_("例：令和4年版県政レポート（案）（関係分）")
    )
    department = models.CharField(_("主担当部局"), max_length=100, blank=True)
    vision = models.TextField(_("めざす姿"), blank=True, max_length=4000)
    evaluation = models.TextField(_("評価結果（進展度の判断理由）"), blank=True, max_length=8000)
    main_indicator = models.ForeignKey(
        Kpi,
        verbose_name=_("主指標"),
        on_delete=models.PROTECT,
        related_name="reports_as_main",
    )
    related_policies = models.CharField(
        _("関連する施策"),
        max_length=300,
        blank=True,
        help_text=_("例：施策10-1：社会におけるDXの推進 / 施策10-2：行政サービスのDX推進"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    is_sample = models.BooleanField(_("サンプルデータ"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年次評価（県政レポート）")
        verbose_name_plural = _("年次評価（県政レポート）")
        ordering = ["-fiscal_year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "title"], name="kpi_report_unique")
        ]

    def __str__(self) -> str:
        return f"{fiscal_year_label(self.fiscal_year)} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("kpi:report", args=[self.pk])

    @property
    def label(self) -> str:
        return fiscal_year_label(self.fiscal_year)


class ReportIndicator(models.Model):
    """A sub indicator (副指標) of a report, in the order printed."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="indicators")
    kpi = models.ForeignKey(
        Kpi, verbose_name=_("副指標"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("副指標")
        verbose_name_plural = _("副指標")
        ordering = ["report", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kpi"], name="kpi_report_indicator_once")
        ]

    def __str__(self) -> str:
        return self.kpi.code


class ReportBudget(models.Model):
    """予算額等 / 概算人件費 (百万円) and 配置人員 (人) of one fiscal year of a report."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="budgets")
    fiscal_year = FiscalYearField(_("年度"))
    budget = models.PositiveIntegerField(_("予算額等（百万円）"), null=True, blank=True)
    personnel_cost = models.PositiveIntegerField(_("概算人件費（百万円）"), null=True, blank=True)
    staff = models.PositiveIntegerField(_("配置人員（人）"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("予算額等・配置人員")
        verbose_name_plural = _("予算額等・配置人員")
        ordering = ["report", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "fiscal_year"], name="kpi_report_budget_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return fiscal_year_label(self.fiscal_year)


class ReportParagraph(models.Model):
    """One numbered paragraph of 取組概要と成果、残された課題 (①, ②, …)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="paragraphs")
    number = models.PositiveSmallIntegerField(_("番号"))
    text = models.TextField(_("取組概要と成果、残された課題"), max_length=4000)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("取組概要と成果、残された課題")
        verbose_name_plural = _("取組概要と成果、残された課題")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="kpi_report_paragraph_once")
        ]

    def __str__(self) -> str:
        return f"{self.number}"
