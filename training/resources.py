"""Imports and exports of the training office (spec: column names are a contract).

- `StaffResource` — `import_data staff FILE`: the HR roster. Creates or updates by 職員番号;
  a leaver is a row with 在職 0 (marked inactive, never deleted: past enrolments stay).
  A member of staff missing from the file is left as they are; so is a column the file does
  not have (フリガナ, メールアドレス). A staff member's details are reference data: saved by
  the core's logged save (`training.staff_imported`), as the admin's are.
- `CompletionResource` — `import_data completions FILE`: the e-learning platform's export.
  Records the completion on the staff member's enrolment in the course for the fiscal year of
  the 修了日 (a volunteer course taken without enrolment gets one, on that year's period)
  through `services.enrol` and `services.record_completion` (the 養成研修's certifies), as the
  admin does; unknown employee numbers, courses or years without a period are reported, never
  guessed.

Each cell is read by its widget (mie_dx.importexport); the import is all or nothing.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from mie_dx.audit import save_changes, save_new
from mie_dx.fiscal import fiscal_year
from mie_dx.importexport import (
    CodeWidget,
    DayWidget,
    EmailWidget,
    FlagWidget,
    LabelChoiceWidget,
    PortalResource,
    TextWidget,
    cell_date,
    cell_text,
)
from mie_dx.models import Division
from mie_dx.users import acting_user
from training import services
from training.models import STAGE_BY_IMPORT_NAME, Course, CourseRun, Enrolment, Staff

EMPLOYEE_NUMBER = "職員番号"
NAME = "氏名"
KANA = "フリガナ"
DIVISION_CODE = "所属コード"
STAGE = "階層"
EMAIL = "メールアドレス"
ACTIVE = "在職"
COURSE_CODE = "研修コード"
COMPLETED_ON = "修了日"


def _become(instance, saved) -> None:
    """`instance` (the import's working copy of a new row) takes the values of the row the
    services made, so that the import's result names it."""
    for field in saved._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))


class StaffResource(PortalResource):
    employee_number = Field(
        "employee_number", EMPLOYEE_NUMBER, widget=TextWidget(required=True, max_length=20)
    )
    name = Field("name", NAME, widget=TextWidget(required=True, max_length=100))
    name_kana = Field("name_kana", KANA, widget=TextWidget(max_length=100))
    division_code = Field(
        "division",
        DIVISION_CODE,
        widget=CodeWidget(Division, message=_("登録されていない所属コードです。")),
    )
    stage = Field(
        "stage",
        STAGE,
        widget=LabelChoiceWidget(
            STAGE_BY_IMPORT_NAME, message=_("次のいずれかを入力してください: %(choices)s")
        ),
    )
    email = Field("email", EMAIL, widget=EmailWidget())
    active = Field(
        "is_active",
        ACTIVE,
        widget=FlagWidget(message=_("1（在職）または0（退職）を入力してください。")),
    )

    TRACKED = ("name", "name_kana", "division", "stage", "email", "is_active")

    preview_identity_fields = ("employee_number", "name")
    import_intro = _(
        "人事の職員名簿から、職員番号ごとに職員を登録・更新します。在職を0にした職員は退職として"
        "記録します（削除はしません）。ファイルにない職員とファイルにない列は変わりません。"
    )
    example_row = {
        "employee_number": "S00001",
        "name": "三重 太郎",
        "name_kana": "ミエ タロウ",
        "division_code": "S0101",
        "stage": "新規採用",
        "email": "taro.mie@example.jp",
        "active": 1,
    }

    class Meta:
        model = Staff
        fields = (
            "employee_number",
            "name",
            "name_kana",
            "division_code",
            "stage",
            "email",
            "active",
        )
        import_id_fields = ("employee_number",)
        required_fields = ("employee_number", "name", "division_code", "stage", "active")
        personal_fields = Staff.PERSONAL_FIELDS
        # The widgets check each cell; full_clean would only add a unique check per row that
        # the preloaded roster already answers.
        clean_model_instances = False
        audit_rows = False  # logged as training.staff_imported

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._staff: dict[str, Staff] = {}
        self._seen: dict[str, int] = {}
        self._changed: dict[int, list[str]] = {}

    # --- Export ----------------------------------------------------------------------------

    def get_queryset(self):
        return Staff.objects.select_related("division")

    # --- Import ----------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        numbers = {cell_text(n) for n in dataset[EMPLOYEE_NUMBER]} if len(dataset) else set()
        self._staff = {
            s.employee_number: s for s in Staff.objects.filter(employee_number__in=numbers)
        }

    def get_instance(self, instance_loader, row):
        return self._staff.get(cell_text(row.get(EMPLOYEE_NUMBER)))

    def import_instance(self, instance, row, **kwargs):
        line = kwargs.get("row_number", 0) + 1
        before = {f: _stored(instance, f) for f in self.TRACKED} if instance.pk else None
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        number = cell_text(row.get(EMPLOYEE_NUMBER))
        if number:
            first = self._seen.setdefault(number, line)
            if first != line:
                errors.setdefault("employee_number", []).append(
                    gettext("%(line)s行目と同じ職員番号です。") % {"line": first}
                )
        if errors:
            raise ValidationError(errors)
        if before is not None:
            self._changed[instance.pk] = [
                f for f in self.TRACKED if _stored(instance, f) != before[f]
            ]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return not self._changed.get(instance.pk)

    def do_instance_save(self, instance, is_create):
        if is_create:
            save_new(instance, by=self.user, action="training.staff_imported")
        else:
            save_changes(
                instance,
                fields=self._changed[instance.pk],
                by=self.user,
                action="training.staff_imported",
            )


