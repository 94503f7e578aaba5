"""Support given outside the desk (相談窓口以外の支援記録, KPI 10-1 b): the service, the admin
(center staff write, managers read, everyone else refused), the CSV / XLSX import through the
portal's one path (`import_data support_records FILE`, the admin with its preview) with clear
row errors and nothing half-saved, the export, and the list's fixed number of queries."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import SupportRecord
from consultations.services import ConsultationError
from mie_dx.models import AuditLog
from tests import spreadsheets

pytestmark = pytest.mark.django_db

HEADER = ["支援日", "支援先", "事業", "支援の種類", "備考"]
GOOD = [
    ["2023-06-15", "株式会社見本ドローン", "空の移動革命", "マッチング", "実証フィールドの紹介"],
    ["2023/07/20", "見本スタートアップ合同会社", "スタートアップ支援", "事業計画への助言", ""],
    ["2023-09-05", "見本製作所", "先端技術", "情報提供", ""],
]

CHANGELIST = reverse("admin:consultations_supportrecord_changelist")
ADD = reverse("admin:consultations_supportrecord_add")
IMPORT = reverse("admin:consultations_supportrecord_import")
PROCESS_IMPORT = reverse("admin:consultations_supportrecord_process_import")
EXPORT = reverse("admin:consultations_supportrecord_export")


def csv_bytes(rows, *, header=HEADER, bom=True) -> bytes:
    return spreadsheets.csv_bytes(header, rows, bom=bom)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    return spreadsheets.xlsx_bytes(header, rows)


@pytest.fixture
def write(tmp_path):
    def write(content: bytes, name: str = "support.csv") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def run(path: str, *args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(
            "import_data", "support_records", path, *args, stdout=out, stderr=io.StringIO()
        )
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def record(**overrides) -> SupportRecord:
    values = {
        "supported_on": date(2023, 6, 15),
        "organization": "株式会社見本ドローン",
        "programme": "air_mobility",
        "kind": "matching",
        "note": "",
        "by": None,
    }
    values.update(overrides)
    return services.record_support(**values)


# --- The service ----------------------------------------------------------------------------------


def test_recording_support_is_logged_with_who_did_it(center_staff):
    saved = record(by=center_staff, organization=" 株式会社見本ドローン ", note=" 紹介 ")

    assert (saved.organization, saved.note, saved.recorded_by) == (
        "株式会社見本ドローン",
        "紹介",
        center_staff,
    )
    entry = AuditLog.objects.about(saved).get()
    assert (entry.action, entry.user) == ("support_record.recorded", center_staff)
    assert str(saved) == "2023-06-15 株式会社見本ドローン（マッチング）"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"supported_on": "tomorrow"}, "未来の日付"),
        ({"programme": "space"}, "事業"),
        ({"kind": "lunch"}, "支援の種類"),
        ({"organization": "  "}, "支援先の事業者・団体名"),
        ({"organization": "株" * 201}, "支援先の事業者・団体名"),
    ],
)
def test_bad_support_is_refused_with_a_message_and_nothing_saved(overrides, message):
    if overrides.get("supported_on") == "tomorrow":
        overrides["supported_on"] = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ConsultationError, match=message):
        record(**overrides)

    assert not SupportRecord.objects.exists()
    assert not AuditLog.objects.exists()


def test_the_same_support_is_recorded_once():
    record()

    with pytest.raises(ConsultationError, match="すでにあります"):
        record(note="二重")

    assert SupportRecord.objects.count() == 1


# --- The admin: who may do what ---------------------------------------------------------------


def test_center_staff_add_correct_and_delete_a_record(client, center_staff):
    client.force_login(center_staff)

    response = client.post(
        ADD,
        {
            "supported_on": "2023-06-15",
            "organization": "株式会社見本ドローン",
            "programme": "air_mobility",
            "kind": "matching",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = SupportRecord.objects.get()
    assert saved.recorded_by == center_staff

    change = reverse("admin:consultations_supportrecord_change", args=[saved.pk])
    response = client.post(
        change,
        {
            "supported_on": "2023-06-16",
            "organization": "株式会社見本ドローン",
            "programme": "air_mobility",
            "kind": "matching",
            "note": "日付の訂正",
        },
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.supported_on, saved.note) == (date(2023, 6, 16), "日付の訂正")
    corrected = AuditLog.objects.about(saved).get(action="support_record.corrected")
    assert corrected.data == {"fields": ["note", "supported_on"]}
    page = client.get(change).content.decode()
    assert "個人情報は書かないでください" in page  # the note's help text

    delete = reverse("admin:consultations_supportrecord_delete", args=[saved.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not SupportRecord.objects.exists()
    assert AuditLog.objects.filter(action="support_record.deleted").count() == 1


def test_the_admin_form_refuses_a_future_date_and_a_duplicate(client, center_staff):
    record()
    client.force_login(center_staff)
    data = {
        "supported_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "organization": "見本",
        "programme": "startup",
        "kind": "information",
    }

    future = client.post(ADD, data)
    duplicate = client.post(
        ADD,
        {
            **data,
            "supported_on": "2023-06-15",
            "organization": "株式会社見本ドローン",
            "programme": "air_mobility",
            "kind": "matching",
        },
    )

    assert future.status_code == 200
    assert "支援日に未来の日付は指定できません。" in future.content.decode()
    assert duplicate.status_code == 200
    assert "すでにあります" in duplicate.content.decode()
    assert SupportRecord.objects.count() == 1


def test_managers_read_and_export_but_change_nothing(client, manager):
    saved = record()
    client.force_login(manager)

    assert client.get(CHANGELIST).status_code == 200
    change = reverse("admin:consultations_supportrecord_change", args=[saved.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change, {"organization": "書き換え"}).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.get(IMPORT).status_code == 403
    delete = reverse("admin:consultations_supportrecord_delete", args=[saved.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(EXPORT).status_code == 200
    saved.refresh_from_db()
    assert saved.organization == "株式会社見本ドローン"


@pytest.mark.parametrize("who", ["training_officer", "procedure_officer"])
def test_other_staff_are_refused(client, request, who):
    saved = record()
    client.force_login(request.getfixturevalue(who))

    for url in (
        CHANGELIST,
        ADD,
        IMPORT,
        EXPORT,
        reverse("admin:consultations_supportrecord_change", args=[saved.pk]),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("who", ["anonymous", "public_user"])
def test_anonymous_visitors_and_the_public_are_sent_to_the_login_page(client, request, who):
    if who == "public_user":
        client.force_login(request.getfixturevalue("public_user"))

    for url in (CHANGELIST, ADD, IMPORT, EXPORT):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


# --- Import through import_data ---------------------------------------------------------------


def test_good_rows_are_imported_then_a_second_import_changes_nothing(write, center_staff):
    code, out = run(write(csv_bytes(GOOD)))

    assert code == 0, out
    assert "created=3 updated=0 unchanged=0" in out
    drone = SupportRecord.objects.get(organization="株式会社見本ドローン")
    assert (drone.supported_on, drone.programme, drone.kind, drone.note) == (
        date(2023, 6, 15),
        "air_mobility",
        "matching",
        "実証フィールドの紹介",
    )
    assert SupportRecord.objects.get(kind="business_plan").supported_on == date(2023, 7, 20)
    assert AuditLog.objects.filter(action="import.created").count() == 3

    changed = [row[:] for row in GOOD]
    changed[2][4] = "補足"
    code, out = run(write(csv_bytes(changed)))
    assert code == 0, out
    assert "created=0 updated=1 unchanged=2" in out
    assert SupportRecord.objects.count() == 3


def test_an_xlsx_with_dates_as_excel_types_them(write):
    rows = [[datetime(2023, 6, 15), "見本", "先端技術", "情報提供", None]]

    code, out = run(write(xlsx_bytes(rows), "support.xlsx"))

    assert code == 0, out
    assert SupportRecord.objects.get().supported_on == date(2023, 6, 15)


def test_every_bad_row_is_reported_by_line_column_and_reason_and_nothing_is_saved(write):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    rows = [
        GOOD[0],
        ["2023-13-01", "見本A", "スタートアップ支援", "情報提供", ""],
        ["2023-07-01", "見本B", "宇宙開発", "情報提供", ""],
        ["2023-07-01", "", "先端技術", "相談", ""],
        [tomorrow, "見本C", "その他", "マッチング", ""],
        GOOD[0],
    ]

    code, out = run(write(csv_bytes(rows)))

    assert code == 1
    lines = out.strip().splitlines()
    assert "3行目「支援日」: 日付は YYYY-MM-DD または YYYY/MM/DD で入力してください。" in lines
    assert any(
        line.startswith("4行目「事業」: 「宇宙開発」は使えません。")
        and "「スタートアップ支援」、「空の移動革命」、「先端技術」、「その他」" in line
        for line in lines
    ), lines
    assert "5行目「支援先」: 空欄です。" in lines
    assert any(line.startswith("5行目「支援の種類」: 「相談」は使えません。") for line in lines)
    assert "6行目「支援日」: 未来の日付は指定できません。" in lines
    assert "7行目「行全体」: 支援日・支援先・事業・支援の種類が 2行目と同じです。" in lines
    assert not SupportRecord.objects.exists()
    assert not AuditLog.objects.exists()


def test_a_file_without_a_required_column_is_refused(write):
    code, out = run(write(csv_bytes([["2023-06-15", "見本"]], header=["支援日", "支援先"])))

    assert code == 1
    assert "必須の列がありません: 事業、支援の種類" in out
    assert not SupportRecord.objects.exists()


def test_a_dry_run_reports_and_saves_nothing(write):
    code, out = run(write(csv_bytes(GOOD)), "--dry-run")

    assert code == 0, out
    assert "created=3" in out
    assert not SupportRecord.objects.exists()
    assert not AuditLog.objects.exists()


# --- The admin's import (a preview, then confirm) and export -----------------------------------


def test_the_admin_previews_the_import_and_saves_on_confirmation(client, center_staff):
    client.force_login(center_staff)
    assert IMPORT in client.get(CHANGELIST).content.decode()
    upload = io.BytesIO(csv_bytes(GOOD))
    upload.name = "support.csv"

    preview = client.post(IMPORT, {"import_file": upload, "format": "0"})

    assert preview.status_code == 200
    assert "株式会社見本ドローン" in preview.content.decode()
    assert not SupportRecord.objects.exists()
    done = client.post(PROCESS_IMPORT, preview.context["confirm_form"].initial, follow=True)
    assert "新規 3件、更新 0件、変更なし 0件" in done.content.decode()
    assert set(SupportRecord.objects.values_list("recorded_by", flat=True)) == {center_staff.pk}


def test_the_admin_preview_shows_the_bad_rows_and_offers_no_confirmation(client, center_staff):
    client.force_login(center_staff)
    upload = io.BytesIO(csv_bytes([GOOD[0], ["2023/02/30", "見本", "その他", "情報提供", ""]]))
    upload.name = "support.csv"

    preview = client.post(IMPORT, {"import_file": upload, "format": "0"})

    page = preview.content.decode()
    assert "日付は YYYY-MM-DD または YYYY/MM/DD で入力してください。" in page
    assert preview.context.get("confirm_form") is None
    assert not SupportRecord.objects.exists()


def test_the_export_has_the_import_columns_and_imports_again_unchanged(client, manager, write):
    record(note="=HYPERLINK(1)")
    client.force_login(manager)

    response = client.get(EXPORT)

    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == HEADER
    assert rows == [
        ["2023-06-15", "株式会社見本ドローン", "空の移動革命", "マッチング", "'=HYPERLINK(1)"]
    ]
    SupportRecord.objects.update(note="")
    export = client.get(EXPORT).content
    code, out = run(write(export))
    assert code == 0 and "created=0 updated=0 unchanged=1" in out


# --- The list: a fixed number of queries ----------------------------------------------------------


def test_the_list_runs_a_fixed_number_of_queries(client, center_staff):
    client.force_login(center_staff)
    client.get(CHANGELIST)  # the session is saved once

    def queries_with(total: int) -> int:
        have = SupportRecord.objects.count()
        SupportRecord.objects.bulk_create(
            SupportRecord(
                supported_on=date(2022, 4, 1) + timedelta(days=n % 700),
                organization=f"見本{n}",
                programme="startup",
                kind="information",
                recorded_by=center_staff,
            )
            for n in range(have, total)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CHANGELIST)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == min(total, 100)
        return len(queries)

    few, many = queries_with(2), queries_with(150)

    assert few == many
    assert few <= 12
