"""Imports and exports of the training office (spec: column names are a contract).

- `StaffResource` — `import_data staff FILE`: the HR roster. Creates or updates by 職員番号;
  a leaver is a row with 在職 0 (marked inactive, never deleted: past enrolments stay).
  A member of staff missing from the file is left as they are.
- `CompletionResource` — `import_data completions FILE`: the e-learning platform's export.
  Records the completion on the staff member's enrolment in the course for the fiscal year of
  the 修了日 (a volunteer course taken without enrolment gets one, on that year's period);
  unknown employee numbers, courses or years without a period are reported, never guessed.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from import_export.fields import Field

from mie_dx.audit import log_action
from mie_dx.fiscal import fiscal_year
from mie_dx.importexport import PortalResource, cell_date, cell_text
from mie_dx.models import Division
from training.models import (
    IMPORT_NAME_BY_STAGE,
    STAGE_BY_IMPORT_NAME,
    Course,
    CourseRun,
    Enrolment,
    Staff,
)

EMPLOYEE_NUMBER = "職員番号"
NAME = "氏名"
KANA = "フリガナ"
DIVISION_CODE = "所属コード"
STAGE = "階層"
EMAIL = "メールアドレス"
ACTIVE = "在職"
COURSE_CODE = "研修コード"
COMPLETED_ON = "修了日"

BLANK = "空欄です。"


class _ChecksFirst:
    """Rows the import found wrong are not applied: report only those reasons."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, import_validation_errors, validate_unique)


class StaffResource(_ChecksFirst, PortalResource):
    employee_number = Field("employee_number", EMPLOYEE_NUMBER)
    name = Field("name", NAME)
    name_kana = Field("name_kana", KANA)
    division_code = Field(column_name=DIVISION_CODE, dehydrate_method="dehydrate_division_code")
    stage = Field(column_name=STAGE, dehydrate_method="dehydrate_stage")
    email = Field("email", EMAIL)
    active = Field(column_name=ACTIVE, dehydrate_method="dehydrate_active")

    TRACKED = ("name", "name_kana", "division_id", "stage", "email", "is_active")

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
        # The row is checked in import_instance; full_clean would only add a unique check
        # per row that the preloaded roster already answers.
        clean_model_instances = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._divisions: dict[str, Division] | None = None
        self._staff: dict[str, Staff] = {}
        self._seen: dict[str, int] = {}

    # --- Export ----------------------------------------------------------------------------

    def get_queryset(self):
        return Staff.objects.select_related("division")

    def dehydrate_division_code(self, staff: Staff) -> str:
        return staff.division.code

    def dehydrate_stage(self, staff: Staff) -> str:
        return IMPORT_NAME_BY_STAGE.get(staff.stage, "その他")

    def dehydrate_active(self, staff: Staff) -> int:
        return 1 if staff.is_active else 0

    # --- Import ----------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._divisions = {d.code: d for d in Division.objects.all()}
        numbers = {cell_text(n) for n in dataset[EMPLOYEE_NUMBER]} if len(dataset) else set()
        self._staff = {
            s.employee_number: s for s in Staff.objects.filter(employee_number__in=numbers)
        }

    def get_instance(self, instance_loader, row):
        return self._staff.get(cell_text(row.get(EMPLOYEE_NUMBER)))

    def import_instance(self, instance, row, **kwargs):
        line = kwargs.get("row_number", 0) + 1
        errors: dict[str, list[str]] = {}

        def problem(column: str, message: str) -> None:
            errors.setdefault(column, []).append(message)

        number = cell_text(row.get(EMPLOYEE_NUMBER))
        name = cell_text(row.get(NAME))
        kana = cell_text(row.get(KANA))
        email = cell_text(row.get(EMAIL))
        for column, value in ((EMPLOYEE_NUMBER, number), (NAME, name)):
            if not value:
                problem(column, gettext(BLANK))
        limits = {EMPLOYEE_NUMBER: (number, 20), NAME: (name, 100), KANA: (kana, 100)}
        for column, (value, limit) in limits.items():
            if len(value) > limit:
                problem(column, gettext("%(limit)s文字以内にしてください。") % {"limit": limit})
        if number:
            first = self._seen.setdefault(number, line)
            if first != line:
                problem(
                    EMPLOYEE_NUMBER,
                    gettext("%(line)s行目と同じ職員番号です。") % {"line": first},
                )
        division = (self._divisions or {}).get(cell_text(row.get(DIVISION_CODE)))
        if not cell_text(row.get(DIVISION_CODE)):
            problem(DIVISION_CODE, gettext(BLANK))
        elif division is None:
            problem(DIVISION_CODE, gettext("登録されていない所属コードです。"))
        stage = STAGE_BY_IMPORT_NAME.get(cell_text(row.get(STAGE)))
        if stage is None:
            problem(
                STAGE,
                gettext("次のいずれかを入力してください: %(choices)s")
                % {"choices": " / ".join(STAGE_BY_IMPORT_NAME)},
            )
        active = cell_text(row.get(ACTIVE))
        if active not in ("1", "0"):
            problem(ACTIVE, gettext("1（在職）または0（退職）を入力してください。"))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problem(EMAIL, gettext("メールアドレスの形式が正しくありません。"))
        if errors:
            raise ValidationError(errors)
        instance.employee_number = number
        instance.name = name
        instance.name_kana = kana
        instance.division = division
        instance.stage = stage
        instance.email = email
        instance.is_active = active == "1"

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return all(getattr(instance, f) == getattr(original, f) for f in self.TRACKED)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if kwargs.get("dry_run"):
            return
        log_action(instance, "training.staff_imported", by=self.user)


