"""The roster and completions imports (spec columns), by the resource and by `import_data`."""

from datetime import date
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from mie_dx.importexport import dataset_from_file, import_report
from mie_dx.models import AuditLog
from tests.mie_dx.factories import DivisionFactory
from tests.training.factories import (
    CourseRunFactory,
    EnrolmentFactory,
    StaffFactory,
)
from training.models import Course, Enrolment, SpecialistCertification, Staff, Stage
from training.resources import CompletionResource, StaffResource

pytestmark = pytest.mark.django_db

HEADER = "職員番号,氏名,フリガナ,所属コード,階層,メールアドレス,在職\n"


def csv(text: str, *, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + text).encode()


def import_staff(content: bytes, *, filename="roster.csv", dry_run=False):
    return import_report(StaffResource(), dataset_from_file(content, filename), dry_run=dry_run)


def import_completions(text: str):
    content = csv("職員番号,研修コード,修了日\n" + text)
    return import_report(
        CompletionResource(), dataset_from_file(content, "done.csv"), dry_run=False
    )


@pytest.fixture
def division():
    return DivisionFactory(code="D1001", name="デジタル戦略企画課")


def test_roster_creates_staff_with_every_column(division):
    report = import_staff(
        csv(
            HEADER + "A0001,三重 太郎,ミエ タロウ,D1001,新規採用,taro@example.jp,1\n"
            "A0002,伊勢 花子,イセ ハナコ,D1001,新任係長,,1\n"
        )
    )
    assert report.ok, report.problems
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    taro = Staff.objects.get(employee_number="A0001")
    assert (taro.name, taro.name_kana, taro.division, taro.stage, taro.email, taro.is_active) == (
        "三重 太郎",
        "ミエ タロウ",
        division,
        Stage.NEW_HIRE,
        "taro@example.jp",
        True,
    )
    assert Staff.objects.get(employee_number="A0002").stage == Stage.NEW_SUBSECTION_HEAD
    assert AuditLog.objects.filter(action="training.staff_imported").count() == 2


def test_roster_xlsx_without_bom_and_numbers_as_numbers(division):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append([1234, "三重 太郎", "", "D1001", "その他", "", 1])
    buffer = BytesIO()
    book.save(buffer)
    report = import_staff(buffer.getvalue(), filename="roster.xlsx")
    assert report.ok, report.problems
    assert Staff.objects.get(employee_number="1234").stage == Stage.OTHER


def test_every_bad_row_is_reported_and_nothing_is_saved(division):
    report = import_staff(
        csv(
            HEADER + "A0001,三重 太郎,,D1001,新規採用,,1\n"
            "A0002,,,D9999,課長,not-an-email,2\n"
            "A0001,重複 太郎,,D1001,新規採用,,1\n"
        )
    )
    assert not report.ok
    reasons = {(p.line, p.column) for p in report.problems}
    assert {
        (3, "氏名"),
        (3, "所属コード"),
        (3, "階層"),
        (3, "メールアドレス"),
        (3, "在職"),
    } <= reasons
    assert (4, "職員番号") in reasons
    assert any("2行目と同じ職員番号" in p.reason for p in report.problems)
    assert Staff.objects.count() == 0


def test_missing_column_is_refused(division):
    report = import_staff(csv("職員番号,氏名\nA0001,三重 太郎\n"))
    assert not report.ok
    assert "所属コード" in str(report.problems[0])
    assert Staff.objects.count() == 0


