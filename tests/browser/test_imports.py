"""The admin's imports and exports in a real chromium (mie_dx.importexport): the preview shows
each row's identity and its changes as before → after, every problem as plain text by line and
column, nothing is saved before 「この内容で取り込む」; the export button gives an XLSX whose
cells have their types. Screenshots in test-artifacts/ at 1280 and 390 px."""

import io
from datetime import date, datetime

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from procedures.models import Procedure
from tests.browser.conftest import DESKTOP, PHONE
from tests.mie_dx.factories import DivisionFactory
from tests.procedures.factories import ProcedureEditorFactory, ProcedureFactory
from tests.spreadsheets import PROCEDURE_COLUMNS, csv_bytes
from tests.training.factories import EnrolmentFactory, StaffFactory
from training.models import Enrolment

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
COMPLETIONS_IMPORT = "/admin/training/enrolment/import/"
PROCEDURES_IMPORT = "/admin/procedures/procedure/import/"


def upload(page: Page, name: str, content: bytes) -> None:
    page.get_by_label("取り込むファイル").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="内容を確認する（まだ保存しません）").click()


def shoot(page: Page, console, artifacts, name: str) -> None:
    """The page at 1280 px and at 390 px (whole page), axe-checked at both widths."""
    for viewport, width in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(viewport)
        page.screenshot(path=artifacts / f"import-{name}-{width}.png", full_page=True)
        logged = len(console.errors)
        results = Axe().run(page, context={"exclude": [[".breadcrumbs"]]}, options=AXE_OPTIONS)
        # axe-core's own probe of inline styles, refused by the admin's CSP: not the page's.
        axe_probes = console.errors[logged:]
        assert all(e.startswith("Applying inline style violates") for e in axe_probes)
        del console.errors[logged:]
        assert results.violations_count == 0, f"{name} {width}:\n{results.generate_report()}"
        # Nothing wider than the screen but the tables' own scrolling boxes.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= viewport["width"], (name, width, overflow)
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def completions(transactional_db):
    """Two staff enrolled in EL01 in 令和4年度 (4月–7月), neither completed yet."""
    good = EnrolmentFactory(
        staff__employee_number="A0001",
        staff__name="加藤 翔",
        run__course__code="EL01",
        run__course__name="DXの基礎（DX基本研修）",
    )
    bad = EnrolmentFactory(staff__employee_number="A0002", staff__name="伊藤 葵", run=good.run)
    return good, bad


