"""Import and export of the procedure inventory (`import_data procedures FILE`, the admin).

Columns (spec.md, a contract with the divisions' spreadsheets — not translated): 手続コード,
手続名, 様式名, 所属コード, 区分 (独自 / 法定), 年間受付件数, 重点 (1 / 0), 予定年度 (R2 … R8,
R9以降, 要調整), 状態 (未着手 / 対応中 / デジタル化済 / 対象外), デジタル化日 (YYYY-MM-DD or
YYYY/MM/DD), オンライン申請件数, 備考. Rows are created or updated by 手続コード.

A division's officer imports only their divisions' procedures: a row of another division (or
one that would move a procedure out of, or into, another division) is refused with a reason.
A command (no user) and staff with `procedures.change_all_procedures` import every division.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from import_export.fields import Field

from mie_dx.fiscal import REIWA_OFFSET, fiscal_year_short
from mie_dx.importexport import PortalResource, cell_date, cell_text
from mie_dx.models import Division
from procedures.models import Procedure
from procedures.selectors import editable_division_ids
from procedures.services import record_saved

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
STATUS_LABELS = {value: label for label, value in STATUSES.items()}
KIND_LABELS = {value: label for label, value in KINDS.items()}
PLAN_R9 = "R9以降"
PLAN_ADJUST = "要調整"
PLAN_RE = re.compile(r"^[RrＲｒ]([0-9０-９]{1,2})$")
# The plan runs to R8; R9以降 has its own value.
LAST_PLANNED_REIWA = 8

TRACKED = (
    "name",
    "form_name",
    "division_id",
    "kind",
    "annual_applications",
    "is_priority",
    "plan",
    "planned_fiscal_year",
    "status",
    "digitised_on",
    "online_applications",
    "notes",
)


def _count(value: object) -> int | None:
    """A non-negative whole number ("12,600" too); None when not one."""
    text = cell_text(value).replace(",", "").replace("，", "")
    return int(text) if text.isdigit() else None


def _date(value: object) -> date:
    """A cell as a date (ValueError when it is not one)."""
    parsed = cell_date(value)
    if parsed is None:
        raise ValueError(cell_text(value))
    return parsed


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


class ProcedureResource(PortalResource):
    code = Field("code", CODE)
    name = Field("name", NAME)
    form_name = Field("form_name", FORM_NAME)
    division_code = Field(column_name=DIVISION_CODE, dehydrate_method="dehydrate_division_code")
    kind = Field(column_name=KIND, dehydrate_method="dehydrate_kind")
    annual_applications = Field("annual_applications", ANNUAL)
    priority = Field(column_name=PRIORITY, dehydrate_method="dehydrate_priority")
    plan = Field(column_name=PLAN, dehydrate_method="dehydrate_plan")
    status = Field(column_name=STATUS, dehydrate_method="dehydrate_status")
    digitised_on = Field(column_name=DIGITISED_ON, dehydrate_method="dehydrate_digitised_on")
    online_applications = Field("online_applications", ONLINE)
    notes = Field("notes", NOTES)

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

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._divisions: dict[str, Division | None] = {}
        self._allowed: set[int] | bool | None = False  # False: not looked up yet
        self._seen_codes: dict[str, int] = {}

    # --- Export ----------------------------------------------------------------------------

    def get_queryset(self):
        return Procedure.objects.select_related("division").order_by("code")

    def dehydrate_division_code(self, procedure: Procedure) -> str:
        return procedure.division.code

    def dehydrate_kind(self, procedure: Procedure) -> str:
        return KIND_LABELS[procedure.kind]

    def dehydrate_priority(self, procedure: Procedure) -> int:
        return 1 if procedure.is_priority else 0

    def dehydrate_plan(self, procedure: Procedure) -> str:
        return plan_label(procedure)

    def dehydrate_status(self, procedure: Procedure) -> str:
        return STATUS_LABELS[procedure.status]

    def dehydrate_digitised_on(self, procedure: Procedure) -> str:
        return procedure.digitised_on.isoformat() if procedure.digitised_on else ""

    # --- Import ----------------------------------------------------------------------------

    def allowed_divisions(self) -> set[int] | None:
        if self._allowed is False:
            self._allowed = editable_division_ids(self.user)
        return self._allowed

    def _division(self, code: str) -> Division | None:
        if code not in self._divisions:
            self._divisions[code] = Division.objects.filter(code=code).first()
        return self._divisions[code]

    def get_instance(self, instance_loader, row):
        code = cell_text(row.get(CODE))
        if not code:
            return None
        return Procedure.objects.filter(code=code).first()

    def import_instance(self, instance, row, **kwargs):
        line = kwargs.get("row_number", 0) + 1
        errors: dict[str, list[str]] = {}

        def problem(column: str, message: str) -> None:
            errors.setdefault(column, []).append(message)

        before = {name: getattr(instance, name) for name in TRACKED} if instance.pk else None
        code = cell_text(row.get(CODE))
        if not code:
            problem(CODE, gettext("空欄です。"))
        elif code in self._seen_codes:
            problem(
                CODE,
                gettext("同じ手続コードが %(line)s行目にもあります。")
                % {"line": self._seen_codes[code]},
            )
        else:
            self._seen_codes[code] = line
        name = cell_text(row.get(NAME))
        if not name:
            problem(NAME, gettext("空欄です。"))

        division_code = cell_text(row.get(DIVISION_CODE))
        division = self._division(division_code) if division_code else None
        if not division_code:
            problem(DIVISION_CODE, gettext("空欄です。"))
        elif division is None:
            problem(
                DIVISION_CODE,
                gettext("所属コード %(code)s の所属がありません。") % {"code": division_code},
            )
        allowed = self.allowed_divisions()
        if allowed is not None:
            if division is not None and division.pk not in allowed:
                problem(
                    DIVISION_CODE,
                    gettext("所属コード %(code)s の手続を更新する権限がありません。")
                    % {"code": division_code},
                )
            elif instance.pk and instance.division_id not in allowed:
                problem(
                    CODE,
                    gettext("この手続は他の所属の手続です。更新する権限がありません。"),
                )

        kind = KINDS.get(cell_text(row.get(KIND)))
        if kind is None:
            problem(KIND, gettext("「独自」または「法定」を入力してください。"))
        annual = _count(row.get(ANNUAL))
        if annual is None:
            problem(ANNUAL, gettext("0以上の整数を入力してください。"))
        priority_text = cell_text(row.get(PRIORITY))
        if priority_text not in ("1", "0"):
            problem(PRIORITY, gettext("1（重点手続）または0を入力してください。"))
        plan = parse_plan(row.get(PLAN))
        if plan is None:
            problem(PLAN, gettext("R2〜R8、R9以降、要調整のいずれかを入力してください。"))
        status = STATUSES.get(cell_text(row.get(STATUS)))
        if status is None:
            problem(
                STATUS,
                gettext("未着手、対応中、デジタル化済、対象外のいずれかを入力してください。"),
            )

        digitised_on = instance.digitised_on
        if DIGITISED_ON in row:
            digitised_on = None
            if cell_text(row.get(DIGITISED_ON)):
                try:
                    digitised_on = _date(row.get(DIGITISED_ON))
                except ValueError:
                    problem(
                        DIGITISED_ON,
                        gettext("日付は YYYY-MM-DD または YYYY/MM/DD で入力してください。"),
                    )
        if (
            status == Procedure.Status.DIGITISED
            and digitised_on is None
            and DIGITISED_ON not in errors
        ):
            problem(DIGITISED_ON, gettext("デジタル化済の手続にはデジタル化日が必要です。"))

        online = instance.online_applications
        if ONLINE in row:
            online = None
            if cell_text(row.get(ONLINE)):
                online = _count(row.get(ONLINE))
                if online is None:
                    problem(ONLINE, gettext("0以上の整数を入力してください（不明は空欄）。"))

        if errors:
            raise ValidationError(errors)

        instance.code = code
        instance.name = name
        if FORM_NAME in row:
            instance.form_name = cell_text(row.get(FORM_NAME))
        instance.division = division
        instance.kind = kind
        instance.annual_applications = annual
        instance.is_priority = priority_text == "1"
        instance.plan, instance.planned_fiscal_year = plan
        instance.status = status
        instance.digitised_on = digitised_on
        instance.online_applications = online
        if NOTES in row:
            instance.notes = cell_text(row.get(NOTES))
        if instance.plan == Procedure.Plan.NEEDS_ADJUSTMENT and not instance.adjustment_reason:
            # The file has no reason column: its 備考 says why, when it says anything.
            instance.adjustment_reason = instance.notes
        instance._import_changed = (
            None if before is None else [n for n in TRACKED if before[n] != getattr(instance, n)]
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return not getattr(instance, "_import_changed", None)

    def after_save_instance(self, instance, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        changed = getattr(instance, "_import_changed", None)
        record_saved(
            procedure=instance,
            created=changed is None,
            changed=changed or [],
            by=self.user,
        )
