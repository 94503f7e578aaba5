"""Import and export of the procedure inventory (`import_data procedures FILE`, the admin).

Columns (spec.md, a contract with the divisions' spreadsheets — not translated): 手続コード,
手続名, 様式名, 所属コード, 区分 (独自 / 法定), 年間受付件数, 重点 (1 / 0), 予定年度 (R2 … R8,
R9以降, 要調整), 状態 (未着手 / 対応中 / デジタル化済 / 対象外), デジタル化日 (YYYY-MM-DD or
YYYY/MM/DD), オンライン申請件数, 備考. Rows are created or updated by 手続コード; an optional
column missing from the file leaves what is recorded. The file has no column for the reason of
要調整: its 備考 says why.

Each cell is read by its widget (mie_dx.importexport), each row saved through the services
(`register_procedure`, `update_procedure`: the record's rules and the log are theirs), in the
import's one all-or-nothing transaction.

A division's officer imports only their divisions' procedures: a row of another division (or
one that would move a procedure out of, or into, another division) is refused with a reason.
A command (no user) and staff with `procedures.change_all_procedures` import every division.
"""

import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from mie_dx.fiscal import REIWA_OFFSET, fiscal_year_short
from mie_dx.importexport import (
    CodeWidget,
    CountWidget,
    DayWidget,
    FlagWidget,
    LabelChoiceWidget,
    PortalResource,
    TextWidget,
    cell_text,
)
from mie_dx.models import Division
from mie_dx.users import acting_user
from procedures import services
from procedures.models import DIGITISED_WITHOUT_DATE, PLAN_YEAR_MISMATCH, Procedure
from procedures.selectors import editable_division_ids

CODE = "手続コード"
NAME = "手続名"
FORM_NAME = "様式名"
DIVISION_CODE = "所属コード"
KIND = "区分"
ANNUAL = "年間受付件数"
PRIORITY = "重点"
PLAN = "予定年度"
STATUS = "状態"
DIGITISED_ON = "デジタル化日"
ONLINE = "オンライン申請件数"
NOTES = "備考"

KINDS = {"独自": Procedure.Kind.OWN, "法定": Procedure.Kind.STATUTORY}
STATUSES = {
    "未着手": Procedure.Status.NOT_STARTED,
    "対応中": Procedure.Status.IN_PROGRESS,
    "デジタル化済": Procedure.Status.DIGITISED,
    "対象外": Procedure.Status.OUT_OF_SCOPE,
}
PLAN_R9 = "R9以降"
PLAN_ADJUST = "要調整"
PLAN_RE = re.compile(r"^[RrＲｒ]([0-9０-９]{1,2})$")
# The plan runs to R8; R9以降 has its own value.
LAST_PLANNED_REIWA = 8

# What a row may change, as the services name it.
TRACKED = (
    "name",
    "form_name",
    "division",
    "kind",
    "annual_applications",
    "is_priority",
    "plan",
    "planned_fiscal_year",
    "adjustment_reason",
    "status",
    "digitised_on",
    "online_applications",
    "notes",
)
# The record's rules reported under the column they are about (the file has no column for
# the reason of 要調整: its 備考 gives it).
RULE_COLUMNS = {
    PLAN_YEAR_MISMATCH: "plan",
    DIGITISED_WITHOUT_DATE: "digitised_on",
    "adjustment_reason": "notes",
}


