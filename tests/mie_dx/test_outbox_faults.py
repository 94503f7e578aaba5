"""Mail faults (issue 14): sends with an unknown outcome are "may have been sent", never
"failed"; acknowledgements are sent once more with the same Message-ID, other mails wait for
staff; resending asks first; the digest and the backlog show them."""

import smtplib
import socketserver
import threading
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from consultations.models import Consultation
from mie_dx import tasks
from mie_dx.delivery import sweep_notifications
from mie_dx.mail import MaybeDelivered, SMTPBackend
from mie_dx.models import AuditLog, Notification
from mie_dx.notifications import outbox_status
from mie_dx.registry import resend_once_templates
from tests.consultations.factories import valid_form_data

Status = Notification.Status
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
CHANGELIST = reverse("admin:mie_dx_notification_changelist")

pytestmark = pytest.mark.django_db


def maybe_delivered() -> MaybeDelivered:
    return MaybeDelivered("connection lost after the message was sent: Connection reset")


@pytest.fixture
def _private_media(private_media):
    return private_media


def submit_consultation(client, email="hanako@example.jp") -> Consultation:
    response = client.post("/consultations/new/", valid_form_data(email=email))
    assert response.status_code == 302
    return Consultation.objects.get(email=email)


# --- The policy: which templates are retried by themselves ------------------------------------


def test_the_apps_declare_acknowledgements_and_internal_alerts():
    declared = resend_once_templates()

    assert {
        # What the requester waits for.
        "consultation_received",
        "seminar_registration_confirmed",
        "seminar_registration_waitlisted",
        "seminar_management_link",
        # The center's own alerts: a duplicate costs nothing, a missing one hides a request.
        "staff_alert",
        "consultation_new_staff_alert",
        "assignment_answered_staff_alert",
    } <= declared
    # Supporters' requests, reminders and surveys wait for staff.
    assert not declared & {"assignment_proposed", "seminar_reminder", "consultation_survey"}


# --- Ambiguous state --------------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_a_connection_lost_after_data_is_may_have_been_sent_not_failed(
    queue_reminder, mail_server, mailoutbox, django_capture_on_commit_callbacks
):
    mail_server.after_delivery = [maybe_delivered()]
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_reminder()

    notification.refresh_from_db()
    assert notification.status == Status.AMBIGUOUS
    assert notification.ambiguous_at == timezone.now()
    assert notification.ambiguous_sends == 1
    assert "MaybeDelivered" in notification.last_error
    # A reminder is not sent again by itself: one copy, and staff decide.
    assert mail_server.calls == 1
    assert len(mailoutbox) == 1


def test_an_unexpected_error_while_sending_is_may_have_been_sent(
    queue_reminder, mail_server, django_capture_on_commit_callbacks
):
    mail_server.always = RuntimeError("bug in a backend")
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_reminder()

    notification.refresh_from_db()
    assert notification.status == Status.AMBIGUOUS
    assert "RuntimeError" in notification.last_error


def test_an_acknowledgement_is_sent_once_more_with_the_same_message_id(
    client, mail_server, mailoutbox, _private_media, django_capture_on_commit_callbacks
):
    mail_server.after_delivery = [maybe_delivered()]  # the first mail: the acknowledgement
    with django_capture_on_commit_callbacks(execute=True):
        consultation = submit_consultation(client)

    acknowledgement = Notification.objects.get(
        object_id=consultation.pk, template="consultation_received"
    )
    assert acknowledgement.status == Status.SENT
    assert acknowledgement.attempts == 2
    assert acknowledgement.ambiguous_sends == 1
    assert acknowledgement.ambiguous_at is not None
    copies = [m for m in mailoutbox if m.to == ["hanako@example.jp"]]
    assert len(copies) == 2
    assert {m.message()["Message-ID"] for m in copies} == {acknowledgement.message_id}
    alert = Notification.objects.get(object_id=consultation.pk, template__endswith="staff_alert")
    assert alert.status == Status.SENT


