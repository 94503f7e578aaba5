"""Import and export for every app, one way: django-import-export with the portal's rules.

A resource (`PortalResource`) maps a model to spreadsheet columns with Japanese headers. It

- imports CSV (UTF-8, with or without BOM, as Excel saves it) and XLSX; extra columns are
  ignored; a file without a required column is refused as a whole, naming the columns;
- imports all or nothing: every bad row is reported with its line in the file (the header is
  line 1), its column and the reason, and the whole import is rolled back;
- creates or updates by a natural key (`Meta.import_id_fields`) and counts the rows created,
  updated and unchanged (`summarise`);
- exports with a formula-injection guard on every text cell (`guard_formula`) and without the
  columns listed in `Meta.personal_fields` unless the user has `<app_label>.view_personal_data`
  (no user — a command, a task — never gets them).

The admin side (`PortalExportMixin`, `PortalImportExportMixin`) offers CSV and XLSX only:
import with a preview before anything is saved, export of the change list as it is filtered.
`manage.py import_data NAME FILE` runs the same import from the command line.

Column names are a data contract (other offices' spreadsheets, scheduled jobs), so an
importable resource spells them literally in Japanese; an export-only resource may translate
them (`gettext_lazy`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tablib
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext
from import_export import widgets
from import_export.admin import ExportMixin, ImportMixin
from import_export.fields import Field
from import_export.formats.base_formats import CSV, XLSX, Format
from import_export.resources import ModelResource
from import_export.results import Error, Result, RowResult
from import_export.signals import post_export

from mie_dx.audit import log_action

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django_stubs_ext import StrOrPromise
    from import_export.instance_loaders import BaseInstanceLoader

    # What the admin mixins below are mixed into (for mypy; at run time they stand alone).
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object

# A row of the file, {column name: cell}, as django-import-export hands it over.
Row = dict[str, Any]
# The errors import_instance raised, by field or column, as validate_instance receives them.
ImportValidationErrors = dict[str, list[ValidationError]]

# A cell starting with one of these is a formula (or DDE command) in Excel or LibreOffice;
# Japanese Excel also takes the full-width forms. Prefixed with ' the cell stays text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠", "|")

# Widgets whose export is a number, a date or a flag, never text a person typed.
_NON_TEXT_WIDGETS = (
    widgets.NumberWidget,
    widgets.DateWidget,
    widgets.DateTimeWidget,
    widgets.TimeWidget,
    widgets.DurationWidget,
    widgets.BooleanWidget,
)

# The query-string parameter that picks the export format (csv, the default, or xlsx).
FORMAT_VAR = "_format"

# The line of the first data row: the header is line 1.
FIRST_DATA_LINE = 2


def guard_formula(value: object) -> object:
    """`value` with a leading ' if a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_text(value: object) -> str:
    """A cell as text: Excel gives 1001 (or 1001.0) for a code typed as a number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return force_str(value).strip()


def cell_date(value: object) -> date | None:
    """A cell as a date: an Excel date, or text YYYY-MM-DD or YYYY/MM/DD; None otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_response(
    content: bytes,
    *,
    filename_stem: str,
    extension: str,
    content_type: str,
    public_max_age: int | None = None,
) -> HttpResponse:
    """A file download: `<stem>-<YYYYmmdd-HHMM>.<extension>`, `Cache-Control: private,
    no-store` (a staff export may hold what only its reader may see) or, for open data,
    `public, max-age=public_max_age`."""
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename_stem}-{stamp}.{extension}"'
    if public_max_age is None:
        response["Cache-Control"] = "private, no-store"
    else:
        response["Cache-Control"] = f"public, max-age={public_max_age}"
    return response


