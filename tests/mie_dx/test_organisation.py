"""The prefecture's organisation: importing a year's table, the admin's change list and its
"exists in fiscal year" filter, the export that imports back unchanged, the demo data."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from mie_dx.demo import load_organisation
from mie_dx.models import Department, Division
from tests.mie_dx.factories import DepartmentFactory, DivisionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:mie_dx_division_changelist")
EXPORT = reverse("admin:mie_dx_division_export")
HEADER = "部局コード,部局名,所属コード,所属名,年度\r\n"


def import_rows(tmp_path, *rows: str) -> tuple[int, str]:
    path = tmp_path / "org.csv"
    path.write_text(HEADER + "".join(f"{row}\r\n" for row in rows), encoding="utf-8-sig")
    out = io.StringIO()
    try:
        call_command("import_data", "divisions", str(path), stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


# --- Import -------------------------------------------------------------------------------------


def test_a_years_table_creates_departments_and_divisions_from_that_year(tmp_path):
    code, _ = import_rows(tmp_path, "D20,総務部,D2001,総務課,2026", "D20,総務部,D2002,人事課,2026")

    assert code == 0
    department = Department.objects.get(code="D20")
    assert (department.name, department.first_fiscal_year, department.last_fiscal_year) == (
        "総務部",
        2026,
        None,
    )
    assert list(department.divisions.values_list("code", "first_fiscal_year")) == [
        ("D2001", 2026),
        ("D2002", 2026),
    ]


def test_an_older_year_widens_and_a_new_name_renames(tmp_path):
    import_rows(tmp_path, "D20,総務部,D2001,総務課,2026")

    code, out = import_rows(tmp_path, "D20,総務部局,D2001,総務企画課,2024")

    assert code == 0 and "updated=1" in out
    division = Division.objects.select_related("department").get(code="D2001")
    assert (division.name, division.first_fiscal_year) == ("総務企画課", 2024)
    assert (division.department.name, division.department.first_fiscal_year) == ("総務部局", 2024)


def test_an_abolished_division_listed_in_a_later_year_is_extended(tmp_path):
    DivisionFactory(
        code="D2001",
        department__code="D20",
        department__name="総務部",
        name="総務課",
        first_fiscal_year=2021,
        last_fiscal_year=2023,
    )

    assert import_rows(tmp_path, "D20,総務部,D2001,総務課,2025")[0] == 0

    assert Division.objects.get(code="D2001").last_fiscal_year == 2025


def test_a_division_does_not_move_department_through_an_import(tmp_path):
    DivisionFactory(code="D2001", department__code="D20")

    code, out = import_rows(tmp_path, "D30,農林水産部,D2001,総務課,2026")

    assert code == 1
    assert "2行目「部局コード」: 所属コード D2001 は部局コード D20 の所属として登録済みです" in out
    assert not Department.objects.filter(code="D30").exists()


# --- The admin ----------------------------------------------------------------------------------


def test_the_exists_in_fiscal_year_filter(client, center_staff, time_machine):
    time_machine.move_to("2026-06-01 12:00 +09:00", tick=False)
    DivisionFactory(code="OLD", name="廃止された課", first_fiscal_year=2021, last_fiscal_year=2022)
    DivisionFactory(code="NOW", name="現存する課", first_fiscal_year=2023)
    DivisionFactory(code="NEW", name="新設の課", first_fiscal_year=2026)
    client.force_login(center_staff)

    page = client.get(CHANGELIST).content.decode()
    for label in ("令和3年度", "令和4年度", "令和8年度"):
        assert label in page
    in_r4 = client.get(CHANGELIST, {"exists_in": "2022"})
    in_r7 = client.get(CHANGELIST, {"exists_in": "2025"})

    assert [d.code for d in in_r4.context["cl"].result_list] == ["OLD"]
    assert [d.code for d in in_r7.context["cl"].result_list] == ["NOW"]


def test_search_by_code_or_name_and_filter_by_department(client, center_staff):
    digital = DepartmentFactory(code="D10", name="デジタル社会推進局")
    DivisionFactory(code="D1001", name="デジタル戦略企画課", department=digital)
    DivisionFactory(code="D2001", name="総務課")
    client.force_login(center_staff)

    def codes(**params) -> list[str]:
        response = client.get(CHANGELIST, params)
        return [d.code for d in response.context["cl"].result_list]

    assert codes(q="D1001") == ["D1001"]
    assert codes(q="戦略") == ["D1001"]
    assert codes(q="推進局") == ["D1001"]
    assert codes(department__id__exact=digital.pk) == ["D1001"]


@pytest.mark.parametrize("count", [5, 300])
def test_the_division_change_list_runs_a_fixed_number_of_queries(
    client, superuser, django_assert_max_num_queries, count
):
    departments = [DepartmentFactory() for _ in range(10)]
    Division.objects.bulk_create(
        [
            Division(
                code=f"B{i:05d}",
                name=f"課{i}",
                department=departments[i % 10],
                first_fiscal_year=2021,
            )
            for i in range(count)
        ]
    )
    client.force_login(superuser)

    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(CHANGELIST, {"exists_in": "2024"}).status_code == 200


def test_the_export_for_a_year_imports_back_unchanged(client, superuser, tmp_path):
    DivisionFactory(code="D1001", department__code="D10", first_fiscal_year=2021)
    DivisionFactory(code="D2001", department__code="D20", first_fiscal_year=2024)
    client.force_login(superuser)

    response = client.get(EXPORT, {"exists_in": "2024"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["部局コード", "部局名", "所属コード", "所属名", "年度"]
    assert {row[2]: row[4] for row in rows[1:]} == {"D1001": "2024", "D2001": "2024"}
    path = tmp_path / "export.csv"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("import_data", "divisions", str(path), stdout=out)
    assert "created=0 updated=0 unchanged=2" in out.getvalue()


def test_managers_see_the_organisation_but_cannot_import(client, manager_user):
    DivisionFactory()
    client.force_login(manager_user)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:mie_dx_division_import")).status_code == 403


# --- Demo ---------------------------------------------------------------------------------------


def test_the_demo_organisation_is_the_seeds_plus_a_marked_sample_and_loads_once():
    first = load_organisation()
    again = load_organisation()

    assert again == {"departments_created": 0, "divisions_created": 0}
    assert first["departments_created"] == Department.objects.count() == 9
    assert first["divisions_created"] == Division.objects.count()
    assert 25 <= Division.objects.count() <= 33
    real = Division.objects.select_related("department").get(code="D1001")
    assert (real.name, real.department.code, real.department.name, real.is_sample) == (
        "デジタル戦略企画課",
        "D10",
        "デジタル社会推進局",
        False,
    )
    samples = Division.objects.exclude(code="D1001")
    assert all(d.is_sample and d.name.startswith("【サンプル】") for d in samples)
    assert all(
        d.is_sample and d.name.startswith("【サンプル】")
        for d in Department.objects.exclude(code="D10")
    )
    for department in Department.objects.exclude(code="D10"):
        assert 3 <= department.divisions.count() <= 4


def test_the_demo_leaves_what_staff_changed(superuser):
    load_organisation()
    Division.objects.filter(code="S0101").update(name="改名した課")

    load_organisation()

    assert Division.objects.get(code="S0101").name == "改名した課"


@pytest.fixture
def manager_user(staff_roles, password):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from mie_dx.roles import MANAGERS

    user = get_user_model().objects.create_user(
        username="cdo", email="cdo@example.jp", password=password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=MANAGERS))
    return user