def test_a_completions_import_previews_the_good_row_and_names_the_bad_one(
    page: Page, console, artifacts, completions, training_officer, password, staff_sign_in
):
    good, bad = completions
    staff_sign_in(page, training_officer, password, COMPLETIONS_IMPORT)

    # The form says what a file holds before any file is chosen.
    guide = page.locator("#import-columns")
    expect(guide).to_contain_text("職員番号")
    expect(guide).to_contain_text("研修コード")
    expect(guide).to_contain_text("YYYY/MM/DD")
    expect(page.get_by_text("CSVの文字コードは UTF-8（BOM付き・なしのどちらも可）")).to_be_visible()
    expect(page.get_by_role("link", name="CSVのひな形")).to_be_visible()
    expect(page.get_by_role("link", name="Excelのひな形")).to_be_visible()
    shoot(page, console, artifacts, "completions-form")

    rows = [["A0001", "EL01", "2022/06/01"], ["A0002", "EL01", "2022-13-01"]]
    upload(page, "修了者.csv", csv_bytes(["職員番号", "研修コード", "修了日"], rows))

    expect(
        page.get_by_role("heading", name="取り込めない行があります（何も保存していません）")
    ).to_be_visible()
    expect(page.locator("#import-file-kind")).to_have_text("CSV（文字コード UTF-8、BOM付き）")
    problem = page.locator("#import-problems tbody tr")
    expect(problem).to_have_count(1)
    # The reason is text on the page, with its line, column and the person — no hover.
    expect(problem).to_contain_text("3行目")
    expect(problem.locator("td").nth(1)).to_have_text("修了日")
    expect(problem).to_contain_text("A0002 伊藤 葵 EL01")
    expect(problem.locator("td").nth(3)).to_have_text("2022-13-01")
    expect(
        problem.get_by_text("日付を YYYY-MM-DD または YYYY/MM/DD で入力してください。")
    ).to_be_visible()
    # The good row: who, and the date before → after.
    preview = page.locator("#import-preview tbody tr")
    expect(preview).to_have_count(1)
    expect(preview).to_contain_text("2行目")
    expect(preview).to_contain_text("更新")
    expect(preview.locator("td").nth(2)).to_have_text("A0001")
    expect(preview.locator("td").nth(3)).to_have_text("加藤 翔")
    expect(preview.locator(".import-changes li")).to_have_text(["修了日: （空欄） → 2022-06-01"])
    body = page.locator("body").inner_text()
    assert "Some rows failed" not in body and "ROW" not in body and "Errors" not in body
    expect(page.get_by_role("button", name="この内容で取り込む")).to_have_count(0)
    shoot(page, console, artifacts, "completions-with-errors")
    assert set(Enrolment.objects.values_list("completed_on", flat=True)) == {None}

    # The corrected file: previewed, then saved on confirmation.
    rows[1][2] = "2022-07-15"
    upload(page, "修了者.csv", csv_bytes(["職員番号", "研修コード", "修了日"], rows, bom=False))
    expect(
        page.get_by_role("heading", name="取り込みの確認（まだ保存していません）")
    ).to_be_visible()
    expect(page.locator("#import-file-kind")).to_have_text("CSV（文字コード UTF-8、BOMなし）")
    expect(page.locator("#import-counts")).to_have_text("新規 0件、更新 2件、変更なし 0件")
    expect(page.locator("#import-preview tbody tr").nth(1)).to_contain_text("伊藤 葵")
    expect(page.locator("#import-preview tbody tr").nth(1)).to_contain_text(
        "修了日: （空欄） → 2022-07-15"
    )
    shoot(page, console, artifacts, "completions-preview")
    assert set(Enrolment.objects.values_list("completed_on", flat=True)) == {None}

    page.get_by_role("button", name="この内容で取り込む").click()
    expect(page.get_by_text("取り込みました: 新規 0件、更新 2件、変更なし 0件")).to_be_visible()
    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.completed_on, bad.completed_on) == (date(2022, 6, 1), date(2022, 7, 15))
    assert console.errors == []


def test_a_procedures_import_shows_the_status_and_plan_before_and_after(
    page: Page, console, artifacts, transactional_db, procedure_officer, password, staff_sign_in
):
    division = DivisionFactory(code="D1001", name="デジタル推進課")
    ProcedureEditorFactory(user=procedure_officer, division=division)
    procedure = ProcedureFactory(
        code="P-0007",
        name="補助金交付申請",
        division=division,
        planned_fiscal_year=2023,
        status=Procedure.Status.NOT_STARTED,
        annual_applications=1200,
        notes="",
    )
    ProcedureFactory(code="P-0008", name="補助金実績報告", division=division, notes="")
    staff_sign_in(page, procedure_officer, password, PROCEDURES_IMPORT)
    row = ["P-0007", "補助金交付申請", "申請書", "D1001", "独自", "1200", "1", "R7", "対応中"]
    same = ["P-0008", "補助金実績報告", "申請書", "D1001", "独自", "1000", "1", "R4", "未着手"]
    upload(
        page, "手続.csv", csv_bytes(PROCEDURE_COLUMNS, [[*row, "", "", ""], [*same, "", "", ""]])
    )

    expect(
        page.get_by_role("heading", name="取り込みの確認（まだ保存していません）")
    ).to_be_visible()
    preview = page.locator("#import-preview tbody tr")
    expect(preview).to_have_count(1)
    expect(preview.locator("td").nth(1)).to_have_text("更新")
    expect(preview.locator("td").nth(2)).to_have_text("P-0007")
    expect(preview.locator("td").nth(3)).to_have_text("補助金交付申請")
    expect(preview.locator(".import-changes li")).to_have_text(
        ["予定年度: R5 → R7", "状態: 未着手 → 対応中"]
    )
    # The unchanged row is named too, folded away.
    page.get_by_text("登録済みの内容と同じ行（変更なし 1件）を表示").click()
    expect(page.locator("#import-unchanged tbody td")).to_have_text(
        ["3行目", "変更なし", "P-0008", "補助金実績報告"]
    )
    shoot(page, console, artifacts, "procedures-preview")
    procedure.refresh_from_db()
    assert (procedure.planned_fiscal_year, procedure.status) == (2023, "not_started")

    page.get_by_role("button", name="この内容で取り込む").click()
    expect(page.get_by_text("取り込みました: 新規 0件、更新 1件、変更なし 1件")).to_be_visible()
    procedure.refresh_from_db()
    assert (procedure.planned_fiscal_year, procedure.status) == (2025, "in_progress")
    assert console.errors == []