def parse_plan(value: object) -> tuple[str, int | None] | None:
    """「R4」 → (fiscal_year, 2022); 「R9以降」, 「要調整」; None when not one of them."""
    text = cell_text(value)
    if text == PLAN_R9:
        return Procedure.Plan.R9_OR_LATER, None
    if text == PLAN_ADJUST:
        return Procedure.Plan.NEEDS_ADJUSTMENT, None
    match = PLAN_RE.match(text)
    if match:
        n = int(match.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
        if 1 <= n <= LAST_PLANNED_REIWA:
            return Procedure.Plan.FISCAL_YEAR, REIWA_OFFSET + n
    return None


def plan_label(procedure: Procedure) -> str:
    if procedure.plan == Procedure.Plan.FISCAL_YEAR and procedure.planned_fiscal_year:
        return fiscal_year_short(procedure.planned_fiscal_year)
    return PLAN_R9 if procedure.plan == Procedure.Plan.R9_OR_LATER else PLAN_ADJUST


class PlanWidget(widgets.Widget):
    """予定年度: R2 … R8, R9以降 or 要調整, as (plan, planned fiscal year)."""

    def clean(self, value, row=None, **kwargs) -> tuple[str, int | None]:
        plan = parse_plan(value)
        if plan is None:
            raise ValueError(gettext("R2〜R8、R9以降、要調整のいずれかを入力してください。"))
        return plan


class PlanField(Field):
    """The one column that sets two fields: the plan and its fiscal year."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        instance.plan, instance.planned_fiscal_year = self.clean(row, **kwargs)


class ProcedureResource(PortalResource):
    code = Field("code", CODE, widget=TextWidget(required=True))
    name = Field("name", NAME, widget=TextWidget(required=True))
    form_name = Field("form_name", FORM_NAME, widget=TextWidget())
    division_code = Field(
        "division",
        DIVISION_CODE,
        widget=CodeWidget(Division, message=_("所属コード %(code)s の所属がありません。")),
    )
    kind = Field(
        "kind",
        KIND,
        widget=LabelChoiceWidget(KINDS, message=_("「独自」または「法定」を入力してください。")),
    )
    annual_applications = Field(
        "annual_applications",
        ANNUAL,
        widget=CountWidget(required=True, message=_("0以上の整数を入力してください。")),
    )
    priority = Field(
        "is_priority",
        PRIORITY,
        widget=FlagWidget(message=_("1（重点手続）または0を入力してください。")),
    )
    plan = PlanField("plan", PLAN, widget=PlanWidget())
    status = Field(
        "status",
        STATUS,
        widget=LabelChoiceWidget(
            STATUSES,
            message=_("未着手、対応中、デジタル化済、対象外のいずれかを入力してください。"),
        ),
    )
    digitised_on = Field(
        "digitised_on",
        DIGITISED_ON,
        widget=DayWidget(message=_("日付は YYYY-MM-DD または YYYY/MM/DD で入力してください。")),
    )
    online_applications = Field(
        "online_applications",
        ONLINE,
        widget=CountWidget(message=_("0以上の整数を入力してください（不明は空欄）。")),
    )
    notes = Field("notes", NOTES, widget=TextWidget())

    preview_identity_fields = ("code", "name")
    import_intro = _(
        "手続台帳から、手続コードごとに手続を登録・更新します。編集を担当する所属の手続だけを"
        "取り込めます。ファイルにない任意の列は変わりません。"
    )
    example_row = {
        "code": "P-0001",
        "name": "〇〇許可申請",
        "form_name": "様式第1号",
        "division_code": "S0101",
        "kind": "独自",
        "annual_applications": 120,
        "priority": 0,
        "plan": "R7",
        "status": "対応中",
        "digitised_on": "",
        "online_applications": "",
        "notes": "",
    }
    column_hints = {
        "plan": "R2〜R8、R9以降、要調整のいずれか（要調整の理由は備考に）",
    }

    class Meta:
        model = Procedure
        fields = (
            "code",
            "name",
            "form_name",
            "division_code",
            "kind",
            "annual_applications",
            "priority",
            "plan",
            "status",
            "digitised_on",
            "online_applications",
            "notes",
        )
        import_id_fields = ("code",)
        required_fields = (
            "code",
            "name",
            "division_code",
            "kind",
            "annual_applications",
            "priority",
            "plan",
            "status",
        )
        # The services check each row as a whole and log it.
        clean_model_instances = False
        audit_rows = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._allowed: set[int] | None = None
        self._allowed_known = False
        self._changes: dict[int, dict[str, object]] = {}

    # --- Export ----------------------------------------------------------------------------

    def get_queryset(self):
        return Procedure.objects.select_related("division").order_by("code")

    def dehydrate_plan(self, procedure: Procedure) -> str:
        return plan_label(procedure)

    # --- Import ----------------------------------------------------------------------------

    def allowed_divisions(self) -> set[int] | None:
        if not self._allowed_known:
            self._allowed, self._allowed_known = editable_division_ids(self.user), True
        return self._allowed

    def get_instance(self, instance_loader, row):
        code = cell_text(row.get(CODE))
        if not code:
            return None
        return Procedure.objects.filter(code=code).first()

    def import_instance(self, instance, row, **kwargs):
        line = kwargs.get("row_number", 0) + 1
        before = {name: _value(instance, name) for name in TRACKED} if instance.pk else None
        recorded_division_id = instance.division_id if instance.pk else None
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)

        earlier = self.earlier_line_of(cell_text(row.get(CODE)), line)
        if earlier is not None:
            errors.setdefault("code", []).append(
                gettext("同じ手続コードが %(line)s行目にもあります。") % {"line": earlier}
            )
        allowed = self.allowed_divisions()
        if allowed is not None and "division" not in errors:
            if instance.division.pk not in allowed:
                errors.setdefault("division", []).append(
                    gettext("所属コード %(code)s の手続を更新する権限がありません。")
                    % {"code": instance.division.code}
                )
            elif instance.pk and recorded_division_id not in allowed:
                errors.setdefault("code", []).append(
                    gettext("この手続は他の所属の手続です。更新する権限がありません。")
                )
        if errors:
            raise ValidationError(errors)

        if instance.plan == Procedure.Plan.NEEDS_ADJUSTMENT and not instance.adjustment_reason:
            instance.adjustment_reason = instance.notes
        if before is not None:
            self._changes[instance.pk] = {
                name: getattr(instance, name)
                for name in TRACKED
                if _value(instance, name) != before[name]
            }

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return not self._changes.get(instance.pk)

    def do_instance_save(self, instance, is_create):
        try:
            if is_create:
                services.register_procedure(procedure=instance, by=acting_user(self.user))
            else:
                services.update_procedure(
                    procedure=instance,
                    changes=self._changes[instance.pk],
                    by=acting_user(self.user),
                )
        except ValidationError as error:
            raise self.errors_by_column(_under_rule_columns(error)) from error


def _value(procedure: Procedure, name: str) -> object:
    """A field's value as stored (the division's id, not the division)."""
    return procedure.serializable_value(name)


def _under_rule_columns(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    keyed: dict[str, list] = {}
    for key, reasons in error.error_dict.items():
        for reason in reasons:
            column = RULE_COLUMNS.get(reason.code or "") or RULE_COLUMNS.get(key, key)
            keyed.setdefault(column if column else NON_FIELD_ERRORS, []).append(reason)
    return ValidationError(keyed)
