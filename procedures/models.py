"""The inventory of administrative procedures (行政手続) and their digitisation (seed §7).

A procedure's plan is one of: a fiscal year (R2 … R8), 「R9以降」, or 「要調整」 (needs
adjustment: unnecessary or hard, with a reason). Its status is 未着手 / 対応中 / デジタル化済 /
対象外. The rules the figures follow are in `procedures.selectors`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import Q
from django.utils import dateformat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import (
    REIWA_OFFSET,
    REIWA_START,
    FiscalYearField,
    fiscal_year_label,
    fiscal_year_short,
)
from mie_dx.models import Division
from mie_dx.municipalities import Municipality

# A procedure's code appears in its page's URL (procedures/urls.py matches the same shape).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z"
# The codes of the errors of Procedure's two rules kept as constraints: an import reports them
# under the column they are about (procedures.resources).
PLAN_YEAR_MISMATCH = "plan_year_mismatch"
DIGITISED_WITHOUT_DATE = "digitised_without_date"


class Procedure(models.Model):
    class Kind(models.TextChoices):
        OWN = "own", _("独自")
        STATUTORY = "statutory", _("法定")

    class Plan(models.TextChoices):
        FISCAL_YEAR = "fiscal_year", _("年度を予定")
        R9_OR_LATER = "r9_or_later", _("R9以降")
        NEEDS_ADJUSTMENT = "needs_adjustment", _("要調整")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未着手")
        IN_PROGRESS = "in_progress", _("対応中")
        DIGITISED = "digitised", _("デジタル化済")
        OUT_OF_SCOPE = "out_of_scope", _("対象外")

    code = models.CharField(
        _("手続コード"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                CODE_PATTERN,
                _("手続コードは半角英数字と - _ . で入力してください（例: P-0001）。"),
            )
        ],
        help_text=_("変更しないコード。半角英数字と - _ . （ページのURLに使います）。"),
    )
    name = models.CharField(_("手続名"), max_length=200)
    form_name = models.CharField(_("様式名"), max_length=200, blank=True)
    division = models.ForeignKey(
        Division, verbose_name=_("所属"), on_delete=models.PROTECT, related_name="procedures"
    )
    kind = models.CharField(_("区分"), max_length=20, choices=Kind.choices)
    annual_applications = models.PositiveIntegerField(_("年間受付件数"))
    applications_fiscal_year = FiscalYearField(_("受付件数の集計年度"), null=True, blank=True)
    is_priority = models.BooleanField(
        _("重点手続"), default=False, help_text=_("KPI 10-2 a の対象（県独自の重点手続）。")
    )
    plan = models.CharField(
        _("予定"), max_length=20, choices=Plan.choices, default=Plan.FISCAL_YEAR
    )
    planned_fiscal_year = FiscalYearField(_("デジタル化予定年度"), null=True, blank=True)
    adjustment_reason = models.TextField(_("要調整の理由"), blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    digitised_on = models.DateField(_("デジタル化日"), null=True, blank=True)
    needs_e_signature = models.BooleanField(_("電子署名が必要"), default=False)
    needs_e_payment = models.BooleanField(_("電子納付が必要"), default=False)
    online_url = models.URLField(_("オンライン申請のURL"), blank=True)
    online_applications = models.PositiveIntegerField(
        _("オンライン申請件数（年間）"), null=True, blank=True, help_text=_("空欄は不明。")
    )
    notes = models.TextField(_("備考"), blank=True)
    is_sample = models.BooleanField(
        _("サンプルデータ"),
        default=False,
        help_text=_("デモ用に生成したもので、県の実際の手続ではありません。"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("行政手続")
        verbose_name_plural = _("行政手続")
        ordering = ["code"]
        permissions = [("change_all_procedures", _("全所属の手続を編集できる"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(plan="fiscal_year", planned_fiscal_year__isnull=False)
                    | (~Q(plan="fiscal_year") & Q(planned_fiscal_year__isnull=True))
                ),
                name="procedure_plan_year_consistent",
                violation_error_code=PLAN_YEAR_MISMATCH,
                violation_error_message=_(
                    "予定年度は「年度を予定」のときだけ入力し、そのときは必ず入力してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="digitised", digitised_on__isnull=False)
                | ~Q(status="digitised"),
                name="procedure_digitised_has_date",
                violation_error_code=DIGITISED_WITHOUT_DATE,
                violation_error_message=_("デジタル化済の手続にはデジタル化日が必要です。"),
            ),
        ]
        indexes = [
            models.Index(fields=["is_priority", "status"]),
            models.Index(fields=["kind", "plan", "planned_fiscal_year"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        """The rules of a procedure's record, for every writer (the admin's form, an import
        row, the services): 要調整 needs its reason. (A planned year only with 「年度を予定」,
        and a デジタル化日 for デジタル化済, are the constraints below, checked as well.)"""
        if self.plan == self.Plan.NEEDS_ADJUSTMENT and not (self.adjustment_reason or "").strip():
            raise ValidationError(
                {"adjustment_reason": _("要調整の理由を入力してください。")},
                code="adjustment_without_reason",
            )

    @property
    def plan_label(self) -> str:
        """「R4」, 「R9以降」 or 「要調整」 — the survey's column."""
        if self.plan == self.Plan.FISCAL_YEAR and self.planned_fiscal_year:
            return fiscal_year_short(self.planned_fiscal_year)
        return str(self.get_plan_display())

    @property
    def is_online(self) -> bool:
        return self.status == self.Status.DIGITISED