def dataset_response(
    dataset: tablib.Dataset,
    *,
    filename_stem: str,
    file_format: str = "csv",
    sheet_title: str = "",
    public_max_age: int | None = None,
) -> HttpResponse:
    """A download of `dataset`, the one way every page's export answers: CSV as UTF-8 with BOM
    (Japanese Excel) or XLSX (`file_format="xlsx"`, its sheet named `sheet_title`), every text
    cell guarded against formulas, with `download_response`'s name and cache headers.

    Numbers and dates stay numbers and dates in XLSX: give them as such, not as text.
    """
    guarded = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        guarded.append([guard_formula(value) for value in row])
    guarded.title = (sheet_title or filename_stem)[:31]  # Excel's limit for a sheet name
    if file_format == "xlsx":
        content, extension, content_type = guarded.export("xlsx"), "xlsx", XLSX_CONTENT_TYPE
    else:
        content = guarded.export("csv").encode("utf-8-sig")
        extension, content_type = "csv", "text/csv; charset=utf-8"
    return download_response(
        content,
        filename_stem=filename_stem,
        extension=extension,
        content_type=content_type,
        public_max_age=public_max_age,
    )


class ImportFileError(Exception):
    """The file cannot be read at all (wrong type, not UTF-8, not a spreadsheet)."""


class MissingColumnsError(Exception):
    """The file lacks columns the import needs; nothing in it was imported."""


def _normalise_header(header: object) -> str:
    return "" if header is None else force_str(header).strip().lstrip("\ufeff")


