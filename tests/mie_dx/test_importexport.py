"""Import and export, one way: files as Excel saves them, all or nothing, counts, the
formula guard and personal columns — through the import_data command, the admin and the
resources' public methods."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from consultations.resources import ConsultationResource
from mie_dx.importexport import FORMULA_PREFIXES, guard_formula
from mie_dx.models import Department, Division
from seminars.resources import RegistrationResource
from tests import spreadsheets
from tests.consultations.factories import ConsultationFactory
from tests.mie_dx.factories import DivisionFactory
from tests.seminars.factories import SeminarFactory, register

pytestmark = pytest.mark.django_db

HEADER = ["部局コード", "部局名", "所属コード", "所属名", "年度"]
ROWS = [
    ["D10", "デジタル社会推進局", "D1001", "デジタル戦略企画課", "2026"],
    ["D20", "総務部", "D2001", "総務課", "2026"],
    ["D20", "総務部", "D2002", "人事課", "2026"],
]


def csv_bytes(rows, *, header=HEADER, bom=True) -> bytes:
    return spreadsheets.csv_bytes(header, rows, bom=bom)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    return spreadsheets.xlsx_bytes(header, rows)


@pytest.fixture
def import_file(tmp_path):
    def write(content: bytes, name: str = "divisions.csv") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def run(path: str, *args) -> tuple[int, str]:
    """(exit code, stdout) of import_data divisions PATH."""
    out = io.StringIO()
    try:
        call_command("import_data", "divisions", path, *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


# --- Reading files --------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [True, False], ids=["with-bom", "without-bom"])
def test_a_csv_as_excel_saves_it_is_imported(import_file, bom):
    code, out = run(import_file(csv_bytes(ROWS, bom=bom)))

    assert code == 0
    assert "created=3 updated=0 unchanged=0" in out
    assert "新規 3件" in out
    assert sorted(Division.objects.values_list("code", flat=True)) == ["D1001", "D2001", "D2002"]
    assert Department.objects.get(code="D20").name == "総務部"


def test_an_xlsx_is_imported_with_numbers_as_excel_types_them(import_file):
    rows = [
        ["D10", "デジタル社会推進局", "D1001", "デジタル戦略企画課", 2026],
        [20, "総務部", 2001, "総務課", 2026.0],
    ]

    code, out = run(import_file(xlsx_bytes(rows), "divisions.xlsx"))

    assert code == 0, out
    assert "created=2" in out
    assert Division.objects.get(code="2001").department.code == "20"


def test_extra_columns_and_blank_lines_are_ignored(import_file):
    rows = [[*row, "メモ"] for row in ROWS] + [["", "", "", "", "", ""]]

    code, out = run(import_file(csv_bytes(rows, header=[*HEADER, "備考"])))

    assert code == 0
    assert "created=3 updated=0 unchanged=0" in out


def test_a_file_without_a_required_column_is_refused_naming_it(import_file):
    header = ["部局コード", "所属コード", "所属名"]
    code, out = run(import_file(csv_bytes([["D10", "D1001", "課"]], header=header)))

    assert code == 1
    assert "必須の列がありません: 部局名、年度" in out
    assert not Division.objects.exists() and not Department.objects.exists()


def test_every_bad_row_is_listed_and_nothing_is_saved(import_file):
    rows = [
        *ROWS,
        ["D30", "農林水産部", "", "農業戦略課", "2026"],  # line 5: no code
        ["D30", "農林水産部", "D3001", "水産振興課", "令和8"],  # line 6: not a year
        ["D30", "農林水産部", "D2001", "総務課", "2026"],  # line 7: D2001 is in D20 (line 3)
        ["D30", "農林水産部改", "D3002", "森林課", "1999"],  # line 8: other name, bad year
    ]

    code, out = run(import_file(csv_bytes(rows)))

    assert code == 1
    lines = out.strip().splitlines()
    assert lines == [
        "5行目「所属コード」: 空欄です。",
        "6行目「年度」: 西暦の年度（2000〜2100 の整数、例: 2026）を入力してください。",
        "7行目「部局コード」: 所属コード D2001 は 3行目で部局コード D20 の所属になっています。",
        "8行目「年度」: 西暦の年度（2000〜2100 の整数、例: 2026）を入力してください。",
        "8行目「部局名」: 部局コード D30 の部局名が 5行目（農林水産部）と違います。",
    ]
    # All or nothing: the three good rows were not saved either.
    assert not Division.objects.exists() and not Department.objects.exists()


def test_a_dry_run_reports_and_saves_nothing(import_file):
    code, out = run(import_file(csv_bytes(ROWS)), "--dry-run")

    assert code == 0
    assert "created=3 updated=0 unchanged=0" in out
    assert "保存していません" in out
    assert not Division.objects.exists() and not Department.objects.exists()


def test_a_dry_run_of_a_bad_file_fails_the_same_way(import_file):
    code, out = run(import_file(csv_bytes([["D10", "局", "D1001", "課", "x"]])), "--dry-run")
    assert code == 1
    assert "2行目「年度」" in out


def test_rows_are_created_then_updated_or_unchanged_by_code(import_file):
    assert run(import_file(csv_bytes(ROWS)))[0] == 0

    renamed = [ROWS[0], ["D20", "総務部", "D2001", "総務企画課", "2026"], ROWS[2]]
    code, out = run(
        import_file(csv_bytes([*renamed, ["D20", "総務部", "D2003", "財政課", "2026"]]))
    )

    assert code == 0
    assert "created=1 updated=1 unchanged=2" in out
    assert Division.objects.get(code="D2001").name == "総務企画課"
    assert Division.objects.count() == 4


def test_unknown_importer_names_the_known_ones(import_file):
    with pytest.raises(CommandError, match="divisions"):
        call_command("import_data", "staf", import_file(csv_bytes(ROWS)))


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(import_file):
    with pytest.raises(CommandError, match="CSV"):
        call_command("import_data", "divisions", import_file(b"x", "divisions.txt"))


def test_a_csv_that_is_not_utf8_is_refused_with_a_hint(import_file):
    sjis = "部局コード,部局名,所属コード,所属名,年度\r\n".encode("cp932")
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_data", "divisions", import_file(sjis))


# --- The admin's import: a preview, then confirm ----------------------------------------------


def test_the_admin_previews_the_import_and_saves_only_on_confirmation(client, superuser):
    client.force_login(superuser)
    changelist = client.get(reverse("admin:mie_dx_division_changelist")).content.decode()
    assert reverse("admin:mie_dx_division_import") in changelist
    form = client.get(reverse("admin:mie_dx_division_import")).content.decode()
    assert all(column in form for column in HEADER)
    upload = SimpleUploadedFile("divisions.xlsx", xlsx_bytes(ROWS))

    preview = client.post(
        reverse("admin:mie_dx_division_import"), {"import_file": upload, "format": "1"}
    )

    assert preview.status_code == 200
    assert "デジタル戦略企画課" in preview.content.decode()
    assert not Division.objects.exists()
    confirm = preview.context["confirm_form"]
    done = client.post(
        reverse("admin:mie_dx_division_process_import"), confirm.initial, follow=True
    )
    assert Division.objects.count() == 3
    assert "新規 3件、更新 0件、変更なし 0件" in done.content.decode()


def test_the_admin_preview_lists_bad_rows_and_offers_no_confirmation(client, superuser):
    client.force_login(superuser)
    upload = SimpleUploadedFile(
        "divisions.csv", csv_bytes([*ROWS, ["D30", "農林水産部", "", "課", "2026"]])
    )

    preview = client.post(
        reverse("admin:mie_dx_division_import"), {"import_file": upload, "format": "0"}
    )

    page = preview.content.decode()
    assert "所属コード" in page and "空欄です。" in page
    assert preview.context.get("confirm_form") is None
    assert not Division.objects.exists()


def test_staff_who_may_only_view_the_organisation_cannot_import(client, center_staff):
    client.force_login(center_staff)
    assert client.get(reverse("admin:mie_dx_division_import")).status_code == 403
    assert (
        "取り込む" not in client.get(reverse("admin:mie_dx_division_changelist")).content.decode()
    )


# --- Export: formula guard ----------------------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_the_formula_guard_prefixes_every_dangerous_start(prefix):
    assert guard_formula(f"{prefix}SUM(A1)") == f"'{prefix}SUM(A1)"


@pytest.mark.parametrize("value", ["総務課", "D-10", "059-224-3086", "", None, 12, -3])
def test_the_formula_guard_leaves_other_values_alone(value):
    assert guard_formula(value) == value


def test_csv_and_xlsx_exports_neutralise_formulas_including_full_width(client, superuser):
    DivisionFactory(code="X1", name="＝HYPERLINK(1)")
    DivisionFactory(code="X2", name="|calc")
    DivisionFactory(code="X3", name="=1+1")
    client.force_login(superuser)
    url = reverse("admin:mie_dx_division_export")

    response = client.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == HEADER
    assert sorted(row[3] for row in rows) == ["'=1+1", "'|calc", "'＝HYPERLINK(1)"]

    response = client.get(url, {"_format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = sorted(cell.value for cell in sheet["D"][1:])
    assert names == ["'=1+1", "'|calc", "'＝HYPERLINK(1)"]
    assert all(cell.data_type == "s" for cell in sheet["D"])


# --- Export: personal columns -------------------------------------------------------------------


def test_personal_columns_need_the_apps_view_personal_data(center_staff, password):
    ConsultationFactory(name="見本 花子", email="hanako@example.jp")
    reader = get_user_model().objects.create_user(
        username="reader", password=password, is_staff=True
    )
    reader.user_permissions.add(
        Permission.objects.get(
            codename="view_consultation", content_type__app_label="consultations"
        )
    )

    allowed = ConsultationResource(user=center_staff).export()
    refused = ConsultationResource(user=reader).export()
    nobody = ConsultationResource().export()

    assert "氏名" in allowed.headers and "見本 花子" in allowed[0]
    for dataset in (refused, nobody):
        assert "氏名" not in dataset.headers and "メールアドレス" not in dataset.headers
        assert "見本 花子" not in dataset[0] and "hanako@example.jp" not in dataset[0]
        assert dataset.headers[0] == "受付番号"


def test_the_registrations_export_drops_personal_columns_without_the_permission(client, password):
    seminar = SeminarFactory()
    register(seminar, name="申込 太郎", email="taro@example.jp")
    reader = get_user_model().objects.create_user(
        username="reader", password=password, is_staff=True
    )
    reader.user_permissions.add(
        Permission.objects.get(codename="view_registration", content_type__app_label="seminars")
    )
    client.force_login(reader)

    response = client.get(
        reverse("admin:seminars_registration_export"), {"seminar__id__exact": seminar.pk}
    )

    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert text.startswith("セミナー,状態,参加方法,参加者の区分,個別相談を希望")
    assert "申込 太郎" not in text and "taro@example.jp" not in text
    # Without a user (a command, a task) there are no personal columns either.
    assert "氏名" not in RegistrationResource().get_export_headers()


def test_a_malformed_filter_on_the_registrations_export_goes_back_flagged(client, center_staff):
    client.force_login(center_staff)

    response = client.get(
        reverse("admin:seminars_registration_export") + "?registered_at__gte=not-a-date"
    )

    changelist = reverse("admin:seminars_registration_changelist")
    assert (response.status_code, response.url) == (302, changelist + "?e=1")


def test_the_consultations_export_also_offers_xlsx_with_the_filters(client, center_staff):
    ConsultationFactory(title="完了した相談", status="closed")
    ConsultationFactory(title="整理中の相談", status="triage")
    client.force_login(center_staff)

    page = client.get(
        reverse("admin:consultations_consultation_changelist") + "?status__exact=closed"
    )
    assert "?status__exact=closed&amp;_format=xlsx" in page.content.decode()
    response = client.get(
        reverse("admin:consultations_export"), {"status__exact": "closed", "_format": "xlsx"}
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:2] == ["受付番号", "受付日時"]
    assert [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["完了した相談"]


def test_dataset_response_csv_has_bom_guard_and_private_headers():
    import tablib

    from mie_dx.importexport import dataset_response

    data = tablib.Dataset(headers=["件名", "件数"])
    data.append(["=HYPERLINK(1)", 3])
    response = dataset_response(data, filename_stem="figures")
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["件名", "件数"], ["'=HYPERLINK(1)", "3"]]
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="figures-')


def test_dataset_response_xlsx_keeps_numbers_and_names_the_sheet():
    import tablib

    from mie_dx.importexport import dataset_response

    data = tablib.Dataset(headers=["件名", "件数"])
    data.append(["相談", 3])
    response = dataset_response(
        data, filename_stem="figures", file_format="xlsx", sheet_title="相談件数"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "相談件数"
    assert sheet["B2"].value == 3
    assert response["Content-Disposition"].endswith('.xlsx"')
