"""Triage in the admin: transitions through services, the change form that cannot change the
status, staff entering a consultation on someone's behalf, permissions, CSV export and the
change list's fixed query count."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.admin import ConsultationAdminForm
from consultations.models import Consultation, Source, Status
from mie_dx.models import Notification
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import (
    AssignmentFactory,
    ConsultationFactory,
    bulk_consultations,
    valid_form_data,
)
from tests.consultations.helpers import pdf_bytes

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultation_changelist")
ADD = reverse("admin:consultations_consultation_add")
EXPORT = reverse("admin:consultations_export")


def change_url(consultation) -> str:
    return reverse("admin:consultations_consultation_change", args=[consultation.pk])


def transition_url(consultation) -> str:
    return reverse("admin:consultations_transition", args=[consultation.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- Transitions --------------------------------------------------------------------------------


def test_an_allowed_transition_records_the_staff_member_and_the_note(client, center_staff):
    consultation = ConsultationFactory()
    client.force_login(center_staff)

    response = client.post(
        transition_url(consultation), {"to_status": "triage", "note": "電話で確認"}, follow=True
    )

    assert response.redirect_chain[-1][0] == change_url(consultation)
    assert "状態を「課題の明確化」に変更しました。" in messages_of(response)
    consultation.refresh_from_db()
    assert consultation.status == Status.TRIAGE
    change = consultation.status_changes.last()
    assert (change.changed_by, change.note) == (center_staff, "電話で確認")
    # The timeline on the change page shows who did it and the note.
    html = response.content.decode()
    assert "電話で確認" in html
    assert center_staff.username in html


@pytest.mark.parametrize(
    ("from_status", "to_status", "message"),
    [
        ("received", "closed", "「受付」から「完了」には変更できません。"),
        ("received", "advising", "「受付」から「助言・提案」には変更できません。"),
        ("closed", "triage", "「完了」から「課題の明確化」には変更できません。"),
        ("triage", "triage", "「課題の明確化」から「課題の明確化」には変更できません。"),
        ("matching", "advising", "アドバイザー・パートナーが依頼を受諾してからです。"),
        ("triage", "no-such-status", "変更後の状態を選んでください。"),
    ],
)
def test_a_refused_transition_shows_why_and_changes_nothing(
    client, center_staff, from_status, to_status, message
):
    consultation = ConsultationFactory(status=from_status)
    history = consultation.status_changes.count()
    client.force_login(center_staff)

    response = client.post(transition_url(consultation), {"to_status": to_status}, follow=True)

    assert any(message in m for m in messages_of(response)), messages_of(response)
    consultation.refresh_from_db()
    assert consultation.status == from_status
    assert consultation.status_changes.count() == history


def test_the_menu_offers_only_the_allowed_next_statuses(client, center_staff):
    consultation = ConsultationFactory(status=Status.TRIAGE)
    client.force_login(center_staff)

    html = client.get(change_url(consultation)).content.decode()

    menu = html[html.index('name="to_status"') : html.index("</select>", html.index("to_status"))]
    for allowed in ("matching", "closed", "on_hold", "declined", "withdrawn"):
        assert f'value="{allowed}"' in menu
    for refused in ("received", "triage", "advising"):
        assert f'value="{refused}"' not in menu


def test_a_closed_consultation_offers_no_transition(client, center_staff):
    consultation = ConsultationFactory(status=Status.CLOSED)
    client.force_login(center_staff)

    html = client.get(change_url(consultation)).content.decode()

    assert "この相談は終了しています。" in html
    assert 'name="to_status"' not in html


def test_the_status_cannot_be_changed_through_the_change_form(client, center_staff):
    consultation = ConsultationFactory()
    reference = consultation.reference
    client.force_login(center_staff)
    data = {
        **{
            k: v
            for k, v in valid_form_data().items()
            if k not in ("privacy_consent", "website", "attachment")
        },
        "title": "件名を事務局が整えた",
        "status": "closed",
        "reference": "DX-1999-9999",
        "source": "visit",
    }

    response = client.post(change_url(consultation), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    consultation.refresh_from_db()
    assert consultation.title == "件名を事務局が整えた"
    assert consultation.status == Status.RECEIVED
    assert consultation.reference == reference
    assert consultation.source == Source.WEB
    assert consultation.status_changes.count() == 1


def test_staff_add_internal_notes_that_the_requester_never_sees(client, center_staff, manager):
    consultation = ConsultationFactory()
    client.force_login(center_staff)

    client.post(reverse("admin:consultations_note", args=[consultation.pk]), {"body": "要確認"})

    assert consultation.internal_notes.get().author == center_staff
    assert "要確認" in client.get(change_url(consultation)).content.decode()
    status = client.get(reverse("consultations:status", args=[consultation.private_token]))
    assert "要確認" not in status.content.decode()
    # Managers (no personal-data permission) see that there is a note, not its text, have
    # no form to add one, and cannot post one.
    client.force_login(manager)
    html = client.get(change_url(consultation)).content.decode()
    assert "内部メモ" in html
    assert "要確認" not in html
    assert "メモを追加する" not in html
    note = client.post(reverse("admin:consultations_note", args=[consultation.pk]), {"body": "x"})
    assert note.status_code == 403


# --- Staff create on someone's behalf -----------------------------------------------------------


@pytest.mark.parametrize("source", ["phone", "email", "visit", "seminar"])
def test_staff_enter_a_consultation_on_someones_behalf_through_the_service(
    client, center_staff, mailoutbox, django_capture_on_commit_callbacks, source
):
    ConsultationFactory()  # DX-<year>-0001 is taken: the staff entry gets the next number
    mailoutbox.clear()
    client.force_login(center_staff)
    data = {
        k: v
        for k, v in valid_form_data(email="caller@example.jp").items()
        if k not in ("privacy_consent", "website")
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, {**data, "source": source})

    assert response.status_code == 302
    consultation = Consultation.objects.get(email="caller@example.jp")
    year = timezone.localdate().year
    assert consultation.reference == f"DX-{year}-0002"
    assert consultation.source == source
    assert consultation.created_by == center_staff
    assert consultation.status == Status.RECEIVED
    assert consultation.name_kana == "ミホン　ハナコ"
    # Consent is recorded only when the requester gave it on the public form.
    assert consultation.privacy_consent_at is None
    assert consultation.status_changes.get().changed_by == center_staff
    assert sorted(m.to[0] for m in mailoutbox) == ["caller@example.jp", "dxcenter@pref.mie.lg.jp"]
    assert Notification.objects.filter(to="caller@example.jp", status="sent").count() == 1


def test_the_add_form_starts_at_phone_and_does_not_offer_web(client, center_staff):
    client.force_login(center_staff)

    html = client.get(ADD).content.decode()
    refused = client.post(
        ADD,
        {
            **{k: v for k, v in valid_form_data().items() if k != "privacy_consent"},
            "source": "web",
        },
    )

    assert 'value="phone" selected' in html
    assert 'value="web"' not in html
    assert refused.status_code == 200
    assert Consultation.objects.count() == 0


# --- Permissions --------------------------------------------------------------------------------


def staff_only_urls(consultation, assignment) -> list[tuple[str, str]]:
    return [
        ("get", CHANGELIST),
        ("get", ADD),
        ("get", change_url(consultation)),
        ("get", reverse("admin:consultations_match", args=[consultation.pk])),
        ("post", reverse("admin:consultations_match", args=[consultation.pk])),
        ("post", transition_url(consultation)),
        ("post", reverse("admin:consultations_note", args=[consultation.pk])),
        (
            "post",
            reverse("admin:consultations_advice", args=[consultation.pk, assignment.pk]),
        ),
        ("get", EXPORT),
        ("get", reverse("admin:consultations_survey_changelist")),
    ]


@pytest.mark.parametrize("who", ["anonymous", "public_user"])
def test_anonymous_and_non_staff_users_get_nothing_from_the_admin(client, request, who):
    assignment = AssignmentFactory(consultation=ConsultationFactory(status=Status.MATCHING))
    consultation = assignment.consultation
    if who == "public_user":
        client.force_login(request.getfixturevalue("public_user"))

    for method, url in staff_only_urls(consultation, assignment):
        response = getattr(client, method)(url, {"to_status": "triage", "supporter": "1"})
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url
        assert consultation.reference.encode() not in response.content

    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING
    assert consultation.internal_notes.count() == 0


def test_read_only_staff_cannot_triage_match_or_record_advice(client, manager):
    assignment = AssignmentFactory(consultation=ConsultationFactory(status=Status.MATCHING))
    consultation = assignment.consultation
    client.force_login(manager)

    for url in (
        transition_url(consultation),
        reverse("admin:consultations_match", args=[consultation.pk]),
        reverse("admin:consultations_advice", args=[consultation.pk, assignment.pk]),
    ):
        assert client.post(url, {"to_status": "triage"}).status_code == 403, url
    assert client.get(ADD).status_code == 403
    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING


@pytest.fixture
def with_attachment(client):
    client.post(
        reverse("consultations:new"),
        valid_form_data(attachment=SimpleUploadedFile("見積書 (案).pdf", pdf_bytes())),
    )
    client.logout()
    return Consultation.objects.get()


def test_attachments_are_downloaded_only_by_staff_allowed_to_see_personal_data(
    client, with_attachment, public_user, manager, center_staff
):
    url = reverse("consultations:attachment", args=[with_attachment.pk])

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("admin:login"))
    for user in (public_user, manager):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.force_login(center_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert "attachment;" in response["Content-Disposition"]
    assert "%E8%A6%8B%E7%A9%8D%E6%9B%B8" in response["Content-Disposition"]  # 見積書
    assert response["Cache-Control"] == "private, no-store"
    # The file itself has no public URL: nothing under /media/ or /static/ serves it.
    assert client.get("/media/" + with_attachment.attachment.name).status_code == 404
    assert client.get("/static/" + with_attachment.attachment.name).status_code == 404


def test_a_missing_attachment_file_is_not_found_rather_than_an_error(
    client, with_attachment, center_staff
):
    with_attachment.attachment.storage.delete(with_attachment.attachment.name)
    client.force_login(center_staff)

    response = client.get(reverse("consultations:attachment", args=[with_attachment.pk]))

    assert response.status_code == 404
    no_file = ConsultationFactory()
    assert client.get(reverse("consultations:attachment", args=[no_file.pk])).status_code == 404


def test_the_change_page_links_the_attachment_only_for_personal_data_staff(
    client, with_attachment, manager, center_staff
):
    client.force_login(center_staff)
    assert "見積書 (案).pdf" in client.get(change_url(with_attachment)).content.decode()
    client.force_login(manager)
    html = client.get(change_url(with_attachment)).content.decode()
    assert with_attachment.name not in html
    assert with_attachment.email not in html


# --- Export -------------------------------------------------------------------------------------


def test_the_csv_opens_in_japanese_excel(client, center_staff):
    ConsultationFactory(title='=HYPERLINK("http://evil.example","click")')
    ConsultationFactory(title="+SUM(A1)", organization="@株式会社")
    client.force_login(center_staff)

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="consultations-')
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\r\n") == 3
    assert b"\n" not in body.replace(b"\r\n", b"")
    header, *rows = read_csv(response)
    assert header[:9] == [
        "受付番号",
        "受付日時",
        "受付経路",
        "状態",
        "相談者の区分",
        "所在市町",
        "相談内容の種類",
        "件名",
        "アドバイザー・パートナー",
    ]
    assert header[9:] == ["団体・事業者・所属名", "氏名", "フリガナ", "メールアドレス", "電話番号"]
    titles = sorted(row[7] for row in rows)
    # Formula injection neutralised: a leading quote keeps the cell text.
    assert titles == ["'+SUM(A1)", '\'=HYPERLINK("http://evil.example","click")']
    assert "'@株式会社" in [row[9] for row in rows]
    assert rows[0][3] == "受付"


def test_the_csv_respects_the_change_list_filters(client, center_staff):
    closed = ConsultationFactory(status=Status.CLOSED, title="完了した相談")
    ConsultationFactory(status=Status.TRIAGE, title="整理中の相談")
    ConsultationFactory(status=Status.CLOSED, title="研修の相談", category="training")
    client.force_login(center_staff)

    only_closed = read_csv(client.get(EXPORT + "?status__exact=closed"))[1:]
    closed_problem = read_csv(client.get(EXPORT + "?status__exact=closed&category__exact=problem"))
    searched = read_csv(client.get(EXPORT + "?q=整理中"))[1:]

    assert sorted(row[7] for row in only_closed) == ["完了した相談", "研修の相談"]
    assert [row[0] for row in closed_problem[1:]] == [closed.reference]
    assert [row[7] for row in searched] == ["整理中の相談"]
    # The change list links to the export with the same filters.
    changelist = client.get(CHANGELIST + "?status__exact=closed").content.decode()
    assert f"{EXPORT}?status__exact=closed" in changelist


def test_the_csv_has_no_personal_columns_for_staff_without_the_permission(client, manager):
    ConsultationFactory(name="見本 花子", email="hanako@example.jp", phone="059-224-3086")
    client.force_login(manager)

    response = client.get(EXPORT)

    assert response.status_code == 200
    header, row = read_csv(response)
    assert len(header) == len(row) == 9
    text = response.content.decode("utf-8-sig")
    for personal in (
        "見本 花子",
        "hanako@example.jp",
        "059-224-3086",
        "株式会社サンプル商事",
        "氏名",
    ):
        assert personal not in text
    # Nor can they find a person by searching for their name.
    assert len(read_csv(client.get(EXPORT + "?q=見本"))) == 1


def test_the_csv_lists_the_active_supporters(client, center_staff):
    assignment = AssignmentFactory(supporter=SupporterFactory(name="関 治之"))
    AssignmentFactory(
        consultation=assignment.consultation,
        supporter=SupporterFactory(name="辞退 した人"),
        state="declined",
    )
    client.force_login(center_staff)

    (row,) = read_csv(client.get(EXPORT))[1:]

    assert row[8] == "関 治之"


# --- The change list ----------------------------------------------------------------------------


def test_the_change_list_filters_by_status_supporter_and_age_and_colours_the_age(
    client, center_staff
):
    fresh = ConsultationFactory(title="新しい相談")
    old = ConsultationFactory(title="古い相談")
    Consultation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    assignment = AssignmentFactory(supporter=SupporterFactory(name="関 治之"))
    AssignmentFactory(supporter=SupporterFactory(name="田澤 由利"))
    client.force_login(center_staff)

    page = client.get(CHANGELIST).content.decode()
    assert "age-fresh" in page
    assert "age-old" in page
    assert "関 治之" in page

    by_age = client.get(CHANGELIST + "?age=30").content.decode()
    assert old.reference in by_age
    assert fresh.reference not in by_age
    by_supporter = client.get(
        CHANGELIST + f"?assignments__supporter__id__exact={assignment.supporter.pk}"
    )
    assert by_supporter.status_code == 200
    assert [c.pk for c in by_supporter.context["cl"].result_list] == [assignment.consultation.pk]


def test_the_change_list_runs_the_same_queries_with_5_or_500_consultations(
    client, center_staff, django_assert_num_queries
):
    supporter = SupporterFactory()
    bulk_consultations(5, supporter=supporter)
    client.force_login(center_staff)
    with CaptureQueriesContext(connection) as five:
        assert client.get(CHANGELIST).status_code == 200

    bulk_consultations(495, supporter=SupporterFactory(), start=5000)
    assert Consultation.objects.count() == 500

    with django_assert_num_queries(len(five)):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 50
    with django_assert_num_queries(len(five)):
        assert client.get(CHANGELIST + "?status__exact=closed&p=2").status_code == 200


# --- Filtering through the URL ------------------------------------------------------------------

PERSONAL_LOOKUPS = [
    "email__startswith=hanako",
    "phone__contains=059",
    "name__contains=見本",
    "organization__contains=サンプル",
    "name_kana__contains=ミホン",
    "email=hanako@example.jp",
    "attachment_name__contains=見積",
]


@pytest.mark.parametrize("url", [CHANGELIST, EXPORT], ids=["changelist", "export"])
@pytest.mark.parametrize("lookup", PERSONAL_LOOKUPS)
def test_staff_without_the_permission_cannot_filter_by_personal_data(
    client, manager, center_staff, url, lookup
):
    ConsultationFactory()
    client.force_login(manager)

    refused = client.get(f"{url}?{lookup}")

    # The admin's answer to any lookup it does not allow: nothing counted, nothing listed.
    assert refused.status_code == 400
    assert b"DX-" not in refused.content
    # Staff allowed to see personal data may filter by it.
    client.force_login(center_staff)
    assert client.get(f"{url}?{lookup}").status_code == 200


@pytest.mark.parametrize("url", [CHANGELIST, EXPORT], ids=["changelist", "export"])
def test_nobody_filters_by_the_requesters_private_link(client, center_staff, url):
    consultation = ConsultationFactory()
    client.force_login(center_staff)

    response = client.get(f"{url}?link_seed__startswith={consultation.link_seed[:3]}")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "lookup", ["title__contains=IT導入", "description__contains=デジタル化", "status=received"]
)
def test_staff_without_the_permission_still_filter_by_the_case_itself(client, manager, lookup):
    consultation = ConsultationFactory()
    ConsultationFactory(title="別の件", description="別の内容", status=Status.TRIAGE)
    client.force_login(manager)

    listed = client.get(f"{CHANGELIST}?{lookup}")
    exported = read_csv(client.get(f"{EXPORT}?{lookup}"))[1:]

    assert [c.pk for c in listed.context["cl"].result_list] == [consultation.pk]
    assert [row[0] for row in exported] == [consultation.reference]


def test_a_malformed_filter_on_the_export_goes_back_to_the_change_list_like_the_admin(
    client, center_staff
):
    client.force_login(center_staff)

    listed = client.get(CHANGELIST + "?created_at__gte=not-a-date")
    exported = client.get(EXPORT + "?created_at__gte=not-a-date")

    assert (listed.status_code, listed.url) == (302, CHANGELIST + "?e=1")
    assert (exported.status_code, exported.url) == (302, CHANGELIST + "?e=1")


# --- The change form saves only what it changed -------------------------------------------------


def change_form_data(consultation, **overrides) -> dict:
    data = {
        name: getattr(consultation, name)
        for name in (
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
    }
    data.update(overrides)
    return data


def withdraw_meanwhile(consultation) -> None:
    services.withdraw(consultation=consultation, reason="自己解決しました")


def flag_stale_meanwhile(consultation) -> None:
    Consultation.objects.filter(pk=consultation.pk).update(stale_alert_sent_at=timezone.now())


@pytest.mark.parametrize(
    "meanwhile", [withdraw_meanwhile, flag_stale_meanwhile], ids=["withdrawn", "stale-alert"]
)
def test_saving_the_change_form_does_not_undo_what_happened_meanwhile(
    client, center_staff, monkeypatch, meanwhile
):
    """The requester withdraws (or the stale alert runs) while staff are editing the title.

    The admin reads the row before it validates the form and writes after; the concurrent
    change is made at that moment, from the form's validation.
    """
    consultation = ConsultationFactory()
    client.force_login(center_staff)
    assert client.get(change_url(consultation)).status_code == 200
    original_clean = ConsultationAdminForm.clean

    def clean_while_someone_else_writes(form):
        cleaned = original_clean(form)
        meanwhile(consultation)
        return cleaned

    monkeypatch.setattr(ConsultationAdminForm, "clean", clean_while_someone_else_writes)

    response = client.post(
        change_url(consultation), change_form_data(consultation, title="件名を事務局が整えた")
    )

    assert response.status_code == 302
    after = Consultation.objects.get(pk=consultation.pk)
    assert after.title == "件名を事務局が整えた"
    if meanwhile is withdraw_meanwhile:
        assert after.status == Status.WITHDRAWN
        assert after.status_changes.last().to_status == Status.WITHDRAWN
    else:
        assert after.status == Status.RECEIVED
        assert after.stale_alert_sent_at is not None


def test_saving_an_unchanged_change_form_writes_nothing(client, center_staff):
    consultation = ConsultationFactory()
    client.force_login(center_staff)

    response = client.post(change_url(consultation), change_form_data(consultation))

    assert response.status_code == 302
    assert Consultation.objects.get(pk=consultation.pk).updated_at == consultation.updated_at
