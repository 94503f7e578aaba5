"""Each role is shown only what it may open; a refused page is the portal's own 403 page, in the
visitor's language, saying which role the page is for and whom to ask."""

import re

import pytest
from django.urls import reverse

from seminars.models import SeminarStatus
from tests.seminars.factories import SeminarFactory

pytestmark = pytest.mark.django_db

ASK = "センターのシステム管理者"


def listed_roles(body: str) -> list[str]:
    listing = re.search(r'<ul class="role-list">(.*?)</ul>', body, re.S)
    return re.findall(r"<li>(.*?)</li>", listing.group(1)) if listing else []


def test_a_manager_is_refused_the_registrants_with_a_page_that_says_why(client, manager):
    client.force_login(manager)

    response = client.get(reverse("admin:seminars_registration_changelist"))

    assert response.status_code == 403
    body = response.content.decode()
    assert "このページを開く権限がありません" in body
    assert listed_roles(body) == ["センター事務局"]
    assert ASK in body
    assert 'href="/admin/"' in body
    assert "site-header" in body  # the portal's layout, not a bare "403 Forbidden"
    assert "Forbidden" not in body


@pytest.mark.parametrize(
    ("who", "path", "roles"),
    [
        ("training_officer", "/kpi/", ["管理職（KPI閲覧）"]),
        ("procedure_officer", "/training/", ["人材育成担当", "管理職（KPI閲覧）"]),
        ("training_officer", "/procedures/", ["行政手続担当", "管理職（KPI閲覧）"]),
        ("manager", "checkin", ["センター事務局"]),
    ],
)
def test_officers_are_told_which_role_a_page_is_for(client, request, who, path, roles):
    client.force_login(request.getfixturevalue(who))
    if path == "checkin":
        path = reverse("admin:seminars_checkin", args=[SeminarFactory().pk])

    response = client.get(path)

    assert response.status_code == 403
    body = response.content.decode()
    assert listed_roles(body) == roles
    assert ASK in body


def test_the_403_page_follows_the_visitors_language(client, manager):
    client.force_login(manager)
    response = client.get(
        reverse("admin:seminars_registration_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Back to the home page" in body and "Seminars" in body
    assert listed_roles(body) == ["センター事務局"]  # the role is the group's name


def test_a_manager_sees_no_link_to_the_registrants_the_door_or_the_csv(client, manager):
    seminar = SeminarFactory(status=SeminarStatus.PUBLISHED)
    client.force_login(manager)

    changelist = client.get(reverse("admin:seminars_seminar_changelist")).content.decode()
    change = client.get(reverse("admin:seminars_seminar_change", args=[seminar.pk]))
    page = change.content.decode()

    for body in (changelist, page):
        assert reverse("admin:seminars_registration_changelist") not in body
        assert reverse("admin:seminars_registration_export") not in body
        assert reverse("admin:seminars_checkin", args=[seminar.pk]) not in body
    assert "申込者の一覧" not in page and "申込者をCSVで出力" not in page
    assert "申込み・出欠の状況" in page  # the figures stay


def test_center_staff_keep_every_link(client, center_staff):
    seminar = SeminarFactory()
    client.force_login(center_staff)

    changelist = client.get(reverse("admin:seminars_seminar_changelist")).content.decode()
    page = client.get(reverse("admin:seminars_seminar_change", args=[seminar.pk])).content.decode()

    assert reverse("admin:seminars_checkin", args=[seminar.pk]) in changelist
    for text in ("受付（出欠の記録）", "申込者の一覧", "申込者をCSVで出力"):
        assert text in page


def test_staff_with_no_role_are_told_whom_to_ask(client, staff_roles):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user(username="norole", password="x", is_staff=True)
    client.force_login(nobody)

    body = client.get("/admin/").content.decode()

    assert "役割（権限）がまだありません" in body and ASK in body
