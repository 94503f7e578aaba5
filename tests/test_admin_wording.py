"""The admin speaks like the portal: list and detail titles, the welcome, the lockout section
in Japanese, and the portal's icon on every page."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.seminars.factories import SeminarFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, center_staff):
    center_staff.last_name = "県庁"
    center_staff.first_name = "花子"
    center_staff.save()
    client.force_login(center_staff)
    return client


def title_and_heading(body: str) -> tuple[str, str]:
    title = body.split("<title>", 1)[1].split("</title>", 1)[0].strip()
    heading = body.split("<h1>", 1)[1].split("</h1>", 1)[0].strip()
    return title, heading


def test_list_and_detail_pages_are_titled_in_plain_japanese(staff_client):
    seminar = SeminarFactory()

    changelist = staff_client.get(reverse("admin:seminars_seminar_changelist")).content.decode()
    change = staff_client.get(
        reverse("admin:seminars_seminar_change", args=[seminar.pk])
    ).content.decode()
    add = staff_client.get(reverse("admin:seminars_seminar_add")).content.decode()

    assert title_and_heading(changelist) == ("セミナーの一覧 | みえDXセンター", "セミナーの一覧")
    assert title_and_heading(change)[1] == "セミナーの詳細"
    assert title_and_heading(change)[0].startswith("セミナーの詳細 | ")
    assert title_and_heading(add)[1] == "セミナーの追加"
    for body in (changelist, change, add):
        assert "変更する セミナー を選択" not in body and "の変更</h1>" not in body


def test_the_welcome_uses_the_full_name_with_san(staff_client):
    body = staff_client.get(reverse("admin:index")).content.decode()
    assert "ようこそ、<strong>花子 県庁</strong>さん" in body
    assert "ようこそ <strong>" not in body


def test_the_lockout_section_is_in_japanese(client, superuser, settings):
    from axes.models import AccessAttempt

    # The database handler (make run without Redis) keeps attempts as rows.
    settings.AXES_HANDLER = "mie_dx.two_factor.lockout.DatabaseHandler"
    AccessAttempt.objects.create(
        username="someone", ip_address="203.0.113.9", failures_since_start=3, user_agent="x"
    )
    client.force_login(superuser)
    index = client.get(reverse("admin:index")).content.decode()
    assert "ログインのロック" in index and "ログイン失敗の記録" in index
    assert "Access attempts" not in index and "Axes" not in index
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "ログイン失敗の記録の一覧" in page
    assert "IPアドレス" in page and "失敗回数" in page


def test_the_favicon_is_linked_and_served(client, staff_client, settings):
    public = client.get("/").content.decode()
    admin = staff_client.get(reverse("admin:index")).content.decode()
    for body in (public, admin):
        assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in body

    # Served as every static file is (whitenoise, from the collected files in production).
    settings.WHITENOISE_USE_FINDERS = True
    response = Client().get("/static/img/favicon.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(response.streaming_content)