def _stored(staff: Staff, name: str) -> object:
    """A field's value as stored (the division's id, not the division)."""
    return staff.serializable_value(name)


class CompletionResource(PortalResource):
    employee_number = Field(
        "staff",
        EMPLOYEE_NUMBER,
        widget=CodeWidget(Staff, "employee_number", message=_("登録されていない職員番号です。")),
    )
    course_code = Field(
        "course",
        COURSE_CODE,
        widget=CodeWidget(Course, message=_("登録されていない研修コードです。")),
    )
    completed_on = Field(
        "completed_on",
        COMPLETED_ON,
        widget=DayWidget(
            required=True, message=_("日付を YYYY-MM-DD または YYYY/MM/DD で入力してください。")
        ),
    )

    example_row = {"employee_number": "S00001", "course_code": "EL01", "completed_on": "2026-06-01"}
    import_title = _("研修の修了の取り込み")
    import_intro = _(
        "e-learning等の修了者の一覧から、職員の受講登録に修了日を記録します。受講登録のない"
        "研修は、修了日の年度の実施期間に登録してから記録します。"
    )

    class Meta:
        model = Enrolment
        fields = ("employee_number", "course_code", "completed_on")
        import_id_fields = ()
        required_fields = ("employee_number", "course_code", "completed_on")
        # The widgets check each cell and the services the rest; they log each change.
        clean_model_instances = False
        audit_rows = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._runs: dict[tuple[int, int], list[CourseRun]] = {}
        self._enrolments: dict[tuple[int, int, int], Enrolment] = {}
        self._seen: dict[tuple[str, str, int], int] = {}

    # --- Export ----------------------------------------------------------------------------

    def get_queryset(self):
        return Enrolment.objects.filter(completed_on__isnull=False).select_related(
            "staff", "course"
        )

    # --- The preview: 職員番号 and 氏名, 研修コード and 研修名 --------------------------------

    def identity_columns(self):
        return [EMPLOYEE_NUMBER, NAME, COURSE_CODE, gettext("研修名")]

    def preview_identity(self, instance):
        staff = instance.staff if instance.staff_id else None
        course = instance.course if instance.course_id else None
        return self._identity(staff, course)

    def preview_identity_from_row(self, row):
        number, code = cell_text(row.get(EMPLOYEE_NUMBER)), cell_text(row.get(COURSE_CODE))
        staff = self.fields["employee_number"].widget.find(number) if number else None
        course = self.fields["course_code"].widget.find(code) if code else None
        identity = self._identity(staff, course)
        # A number or code the portal does not know: as the file wrote it.
        return [
            (EMPLOYEE_NUMBER, identity[0][1] or number),
            identity[1],
            (COURSE_CODE, identity[2][1] or code),
            identity[3],
        ]

    def _identity(self, staff, course):
        return [
            (EMPLOYEE_NUMBER, staff.employee_number if staff else ""),
            (NAME, staff.name if staff else ""),
            (COURSE_CODE, course.code if course else ""),
            (gettext("研修名"), course.name if course else ""),
        ]

    # --- Import ----------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        numbers = {cell_text(n) for n in dataset[EMPLOYEE_NUMBER]} if len(dataset) else set()
        self.fields["employee_number"].widget.preload(numbers)
        for run in CourseRun.objects.order_by("starts_on"):
            self._runs.setdefault((run.course_id, run.fiscal_year), []).append(run)
        self._enrolments = {
            (e.staff_id, e.course_id, e.fiscal_year): e
            for e in Enrolment.objects.filter(staff__employee_number__in=numbers).select_related(
                "staff", "course"
            )
        }

    def get_or_init_instance(self, instance_loader, row):
        staff = self.fields["employee_number"].widget.find(cell_text(row.get(EMPLOYEE_NUMBER)))
        course = self.fields["course_code"].widget.find(cell_text(row.get(COURSE_CODE)))
        day = cell_date(row.get(COMPLETED_ON))
        if staff and course and day:
            existing = self._enrolments.get((staff.pk, course.pk, fiscal_year(day)))
            if existing is not None:
                return existing, False
        return Enrolment(), True

    def import_instance(self, instance, row, **kwargs):
        line = kwargs.get("row_number", 0) + 1
        super().import_instance(instance, row, **kwargs)
        staff, course, day = instance.staff, instance.course, instance.completed_on
        fy = fiscal_year(day)
        first = self._seen.setdefault((staff.employee_number, course.code, fy), line)
        if first != line:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: gettext("%(line)s行目と同じ職員・研修・年度です。")
                    % {"line": first}
                }
            )
        if (course.pk, fy) not in self._runs:
            raise ValidationError(
                {"completed_on": gettext("この研修にはこの日付の年度の実施期間がありません。")}
            )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return original.completed_on == instance.completed_on

    def do_instance_save(self, instance, is_create):
        enrolment = instance
        try:
            if is_create:
                day = instance.completed_on
                runs = self._runs[(instance.course.pk, fiscal_year(day))]
                run = next((r for r in runs if r.starts_on <= day <= r.ends_on), runs[0])
                enrolment = services.enrol(staff=instance.staff, run=run, by=acting_user(self.user))
            saved = services.record_completion(
                enrolment=enrolment, completed_on=instance.completed_on, by=acting_user(self.user)
            )
        except services.TrainingError as error:
            raise ValidationError(str(error)) from error
        _become(instance, saved)
