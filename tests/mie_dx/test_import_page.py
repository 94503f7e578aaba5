"""The admin's import page for every importer (mie_dx.importexport.PortalImportExportMixin):
what a file must hold, the templates, the format read from the file name, encodings, the
accepted dates, a preview in Japanese with each row's changes, and the typed XLSX exports —
through the HTTP client, as staff use them."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mie_dx.models import Division
from procedures.models import Procedure
from tests import spreadsheets
from tests.mie_dx.factories import DivisionFactory
from tests.procedures.factories import ProcedureFactory
from tests.spreadsheets import PROCEDURE_COLUMNS
from tests.training.factories import EnrolmentFactory, StaffFactory
from training.models import Enrolment

pytestmark = pytest.mark.django_db

# The contract's columns (spec.md), in its order, for each importer the apps declare.
IMPORTERS = {
    "mie_dx_division": ["部局コード", "部局名", "所属コード", "所属名", "年度"],
    "training_staff": [
        "職員番号",
        "氏名",
        "フリガナ",
        "所属コード",
        "階層",
        "メールアドレス",
        "在職",
    ],
    "training_enrolment": ["職員番号", "研修コード", "修了日"],
    "procedures_procedure": PROCEDURE_COLUMNS,
    "consultations_supportrecord": ["支援日", "支援先", "事業", "支援の種類", "備考"],
}
ENGLISH = ("Some rows failed", "Confirm import", "Line number", "Errors", "Preview", "Submit")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def admin_client_(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("importer", IMPORTERS)
def test_every_import_page_says_what_a_file_holds_in_japanese(admin_client_, importer):
    page = admin_client_.get(reverse(f"admin:{importer}_import"))

    assert page.status_code == 200
    text = page.content.decode()
    for column in IMPORTERS[importer]:
        assert f"<code>{column}</code>" in text
    assert (
        "YYYY-MM-DD（例: 2026-04-01）、YYYY/MM/DD（例: 2026/04/01）、またはExcelの日付セル" in text
    )
    assert "UTF-8（BOM付き・なしのどちらも可）" in text
    assert "Shift_JIS" in text
    assert "ファイル名の拡張子" in text
    template = reverse(f"admin:{importer}_import_template")
    assert f'href="{template}?_format=csv"' in text
    assert f'href="{template}?_format=xlsx"' in text
    assert not [word for word in ENGLISH if word in text]


@pytest.mark.parametrize("importer", IMPORTERS)
def test_every_importer_offers_its_template_as_csv_and_xlsx(admin_client_, importer):
    url = reverse(f"admin:{importer}_import_template")

    response = admin_client_.get(url, {"_format": "csv"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == IMPORTERS[importer]
    assert len(rows) == 1 and any(rows[0])

    response = admin_client_.get(url, {"_format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == IMPORTERS[importer]
    assert len(values) == 2 and any(values[1])
    assert sheet.freeze_panes == "A2"


def test_the_template_is_for_those_who_may_import(client, manager):
    client.force_login(manager)
    url = reverse("admin:procedures_procedure_import_template")
    assert client.get(url, {"_format": "csv"}).status_code == 403


def test_a_shift_jis_csv_is_refused_with_how_to_save_it_as_utf8(admin_client_):
    content = "部局コード,部局名,所属コード,所属名,年度\r\nD10,局,D1001,課,2026\r\n".encode("cp932")

    page = admin_client_.post(
        reverse("admin:mie_dx_division_import"), {"import_file": upload("所属.csv", content)}
    )

    text = page.content.decode()
    assert "Shift_JIS" in text
    assert "「CSV UTF-8（コンマ区切り）」を選んで保存し直してください" in text
    assert page.context.get("confirm_form") is None
    assert not [word for word in ENGLISH if word in text]


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused_in_japanese(admin_client_):
    page = admin_client_.post(
        reverse("admin:mie_dx_division_import"), {"import_file": upload("所属.txt", b"x")}
    )
    assert "CSV（.csv）またはExcel（.xlsx）のファイルを指定してください。" in page.content.decode()


def test_a_missing_column_is_named_for_the_whole_file(admin_client_):
    content = spreadsheets.csv_bytes(["職員番号", "研修コード"], [["A0001", "EL01"]])

    page = admin_client_.post(
        reverse("admin:training_enrolment_import"), {"import_file": upload("修了.csv", content)}
    )

    text = page.content.decode()
    assert "ファイル全体" in text and "必須の列がありません: 修了日" in text
    assert page.context.get("confirm_form") is None


def test_an_excel_date_cell_and_both_text_dates_are_read(admin_client_):
    first = EnrolmentFactory(staff__employee_number="A0001", run__course__code="EL01")
    second = EnrolmentFactory(staff__employee_number="A0002", run=first.run)
    third = EnrolmentFactory(staff__employee_number="A0003", run=first.run)
    rows = [
        ["A0001", "EL01", datetime(2022, 5, 2)],  # a date cell, as Excel stores it
        ["A0002", "EL01", "2022/05/03"],
        ["A0003", "EL01", "2022-05-04"],
    ]
    content = spreadsheets.xlsx_bytes(["職員番号", "研修コード", "修了日"], rows)

    preview = admin_client_.post(
        reverse("admin:training_enrolment_import"), {"import_file": upload("修了.xlsx", content)}
    )

    text = preview.content.decode()
    assert "Excel（.xlsx）" in text
    for day in ("2022-05-02", "2022-05-03", "2022-05-04"):
        assert day in text
    assert set(Enrolment.objects.values_list("completed_on", flat=True)) == {None}
    admin_client_.post(
        reverse("admin:training_enrolment_process_import"),
        preview.context["confirm_form"].initial,
    )
    days = [Enrolment.objects.get(pk=e.pk).completed_on for e in (first, second, third)]
    assert days == [date(2022, 5, 2), date(2022, 5, 3), date(2022, 5, 4)]


def test_the_preview_lists_changed_columns_only_and_counts_the_unchanged_rows(admin_client_):
    division = DivisionFactory(code="D1001")
    ProcedureFactory(code="P-1", name="甲", division=division, notes="")
    ProcedureFactory(code="P-2", name="乙", division=division, notes="")
    base = ["申請書", "D1001", "独自", "1000", "1", "R4", "未着手", "", "", ""]
    content = spreadsheets.csv_bytes(
        IMPORTERS["procedures_procedure"],
        [["P-1", "甲", *base[:-1], "見直し中"], ["P-2", "乙", *base]],
    )

    preview = admin_client_.post(
        reverse("admin:procedures_procedure_import"), {"import_file": upload("手続.csv", content)}
    )

    rows = preview.context["preview"].rows
    assert [(r.line, r.action_label, r.identity) for r in rows] == [
        (2, "更新", [("手続コード", "P-1"), ("手続名", "甲")])
    ]
    assert [(c.column, c.before, c.after) for c in rows[0].changes] == [("備考", "", "見直し中")]
    # The unchanged row is named too, folded away.
    unchanged = preview.context["preview"].unchanged_rows
    assert [(r.line, r.action_label, r.identity) for r in unchanged] == [
        (3, "変更なし", [("手続コード", "P-2"), ("手続名", "乙")])
    ]
    text = preview.content.decode()
    assert "新規 0件、更新 1件、変更なし 1件" in text
    assert "登録済みの内容と同じ行（変更なし 1件）を表示" in text
    assert Procedure.objects.get(code="P-1").notes == ""


def test_each_problem_shows_the_cell_as_written(admin_client_):
    EnrolmentFactory(staff__employee_number="A0001", run__course__code="EL01")
    content = spreadsheets.csv_bytes(
        ["職員番号", "研修コード", "修了日"],
        [["A0001", "EL01", "2022.12.15"], ["A0009", "EL01", ""]],
    )

    preview = admin_client_.post(
        reverse("admin:training_enrolment_import"), {"import_file": upload("修了.csv", content)}
    )

    problems = [(p.line, p.column, p.value) for p in preview.context["preview"].problems]
    assert (2, "修了日", "2022.12.15") in problems
    assert (3, "職員番号", "A0009") in problems
    assert (3, "修了日", "") in problems
    text = preview.content.decode()
    assert "<code>2022.12.15</code>" in text
    assert "日付を YYYY-MM-DD または YYYY/MM/DD で入力してください。" in text


def test_a_preview_is_confirmed_only_by_who_made_it(admin_client_, client, superuser, password):
    content = spreadsheets.csv_bytes(
        ["部局コード", "部局名", "所属コード", "所属名", "年度"],
        [["D10", "局", "D1001", "課", "2026"]],
    )
    preview = admin_client_.post(
        reverse("admin:mie_dx_division_import"), {"import_file": upload("所属.csv", content)}
    )
    initial = preview.context["confirm_form"].initial
    other = type(superuser).objects.create_superuser("other", "other@example.jp", password)
    client.force_login(other)

    response = client.post(reverse("admin:mie_dx_division_process_import"), initial, follow=True)

    assert "確認したファイルが見つかりません。" in response.content.decode()
    assert not Division.objects.exists()


def test_a_confirmation_naming_another_path_saves_nothing(admin_client_):
    response = admin_client_.post(
        reverse("admin:mie_dx_division_process_import"),
        {"import_file_name": "../../etc/passwd", "original_file_name": "x.csv"},
        follow=True,
    )
    assert "確認したファイルが見つかりません。" in response.content.decode()


def test_every_list_that_imports_offers_both_exports(admin_client_):
    for importer in IMPORTERS:
        page = admin_client_.get(reverse(f"admin:{importer}_changelist")).content.decode()
        export = reverse(f"admin:{importer}_export")
        assert "CSVで出力（現在の絞り込み）" in page, importer
        assert f'href="{export}?_format=xlsx"' in page, importer
        assert reverse(f"admin:{importer}_import") in page, importer


def test_a_column_declared_without_a_widget_keeps_its_number_in_xlsx(admin_client_):
    DivisionFactory(department__code="T01", department__first_fiscal_year=2021)

    response = admin_client_.get(reverse("admin:mie_dx_department_export"), {"_format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "部局"
    assert dict(zip(header, row, strict=True))["設置年度"] == 2021
    response = admin_client_.get(reverse("admin:mie_dx_department_export"))
    assert "T01" in response.content.decode("utf-8-sig")


def test_the_staff_and_completions_xlsx_have_typed_cells(admin_client_):
    staff = StaffFactory(employee_number="S00406", name="加藤 翔")
    EnrolmentFactory(staff=staff, completed_on=date(2022, 6, 1))

    response = admin_client_.get(reverse("admin:training_staff_export"), {"_format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "職員" and sheet.freeze_panes == "A2"
    header, row = list(sheet.iter_rows(values_only=True))
    assert dict(zip(header, row, strict=True))["在職"] == 1

    response = admin_client_.get(reverse("admin:training_enrolment_export"), {"_format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "受講登録"
    header, row = list(sheet.iter_rows(values_only=True))
    assert dict(zip(header, row, strict=True)) == {
        "職員番号": "S00406",
        "研修コード": row[1],
        "修了日": datetime(2022, 6, 1),
    }
