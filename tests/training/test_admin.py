"""The admin: officers import the roster and completions; managers cannot reach people."""

import pytest

from tests.training.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_officers_see_staff_and_their_import_page(client, training_officer):
    StaffFactory(name="三重 太郎")
    client.force_login(training_officer)
    page = client.get("/admin/training/staff/").content.decode()
    assert "三重 太郎" in page
    importer = client.get("/admin/training/staff/import/")
    assert importer.status_code == 200
    assert client.get("/admin/training/enrolment/import/").status_code == 200


@pytest.mark.parametrize("role", ["manager", "center_staff", "procedure_officer"])
def test_other_staff_cannot_open_the_roster(client, request, role):
    StaffFactory(name="三重 太郎")
    client.force_login(request.getfixturevalue(role))
    response = client.get("/admin/training/staff/")
    assert response.status_code == 403
    assert client.get("/admin/training/staff/export/").status_code == 403


def test_officer_export_of_the_roster_has_names(client, training_officer):
    StaffFactory(name="三重 太郎", employee_number="A0001")
    client.force_login(training_officer)
    content = client.get("/admin/training/staff/export/").content.decode("utf-8-sig")
    assert content.splitlines()[0].startswith("職員番号,氏名,フリガナ,所属コード,階層")
    assert "三重 太郎" in content
