"""Erasure leaves nothing behind: after a consultation and a seminar registration are erased,
no table of the database holds the person's name, e-mail address or phone number.

The data is built the way the portal builds it (services, the admin, the outbox), so that
every copy exists — e-mails, the audit log, Django's admin history, notes, advice, surveys —
and then every column of every table is searched for what was erased.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from psycopg import sql

from consultations import services as consultation_services
from consultations.models import AdviceSession, Assignment, Consultation, Status
from mie_dx.audit import log_action
from mie_dx.models import AuditLog, Notification
from mie_dx.notifications import Attachment, queue_notification
from mie_dx.people import RequesterType
from mie_dx.surveys import answer_survey
from seminars import services as seminar_services
from seminars.models import Attendance, Registration, RegistrationStatus, SeminarSurvey
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import requester_details
from tests.seminars.factories import SeminarFactory
from tests.seminars.factories import details as person_details

pytestmark = pytest.mark.django_db

# The consultation's requester (an individual: the organisation names them too).
NAME = "消去 テスト太郎"
KANA = "ショウキョ　テストタロウ"
ORGANIZATION = "消去テスト太郎商店"
EMAIL = "erase-me-xyz@example.jp"
EDITED_EMAIL = "erase-me-edited-xyz@example.jp"  # staff correct the address in the admin
PHONE = "059-111-2233"
ATTACHMENT = "erase-me-xyz-business-plan.pdf"

# The seminar registrant (an individual too), who also asks for an individual consultation.
SEMINAR_NAME = "消去 セミナー花子"
SEMINAR_KANA = "ショウキョ　セミナーハナコ"
SEMINAR_ORGANIZATION = "消去セミナー花子の会"
SEMINAR_EMAIL = "erase-seminar-xyz@example.jp"
SEMINAR_PHONE = "059-444-5566"
SEMINAR_EDITED_PHONE = "059-444-7788"  # staff correct the number in the admin

ERASED_VALUES = (
    NAME,
    "テスト太郎",
    KANA,
    "テストタロウ",
    ORGANIZATION,
    EMAIL,
    "erase-me-xyz",
    EDITED_EMAIL,
    PHONE,
    PHONE.replace("-", ""),
    "erase-me-xyz-business-plan",
    SEMINAR_NAME,
    "セミナー花子",
    SEMINAR_KANA,
    "セミナーハナコ",
    SEMINAR_ORGANIZATION,
    SEMINAR_EMAIL,
    "erase-seminar-xyz",
    SEMINAR_PHONE,
    SEMINAR_PHONE.replace("-", ""),
    SEMINAR_EDITED_PHONE,
    SEMINAR_EDITED_PHONE.replace("-", ""),
)


@pytest.fixture(autouse=True)
def _private_media(private_media):
    return private_media


# --- Searching the whole database -----------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    table: str
    column: str
    value: str
    rows: int

    def __str__(self) -> str:
        return f"{self.table}.{self.column}: {self.rows} row(s) hold {self.value!r}"


def find_everywhere(values) -> list[Hit]:
    """Every (table, column) of the database holding one of `values` (case-insensitive).

    Every column of every table is searched: text, JSON, arrays and the rest through their
    text form, binary columns (e-mail attachments) for the UTF-8 bytes.
    """
    values = list(values)
    hits = []
    with connection.cursor() as cursor:
        raw = connection.connection
        for table in connection.introspection.table_names(cursor):
            cursor.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = %s"
                " ORDER BY ordinal_position",
                [table],
            )
            columns = cursor.fetchall()
            checks, params, labels = [], [], []
            for column, data_type in columns:
                for value in values:
                    if data_type == "bytea":
                        condition = sql.SQL("position(convert_to(%s, 'UTF8') in {}) > 0").format(
                            sql.Identifier(column)
                        )
                    else:
                        condition = sql.SQL("strpos(lower({}::text), lower(%s)) > 0").format(
                            sql.Identifier(column)
                        )
                    checks.append(sql.SQL("count(*) FILTER (WHERE {})").format(condition))
                    params.append(value)
                    labels.append((column, value))
            if not checks:
                continue
            query = sql.SQL("SELECT {} FROM {}").format(
                sql.SQL(", ").join(checks), sql.Identifier(table)
            )
            cursor.execute(query.as_string(raw), params)
            counts = cursor.fetchone()
            hits += [
                Hit(table, column, value, count)
                for (column, value), count in zip(labels, counts, strict=True)
                if count
            ]
    return hits


# --- Building every copy --------------------------------------------------------------------


def _consultation_form(consultation: Consultation, **changes) -> dict:
    fields = (
        "requester_type",
        "organization",
        "name",
        "name_kana",
        "email",
        "phone",
        "municipality",
        "category",
        "title",
        "description",
    )
    return {**{name: getattr(consultation, name) for name in fields}, **changes}


def _registration_form(registration: Registration, **changes) -> dict:
    fields = ("requester_type", "organization", "name", "name_kana", "email", "phone")
    return {**{name: getattr(registration, name) for name in fields}, **changes}


def _live_consultation(client, staff) -> Consultation:
    """A consultation taken from the web form to closed and surveyed, through the services and
    the admin, every e-mail sent."""
    first, second = SupporterFactory(), SupporterFactory()
    consultation = consultation_services.submit_consultation(
        details=requester_details(
            requester_type=RequesterType.INDIVIDUAL,
            organization=ORGANIZATION,
            name=NAME,
            name_kana=KANA,
            email=EMAIL,
            phone=PHONE,
            title="店舗の売上管理のデジタル化",
            description=f"{NAME}です。個人商店の売上管理について相談したい（{PHONE}）。",
        ),
        attachment=SimpleUploadedFile(ATTACHMENT, b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"),
    )
    # The center's alert about consultations waiting too long (references only).
    assert consultation_services.alert_stale_consultations(now=timezone.now() + timedelta(days=30))

    # Staff correct the requester's address in the admin (Django's history and the audit log).
    change = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    response = client.post(change, _consultation_form(consultation, email=EDITED_EMAIL))
    assert response.status_code == 302, response.content.decode()[:2000]
    consultation.refresh_from_db()
    assert consultation.email == EDITED_EMAIL

    transition = reverse("admin:consultations_transition", args=[consultation.pk])
    client.post(transition, {"to_status": Status.TRIAGE, "note": f"{NAME}さんに電話で確認"})
    client.post(
        reverse("admin:consultations_note", args=[consultation.pk]),
        {"body": f"{NAME}さんは火曜午後なら {PHONE} に電話可。{EMAIL} は使われていない"},
    )
    client.post(transition, {"to_status": Status.MATCHING, "note": ""})
    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING

    proposed, declined = consultation_services.assign_supporters(
        consultation=consultation,
        supporters=[first, second],
        by=staff,
        note=f"{NAME}さんの店舗に近い方を優先",
    )
    consultation_services.respond_to_assignment(
        assignment=declined, accept=False, reason=f"{NAME}さんとは取引があるため辞退します"
    )
    consultation_services.record_advice(
        assignment=proposed,
        held_on=timezone.localdate(),
        summary=f"{NAME}さんの店舗のPOSデータを確認した。連絡先 {PHONE}",
        by_supporter=True,
    )
    client.post(transition, {"to_status": Status.CLOSED, "note": f"{NAME}さんに完了を連絡"})
    consultation.refresh_from_db()
    assert consultation.status == Status.CLOSED
    answer_survey(
        survey=consultation.survey, rating="useful", comment=f"{NAME}です。助かりました。"
    )
    return consultation


def _live_registration(client, staff) -> Registration:
    """A registration with an individual-consultation request, its details corrected in the
    admin, a slot, check-in, the survey after the seminar answered; every e-mail sent."""
    seminar = SeminarFactory()
    registration = seminar_services.register(
        seminar=seminar,
        details=person_details(
            requester_type=RequesterType.INDIVIDUAL,
            organization=SEMINAR_ORGANIZATION,
            name=SEMINAR_NAME,
            name_kana=SEMINAR_KANA,
            email=SEMINAR_EMAIL,
            phone=SEMINAR_PHONE,
        ),
        attendance=Attendance.ONSITE,
        wants_consultation=True,
        consultation_topic=f"{SEMINAR_NAME}の教室の予約管理について",
    ).registration
    assert registration.consultation is not None

    change = reverse("admin:seminars_registration_change", args=[registration.pk])
    response = client.post(change, _registration_form(registration, phone=SEMINAR_EDITED_PHONE))
    assert response.status_code == 302, response.content.decode()[:2000]

    assert seminar_services.assign_consultation_slots(
        seminar=seminar, registrations=None, by=staff
    ).assigned
    seminar_services.send_reminders(now=seminar.starts_at - timedelta(days=1))
    seminar_services.record_attendance(
        registration=registration, attended=True, by=staff, now=seminar.starts_at
    )
    assert seminar_services.send_surveys(now=seminar.ends_at + timedelta(hours=2)) == 1
    survey = SeminarSurvey.objects.get(registration=registration)
    answer_survey(survey=survey, rating="somewhat_useful", comment=f"{SEMINAR_NAME}より。")

    # Staff decline the individual consultation it asked for (the requester is told).
    linked = registration.consultation
    consultation_services.change_status(
        consultation=linked,
        to_status=Status.DECLINED,
        by=staff,
        note=f"{SEMINAR_NAME}さんには別の窓口を案内",
    )
    registration.refresh_from_db()
    return registration


# --- The test -------------------------------------------------------------------------------


def test_after_erasure_no_table_holds_the_person(
    client, center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(center_staff)
    with django_capture_on_commit_callbacks(execute=True):
        consultation = _live_consultation(client, center_staff)
    with django_capture_on_commit_callbacks(execute=True):
        registration = _live_registration(client, center_staff)
    linked = registration.consultation

    # Every e-mail went out, and the copies the test must find exist.
    assert Notification.objects.exclude(status=Notification.Status.SENT).count() == 0
    assert {EDITED_EMAIL, SEMINAR_EMAIL} <= {m.to[0] for m in mailoutbox}
    assert any(NAME in m.body for m in mailoutbox)
    assert any(SEMINAR_NAME in m.body for m in mailoutbox)
    assert LogEntry.objects.filter(object_id=str(consultation.pk)).exists()
    assert LogEntry.objects.filter(object_id=str(registration.pk)).exists()
    mails_before = Notification.objects.count()
    audit_before = AuditLog.objects.count()
    before = {(hit.table, hit.column) for hit in find_everywhere(ERASED_VALUES)}
    # The search finds what is there (so its silence afterwards means something).
    assert {
        ("consultations_consultation", "name"),
        ("consultations_consultation", "description"),
        ("consultations_internalnote", "body"),
        ("consultations_statuschange", "note"),
        ("consultations_assignment", "decline_reason"),
        ("consultations_advicesession", "summary"),
        ("consultations_survey", "comment"),
        ("seminars_registration", "name"),
        ("seminars_registration", "consultation_topic"),
        ("seminars_seminarsurvey", "comment"),
        ("mie_dx_notification", "to"),
        ("mie_dx_notification", "body_text"),
    } <= before, sorted(before)

    # Erased on request, through the admin actions of both apps.
    for changelist, pks in (
        ("admin:seminars_registration_changelist", [registration.pk]),
        ("admin:consultations_consultation_changelist", [consultation.pk, linked.pk]),
    ):
        response = client.post(
            reverse(changelist), {"action": "erase_personal_data", "_selected_action": pks}
        )
        assert response.status_code == 302

    consultation.refresh_from_db()
    linked.refresh_from_db()
    registration.refresh_from_db()
    assert consultation.personal_data_erased_at is not None
    assert linked.personal_data_erased_at is not None
    assert registration.personal_data_erased_at is not None

    leaks = find_everywhere(ERASED_VALUES)
    assert not leaks, "erased personal data is still stored:\n" + "\n".join(map(str, leaks))

    # What the statistics need stays.
    assert (consultation.status, consultation.requester_type) == (Status.CLOSED, "individual")
    assert (consultation.category, consultation.municipality) == ("problem", "tsu")
    assert consultation.created_at and consultation.closed_at
    assert consultation.survey.rating == "useful"
    assert consultation.survey.answered_at is not None
    assert list(consultation.assignments.order_by("pk").values_list("state", flat=True)) == [
        Assignment.State.DONE,
        Assignment.State.DECLINED,
    ]
    assert AdviceSession.objects.get(assignment__consultation=consultation).held_on == (
        timezone.localdate()
    )
    assert list(consultation.status_changes.values_list("to_status", flat=True)) == [
        Status.RECEIVED,
        Status.TRIAGE,
        Status.MATCHING,
        Status.ADVISING,
        Status.CLOSED,
    ]
    assert (linked.status, linked.source) == (Status.DECLINED, "seminar")
    assert registration.status == RegistrationStatus.ATTENDED
    assert (registration.attendance, registration.requester_type) == ("onsite", "individual")
    assert registration.registered_at and registration.checked_in_at
    assert registration.survey.rating == "somewhat_useful"
    # The e-mails and the log entries stay as records (blanked), and the erasure is logged.
    assert Notification.objects.count() == mails_before
    assert AuditLog.objects.count() == audit_before + 3
    assert set(
        AuditLog.objects.filter(action__endswith="personal_data_erased").values_list(
            "action", flat=True
        )
    ) == {"consultation.personal_data_erased", "registration.personal_data_erased"}


def test_the_search_reaches_json_and_binary_columns():
    """The whole-database search also sees a value inside JSON (the audit log) and inside a
    stored attachment (bytes), so a copy there would be reported."""
    seminar = SeminarFactory()
    with transaction.atomic():
        log_action(seminar, "test.copied", data={"lines": [f"{NAME} <{EMAIL}>"]})
        queue_notification(
            to="staff@example.jp",
            template="staff_alert",
            context={"title": "添付のみ", "lines": []},
            attachment=Attachment("list.csv", f"{PHONE},{SEMINAR_NAME}".encode(), "text/csv"),
        )

    hits = {(hit.table, hit.column, hit.value) for hit in find_everywhere(ERASED_VALUES)}

    assert ("mie_dx_auditlog", "data", EMAIL) in hits
    assert ("mie_dx_auditlog", "data", NAME) in hits
    assert ("mie_dx_notification", "attachment_content", PHONE) in hits
    assert ("mie_dx_notification", "attachment_content", SEMINAR_NAME) in hits
    assert not {hit for hit in hits if hit[0] not in ("mie_dx_auditlog", "mie_dx_notification")}