def test_the_procedures_list_exports_an_xlsx_with_typed_cells(
    page: Page, console, artifacts, transactional_db, procedure_officer, password, staff_sign_in
):
    division = DivisionFactory(code="D1001", name="デジタル推進課")
    ProcedureFactory(
        code="P-0001",
        name="産業廃棄物処理業許可申請（収集運搬業・積替え保管を含む）",
        division=division,
        annual_applications=12600,
        is_priority=True,
        digitised=True,
    )
    ProcedureFactory(code="P-0002", name="旅券発給申請", division=division, is_priority=False)
    staff_sign_in(page, procedure_officer, password, "/admin/procedures/procedure/")

    export = page.get_by_role("link", name="Excelで出力（現在の絞り込み）")
    expect(export).to_be_visible()
    expect(page.get_by_role("link", name="CSVで出力（現在の絞り込み）")).to_be_visible()
    page.screenshot(path=artifacts / "import-procedures-list-desktop.png")
    with page.expect_download() as download_info:
        export.click()
    content = download_info.value.path().read_bytes()

    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet.title == "行政手続"
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header == PROCEDURE_COLUMNS
    rows = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)
    }
    first, second = rows["P-0001"], rows["P-0002"]
    assert first["年間受付件数"] == 12600 and isinstance(first["年間受付件数"], int)
    assert first["デジタル化日"] == datetime(2021, 10, 1)
    assert sheet.cell(row=2, column=header.index("デジタル化日") + 1).number_format == "yyyy-mm-dd"
    assert second["デジタル化日"] is None
    # 重点 in the contract's words: 1 or 0, as numbers.
    assert (first["重点"], second["重点"]) == (1, 0)
    assert (first["状態"], first["予定年度"], first["区分"]) == ("デジタル化済", "R4", "独自")
    # Widths count full-width characters twice.
    name_width = sheet.column_dimensions["B"].width
    assert name_width >= 2 * len("産業廃棄物処理業許可申請（収集運搬業・積替え保管を含む）")
    assert console.errors == []


def test_a_staff_roster_import_names_each_person_and_the_division_change(
    page: Page, console, artifacts, transactional_db, training_officer, password, staff_sign_in
):
    old, new = DivisionFactory(code="D1001"), DivisionFactory(code="D2002")
    StaffFactory(employee_number="S00406", name="加藤 翔", name_kana="カトウ ショウ", division=old)
    staff_sign_in(page, training_officer, password, "/admin/training/staff/import/")
    header = ["職員番号", "氏名", "フリガナ", "所属コード", "階層", "メールアドレス", "在職"]
    rows = [
        ["S00406", "加藤 翔", "カトウ ショウ", "D2002", "新規採用", "", "1"],
        ["S00999", "新井 凛", "アライ リン", "D1001", "新規採用", "", "1"],
    ]
    upload(page, "職員.csv", csv_bytes(header, rows))

    preview = page.locator("#import-preview tbody tr")
    expect(preview).to_have_count(2)
    expect(preview.nth(0)).to_contain_text("S00406")
    expect(preview.nth(0)).to_contain_text("加藤 翔")
    expect(preview.nth(0).locator(".import-changes li")).to_contain_text(
        ["所属コード: D1001 → D2002"]
    )
    expect(preview.nth(1).locator("td").nth(1)).to_have_text("新規")
    expect(preview.nth(1)).to_contain_text("新井 凛")
    shoot(page, console, artifacts, "staff-preview")
    assert new.pk and console.errors == []