class ProcedureEditor(models.Model):
    """A staff member who may edit (and import) the procedures of one division.

    Staff with `procedures.change_all_procedures` (the procedures office) edit every
    division's procedures without a row here.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("職員"),
        on_delete=models.CASCADE,
        related_name="procedure_divisions",
    )
    division = models.ForeignKey(
        Division, verbose_name=_("所属"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("手続の編集担当")
        verbose_name_plural = _("手続の編集担当")
        constraints = [
            models.UniqueConstraint(fields=["user", "division"], name="procedure_editor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.division.code}"


class SurveyColumn(models.TextChoices):
    """A column of the survey's table: the planned year (R2 … R8), 「R9以降」 or 「要調整」.

    The values are those of the live schedule table's columns (procedures.selectors), so that
    the two tables line up."""

    R2 = "2020", "R2"
    R3 = "2021", "R3"
    R4 = "2022", "R4"
    R5 = "2023", "R5"
    R6 = "2024", "R6"
    R7 = "2025", "R7"
    R8 = "2026", "R8"
    R9_OR_LATER = "r9_or_later", _("R9以降")
    NEEDS_ADJUSTMENT = "needs_adjustment", _("要調整")


class InventorySurvey(models.Model):
    """A survey of the procedures as it was published (seed §7: 行政手続のデジタル化に関する調査,
    令和3年12月14日〜令和4年1月14日, in the 行政手続デジタル化方針 of 令和4年4月): a dated
    record of what the prefecture found and aimed at then, never recomputed from the live
    inventory. Its table is in `InventorySurveyRow`."""

    title = models.CharField(_("調査名"), max_length=200)
    source = models.CharField(
        _("出典"), max_length=200, blank=True, help_text=_("例：行政手続デジタル化方針")
    )
    conducted_from = models.DateField(_("調査期間（開始）"))
    conducted_to = models.DateField(_("調査期間（終了）"))
    published_on = models.DateField(
        _("公表"), help_text=_("公表した月の1日（令和4年4月なら 2022-04-01）。")
    )
    scope = models.CharField(
        _("対象手続"),
        max_length=200,
        blank=True,
        help_text=_("例：年間受付件数100件以上の行政手続"),
    )
    # The whole inventory then (全行政手続), and the prefecture's own procedures in it.
    all_procedures = models.PositiveIntegerField(_("全行政手続の手続数"))
    all_applications = models.PositiveIntegerField(_("全行政手続の年間受付件数"))
    own_procedures = models.PositiveIntegerField(_("県独自手続の手続数"))
    own_procedures_over_100 = models.PositiveIntegerField(
        _("年間受付件数100件以上の県独自手続の手続数")
    )
    priority_procedures = models.PositiveIntegerField(_("重点手続の手続数"))
    priority_applications = models.PositiveIntegerField(_("重点手続の年間受付件数"))
    # 「県独自手続の年間受付件数約14万8千件のうち、デジタル化が完了した割合は31%（約4万6千件）」.
    own_applications_approx = models.PositiveIntegerField(
        _("県独自手続の年間受付件数（概数）"), null=True, blank=True
    )
    own_digitised_applications_approx = models.PositiveIntegerField(
        _("うちデジタル化済の年間受付件数（概数）"), null=True, blank=True
    )
    own_digitised_share = models.DecimalField(
        _("県独自手続のデジタル化済の割合（%、受付件数ベース）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    # 「県独自手続については、令和6年までに年間受付件数の74%がデジタル化、法定手続については78%」.
    aim_fiscal_year = FiscalYearField(_("見込みの年度"), null=True, blank=True)
    aim_own_share = models.DecimalField(
        _("県独自手続のデジタル化の見込み（%、受付件数ベース）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    aim_statutory_share = models.DecimalField(
        _("法定手続のデジタル化の見込み（%、受付件数ベース）"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    notes = models.TextField(_("備考"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("行政手続の調査")
        verbose_name_plural = _("行政手続の調査")
        ordering = ["-conducted_to", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(conducted_to__gte=models.F("conducted_from")),
                name="procedure_survey_period_in_order",
                violation_error_message=_("調査期間の終了は開始より後の日付にしてください。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.conducted_from:%Y-%m-%d}〜{self.conducted_to:%Y-%m-%d}）"

    @property
    def published_label(self) -> str:
        """「令和4年4月」 in Japanese, 「April 2022」 in English: the month it was published."""
        day = self.published_on
        if not (get_language() or "ja").startswith("ja"):
            return dateformat.format(day, "F Y")
        reiwa = day.year - REIWA_OFFSET
        if day < REIWA_START:
            return f"{day.year}年{day.month}月"
        return f"令和{'元' if reiwa == 1 else reiwa}年{day.month}月"

    def clean(self) -> None:
        """The totals must nest: all ≥ own ≥ own with ≥100 applications ≥ priority."""
        errors: dict[str, str] = {}

        def not_above(field: str, limit_field: str, message) -> None:
            value, limit = getattr(self, field), getattr(self, limit_field)
            if value is not None and limit is not None and value > limit:
                errors[field] = message

        not_above(
            "own_procedures", "all_procedures", _("県独自手続は全行政手続の数以下にしてください。")
        )
        not_above(
            "own_procedures_over_100",
            "own_procedures",
            _("年間受付件数100件以上の県独自手続は県独自手続の数以下にしてください。"),
        )
        not_above(
            "priority_procedures",
            "own_procedures_over_100",
            _("重点手続は年間受付件数100件以上の県独自手続の数以下にしてください。"),
        )
        not_above(
            "priority_applications",
            "all_applications",
            _("重点手続の年間受付件数は全行政手続の年間受付件数以下にしてください。"),
        )
        not_above(
            "own_digitised_applications_approx",
            "own_applications_approx",
            _("デジタル化済の受付件数は県独自手続の受付件数以下にしてください。"),
        )
        if errors:
            raise ValidationError(errors)


class InventorySurveyRow(models.Model):
    """A cell pair of the survey's table: procedures and annual applications of one kind
    (独自 / 法定) in one column (planned year, R9以降 or 要調整), as published."""

    survey = models.ForeignKey(
        InventorySurvey, verbose_name=_("調査"), on_delete=models.CASCADE, related_name="rows"
    )
    kind = models.CharField(_("区分"), max_length=20, choices=Procedure.Kind.choices)
    column = models.CharField(_("予定年度"), max_length=20, choices=SurveyColumn)
    procedures = models.PositiveIntegerField(_("手続数"))
    applications = models.PositiveIntegerField(_("年間受付件数"))

    class Meta:
        verbose_name = _("調査の集計表の行")
        verbose_name_plural = _("調査の集計表")
        ordering = ["survey", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "kind", "column"],
                name="procedure_survey_row_once",
                violation_error_message=_("同じ区分・予定年度の行が重複しています。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_column_display()}"


# --- Joint initiatives with the municipalities (施策10-2, KPI 10-2 b) --------------------------

# The municipalities an initiative is taken with: the core's 29 市町 (not 「三重県外」).
PARTICIPANT_MUNICIPALITIES = [
    (value, label) for value, label in Municipality.choices if value != Municipality.OUTSIDE_MIE
]
# An initiative is one 「複数の市町と連携して取り組んだ」 when at least this many take part.
MIN_PARTICIPANTS = 2
DOCUMENT_URL = URLValidator(schemes=["http", "https"])


def validate_document_links(value: str) -> None:
    """One http(s) address a line (blank lines are ignored)."""
    for number, line in enumerate(value.splitlines(), start=1):
        text = line.strip()
        if not text:
            continue
        try:
            DOCUMENT_URL(text)
        except ValidationError:
            raise ValidationError(
                _("%(line)s行目がURL（http:// または https:// で始まるもの）ではありません。"),
                code="invalid_document_link",
                params={"line": number},
            ) from None


class JointInitiative(models.Model):
    """An initiative the prefecture takes with several municipalities (三重県・市町DX推進協議会
    or elsewhere): 共同調達, 情報システムの標準化, … — the records behind KPI 10-2 b
    (procedures.selectors.kpi_joint_initiatives). The municipalities taking part are
    `JointInitiativeMunicipality` rows (at least two, procedures.services.save_initiative)."""

    class Kind(models.TextChoices):
        JOINT_PROCUREMENT = "joint_procurement", _("共同調達")
        STANDARDISATION = "standardisation", _("情報システムの標準化")
        BUSINESS_IMPROVEMENT = "business_improvement", _("業務改善")
        INFRASTRUCTURE = "infrastructure", _("情報基盤")
        INFORMATION_TRAINING = "information_training", _("情報提供・研修")
        OTHER = "other", _("その他")

    class Forum(models.TextChoices):
        COUNCIL = "council", _("三重県・市町DX推進協議会")
        OTHER = "other", _("その他")

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("実施中")
        COMPLETED = "completed", _("完了")
        SUSPENDED = "suspended", _("休止")

    code = models.CharField(
        _("管理番号"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(
                CODE_PATTERN,
                _("管理番号は半角英数字と - _ . で入力してください（例: MJ-2022-01）。"),
            )
        ],
        help_text=_("変更しない番号。半角英数字と - _ . （例: MJ-2022-01）。"),
    )
    title = models.CharField(_("取組名"), max_length=200)
    fiscal_year_started = FiscalYearField(_("開始年度"))
    kind = models.CharField(_("種類"), max_length=30, choices=Kind.choices)
    forum = models.CharField(_("場"), max_length=20, choices=Forum.choices, default=Forum.COUNCIL)
    forum_note = models.CharField(
        _("場（その他の場合）"),
        max_length=200,
        blank=True,
        help_text=_("「その他」のとき、どの会議・枠組みで取り組んだか。"),
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    summary = models.TextField(_("概要"), blank=True)
    outcome = models.TextField(_("成果"), blank=True)
    document_links = models.TextField(
        _("資料（URL）"),
        blank=True,
        validators=[validate_document_links],
        help_text=_("公開資料のURLを1行に1つ。"),
    )
    is_public = models.BooleanField(
        _("公開"),
        default=False,
        help_text=_("公開ページ「市町との連携による取組」（/municipal-dx/）に載せる。"),
    )
    is_sample = models.BooleanField(
        _("サンプルデータ"),
        default=False,
        help_text=_("デモ用に生成したもので、県の実際の取組ではありません。"),
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("市町との連携による取組")
        verbose_name_plural = _("市町との連携による取組")
        ordering = ["-fiscal_year_started", "code"]
        indexes = [models.Index(fields=["is_public", "fiscal_year_started"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        if self.forum == self.Forum.OTHER and not (self.forum_note or "").strip():
            raise ValidationError(
                {"forum_note": _("「その他」の場合は、どの場で取り組んだかを入力してください。")},
                code="forum_note_missing",
            )

    @property
    def year_label(self) -> str:
        """「令和3年度」 (FY2021 in English)."""
        return fiscal_year_label(self.fiscal_year_started)

    @property
    def links(self) -> list[str]:
        return [line.strip() for line in self.document_links.splitlines() if line.strip()]


class JointInitiativeMunicipality(models.Model):
    """A municipality taking part in a joint initiative."""

    initiative = models.ForeignKey(
        JointInitiative,
        verbose_name=_("取組"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    municipality = models.CharField(_("市町"), max_length=16, choices=PARTICIPANT_MUNICIPALITIES)

    class Meta:
        verbose_name = _("参加市町")
        verbose_name_plural = _("参加市町")
        ordering = ["initiative", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "municipality"], name="joint_initiative_municipality_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_municipality_display())
