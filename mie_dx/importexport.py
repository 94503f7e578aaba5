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

import io
import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tablib
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext, gettext_lazy
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
        content = xlsx_bytes(guarded, title=guarded.title)
        extension, content_type = "xlsx", XLSX_CONTENT_TYPE
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


# --- XLSX ------------------------------------------------------------------------------------

# Characters Excel refuses in a sheet's name.
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "・"))


def sheet_name(title: object) -> str:
    """`title` as an Excel sheet name: at most 31 characters, none of []:*?/\\."""
    text = force_str(title).translate(_SHEET_NAME_FORBIDDEN).strip("'") or "Sheet1"
    return text[:31]


def display_width(value: object) -> int:
    """How many half-width columns `value` takes in a spreadsheet: a full-width character
    (漢字, かな, ＡＢＣ) counts two."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = "" if value is None else force_str(value)
    longest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in line)
        longest = max(longest, width)
    return longest


def xlsx_bytes(dataset: tablib.Dataset, *, title: object) -> bytes:
    """`dataset` as an XLSX workbook the way staff read it in Excel: numbers as numbers,
    dates as date cells (YYYY-MM-DD), flags as 1 or 0 (the import contracts' words), text as
    text, the sheet named `title` (Japanese is fine), the header row bold and frozen, each
    column as wide as its widest cell (full-width characters counted twice, at most 60)."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_name(title)
    headers = [force_str(h) for h in (dataset.headers or [])]
    widths = [display_width(h) for h in headers]
    if headers:
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    for row in dataset:
        values = []
        for index, value in enumerate(row):
            if isinstance(value, bool):  # a flag as the contracts write it: 1 or 0
                value = int(value)
            elif isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            elif value is not None and not isinstance(value, (int, float, str, date, datetime)):
                value = force_str(value)
            if isinstance(value, datetime) and timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            values.append(value)
            if index < len(widths):
                widths[index] = max(widths[index], display_width(value))
            else:
                widths.append(display_width(value))
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 4) + 2, 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
                        "CSVファイルを読めません（UTF-8ではありません。Excelの「CSV（コンマ区切り）」"
                        "で保存したShift_JISのファイルと思われます）。Excelで「名前を付けて保存」を"
                        "開き、ファイルの種類に「CSV UTF-8（コンマ区切り）」を選んで保存し直して"
                        "ください。"
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


def describe_file(content: bytes, filename: str) -> str:
    """What the import read the file as, said to staff: 「CSV（UTF-8、BOM付き）」,
    「Excel（.xlsx）」 — the format is taken from the file name's extension."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return gettext("Excel（.xlsx）")
    if suffix == ".csv":
        if content.startswith(b"\xef\xbb\xbf"):
            return gettext("CSV（文字コード UTF-8、BOM付き）")
        return gettext("CSV（文字コード UTF-8、BOMなし）")
    return gettext("不明（拡張子が .csv でも .xlsx でもありません）")


# --- Results -------------------------------------------------------------------------------


class PortalResult(Result):
    """A result whose row numbers are lines in the file (the header is line 1)."""

    def append_invalid_row(self, number: int, row: Row, validation_error: ValidationError) -> None:
        super().append_invalid_row(number + 1, row, validation_error)
        # The cells as the file wrote them, for the preview's 「入力値」.
        self.invalid_cells = getattr(self, "invalid_cells", {})
        self.invalid_cells[number + 1] = dict(row)

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


# --- The preview ---------------------------------------------------------------------------

ACTION_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("新規"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("更新"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("変更なし"),
}

#: A row's identity on the preview: (column, value) pairs — 職員番号 and 氏名, 手続コード and 手続名.
Identity = list[tuple[str, str]]


@dataclass(frozen=True)
class PreviewChange:
    column: str
    before: str  # "" when the row is new or the cell was blank
    after: str


@dataclass
class PreviewRow:
    """What one row of the file does: its line, action, identity and each changed column."""

    line: int
    action: str  # RowResult.IMPORT_TYPE_NEW / _UPDATE / _SKIP
    identity: Identity
    changes: list[PreviewChange]

    @property
    def action_label(self) -> str:
        return force_str(ACTION_LABELS.get(self.action, self.action))

    @property
    def is_new(self) -> bool:
        return bool(self.action == RowResult.IMPORT_TYPE_NEW)


@dataclass(frozen=True)
class PreviewProblem:
    line: int | None
    column: str
    reason: str
    identity: Identity
    value: str | None = None  # the cell as written ("" blank); None: not one cell's problem

    @property
    def identity_text(self) -> str:
        return " ".join(value for _column, value in self.identity if value)


@dataclass
class ImportPreview:
    """An import's result as its preview page shows it: the rows that create or change
    something (unchanged rows are only counted), and every problem with its line, column,
    reason and the row's identity."""

    report: ImportReport
    rows: list[PreviewRow]
    problems: list[PreviewProblem]
    identity_columns: list[str]
    #: The rows that change nothing (at most UNCHANGED_SHOWN of them, the rest counted).
    unchanged_rows: list[PreviewRow] = field(default_factory=list)

    @property
    def unchanged_not_shown(self) -> int:
        return max(self.report.unchanged - len(self.unchanged_rows), 0)

    @property
    def ok(self) -> bool:
        return self.report.ok


