"""The inventory's import (import_data procedures, the admin): the spec's columns, create or
update by 手続コード, every bad row with its reason, nothing half-imported, each division's
officer only their own divisions."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from mie_dx.importexport import dataset_from_file, import_report
from mie_dx.models import AuditLog
from procedures.models import Procedure
from procedures.resources import ProcedureResource
from tests import spreadsheets
from tests.mie_dx.factories import DivisionFactory
from tests.procedures.factories import ProcedureEditorFactory, ProcedureFactory
from tests.spreadsheets import PROCEDURE_COLUMNS

pytestmark = pytest.mark.django_db

HEADER = PROCEDURE_COLUMNS


def csv_bytes(rows, *, header=HEADER, bom=True) -> bytes:
    return spreadsheets.csv_bytes(header, rows, bom=bom)


def run(path: str, *args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import_data", "procedures", path, *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def divisions():
    return DivisionFactory(code="A100"), DivisionFactory(code="B200")


@pytest.fixture
def write(tmp_path):
    def write(content: bytes, name: str = "procedures.csv") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


GOOD = [
    ["P-1", "入学願書", "願書", "A100", "独自", "17,000", "1", "R4", "デジタル化済", "2022/10/01", "15000", ""],
    ["P-2", "駐車場利用証", "申請書", "A100", "独自", "12600", "1", "要調整", "未着手", "", "", "来庁が前提"],
    ["P-3", "許可申請", "", "B200", "法定", "300", "0", "R9以降", "対応中", "", "", ""],
]  # fmt: skip


def test_good_rows_are_created_then_updated_by_code(divisions, write):
    code, out = run(write(csv_bytes(GOOD)))
    assert code == 0, out
    assert "created=3 updated=0 unchanged=0" in out
    p1 = Procedure.objects.get(code="P-1")
    assert (p1.annual_applications, p1.planned_fiscal_year, p1.status) == (17000, 2022, "digitised")
    assert p1.digitised_on.isoformat() == "2022-10-01" and p1.online_applications == 15000
    p2 = Procedure.objects.get(code="P-2")
    assert (p2.plan, p2.planned_fiscal_year) == ("needs_adjustment", None)
    assert p2.adjustment_reason == "来庁が前提"  # from 備考: the file has no reason column
    assert Procedure.objects.get(code="P-3").kind == "statutory"
    assert AuditLog.objects.filter(action="procedure.created").count() == 3

    changed = [row[:] for row in GOOD]
    changed[1][8] = "対象外"
    code, out = run(write(csv_bytes(changed)))
    assert code == 0, out
    assert "created=0 updated=1 unchanged=2" in out
    assert Procedure.objects.get(code="P-2").status == "out_of_scope"
    # Saved through the status's service, named once (and not as a generic import).
    entry = AuditLog.objects.get(action="procedure.status_changed")
    assert entry.data == {"from": "not_started", "to": "out_of_scope"}
    assert AuditLog.objects.count() == 4


def test_an_xlsx_with_numbers_and_dates_as_excel_types_them(divisions, write):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    import datetime

    sheet.append(["P-9", "手続", "", "A100", "独自", 1200, 1, "R3", "デジタル化済",
                  datetime.datetime(2021, 7, 1), 300, ""])  # fmt: skip
    out = io.BytesIO()
    book.save(out)

    code, printed = run(write(out.getvalue(), "procedures.xlsx"))

    assert code == 0, printed
    assert Procedure.objects.get(code="P-9").digitised_on.isoformat() == "2021-07-01"


def test_every_bad_row_is_reported_with_its_reason_and_nothing_is_saved(divisions, write):
    rows = [
        GOOD[0],
        ["P-4", "", "", "ZZZZ", "県", "多い", "2", "R12", "完了", "", "", ""],
        ["P-5", "手続", "", "A100", "独自", "500", "1", "R5", "デジタル化済", "昨日", "-3", ""],
        ["P-1", "重複", "", "A100", "独自", "100", "1", "R4", "未着手", "", "", ""],
    ]

    code, out = run(write(csv_bytes(rows)))

    assert code == 1
    assert "3行目「手続名」" in out
    assert "3行目「所属コード」: 所属コード ZZZZ の所属がありません。" in out
    assert "3行目「区分」" in out and "3行目「年間受付件数」" in out and "3行目「重点」" in out
    assert "3行目「予定年度」" in out and "3行目「状態」" in out
    assert "4行目「デジタル化日」" in out and "4行目「オンライン申請件数」" in out
    assert "5行目「手続コード」: 同じ手続コードが 2行目にもあります。" in out
    assert not Procedure.objects.exists()
    assert not AuditLog.objects.exists()


def test_digitised_without_a_date_is_refused(divisions, write):
    row = ["P-6", "手続", "", "A100", "独自", "500", "1", "R5", "デジタル化済", "", "", ""]
    code, out = run(write(csv_bytes([GOOD[0], row])))
    assert code == 1
    assert "3行目「デジタル化日」: デジタル化済の手続にはデジタル化日が必要です。" in out
    assert not Procedure.objects.exists()
    assert not AuditLog.objects.exists()


def test_adjustment_without_a_reason_in_the_notes_is_refused(divisions, write):
    """The rule of the admin's form (Procedure.clean): the file's 備考 gives the reason."""
    row = ["P-8", "手続", "", "A100", "独自", "500", "1", "要調整", "未着手", "", "", ""]
    code, out = run(write(csv_bytes([GOOD[2], row])))
    assert code == 1
    assert "3行目「備考」: 要調整の理由を入力してください。" in out
    assert not Procedure.objects.exists()
    assert not AuditLog.objects.exists()


def test_a_row_changing_plan_status_and_details_is_saved_by_each_service(
    divisions, procedure_officer
):
    own, _other = divisions
    ProcedureEditorFactory(user=procedure_officer, division=own)
    ProcedureFactory(code="P-1", name="入学願書", form_name="願書", division=own,
                     annual_applications=17000, planned_fiscal_year=2022)  # fmt: skip
    row = ["P-1", "入学願書", "願書", "A100", "独自", "18,000", "1", "R9以降", "デジタル化済",
           "2022/10/01", "", ""]  # fmt: skip
    dataset = dataset_from_file(csv_bytes([row]), "p.csv")

    report = import_report(ProcedureResource(user=procedure_officer), dataset, dry_run=False)

    assert report.ok and report.updated == 1, report.problems
    procedure = Procedure.objects.get(code="P-1")
    assert (procedure.annual_applications, procedure.plan, procedure.status) == (
        18000, "r9_or_later", "digitised"
    )  # fmt: skip
    entries = {e.action: (e.data, e.user) for e in AuditLog.objects.all()}
    assert entries == {
        "procedure.updated": ({"fields": ["annual_applications"]}, procedure_officer),
        "procedure.plan_changed": (
            {"from": "2022", "to": "r9_or_later", "fields": ["plan", "planned_fiscal_year"]},
            procedure_officer,
        ),
        "procedure.digitised": (
            {"from": "not_started", "to": "digitised", "digitised_on": "2022-10-01"},
            procedure_officer,
        ),
    }


def test_a_code_that_could_not_name_its_page_is_refused(divisions, write):
    row = ["手続 1/2", "手続", "", "A100", "独自", "500", "1", "R5", "未着手", "", "", ""]
    code, out = run(write(csv_bytes([row])))
    assert code == 1
    assert "手続コードは半角英数字" in out
    assert not Procedure.objects.exists()


def test_a_file_without_a_required_column_is_refused(divisions, write):
    code, out = run(write(csv_bytes([GOOD[0][:6]], header=HEADER[:6])))
    assert code == 1
    assert "必須の列がありません: 重点、予定年度、状態" in out


def test_a_divisions_officer_imports_only_their_divisions_rows(divisions, procedure_officer):
    own, other = divisions
    ProcedureEditorFactory(user=procedure_officer, division=own)
    ProcedureFactory(code="P-7", division=other)
    rows = [
        GOOD[0],
        GOOD[2],  # B200: another division
        ["P-7", "他の所属の手続", "", "A100", "独自", "100", "1", "R4", "未着手", "", "", ""],
    ]
    dataset = dataset_from_file(csv_bytes(rows), "p.csv")

    report = import_report(ProcedureResource(user=procedure_officer), dataset, dry_run=False)

    reasons = [str(p) for p in report.problems]
    assert reasons == [
        "3行目「所属コード」: 所属コード B200 の手続を更新する権限がありません。",
        "4行目「手続コード」: この手続は他の所属の手続です。更新する権限がありません。",
    ]
    assert not Procedure.objects.filter(code="P-1").exists()

    dataset = dataset_from_file(csv_bytes([GOOD[0]]), "p.csv")
    report = import_report(ProcedureResource(user=procedure_officer), dataset, dry_run=False)
    assert report.ok and report.created == 1
    assert AuditLog.objects.get(action="procedure.created").user == procedure_officer


def test_the_procedures_office_imports_every_division(divisions, procedure_officer):
    procedure_officer.user_permissions.add(Permission.objects.get(codename="change_all_procedures"))
    dataset = dataset_from_file(csv_bytes(GOOD), "p.csv")
    report = import_report(ProcedureResource(user=procedure_officer), dataset, dry_run=False)
    assert report.ok and report.created == 3


def test_an_officer_without_divisions_cannot_open_the_admin_import(client, procedure_officer):
    client.force_login(procedure_officer)
    assert client.get(reverse("admin:procedures_procedure_import")).status_code == 403


def test_the_admin_previews_then_saves_the_import(client, divisions, procedure_officer):
    ProcedureEditorFactory(user=procedure_officer, division=divisions[0])
    client.force_login(procedure_officer)
    upload = io.BytesIO(csv_bytes([GOOD[0]]))
    upload.name = "p.csv"
    preview = client.post(
        reverse("admin:procedures_procedure_import"), {"import_file": upload, "format": "0"}
    )
    assert preview.status_code == 200
    assert not Procedure.objects.exists()
    confirm = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:procedures_procedure_process_import"), confirm.initial, follow=True
    )
    assert done.status_code == 200
    assert Procedure.objects.get(code="P-1").division == divisions[0]


def test_the_export_has_the_import_columns_and_round_trips(client, procedure_officer, write):
    ProcedureFactory(code="X-1", digitised=True, annual_applications=1234, online_applications=9)
    client.force_login(procedure_officer)

    response = client.get(reverse("admin:procedures_procedure_export"))

    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",") == HEADER
    assert row.startswith("X-1,") and ",独自,1234,1,R4,デジタル化済,2021-10-01,9," in row
    code, out = run(write(response.content))
    assert code == 0 and "created=0 updated=0 unchanged=1" in out


def test_a_dry_run_reports_the_counts_and_saves_nothing(divisions, write):
    code, out = run(write(csv_bytes(GOOD)), "--dry-run")

    assert code == 0, out
    assert "created=3" in out
    assert not Procedure.objects.exists()
    assert not AuditLog.objects.exists()