def test_an_internal_alert_dropped_after_data_goes_once_more_with_the_same_message_id(
    queue_alert, mail_server, mailoutbox, settings, django_capture_on_commit_callbacks
):
    # The center's alert about a new request: a duplicate costs nothing, a missing one hides
    # the request — sent again by itself, no staff action.
    mail_server.after_delivery = [maybe_delivered()]
    with django_capture_on_commit_callbacks(execute=True):
        alert = queue_alert(to=settings.CENTER_INBOX_EMAIL)

    alert.refresh_from_db()
    assert alert.status == Status.SENT
    assert (alert.attempts, alert.ambiguous_sends) == (2, 1)
    assert [m.message()["Message-ID"] for m in mailoutbox] == [alert.message_id] * 2


def test_an_acknowledgement_is_sent_again_only_once(
    client, mail_server, mailoutbox, _private_media, django_capture_on_commit_callbacks
):
    mail_server.after_delivery = [maybe_delivered(), maybe_delivered()]
    with django_capture_on_commit_callbacks(execute=True):
        consultation = submit_consultation(client)

    acknowledgement = Notification.objects.get(
        object_id=consultation.pk, template="consultation_received"
    )
    assert acknowledgement.status == Status.AMBIGUOUS
    assert acknowledgement.ambiguous_sends == 2
    assert acknowledgement.attempts == 2
    assert len([m for m in mailoutbox if m.to == ["hanako@example.jp"]]) == 2


def test_a_worker_dying_mid_send_makes_the_acknowledgement_and_the_center_alert_go_again(
    client, mail_server, mailoutbox, settings, _private_media, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False):
        consultation = submit_consultation(client)  # committed, never published (no callbacks)
        # What a worker killed with -9 while talking to the server leaves behind.
        Notification.objects.filter(object_id=consultation.pk).update(
            status=Status.SENDING, attempts=1, claimed_at=timezone.now()
        )
    later = NOON + settings.NOTIFICATION_SENDING_STALE_AFTER + timedelta(seconds=1)

    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_notifications() == {"queued": 0, "ambiguous": 2, "retried": 2}

    acknowledgement, alert = Notification.objects.filter(object_id=consultation.pk).order_by("pk")
    assert acknowledgement.template == "consultation_received"
    assert alert.template == "consultation_new_staff_alert"
    for notification in (acknowledgement, alert):
        assert notification.status == Status.SENT
        assert notification.ambiguous_at == later
    assert sorted(m.message()["Message-ID"] for m in mailoutbox) == sorted(
        [acknowledgement.message_id, alert.message_id]
    )


# --- The SMTP backend tells "may have been delivered" from "not sent", on a real socket --------