def dataset_from_file(content: bytes, filename: str) -> tablib.Dataset:
    """A dataset from the bytes of a .csv (UTF-8, BOM or not) or .xlsx file."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".csv":
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    gettext(
                        "CSVファイルを読めません。Excelでは「CSV UTF-8（コンマ区切り）」で"
                        "保存してください。"
                    )
                ) from error
            dataset = CSV(encoding="utf-8-sig").create_dataset(text)
        elif suffix == ".xlsx":
            dataset = XLSX().create_dataset(content)
        else:
            raise ImportFileError(
                gettext("CSV（.csv）またはExcel（.xlsx）のファイルを指定してください。")
            )
    except ImportFileError:
        raise
    except Exception as error:  # a corrupt workbook, a CSV that is not one
        raise ImportFileError(
            gettext("ファイルを読めません: %(error)s") % {"error": error}
        ) from error
    return dataset


# --- Results -------------------------------------------------------------------------------


class PortalResult(Result):
    """A result whose row numbers are lines in the file (the header is line 1)."""

    def append_invalid_row(self, number: int, row: Row, validation_error: ValidationError) -> None:
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number: int, row: Row, errors: list[Error]) -> None:
        super().append_error_row(number + 1, row, errors)


@dataclass(frozen=True)
class RowProblem:
    line: int | None  # None: the file as a whole (a missing column)
    column: str
    reason: str

    def __str__(self) -> str:
        if self.line is None:
            return self.reason
        return gettext("%(line)s行目「%(column)s」: %(reason)s") % {
            "line": self.line,
            "column": self.column or gettext("行全体"),
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def summarise(result: Result) -> ImportReport:
    """Counts and problems of an import, in file order."""
    report = ImportReport()
    for error in result.base_errors:
        report.problems.append(RowProblem(None, "", force_str(error.error)))
    problems: list[RowProblem] = []
    for row in result.invalid_rows:
        for column, reasons in row.error_dict.items():
            for reason in reasons:
                column_name = "" if column == NON_FIELD_ERRORS else force_str(column)
                problems.append(RowProblem(row.number, column_name, force_str(reason)))
    for row in result.error_rows:
        for error in row.errors:
            problems.append(RowProblem(row.number, "", force_str(error.error)))
    problems.sort(key=lambda p: p.line or 0)
    report.problems.extend(problems)
    for row in result.rows:
        if getattr(row, "blank", False):
            continue
        if row.import_type == RowResult.IMPORT_TYPE_NEW:
            report.created += 1
        elif row.import_type == RowResult.IMPORT_TYPE_UPDATE:
            report.updated += 1
        elif row.import_type == RowResult.IMPORT_TYPE_SKIP:
            report.unchanged += 1
    return report


# --- Resources -----------------------------------------------------------------------------


class PortalResource(ModelResource):
    """The base of every resource in the portal.

    Subclasses declare every column as a `Field` with an explicit `column_name`, list them
    in `Meta.fields`, and may set:

    - `Meta.import_id_fields` — the natural key (e.g. `("code",)`);
    - `Meta.required_fields` — field names whose columns a file must have (default: every
      field that is not read-only);
    - `Meta.personal_fields` — field names exported only to users with the app's
      `view_personal_data` permission;
    - `Meta.audit_rows = False` — when the resource saves each row through its app's
      services, which log the change themselves (otherwise every row created or changed is
      logged here as `import.created` / `import.updated`).

    Cells are read and checked by the widgets below (`TextWidget`, `CodeWidget`, …): a bad
    cell is its row's error, under its column, with the reason.

    Construct with `user=` (the admin and the export do): that user's permissions decide the
    personal columns.
    """

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        personal_fields: tuple[str, ...] = ()
        required_fields: tuple[str, ...] | None = None
        audit_rows = True

    def __init__(self, *, user: "User | AnonymousUser | None" = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        for resource_field in self.fields.values():
            # Lazy (translated) headers become plain text once, in the active language.
            resource_field.column_name = force_str(resource_field.column_name)

    @classmethod
    def get_result_class(cls) -> type[PortalResult]:
        return PortalResult

    # --- Personal data ---------------------------------------------------------------------

    @classmethod
    def personal_field_names(cls) -> frozenset[str]:
        return frozenset(getattr(cls._meta, "personal_fields", ()) or ())

    def can_see_personal_data(self) -> bool:
        if not self.personal_field_names():
            return True
        if self.user is None:
            return False
        app_label = self._meta.model._meta.app_label
        return self.user.has_perm(f"{app_label}.view_personal_data")

    def _without_personal(self, fields: Iterable[Field]) -> list[Field]:
        fields = list(fields)
        if self.can_see_personal_data():
            return fields
        personal = self.personal_field_names()
        return [f for f in fields if self.get_field_name(f) not in personal]

    def get_export_fields(self, selected_fields: Sequence[str] | None = None) -> list[Field]:
        return self._without_personal(super().get_export_fields(selected_fields))

    def get_user_visible_fields(self) -> list[Field]:
        return self._without_personal(super().get_user_visible_fields())

    # --- Export ----------------------------------------------------------------------------

    def export_field(self, field: Field, instance: models.Model, **kwargs: Any) -> object:
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, _NON_TEXT_WIDGETS):
            return value
        return guard_formula(value)

    # --- Import ----------------------------------------------------------------------------

    def required_columns(self) -> list[str]:
        names = getattr(self._meta, "required_fields", None)
        if names is None:
            return [f.column_name for f in self.get_import_fields() if not f.readonly]
        return [self.fields[name].column_name for name in names]

    def import_data(
        self,
        dataset: tablib.Dataset,
        dry_run: bool = False,
        raise_errors: bool = False,
        **kwargs: Any,
    ) -> Result:
        """All or nothing: any bad row rolls the whole import back (and nothing is saved
        for a file that lacks a required column)."""
        dataset.headers = [_normalise_header(h) for h in dataset.headers or []]
        missing = [c for c in self.required_columns() if c not in dataset.headers]
        if missing:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.append_base_error(
                Error(
                    MissingColumnsError(
                        gettext("必須の列がありません: %(columns)s")
                        % {"columns": "、".join(missing)}
                    )
                )
            )
            return result
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("use_transactions", True)
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def import_row(
        self, row: Row, instance_loader: "BaseInstanceLoader", **kwargs: Any
    ) -> RowResult:
        if all(value is None or force_str(value).strip() == "" for value in row.values()):
            # A blank line (Excel leaves them at the end of a sheet): neither data nor error.
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            row_result.blank = True
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    def after_import_row(self, row: Row, row_result: RowResult, **kwargs: Any) -> None:
        """Every row an import creates or changes goes into the audit log, with who imported
        it (no user: `import_data` from the command line). A dry run or a rolled-back import
        rolls these entries back with the rows."""
        super().after_import_row(row, row_result, **kwargs)
        if not getattr(self._meta, "audit_rows", True):
            return
        instance = getattr(row_result, "instance", None)
        if instance is None or instance.pk is None:
            return
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            log_action(instance, "import.created", by=self.user)
        elif row_result.import_type == RowResult.IMPORT_TYPE_UPDATE:
            log_action(instance, "import.updated", by=self.user)

    def _column_for(self, key: str) -> str:
        if key == NON_FIELD_ERRORS:
            return key
        for name, resource_field in self.fields.items():
            column: str = resource_field.column_name
            if key in (name, resource_field.attribute, column):
                return column
        try:
            return force_str(self._meta.model._meta.get_field(key).verbose_name)
        except Exception:
            return key

    def validate_instance(
        self,
        instance: models.Model,
        import_validation_errors: ImportValidationErrors | None = None,
        validate_unique: bool = True,
    ) -> None:
        """Errors keyed by the file's column names, not by model field names."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            raise self.errors_by_column(error) from error

    def errors_by_column(self, error: ValidationError) -> ValidationError:
        """`error` (a model's, a service's) keyed by the file's column names, not by model
        field names: what a row's problems are reported under."""
        errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        by_column: dict[str, list[str]] = {}
        for key, reasons in errors.items():
            by_column.setdefault(self._column_for(key or NON_FIELD_ERRORS), []).extend(reasons)
        return ValidationError(by_column)


