"""The outbox in the admin: a read-only record for staff, with a resend action."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mie_dx.models import Notification

CHANGELIST = reverse("admin:mie_dx_notification_changelist")


@pytest.fixture
def failed_notification(queue_alert, mail_server, django_capture_on_commit_callbacks):
    mail_server.always = ValueError("Invalid address")
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_alert()
    mail_server.always = None
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    return notification


@pytest.fixture
def viewer(db, password):
    """Staff who may look at the outbox but not resend (view permission only)."""
    user = get_user_model().objects.create_user(
        username="viewer", email="viewer@example.jp", password=password, is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_notification"))
    return user


def test_the_changelist_runs_a_fixed_number_of_queries(
    client, superuser, queue_alert, django_assert_max_num_queries
):
    client.force_login(superuser)
    queue_alert(related=superuser)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    for i in range(30):
        queue_alert(to=f"user{i}@example.jp", related=superuser)

    with django_assert_max_num_queries(12) as many:
        response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert "user29@example.jp" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_change_view_is_read_only_and_shows_the_text_body_escaped(
    client, superuser, queue_alert
):
    notification = queue_alert(context={"title": "<b>至急</b>", "lines": ["本文の行"]})
    client.force_login(superuser)

    response = client.get(reverse("admin:mie_dx_notification_change", args=[notification.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "本文の行" in content
    assert "&lt;b&gt;至急&lt;/b&gt;" in content
    assert "<b>至急</b>" not in content
    assert 'name="_save"' not in content


def test_nobody_adds_notifications_in_the_admin(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("admin:mie_dx_notification_add"))

    assert response.status_code == 403


def test_the_resend_action_puts_a_failed_row_back_and_sends_it(
    client, superuser, failed_notification, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [failed_notification.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 件の通知を再送します。" in response.content.decode()
    failed_notification.refresh_from_db()
    assert failed_notification.status == Notification.Status.SENT
    assert len(mailoutbox) == 1


def test_staff_with_view_permission_only_cannot_resend(
    client, viewer, failed_notification, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(viewer)
    assert client.get(CHANGELIST).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "resend", "_selected_action": [failed_notification.pk]})

    failed_notification.refresh_from_db()
    assert failed_notification.status == Notification.Status.FAILED
    assert mailoutbox == []


def test_a_member_of_the_public_is_refused(client, public_user, queue_alert):
    queue_alert()
    client.force_login(public_user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_private_links_in_a_message_are_masked_for_staff(client, superuser, queue_alert):
    token = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"
    notification = queue_alert(
        context={"title": "状況", "lines": [f"/consultations/status/{token}/"]}
    )
    client.force_login(superuser)
    page = client.get(reverse("admin:mie_dx_notification_change", args=[notification.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert token not in body
    assert "/consultations/status/…/" in body


def test_the_list_names_each_kind_of_e_mail_in_words(client, superuser, queue_alert):
    """The template filter offers the apps' names for their e-mails (registry
    notification_templates), not file names such as `assignment_proposed`."""
    queue_alert()
    client.force_login(superuser)

    response = client.get(CHANGELIST)
    filtered = client.get(CHANGELIST + "?template=staff_alert")
    nothing = client.get(CHANGELIST + "?template=seminar_reminder")

    filters = response.context["cl"].filter_specs
    kinds = next(spec for spec in filters if getattr(spec, "parameter_name", "") == "template")
    assert kinds.lookup_choices == [("staff_alert", "職員への通知")]
    assert "staff@example.jp" in filtered.content.decode()
    assert "staff@example.jp" not in nothing.content.decode()
    # The columns staff read on one line at 1280 px: times and states (browser test too).
    columns = [name for name in response.context["cl"].list_display if name != "action_checkbox"]
    assert columns == [
        "created",
        "to",
        "subject",
        "status_label",
        "attempts_shown",
        "reason",
        "sent_or_due",
    ]
    assert "送信日時（予定）" in response.content.decode()