class _Handler(socketserver.StreamRequestHandler):
    """A minimal SMTP server: drops the connection at `server.drop_at`."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        drop_at = self.server.drop_at
        self.reply("220 test ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command.startswith("MAIL"):
                if drop_at == "mail":
                    return
                self.reply("250 OK")
            elif command.startswith("RCPT"):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 go ahead")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.server.received += 1
                if drop_at == "data_end":
                    return  # the message is here; the client never hears "250"
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.drop_at, server.received = "", 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _send_through(server) -> int:
    from django.core.mail import EmailMessage

    backend = SMTPBackend(host="127.0.0.1", port=server.server_address[1], timeout=5)
    return backend.send_messages([EmailMessage("件名", "本文", "a@example.jp", ["b@example.jp"])])


def test_the_smtp_backend_raises_maybe_delivered_when_the_server_drops_after_data(smtp_server):
    smtp_server.drop_at = "data_end"

    with pytest.raises(MaybeDelivered):
        _send_through(smtp_server)
    assert smtp_server.received == 1


def test_the_smtp_backend_raises_a_plain_disconnect_before_data(smtp_server):
    smtp_server.drop_at = "mail"

    with pytest.raises(smtplib.SMTPServerDisconnected) as raised:
        _send_through(smtp_server)
    assert not isinstance(raised.value, MaybeDelivered)
    assert smtp_server.received == 0


def test_the_smtp_backend_delivers_normally(smtp_server):
    assert _send_through(smtp_server) == 1


def test_settings_use_the_outbox_smtp_backend_for_smtp_urls():
    import environ

    from mie_dx.settings import base

    assert base.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend"
    config = environ.Env.email_url_config("smtp://127.0.0.1:25")
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


# --- Resend asks first when a mail may have been delivered ------------------------------------


@pytest.fixture
def ambiguous_and_failed(
    queue_alert, queue_reminder, mail_server, django_capture_on_commit_callbacks
):
    mail_server.after_delivery = [maybe_delivered()]
    with django_capture_on_commit_callbacks(execute=True):
        ambiguous = queue_reminder(to="maybe@example.jp")
    mail_server.errors = [ValueError("Invalid address")]
    with django_capture_on_commit_callbacks(execute=True):
        failed = queue_alert(to="never@example.jp")
    mail_server.reset()
    ambiguous.refresh_from_db()
    failed.refresh_from_db()
    assert (ambiguous.status, failed.status) == (Status.AMBIGUOUS, Status.FAILED)
    return ambiguous, failed


def resend_post(client, notifications, **extra):
    return client.post(
        CHANGELIST,
        {"action": "resend", "_selected_action": [n.pk for n in notifications], **extra},
        follow=True,
    )


def test_resend_shows_which_mails_may_have_been_delivered_and_sends_nothing_yet(
    client, superuser, ambiguous_and_failed, mailoutbox, django_capture_on_commit_callbacks
):
    ambiguous, failed = ambiguous_and_failed
    mailoutbox.clear()
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = resend_post(client, [ambiguous, failed])

    page = response.content.decode()
    assert response.status_code == 200
    assert "受信者にすでに届いている可能性があります" in page
    assert "maybe@example.jp" in page
    assert "never@example.jp" not in page  # listed only as a count of certainly undelivered
    assert "ほかの 1 件は届いていないことが分かっています。" in page
    assert 'name="confirm" value="all"' in page
    assert mailoutbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {
        Status.AMBIGUOUS,
        Status.FAILED,
    }


def test_confirming_resends_every_selected_mail_with_the_same_message_id(
    client, superuser, ambiguous_and_failed, mailoutbox, django_capture_on_commit_callbacks
):
    ambiguous, failed = ambiguous_and_failed
    mailoutbox.clear()
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = resend_post(client, [ambiguous, failed], confirm="all")

    assert "2 件の通知を再送します。" in response.content.decode()
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    by_recipient = {m.to[0]: m.message()["Message-ID"] for m in mailoutbox}
    assert by_recipient == {
        "maybe@example.jp": ambiguous.message_id,
        "never@example.jp": failed.message_id,
    }
    entry = AuditLog.objects.about(ambiguous).get(action="notification.resent")
    assert entry.user == superuser
    assert entry.data == {"from": "ambiguous", "maybe_delivered": True}


def test_staff_may_resend_only_the_mails_that_certainly_did_not_go(
    client, superuser, ambiguous_and_failed, mailoutbox, django_capture_on_commit_callbacks
):
    ambiguous, failed = ambiguous_and_failed
    mailoutbox.clear()
    client.force_login(superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = resend_post(client, [ambiguous, failed], confirm="undelivered")

    assert "1 件の通知を再送します。" in response.content.decode()
    ambiguous.refresh_from_db()
    failed.refresh_from_db()
    assert (ambiguous.status, failed.status) == (Status.AMBIGUOUS, Status.SENT)
    assert [m.to for m in mailoutbox] == [["never@example.jp"]]


def test_the_list_labels_ambiguous_rows_and_filters_them(client, superuser, ambiguous_and_failed):
    _ambiguous, _failed = ambiguous_and_failed
    client.force_login(superuser)

    page = client.get(CHANGELIST + "?status__exact=ambiguous").content.decode()

    assert 'class="outbox-status outbox-ambiguous">送信済みの可能性あり</span>' in page
    assert "MaybeDelivered" in page  # the reason, with when
    assert "maybe@example.jp" in page
    assert "never@example.jp" not in page
    filtered = client.get(CHANGELIST + "?maybe_delivered=yes").content.decode()
    assert "maybe@example.jp" in filtered and "never@example.jp" not in filtered


# --- The digest and the backlog ---------------------------------------------------------------


def test_the_digest_lists_failed_and_ambiguous_mails_with_the_link_to_resend(
    ambiguous_and_failed, mail_server, mailoutbox, settings, django_capture_on_commit_callbacks
):
    ambiguous, failed = ambiguous_and_failed
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.digest_failed_notifications() == 2

    [digest] = mailoutbox
    assert f"#{ambiguous.pk}" in digest.body and "[送信済みの可能性あり]" in digest.body
    assert f"#{failed.pk}" in digest.body and "[送信失敗]" in digest.body
    assert "二通届くことがある" in digest.body
    assert f"{settings.SITE_URL}{CHANGELIST}?status__in=failed,ambiguous" in digest.body


@pytest.fixture
def backlog(queue_alert):
    """At NOON: 2 due (one 10 min late), 1 scheduled later, 1 sending, 1 failed, 1 ambiguous,
    1 sent."""
    with time_machine.travel(NOON - timedelta(minutes=10), tick=False):
        queue_alert(to="late@example.jp")
    with time_machine.travel(NOON, tick=False):
        queue_alert(to="due@example.jp")
        queue_alert(to="later@example.jp", due_at=NOON + timedelta(days=1))
        for to, status in [
            ("sending@example.jp", Status.SENDING),
            ("failed@example.jp", Status.FAILED),
            ("ambiguous@example.jp", Status.AMBIGUOUS),
            ("sent@example.jp", Status.SENT),
        ]:
            Notification.objects.filter(pk=queue_alert(to=to).pk).update(status=status)


@time_machine.travel(NOON, tick=False)
def test_outbox_status_counts_the_backlog(backlog, django_assert_num_queries):
    with django_assert_num_queries(1):
        status = outbox_status()

    assert status.as_line() == (
        "pending=2 late=1 sending=1 failed=1 ambiguous=1 oldest_pending_age_s=600"
    )


@time_machine.travel(NOON, tick=False)
def test_the_outbox_status_command_prints_one_line_and_checks_for_late_mail(backlog):
    out = StringIO()
    call_command("outbox_status", stdout=out)
    assert out.getvalue() == (
        "pending=2 late=1 sending=1 failed=1 ambiguous=1 oldest_pending_age_s=600\n"
    )

    with pytest.raises(CommandError, match="1 e-mail"):
        call_command("outbox_status", "--check", stdout=StringIO())


def test_the_outbox_status_command_passes_its_check_when_mail_flows(db):
    out = StringIO()
    call_command("outbox_status", "--check", stdout=out)
    assert out.getvalue().startswith("pending=0 late=0 sending=0 failed=0 ambiguous=0")


@time_machine.travel(NOON, tick=False)
def test_the_list_starts_with_the_backlog_counters(client, superuser, backlog):
    client.force_login(superuser)

    page = client.get(CHANGELIST).content.decode()

    assert "5分以上の送信待ち: <strong>1</strong>" in page
    assert "送信失敗: <strong>1</strong>" in page
    assert "送信済みの可能性あり: <strong>1</strong>" in page
    assert "最も古い送信待ち: 600秒" in page
    late = client.get(
        CHANGELIST + "?status__exact=pending&due_at__lt=2026-11-26T11%3A55%3A00%2B09%3A00"
    ).content.decode()
    assert "late@example.jp" in late and "due@example.jp" not in late