def import_report(
    resource: PortalResource, dataset: tablib.Dataset, *, dry_run: bool
) -> ImportReport:
    """Run the import (rolled back if anything is wrong, or if `dry_run`) and summarise."""
    result = resource.import_data(dataset, dry_run=dry_run, raise_errors=False)
    return summarise(result)


# --- Widgets -------------------------------------------------------------------------------
# A cell read the way the portal's spreadsheets are written (Excel's numbers as text, dates as
# YYYY-MM-DD or YYYY/MM/DD, flags as 1 or 0, labels in Japanese); a bad cell raises ValueError,
# which django-import-export reports as the row's error under the cell's column.


def _blank() -> str:
    return gettext("空欄です。")


class TextWidget(widgets.CharWidget):
    """Text, trimmed (`cell_text`). `required` refuses a blank cell; `max_length` a longer
    text."""

    def __init__(self, *, required: bool = False, max_length: int | None = None) -> None:
        super().__init__(allow_blank=True)
        self.required = required
        self.max_length = max_length

    def clean(self, value: Any, row: Row | None = None, **kwargs: Any) -> str:
        text = cell_text(value)
        if not text and self.required:
            raise ValueError(_blank())
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(
                gettext("%(limit)s文字以内にしてください。") % {"limit": self.max_length}
            )
        return text


class EmailWidget(TextWidget):
    """An e-mail address, or blank."""

    def clean(self, value: Any, row: Row | None = None, **kwargs: Any) -> str:
        text = super().clean(value, row, **kwargs)
        if text:
            try:
                validate_email(text)
            except ValidationError:
                raise ValueError(gettext("メールアドレスの形式が正しくありません。")) from None
        return text


class LabelChoiceWidget(widgets.Widget):
    """One of the labels a spreadsheet uses (「独自」, 「デジタル化済」), stored as its value.
    `message` says what to enter; `%(choices)s` in it lists the labels."""

    def __init__(self, choices: Mapping[str, str], *, message: "StrOrPromise") -> None:
        super().__init__()
        self.choices = dict(choices)
        self.labels = {value: label for label, value in self.choices.items()}
        self.message = message

    def clean(self, value: Any, row: Row | None = None, **kwargs: Any) -> str:
        text = cell_text(value)
        if text not in self.choices:
            raise ValueError(str(self.message) % {"choices": " / ".join(self.choices)})
        return self.choices[text]

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return self.labels.get(value, "")


