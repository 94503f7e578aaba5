"""The inventory of administrative procedures (行政手続) and their digitisation (seed §7).

A procedure's plan is one of: a fiscal year (R2 … R8), 「R9以降」, or 「要調整」 (needs
adjustment: unnecessary or hard, with a reason). Its status is 未着手 / 対応中 / デジタル化済 /
対象外. The rules the figures follow are in `procedures.selectors`.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mie_dx.fiscal import FiscalYearField, fiscal_year_short
from mie_dx.models import Division

# A procedure's code appears in its page's URL (procedures/urls.py matches the same shape).
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z"


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
                violation_error_message=_(
                    "予定年度は「年度を予定」のときだけ入力し、そのときは必ず入力してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="digitised", digitised_on__isnull=False)
                | ~Q(status="digitised"),
                name="procedure_digitised_has_date",
                violation_error_message=_("デジタル化済の手続にはデジタル化日が必要です。"),
            ),
        ]
        indexes = [
            models.Index(fields=["is_priority", "status"]),
            models.Index(fields=["kind", "plan", "planned_fiscal_year"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

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