def _cell(row: Row, column: str) -> str | None:
    """The cell `column` of `row` as the file wrote it; None when the row has no such cell."""
    if column not in row:
        return None
    value = row[column]
    if isinstance(value, datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M")
            if value.hour or value.minute
            else value.date().isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return cell_text(value)[:100]


#: How many unchanged rows the preview names (a roster of thousands changes a few).
UNCHANGED_SHOWN = 500


def build_preview(result: Result) -> ImportPreview:
    report = summarise(result)
    identities: dict[int, Identity] = getattr(result, "row_identities", {})
    cells: dict[int, Row] = getattr(result, "invalid_cells", {})
    columns: list[str] = list(getattr(result, "identity_columns", []))
    previews = sorted(
        (row.preview for row in result.rows if getattr(row, "preview", None) is not None),
        key=lambda r: r.line,
    )
    rows = [r for r in previews if r.action != RowResult.IMPORT_TYPE_SKIP]
    unchanged = [r for r in previews if r.action == RowResult.IMPORT_TYPE_SKIP]
    problems = [
        PreviewProblem(
            p.line,
            p.column or ("" if p.line is None else gettext("行全体")),
            p.reason,
            identities.get(p.line, []) if p.line is not None else [],
            _cell(cells.get(p.line or 0, {}), p.column),
        )
        for p in report.problems
    ]
    return ImportPreview(
        report=report,
        rows=rows,
        problems=problems,
        identity_columns=columns,
        unchanged_rows=unchanged[:UNCHANGED_SHOWN],
    )


# --- Resources -----------------------------------------------------------------------------


class _NoDiff:
    """django-import-export's HTML diff, not computed: the portal's preview is its own
    (`PortalResource.preview_values`), and the library's reads every column of every row
    twice, a query per foreign key."""

    def __init__(self, resource: object, instance: object, new: bool) -> None:
        pass

    def compare_with(self, resource: object, instance: object) -> None:
        pass

    def as_html(self) -> list[str]:
        return []


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

    #: The fields that name a row on the import's preview and in its problems (default: the
    #: natural key, `Meta.import_id_fields`); `preview_identity` may add more.
    preview_identity_fields: tuple[str, ...] = ()
    #: One example row for the import's template files, {field name: cell}.
    example_row: Mapping[str, object] = {}
    #: How to write a column, where its widget does not say it: {field name: text}.
    column_hints: Mapping[str, "StrOrPromise"] = {}
    #: The admin import page's title (default 「<the model's plural>の取り込み」) and a sentence
    #: under it saying what the import does.
    import_title: "StrOrPromise | None" = None
    import_intro: "StrOrPromise" = ""

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        # Each row's instance stays on its result: the preview shows what it became.
        store_instance = True
        skip_html_diff = True
        personal_fields: tuple[str, ...] = ()
        required_fields: tuple[str, ...] | None = None
        audit_rows = True

    def __init__(self, *, user: "User | AnonymousUser | None" = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self._preview_before: dict[str, str] | None = None
        self._row_identities: dict[int, Identity] = {}
        self._first_line_of_key: dict[str, int] = {}
        for resource_field in self.fields.values():
            # Lazy (translated) headers become plain text once, in the active language.
            resource_field.column_name = force_str(resource_field.column_name)

    def earlier_line_of(self, key: str, line: int) -> int | None:
        """The line on which this file already gave `key` (a code that must be unique in a
        file), else None — and `line` is remembered as the key's first."""
        if not key:
            return None
        first = self._first_line_of_key.setdefault(key, line)
        return first if first != line else None

    @classmethod
    def get_result_class(cls) -> type[PortalResult]:
        return PortalResult

    @classmethod
    def get_diff_class(cls) -> type[_NoDiff]:
        return _NoDiff

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
        if kwargs.get("force_native_type") and self._plain(field):
            # XLSX: a column declared without a widget keeps its number or date as such.
            raw = field.get_value(instance)
            if isinstance(raw, (int, float, Decimal, date)) and not isinstance(raw, bool):
                return raw
        if isinstance(field.widget, _NON_TEXT_WIDGETS):
            return value
        return guard_formula(value)

    def _plain(self, field: Field) -> bool:
        """Whether `field` is an attribute read through the base widget (no dehydrate
        method, no widget of its own)."""
        if type(field.widget) is not widgets.Widget or not field.attribute:
            return False
        dehydrate = field.get_dehydrate_method(self.get_field_name(field))
        return not callable(dehydrate) and getattr(self, dehydrate, None) is None

    # --- The import's page: columns, template, preview ---------------------------------------

    def column_guide(self) -> list[tuple[str, bool, str]]:
        """Each column a file may have: (name, required, how to write it)."""
        required = set(self.required_columns())
        guide = []
        for name, resource_field in self._fields_in_order():
            column = resource_field.column_name
            if not column or (resource_field.readonly and column not in required):
                continue
            hint = self.column_hints.get(name) or widget_hint(resource_field.widget)
            guide.append((column, column in required, force_str(hint)))
        return guide

    def _fields_in_order(self) -> list[tuple[str, Field]]:
        """The fields in `Meta.fields` order (the contract's column order)."""
        order = [n for n in (self._meta.fields or ()) if n in self.fields]
        order += [n for n in self.fields if n not in order]
        return [(n, self.fields[n]) for n in order]

    def template_dataset(self) -> tablib.Dataset:
        """The import's template: the columns of `column_guide` and one example row."""
        columns = {column for column, _required, _hint in self.column_guide()}
        names = [name for name, f in self._fields_in_order() if f.column_name in columns]
        dataset = tablib.Dataset(headers=[self.fields[n].column_name for n in names])
        dataset.append([self.example_row.get(n, "") for n in names])
        return dataset

    def identity_field_names(self) -> tuple[str, ...]:
        return self.preview_identity_fields or tuple(self._meta.import_id_fields or ())

    def identity_columns(self) -> list[str]:
        return [self.fields[n].column_name for n in self.identity_field_names()]

    def preview_value(self, resource_field: Field, instance: models.Model) -> str:
        """A column of `instance` as its cell would read (a code, a label, a date)."""
        widget = resource_field.widget
        if isinstance(widget, CodeWidget) and resource_field.attribute:
            return widget.code_of(instance.serializable_value(resource_field.attribute))
        return cell_text(super().export_field(resource_field, instance))

    def preview_values(self, instance: models.Model) -> dict[str, str]:
        """Every column of `instance`, as the preview compares them before and after."""
        return {
            f.column_name: self.preview_value(f, instance)
            for f in self.get_import_fields()
            if f.column_name
        }

    def preview_identity(self, instance: models.Model) -> Identity:
        return [
            (self.fields[n].column_name, self.preview_value(self.fields[n], instance))
            for n in self.identity_field_names()
        ]

    def preview_identity_from_row(self, row: Row) -> Identity:
        """The identity of a row that may not import: its cells as written."""
        return [(column, cell_text(row.get(column))) for column in self.identity_columns()]

    def before_import_row(self, row: Row, **kwargs: Any) -> None:
        super().before_import_row(row, **kwargs)
        self._preview_before = None
        number = kwargs.get("row_number")
        if number is not None:
            self._row_identities[number + 1] = self.preview_identity_from_row(row)

    def after_init_instance(
        self, instance: models.Model, new: bool, row: Row, **kwargs: Any
    ) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        self._preview_before = None if new else self.preview_values(instance)

    def _record_preview(self, row_result: RowResult, line: int) -> None:
        instance = getattr(row_result, "instance", None)
        if instance is None or row_result.import_type not in ACTION_LABELS:
            return
        after = self.preview_values(instance)
        if row_result.import_type == RowResult.IMPORT_TYPE_NEW:
            changes = [PreviewChange(c, "", v) for c, v in after.items() if v]
        else:
            before = self._preview_before or {}
            changes = [
                PreviewChange(c, before.get(c, ""), v)
                for c, v in after.items()
                if before.get(c, "") != v
            ]
        row_result.preview = PreviewRow(
            line, row_result.import_type, self.preview_identity(instance), changes
        )

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
        self._row_identities = {}
        result = super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)
        result.row_identities = self._row_identities
        result.identity_columns = self.identity_columns()
        return result

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
        self._record_preview(row_result, kwargs.get("row_number", 0) + 1)
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


#: The dates every import reads, as the import page states them.
DATE_FORMATS_HINT = gettext_lazy(
    "日付は YYYY-MM-DD（例: 2026-04-01）、YYYY/MM/DD（例: 2026/04/01）、またはExcelの日付セル"
)


def widget_hint(widget: widgets.Widget) -> str:
    """How to write a cell for `widget`, for the import page ("" when nothing to add)."""
    hint = getattr(widget, "hint", None)
    if callable(hint):
        return force_str(hint())
    if isinstance(widget, (widgets.DateWidget, widgets.DateTimeWidget)):
        return force_str(DATE_FORMATS_HINT)
    if isinstance(widget, widgets.CharWidget):
        return gettext("文字")
    return ""


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

    def hint(self) -> str:
        if self.max_length is not None:
            return gettext("文字（%(limit)s文字以内）") % {"limit": self.max_length}
        return gettext("文字")


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

    def hint(self) -> str:
        return gettext("メールアドレス（空欄も可）")


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

    def hint(self) -> str:
        return gettext("次のいずれか: %(choices)s") % {"choices": " / ".join(self.choices)}


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

    def hint(self) -> str:
        return gettext("1 または 0")


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

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> int | str | None:
        if kwargs.get("force_native_type"):  # XLSX: a number cell
            return None if value is None else int(value)
        return "" if value is None else str(value)

    def hint(self) -> str:
        if self.required:
            return gettext("0以上の整数（例: 12600）")
        return gettext("0以上の整数（例: 12600、不明は空欄）")


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

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> date | str | None:
        if kwargs.get("force_native_type"):  # XLSX: a date cell
            return value or None
        return value.isoformat() if value else ""

    def hint(self) -> str:
        text = force_str(DATE_FORMATS_HINT)
        return text if self.required else gettext("%(dates)s（空欄も可）") % {"dates": text}


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
        self._codes: dict[object, object] | None = None

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

    def code_of(self, pk: object) -> str:
        """The code of the row `pk` (all codes read in one query, once per import)."""
        if pk is None:
            return ""
        if self._codes is None:
            self._codes = dict(self.model.objects.values_list("pk", self.field))
        return cell_text(self._codes.get(pk, ""))

    def hint(self) -> str:
        return gettext("登録済みの%(model)sの%(field)s") % {
            "model": force_str(self.model._meta.verbose_name),
            "field": force_str(self.model._meta.get_field(self.field).verbose_name),
        }


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
        if isinstance(file_format, XLSX):
            # Numbers, dates and flags as their own types (`force_native_type`), the sheet
            # named after the list, the header frozen, widths for full-width text.
            dataset = self.get_data_for_export(request, queryset, force_native_type=True)
            data = xlsx_bytes(dataset, title=self.model._meta.verbose_name_plural)
        else:
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


class PortalImportForm(forms.Form):
    import_file = forms.FileField(
        label=gettext_lazy("取り込むファイル"),
        help_text=gettext_lazy(
            "CSV（.csv）またはExcel（.xlsx）。形式はファイル名の拡張子で判断します。"
        ),
    )


#: How long a previewed file may wait for its confirmation.
CONFIRM_MAX_AGE = 24 * 60 * 60
_CONFIRM_SALT = "mie_dx.importexport.confirm"


class PortalConfirmImportForm(forms.Form):
    """The confirmation of a previewed file: its stored copy and its name (both hidden).

    The stored copy's name is signed for the user who previewed it: a request cannot name
    another file in the temporary folder, nor confirm someone else's preview."""

    import_file_name = forms.CharField(widget=forms.HiddenInput())
    original_file_name = forms.CharField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, user_pk: object = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_pk = user_pk

    @staticmethod
    def sign(name: str, user_pk: object) -> str:
        return signing.dumps({"file": os.path.basename(name), "user": user_pk}, salt=_CONFIRM_SALT)

    def clean_import_file_name(self) -> str:
        try:
            signed = signing.loads(
                str(self.cleaned_data["import_file_name"]),
                salt=_CONFIRM_SALT,
                max_age=CONFIRM_MAX_AGE,
            )
        except signing.BadSignature:
            raise forms.ValidationError("invalid") from None
        if signed.get("user") != self.user_pk:
            raise forms.ValidationError("invalid")
        return os.path.basename(str(signed["file"]))


class PortalImportExportMixin(ImportMixin, PortalExportMixin):
    """Import (CSV or XLSX) with a preview — nothing is saved until staff confirm a file
    without errors — and the export of `PortalExportMixin`.

    The import page says what a file must hold (each column, required or not, how to write
    it; the dates and encodings read), offers the template (`import/template/?_format=csv`
    or `xlsx`: the columns and one example row), reads the format from the file name, and
    previews each row that creates or changes something — its line, action, identity
    (`PortalResource.preview_identity_fields`) and every changed column as before → after —
    and each problem by line and column, in plain text.

    Importing needs the model's add and change permissions, and `view_personal_data` when
    the resource has personal columns (the preview shows their current values).
    """

    import_formats = [CSV, XLSX]
    import_template_name = "admin/mie_dx/import.html"
    # ImportMixin's own list template (import only) comes first in the MRO: the portal's
    # offers the import and both exports.
    import_export_change_list_template = "admin/mie_dx/change_list_import_export.html"

    def get_urls(self) -> list[Any]:
        info = self.get_model_info()
        return [
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    def _import_resource(self, request: HttpRequest) -> PortalResource:
        resource_class = self.get_import_resource_classes(request)[0]
        resource: PortalResource = resource_class(**self.get_import_resource_kwargs(request))
        return resource

    def _import_page(self, request: HttpRequest, form: forms.Form, **context: Any) -> HttpResponse:
        resource = self._import_resource(request)
        opts = self.model._meta
        context.update(self.admin_site.each_context(request))
        context.update(
            {
                "title": force_str(resource.import_title)
                if resource.import_title
                else gettext("%(things)sの取り込み")
                % {"things": force_str(opts.verbose_name_plural)},
                "import_intro": resource.import_intro,
                "form": form,
                "opts": opts,
                "media": self.media + form.media,
                "column_guide": resource.column_guide(),
                "date_formats": DATE_FORMATS_HINT,
                "template_url": reverse(
                    "admin:{}_{}_import_template".format(*self.get_model_info()),
                    current_app=self.admin_site.name,
                ),
            }
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        """The import's template file: the columns and one example row, CSV or XLSX."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self._import_resource(request)
        chosen = request.GET.get(FORMAT_VAR, "csv")
        stem = (self.export_filename_stem or self.model._meta.model_name) + "-template"
        return dataset_response(
            resource.template_dataset(),
            filename_stem=stem,
            file_format="xlsx" if chosen == "xlsx" else "csv",
            sheet_title=force_str(self.model._meta.verbose_name_plural),
        )

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """The form, then the preview of the file (a dry run): nothing is saved here."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = PortalImportForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return self._import_page(request, form)
        upload = form.cleaned_data["import_file"]
        content = b"".join(upload.chunks())
        try:
            dataset = dataset_from_file(content, upload.name)
        except ImportFileError as error:
            form.add_error("import_file", str(error))
            return self._import_page(request, form)
        if not len(dataset):
            form.add_error("import_file", gettext("ファイルにデータの行がありません。"))
            return self._import_page(request, form)
        resource = self._import_resource(request)
        result = resource.import_data(dataset, dry_run=True, raise_errors=False)
        preview = build_preview(result)
        confirm_form = None
        if preview.ok:
            storage = self.get_tmp_storage_class()(
                read_mode="rb", **self.get_tmp_storage_class_kwargs()
            )
            storage.save(content)
            confirm_form = PortalConfirmImportForm(
                initial={
                    "import_file_name": PortalConfirmImportForm.sign(storage.name, request.user.pk),
                    "original_file_name": upload.name,
                }
            )
        return self._import_page(
            request,
            PortalImportForm(),
            preview=preview,
            file_name=upload.name,
            file_kind=describe_file(content, upload.name),
            confirm_form=confirm_form,
        )

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """Import the previewed file for good (all or nothing)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = PortalConfirmImportForm(request.POST, user_pk=request.user.pk)
        if not confirm_form.is_valid():
            return self._expired(request)
        storage = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            read_mode="rb",
            **self.get_tmp_storage_class_kwargs(),
        )
        try:
            content = storage.read()
        except OSError:
            return self._expired(request)
        try:
            dataset = dataset_from_file(content, confirm_form.cleaned_data["original_file_name"])
        except ImportFileError as error:
            messages.error(request, str(error))
            return self._expired(request, message=False)
        resource = self._import_resource(request)
        with transaction.atomic():
            result = resource.import_data(dataset, dry_run=False, raise_errors=False)
        storage.remove()
        return self.process_result(result, request)

    def _expired(self, request: HttpRequest, *, message: bool = True) -> HttpResponse:
        if message:
            messages.error(
                request,
                gettext("確認したファイルが見つかりません。もう一度ファイルを選んでください。"),
            )
        return HttpResponseRedirect(
            reverse(
                "admin:{}_{}_import".format(*self.get_model_info()),
                current_app=self.admin_site.name,
            )
        )

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