class FlagWidget(widgets.BooleanWidget):
    """1 or 0 (text or an Excel number); anything else is refused with `message`."""

    def __init__(self, *, message: "StrOrPromise") -> None:
        super().__init__()
        self.message = message

    def clean(self, value: Any, row: Row | None = None, **kwargs: Any) -> bool:
        text = cell_text(value)
        if text not in ("1", "0"):
            raise ValueError(str(self.message))
        return text == "1"

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> int:
        return 1 if value else 0


class CountWidget(widgets.IntegerWidget):
    """A whole number of 0 or more ("12,600" and Excel's 12600.0 too); a blank cell is None,
    or refused when `required`. `message` says what to enter."""

    def __init__(self, *, message: "StrOrPromise", required: bool = False) -> None:
        super().__init__()
        self.message = message
        self.required = required

    def clean(self, value: Any, row: Row | None = None, **kwargs: Any) -> int | None:
        text = cell_text(value).replace(",", "").replace("，", "")
        if not text and not self.required:
            return None
        if not text.isdigit():
            raise ValueError(str(self.message))
        return int(text)

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(value)


class DayWidget(widgets.DateWidget):
    """A date: an Excel date, or text YYYY-MM-DD or YYYY/MM/DD (`cell_date`); a blank cell is
    None, or refused when `required`. `message` says how to write one."""

    def __init__(self, *, message: "StrOrPromise", required: bool = False) -> None:
        super().__init__()
        self.message = message
        self.required = required

    def clean(self, value: Any, row: Row | None = None, **kwargs: Any) -> date | None:
        if not isinstance(value, date) and not cell_text(value):
            if self.required:
                raise ValueError(str(self.message))
            return None
        day = cell_date(value)
        if day is None:
            raise ValueError(str(self.message))
        return day

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return value.isoformat() if value else ""


class CodeWidget(widgets.ForeignKeyWidget):
    """A row of `model` named by its code (`field`), the rows read once per import (all of
    them, or those `preload` names: the codes in the file). An unknown code is refused with
    `message` (`%(code)s` names it); a blank cell too unless not `required` (then None)."""

    def __init__(
        self,
        model: type[models.Model],
        field: str = "code",
        *,
        message: "StrOrPromise",
        required: bool = True,
    ) -> None:
        super().__init__(model, field)
        self.message = message
        self.required = required
        self._rows: dict[str, models.Model] | None = None

    def preload(self, codes: Iterable[object]) -> None:
        wanted = {cell_text(code) for code in codes} - {""}
        queryset = self.model.objects.filter(**{f"{self.field}__in": wanted})
        self._rows = {cell_text(getattr(found, self.field)): found for found in queryset}

    def find(self, code: str) -> models.Model | None:
        """The row named `code`, or None."""
        if self._rows is None:
            self._rows = {
                cell_text(getattr(found, self.field)): found
                for found in self.get_queryset(code, None)
            }
        return self._rows.get(code)

    def clean(self, value: Any, row: Row | None = None, **kwargs: Any) -> models.Model | None:
        code = cell_text(value)
        if not code:
            if self.required:
                raise ValueError(_blank())
            return None
        found = self.find(code)
        if found is None:
            raise ValueError(str(self.message) % {"code": code})
        return found

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else getattr(value, self.field)


# --- Admin ---------------------------------------------------------------------------------