def test_reimport_updates_changed_rows_and_leaves_the_rest(division):
    other = DivisionFactory(code="S0101")
    rows = "A0001,三重 太郎,,D1001,新規採用,,1\nA0002,伊勢 花子,,D1001,新任係長,,1\n"
    assert import_staff(csv(HEADER + rows)).created == 2
    again = import_staff(csv(HEADER + rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    moved = import_staff(
        csv(HEADER + rows.replace("A0002,伊勢 花子,,D1001", "A0002,伊勢 花子,,S0101"))
    )
    assert (moved.created, moved.updated, moved.unchanged) == (0, 1, 1)
    assert Staff.objects.get(employee_number="A0002").division == other


def test_a_leaver_is_marked_inactive_and_keeps_their_records(division):
    staff = StaffFactory(employee_number="A0001", division=division)
    enrolment = EnrolmentFactory(staff=staff, completed_on=date(2022, 5, 1))
    report = import_staff(csv(HEADER + "A0001,三重 太郎,,D1001,その他,,0\n"))
    assert report.ok and report.updated == 1
    staff.refresh_from_db()
    assert staff.is_active is False
    assert Enrolment.objects.get(pk=enrolment.pk).completed_on == date(2022, 5, 1)


def test_import_data_command_reports_bad_rows_and_exits_1(division, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv(HEADER + "A0001,三重 太郎,,D9999,新規採用,,1\n"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", "staff", str(path))
    assert exit_info.value.code == 1
    assert "D9999" in capsys.readouterr().out or Staff.objects.count() == 0
    assert Staff.objects.count() == 0
    path.write_bytes(csv(HEADER + "A0001,三重 太郎,,D1001,新規採用,,1\n", bom=False))
    call_command("import_data", "staff", str(path))
    assert Staff.objects.filter(employee_number="A0001").exists()


def test_completion_import_records_on_the_enrolment_of_that_year():
    enrolment = EnrolmentFactory(staff__employee_number="A0001", run__course__code="EL01")
    other = EnrolmentFactory(staff__employee_number="A0002", run=enrolment.run)
    report = import_completions("A0001,EL01,2022-06-01\nA0002,EL01,2022/07/02\n")
    assert report.ok, report.problems
    assert (report.created, report.updated) == (0, 2)
    enrolment.refresh_from_db()
    other.refresh_from_db()
    assert enrolment.completed_on == date(2022, 6, 1)
    assert other.completed_on == date(2022, 7, 2)
    assert import_completions("A0001,EL01,2022-06-01\n").unchanged == 1


def test_completion_of_a_volunteer_course_enrols_on_that_years_period():
    staff = StaffFactory(employee_number="A0001")
    run = CourseRunFactory(
        course__code="SE03", course__is_mandatory=False, course__target_stages=[]
    )
    report = import_completions("A0001,SE03,2022-05-10\n")
    assert report.ok and report.created == 1
    enrolment = Enrolment.objects.get()
    assert (enrolment.staff, enrolment.run, enrolment.fiscal_year) == (staff, run, 2022)
    assert enrolment.is_mandatory is False


def test_unknown_staff_courses_dates_and_years_are_reported_not_guessed():
    EnrolmentFactory(staff__employee_number="A0001", run__course__code="EL01")
    report = import_completions(
        "Z9999,EL01,2022-06-01\nA0001,XX99,2022-06-01\nA0001,EL01,2022.06.01\n"
        "A0001,EL01,2030-06-01\n"
    )
    problems = {(p.line, p.column) for p in report.problems}
    assert problems == {(2, "職員番号"), (3, "研修コード"), (4, "修了日"), (5, "修了日")}
    assert Enrolment.objects.filter(completed_on__isnull=False).count() == 0


def test_completing_the_specialist_training_certifies():
    run = CourseRunFactory(
        course__code="SP02",
        course__category=Course.Category.SPECIALIST_TRAINING,
        course__is_mandatory=False,
        starts_on=date(2022, 5, 1),
        ends_on=date(2023, 3, 31),
    )
    enrolment = EnrolmentFactory(staff__employee_number="A0001", run=run)
    assert import_completions("A0001,SP02,2023-01-20\n").ok
    certification = SpecialistCertification.objects.get()
    assert (certification.staff, certification.fiscal_year) == (enrolment.staff, 2022)


def test_staff_export_has_personal_columns_only_with_permission(
    training_officer, manager, division
):
    StaffFactory(employee_number="A0001", name="三重 太郎", division=division)
    officer_export = StaffResource(user=training_officer).export()
    manager_export = StaffResource(user=manager).export()
    assert "氏名" in officer_export.headers and "三重 太郎" in officer_export.csv
    assert "氏名" not in manager_export.headers and "三重 太郎" not in manager_export.csv
    assert "メールアドレス" not in manager_export.headers


def test_import_data_completions_command(tmp_path, capsys):
    enrolment = EnrolmentFactory(staff__employee_number="A0001", run__course__code="EL01")
    path = tmp_path / "done.csv"
    path.write_bytes(csv("職員番号,研修コード,修了日,氏名\nA0001,EL01,2022/06/01,無視される列\n"))
    call_command("import_data", "completions", str(path))
    enrolment.refresh_from_db()
    assert enrolment.completed_on == date(2022, 6, 1)


# --- Each row through the services (as the admin), logged once; nothing half-saved ----------


def test_completions_are_recorded_by_the_services_and_logged_once(training_officer):
    enrolment = EnrolmentFactory(staff__employee_number="A0001", run__course__code="EL01")
    volunteer = CourseRunFactory(
        course__code="SE03", course__is_mandatory=False, course__target_stages=[]
    )
    content = csv("職員番号,研修コード,修了日\nA0001,EL01,2022-06-01\nA0001,SE03,2022-05-10\n")

    report = import_report(
        CompletionResource(user=training_officer),
        dataset_from_file(content, "done.csv"),
        dry_run=False,
    )

    assert report.ok and (report.created, report.updated) == (1, 1), report.problems
    enrolled = Enrolment.objects.get(run=volunteer)
    assert enrolled.enrolled_by == training_officer
    entries = [(e.action, e.object_id, e.user) for e in AuditLog.objects.order_by("pk")]
    assert entries == [
        ("training.completed", enrolment.pk, training_officer),
        ("training.enrolled", enrolled.pk, training_officer),
        ("training.completed", enrolled.pk, training_officer),
    ]


def test_the_specialist_training_completed_without_enrolment_enrols_and_certifies():
    run = CourseRunFactory(
        course__code="SP02",
        course__category=Course.Category.SPECIALIST_TRAINING,
        course__is_mandatory=False,
        starts_on=date(2022, 5, 1),
        ends_on=date(2023, 3, 31),
    )
    staff = StaffFactory(employee_number="A0001")

    assert import_completions("A0001,SP02,2023-01-20\n").ok

    enrolment = Enrolment.objects.get()
    assert (enrolment.staff, enrolment.run, enrolment.completed_on) == (
        staff,
        run,
        date(2023, 1, 20),
    )
    certification = SpecialistCertification.objects.get()
    assert (certification.enrolment, certification.fiscal_year) == (enrolment, 2022)
    assert list(AuditLog.objects.order_by("pk").values_list("action", flat=True)) == [
        "training.enrolled",
        "training.completed",
        "training.specialist_certified",
    ]


def test_a_bad_row_after_a_certifying_one_leaves_nothing_saved():
    CourseRunFactory(
        course__code="SP02",
        course__category=Course.Category.SPECIALIST_TRAINING,
        course__is_mandatory=False,
    )
    StaffFactory(employee_number="A0001")

    report = import_completions("A0001,SP02,2022-06-01\nA0001,SP02,2022-06-02\n")

    assert [str(p) for p in report.problems] == [
        "3行目「行全体」: 2行目と同じ職員・研修・年度です。"
    ]
    assert not Enrolment.objects.exists()
    assert not SpecialistCertification.objects.exists()
    assert not AuditLog.objects.exists()


def test_a_dry_run_of_completions_checks_every_row_and_saves_nothing():
    EnrolmentFactory(staff__employee_number="A0001", run__course__code="EL01")
    content = csv("職員番号,研修コード,修了日\nA0001,EL01,2022-06-01\n")

    report = import_report(
        CompletionResource(), dataset_from_file(content, "done.csv"), dry_run=True
    )

    assert report.ok and report.updated == 1
    assert not Enrolment.objects.filter(completed_on__isnull=False).exists()
    assert not AuditLog.objects.exists()


def test_the_roster_logs_each_row_once_with_the_fields_it_changed(division, training_officer):
    rows = "A0001,三重 太郎,ミエ タロウ,D1001,新規採用,taro@example.jp,1\n"
    resource = StaffResource(user=training_officer)
    assert import_report(resource, dataset_from_file(csv(HEADER + rows), "r.csv"), dry_run=False).ok
    changed = rows.replace("新規採用", "採用5年目").replace(",1\n", ",0\n")
    resource = StaffResource(user=training_officer)
    assert import_report(
        resource, dataset_from_file(csv(HEADER + changed), "r.csv"), dry_run=False
    ).ok

    created, updated = AuditLog.objects.order_by("pk")
    assert (created.action, created.data, created.user) == (
        "training.staff_imported",
        {},
        training_officer,
    )
    assert (updated.action, updated.data) == (
        "training.staff_imported",
        {"fields": ["is_active", "stage"]},
    )


def test_a_roster_without_the_optional_columns_keeps_what_is_recorded(division):
    StaffFactory(
        employee_number="A0001", name_kana="ミエ タロウ", email="taro@example.jp", division=division
    )
    content = csv("職員番号,氏名,所属コード,階層,在職\nA0001,三重 太郎,D1001,その他,1\n")

    report = import_staff(content)

    assert report.ok and report.updated == 1, report.problems
    staff = Staff.objects.get()
    assert (staff.name, staff.name_kana, staff.email) == (
        "三重 太郎",
        "ミエ タロウ",
        "taro@example.jp",
    )


def test_over_long_cells_are_refused_with_the_limit(division):
    report = import_staff(csv(HEADER + f"{'1' * 21},{'名' * 101},,D1001,その他,,1\n"))

    assert {str(p) for p in report.problems} == {
        "2行目「職員番号」: 20文字以内にしてください。",
        "2行目「氏名」: 100文字以内にしてください。",
    }
    assert not Staff.objects.exists()
