"""Import and export of the prefecture's organisation (部局 departments, 所属 divisions).

One row says: "division 所属コード (所属名), in department 部局コード (部局名), exists in
fiscal year 年度". Importing a year's table creates the departments and divisions that are
missing, renames those whose name changed, and widens their first / last fiscal year to
include the year. Nothing is ever narrowed or deleted: abolishing a unit is done in the admin
(`last_fiscal_year`), because past records keep pointing at it.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from import_export.fields import Field

from mie_dx.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, fiscal_year
from mie_dx.importexport import ImportValidationErrors, PortalResource, Row, cell_text
from mie_dx.models import Department, Division

if TYPE_CHECKING:
    from import_export.instance_loaders import BaseInstanceLoader

# The spec's column names (a contract with the prefecture's spreadsheets: not translated).
DEPARTMENT_CODE = "部局コード"
DEPARTMENT_NAME = "部局名"
DIVISION_CODE = "所属コード"
DIVISION_NAME = "所属名"
FISCAL_YEAR = "年度"


def _year(value: object) -> int | None:
    text = cell_text(value)
    if text.endswith("年度"):
        text = text[: -len("年度")]
    return int(text) if text.isdigit() else None


class DivisionResource(PortalResource):
    """`import_data divisions FILE`; the 所属 admin's import and export.

    Construct with `fiscal_year=` to export the 年度 column for that year (the admin passes
    the "exists in fiscal year" filter's choice); otherwise each division's latest year up to
    the current one.
    """

    department_code = Field(
        column_name=DEPARTMENT_CODE, dehydrate_method="dehydrate_department_code"
    )
    department_name = Field(
        column_name=DEPARTMENT_NAME, dehydrate_method="dehydrate_department_name"
    )
    code = Field("code", DIVISION_CODE)
    name = Field("name", DIVISION_NAME)
    year = Field(column_name=FISCAL_YEAR, dehydrate_method="dehydrate_year")

    preview_identity_fields = ("code", "name")
    example_row = {
        "department_code": "S01",
        "department_name": "総務部",
        "code": "S0101",
        "name": "総務課",
        "year": 2026,
    }
    column_hints = {
        "department_code": "部局のコード（例: S01）",
        "department_name": "部局の名称",
        "code": "所属のコード（例: S0101）。既存のコードは名称などを更新します",
        "name": "所属の名称",
        "year": "西暦の年度（例: 2026）。その年度に存在することを記録します",
    }

    class Meta:
        model = Division
        fields = ("department_code", "department_name", "code", "name", "year")
        import_id_fields = ("code",)
        required_fields = ("department_code", "department_name", "code", "name", "year")

    def __init__(self, *, fiscal_year: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.export_fiscal_year = fiscal_year
        self._departments: dict[str, Department] = {}
        # What the file said first about each code: {code: (line, value)}.
        self._division_department: dict[str, tuple[int, str]] = {}
        self._department_name: dict[str, tuple[int, str]] = {}

    # --- Export ----------------------------------------------------------------------------

    def get_queryset(self) -> models.QuerySet[Division]:
        return Division.objects.select_related("department")

    def dehydrate_department_code(self, division: Division) -> str:
        return division.department.code

    def dehydrate_department_name(self, division: Division) -> str:
        return division.department.name

    def dehydrate_year(self, division: Division) -> int:
        if self.export_fiscal_year is not None:
            return self.export_fiscal_year
        current = fiscal_year(timezone.localdate())
        latest = min(division.last_fiscal_year or current, current)
        first: int = division.first_fiscal_year
        return max(latest, first)

    # --- Import ----------------------------------------------------------------------------

    def preview_values(self, instance: models.Model) -> dict[str, str]:
        """The columns as the file names them, the 年度 column as the years the division
        exists in (設置年度 and 最終年度, which an import widens)."""
        if not isinstance(instance, Division):
            return super().preview_values(instance)
        department = getattr(instance, "department", None) if instance.department_id else None
        return {
            DEPARTMENT_CODE: department.code if department else "",
            DEPARTMENT_NAME: department.name if department else "",
            DIVISION_CODE: instance.code,
            DIVISION_NAME: instance.name,
            gettext("設置年度"): cell_text(instance.first_fiscal_year),
            gettext("最終年度"): cell_text(instance.last_fiscal_year) or gettext("現存"),
        }

    def preview_identity(self, instance: models.Model) -> list[tuple[str, str]]:
        if not isinstance(instance, Division):
            return super().preview_identity(instance)
        return [(DIVISION_CODE, instance.code), (DIVISION_NAME, instance.name)]

    def get_instance(self, instance_loader: "BaseInstanceLoader", row: Row) -> Division | None:
        code = cell_text(row.get(DIVISION_CODE))
        if not code:
            return None
        return Division.objects.select_related("department").filter(code=code).first()

    def import_instance(self, instance: Division, row: Row, **kwargs: Any) -> None:
        """Check the row, then apply it to `instance` (and its department, saved with it)."""
        line = kwargs.get("row_number", 0) + 1
        errors: dict[str, list[str]] = {}
        values = {
            column: cell_text(row.get(column))
            for column in (DEPARTMENT_CODE, DEPARTMENT_NAME, DIVISION_CODE, DIVISION_NAME)
        }
        for column, value in values.items():
            if not value:
                errors.setdefault(column, []).append(gettext("空欄です。"))
        max_lengths = {
            DEPARTMENT_CODE: Department._meta.get_field("code").max_length,
            DEPARTMENT_NAME: Department._meta.get_field("name").max_length,
            DIVISION_CODE: Division._meta.get_field("code").max_length,
            DIVISION_NAME: Division._meta.get_field("name").max_length,
        }
        for column, limit in max_lengths.items():
            if limit is not None and len(values[column]) > limit:
                errors.setdefault(column, []).append(
                    gettext("%(limit)s文字以内にしてください。") % {"limit": limit}
                )
        year = _year(row.get(FISCAL_YEAR))
        if year is None or not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
            errors.setdefault(FISCAL_YEAR, []).append(
                gettext("西暦の年度（%(min)s〜%(max)s の整数、例: 2026）を入力してください。")
                % {"min": MIN_FISCAL_YEAR, "max": MAX_FISCAL_YEAR}
            )
        department_code, division_code = values[DEPARTMENT_CODE], values[DIVISION_CODE]
        self._check_consistent(line, instance, values, errors)
        if errors:
            raise ValidationError(errors)

        department = self._department(department_code)
        if department.pk is None:
            # Saved now, so that the division can point at it (and be validated); the whole
            # import is one transaction, rolled back on a dry run or any bad row.
            department.name = values[DEPARTMENT_NAME]
            department.first_fiscal_year = year
            department.save()
        department.name = values[DEPARTMENT_NAME]
        department.first_fiscal_year = min(department.first_fiscal_year, year)
        if department.last_fiscal_year is not None:
            department.last_fiscal_year = max(department.last_fiscal_year, year)

        instance.department = department
        instance.code = division_code
        instance.name = values[DIVISION_NAME]
        if instance.pk is None:
            instance.first_fiscal_year = year
        instance.first_fiscal_year = min(instance.first_fiscal_year, year)
        if instance.last_fiscal_year is not None:
            instance.last_fiscal_year = max(instance.last_fiscal_year, year)

    def validate_instance(
        self,
        instance: models.Model,
        import_validation_errors: ImportValidationErrors | None = None,
        validate_unique: bool = True,
    ) -> None:
        if import_validation_errors:
            # The row was not applied to the instance: the model's own checks would only
            # repeat what is missing.
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def _check_consistent(
        self,
        line: int,
        instance: Division,
        values: dict[str, str],
        errors: dict[str, list[str]],
    ) -> None:
        """A division belongs to one department, and a department has one name, in the file;
        a division keeps its department (a move is a new code, or a change in the admin)."""
        department_code, division_code = values[DEPARTMENT_CODE], values[DIVISION_CODE]
        if department_code and values[DEPARTMENT_NAME]:
            self._check_department_name(line, department_code, values[DEPARTMENT_NAME], errors)
        if not (department_code and division_code):
            return
        first_line, first_department = self._division_department.setdefault(
            division_code, (line, department_code)
        )
        if first_department != department_code:
            errors.setdefault(DEPARTMENT_CODE, []).append(
                gettext(
                    "所属コード %(division)s は %(line)s行目で部局コード %(department)s の"
                    "所属になっています。"
                )
                % {"division": division_code, "line": first_line, "department": first_department}
            )
        elif instance.pk is not None and instance.department.code != department_code:
            errors.setdefault(DEPARTMENT_CODE, []).append(
                gettext(
                    "所属コード %(division)s は部局コード %(department)s の所属として登録済み"
                    "です。部局を移す場合は管理画面で変更してください。"
                )
                % {"division": division_code, "department": instance.department.code}
            )

    def _check_department_name(
        self,
        line: int,
        department_code: str,
        department_name: str,
        errors: dict[str, list[str]],
    ) -> None:
        name_line, name = self._department_name.setdefault(department_code, (line, department_name))
        if name != department_name:
            errors.setdefault(DEPARTMENT_NAME, []).append(
                gettext("部局コード %(department)s の部局名が %(line)s行目（%(name)s）と違います。")
                % {"department": department_code, "line": name_line, "name": name}
            )

    def _department(self, code: str) -> Department:
        if code not in self._departments:
            self._departments[code] = Department.objects.filter(code=code).first() or Department(
                code=code
            )
        return self._departments[code]

    def skip_row(
        self,
        instance: Division,
        original: Division | None,
        row: Row,
        import_validation_errors: ImportValidationErrors | None = None,
    ) -> bool:
        if import_validation_errors or instance.pk is None:
            return False
        department = instance.department
        stored = (
            Department.objects.filter(pk=department.pk)
            .values("name", "first_fiscal_year", "last_fiscal_year")
            .first()
        )
        department_unchanged = stored == {
            "name": department.name,
            "first_fiscal_year": department.first_fiscal_year,
            "last_fiscal_year": department.last_fiscal_year,
        }
        tracked = ("name", "department_id", "first_fiscal_year", "last_fiscal_year")
        return department_unchanged and all(
            getattr(instance, f) == getattr(original, f) for f in tracked
        )

    def before_save_instance(self, instance: Division, row: Row, **kwargs: Any) -> None:
        department = instance.department
        department.full_clean()
        department.save()
        instance.department = department  # sets department_id for a new department