# Every other importer: a good file and a bad one, each previewed in Japanese with the row's
# identity, at both widths (screenshots import-<name>-good/-errors-desktop/phone.png).
OTHER_IMPORTERS = [
    pytest.param(
        "divisions",
        "/admin/mie_dx/division/import/",
        ["部局コード", "部局名", "所属コード", "所属名", "年度"],
        [
            ["S01", "総務部", "S0101", "総務課（新）", "2026"],
            ["S01", "総務部", "S0102", "人事課", "2026"],
        ],
        [
            ["S01", "総務部", "S0101", "総務課（新）", "令和8"],
            ["S01", "総務部", "", "人事課", "2026"],
        ],
        ("所属名: 総務課 → 総務課（新）", "S0101"),
        id="divisions",
    ),
    pytest.param(
        "support-records",
        "/admin/consultations/supportrecord/import/",
        ["支援日", "支援先", "事業", "支援の種類", "備考"],
        [["2025/05/01", "株式会社みえ見本", "スタートアップ支援", "情報提供", "初回"]],
        [["2025/05/01", "株式会社みえ見本", "宇宙", "情報提供", ""]],
        ("支援先: 株式会社みえ見本", "株式会社みえ見本"),
        id="support-records",
    ),
    pytest.param(
        "staff",
        "/admin/training/staff/import/",
        ["職員番号", "氏名", "フリガナ", "所属コード", "階層", "メールアドレス", "在職"],
        [["S00406", "加藤 翔", "カトウ ショウ", "S0101", "新規採用", "", "0"]],
        [["S00406", "加藤 翔", "カトウ ショウ", "S9999", "新人", "kato@", "2"]],
        ("在職: 1 → 0", "S00406 加藤 翔"),
        id="staff",
    ),
]


@pytest.mark.parametrize(("name", "url", "header", "good", "bad", "expected"), OTHER_IMPORTERS)
def test_every_importer_previews_a_good_and_a_bad_file_in_japanese(
    page: Page,
    console,
    artifacts,
    transactional_db,
    superuser,
    password,
    staff_sign_in,
    name,
    url,
    header,
    good,
    bad,
    expected,
):
    division = DivisionFactory(code="S0101", name="総務課", department__code="S01")
    division.department.name = "総務部"
    division.department.save()
    StaffFactory(
        employee_number="S00406", name="加藤 翔", name_kana="カトウ ショウ", division=division
    )
    change, identity = expected
    staff_sign_in(page, superuser, password, url)

    upload(page, f"{name}.csv", csv_bytes(header, good))
    expect(
        page.get_by_role("heading", name="取り込みの確認（まだ保存していません）")
    ).to_be_visible()
    expect(page.locator("#import-preview")).to_contain_text(change)
    shoot(page, console, artifacts, f"{name}-good")

    upload(page, f"{name}.csv", csv_bytes(header, bad))
    expect(
        page.get_by_role("heading", name="取り込めない行があります（何も保存していません）")
    ).to_be_visible()
    expect(page.locator("#import-problems")).to_contain_text(identity)
    body = page.locator("body").inner_text()
    assert "Some rows failed" not in body and "ROW" not in body
    expect(page.get_by_role("button", name="この内容で取り込む")).to_have_count(0)
    shoot(page, console, artifacts, f"{name}-errors")
    assert console.errors == []