class PortalExportMixin(ExportMixin, _ModelAdmin):
    """Export of the change list as it is filtered now, as CSV (UTF-8 with BOM, for Japanese
    Excel) or XLSX, with the resource's personal columns only for staff allowed to see them.

    `GET export/?<the change list's filters>[&_format=xlsx]` downloads at once. A malformed
    filter goes back to the change list flagged, as the change list itself does; a filter
    the admin refuses (`lookup_allowed`) is a 400, as on the change list.
    """

    export_formats = [CSV, XLSX]
    import_export_change_list_template = "admin/mie_dx/change_list_import_export.html"
    #: The file name's start: `<stem>-<YYYYmmdd-HHMM>.csv`; default the model's name.
    export_filename_stem: str | None = None

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"user": request.user}

    def get_export_filename(
        self, request: HttpRequest, queryset: models.QuerySet[Any], file_format: Format
    ) -> str:
        stem = self.export_filename_stem or self.model._meta.model_name
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"{stem}-{stamp}.{file_format.get_extension()}"

    def export_action(self, request: HttpRequest) -> HttpResponse:
        if not self.has_export_permission(request):
            raise PermissionDenied
        # The format is not a filter: take it out before the change list reads the query.
        query = request.GET.copy()
        chosen = query.pop(FORMAT_VAR, ["csv"])[-1]
        request.GET = query  # type: ignore[assignment]  # stubs: GET is never mutable
        formats = {f().get_extension(): f for f in self.get_export_formats()}
        file_format = formats.get(chosen, CSV)()
        try:
            queryset = self.get_export_queryset(request)
        except IncorrectLookupParameters:
            # As the change list does with a malformed filter: back to it, flagged.
            changelist = reverse(
                "admin:{}_{}_changelist".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(f"{changelist}?{ERROR_FLAG}=1")
        binary = file_format.is_binary()
        data = self.get_export_data(
            file_format, request, queryset, encoding=None if binary else "utf-8-sig"
        )
        content_type = file_format.get_content_type()
        if not binary:
            content_type += "; charset=utf-8"
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{self.get_export_filename(request, queryset, file_format)}"'
        )
        response["Cache-Control"] = "private, no-store"
        post_export.send(sender=None, model=self.model)
        return response


class PortalImportExportMixin(ImportMixin, PortalExportMixin):
    """Import (CSV or XLSX) with a preview — nothing is saved until staff confirm a file
    without errors — and the export of `PortalExportMixin`.

    Importing needs the model's add and change permissions, and `view_personal_data` when
    the resource has personal columns (the preview shows their current values).
    """

    import_formats = [CSV, XLSX]

    def has_import_permission(self, request: HttpRequest) -> bool:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            return False
        for resource_class in self.get_import_resource_classes(request):
            if not resource_class(user=request.user).can_see_personal_data():
                return False
        return True

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {"user": request.user}

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
        if result.has_errors() or result.has_validation_errors():
            # The file changed between the preview and the confirmation: nothing was saved.
            for problem in summarise(result).problems[:20]:
                messages.error(request, str(problem))
            messages.error(request, gettext("取り込めない行があったため、何も保存していません。"))
            return HttpResponseRedirect(
                reverse(
                    "admin:{}_{}_import".format(*self.get_model_info()),
                    current_app=self.admin_site.name,
                )
            )
        response: HttpResponse = super().process_result(result, request)
        return response

    def add_success_message(self, result: Result, request: HttpRequest) -> None:
        report = summarise(result)
        messages.success(
            request,
            gettext(
                "取り込みました: 新規 %(created)s件、更新 %(updated)s件、変更なし %(unchanged)s件"
            )
            % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
        )


__all__ = [
    "FORMULA_PREFIXES",
    "CodeWidget",
    "CountWidget",
    "DayWidget",
    "EmailWidget",
    "FlagWidget",
    "ImportFileError",
    "ImportReport",
    "LabelChoiceWidget",
    "MissingColumnsError",
    "PortalExportMixin",
    "PortalImportExportMixin",
    "PortalResource",
    "RowProblem",
    "TextWidget",
    "dataset_from_file",
    "guard_formula",
    "import_report",
    "summarise",
]