class CompletionResource(_ChecksFirst, PortalResource):
    employee_number = Field(column_name=EMPLOYEE_NUMBER, dehydrate_method="dehydrate_employee")
    course_code = Field(column_name=COURSE_CODE, dehydrate_method="dehydrate_course")
    completed_on = Field("completed_on", COMPLETED_ON)

    class Meta:
        model = Enrolment
        fields = ("employee_number", "course_code", "completed_on")
        import_id_fields = ()
        required_fields = ("employee_number", "course_code", "completed_on")
        clean_model_instances = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._staff: dict[str, Staff] = {}
        self._courses: dict[str, Course] = {}
        self._runs: dict[tuple[int, int], list[CourseRun]] = {}
        self._seen: dict[tuple[str, str, int], int] = {}
        self._newly_completed: set[int] = set()

    def get_queryset(self):
        return Enrolment.objects.filter(completed_on__isnull=False).select_related(
            "staff", "course"
        )

    def dehydrate_employee(self, enrolment: Enrolment) -> str:
        return enrolment.staff.employee_number

    def dehydrate_course(self, enrolment: Enrolment) -> str:
        return enrolment.course.code

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        numbers = {cell_text(n) for n in dataset[EMPLOYEE_NUMBER]} if len(dataset) else set()
        self._staff = {
            s.employee_number: s for s in Staff.objects.filter(employee_number__in=numbers)
        }
        self._courses = {c.code: c for c in Course.objects.all()}
        for run in CourseRun.objects.order_by("starts_on"):
            self._runs.setdefault((run.course_id, run.fiscal_year), []).append(run)
        self._enrolments = {
            (e.staff_id, e.course_id, e.fiscal_year): e
            for e in Enrolment.objects.filter(staff__employee_number__in=numbers).select_related(
                "staff", "course"
            )
        }

    def _parse(self, row, line):
        errors: dict[str, list[str]] = {}
        number = cell_text(row.get(EMPLOYEE_NUMBER))
        code = cell_text(row.get(COURSE_CODE))
        day = cell_date(row.get(COMPLETED_ON))
        staff = self._staff.get(number)
        course = self._courses.get(code)
        if not number:
            errors.setdefault(EMPLOYEE_NUMBER, []).append(gettext(BLANK))
        elif staff is None:
            errors.setdefault(EMPLOYEE_NUMBER, []).append(gettext("登録されていない職員番号です。"))
        if not code:
            errors.setdefault(COURSE_CODE, []).append(gettext(BLANK))
        elif course is None:
            errors.setdefault(COURSE_CODE, []).append(gettext("登録されていない研修コードです。"))
        if day is None:
            errors.setdefault(COMPLETED_ON, []).append(
                gettext("日付を YYYY-MM-DD または YYYY/MM/DD で入力してください。")
            )
        if staff and course and day:
            key = (number, code, fiscal_year(day))
            first = self._seen.setdefault(key, line)
            if first != line:
                errors.setdefault(NON_FIELD, []).append(
                    gettext("%(line)s行目と同じ職員・研修・年度です。") % {"line": first}
                )
            elif (course.pk, fiscal_year(day)) not in self._runs:
                errors.setdefault(COMPLETED_ON, []).append(
                    gettext("この研修にはこの日付の年度の実施期間がありません。")
                )
        return staff, course, day, errors

    def get_or_init_instance(self, instance_loader, row):
        staff = self._staff.get(cell_text(row.get(EMPLOYEE_NUMBER)))
        course = self._courses.get(cell_text(row.get(COURSE_CODE)))
        day = cell_date(row.get(COMPLETED_ON))
        if staff and course and day:
            existing = self._enrolments.get((staff.pk, course.pk, fiscal_year(day)))
            if existing is not None:
                return existing, False
        return Enrolment(), True

    def import_instance(self, instance, row, **kwargs):
        line = kwargs.get("row_number", 0) + 1
        staff, course, day, errors = self._parse(row, line)
        if errors:
            raise ValidationError(errors)
        if instance.pk is None:
            fy = fiscal_year(day)
            runs = self._runs[(course.pk, fy)]
            run = next((r for r in runs if r.starts_on <= day <= r.ends_on), runs[0])
            instance.staff = staff
            instance.course = course
            instance.run = run
            instance.fiscal_year = fy
            instance.division_id = staff.division_id
            instance.stage = staff.stage
            instance.is_mandatory = course.is_mandatory
            instance.enrolled_by = self.user if getattr(self.user, "pk", None) else None
        instance.completed_on = day

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return original.completed_on == instance.completed_on

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if kwargs.get("dry_run"):
            return
        from training.services import certify_specialist

        log_action(
            instance,
            "training.completed",
            by=self.user,
            data={"course": instance.course.code, "source": "import"},
        )
        if instance.course.category == Course.Category.SPECIALIST_TRAINING:
            certify_specialist(enrolment=instance, certified_on=instance.completed_on, by=self.user)


NON_FIELD = "__all__"
