"""Issue 11 (items 7–11, 15): the center staff's list and case page.

The list: readable columns, open cases by default, samples hidden, "my cases", fiscal years.
The case page: the case first, its next step, the timeline beside it, triage to matching in
one step, a reply to the requester (not an internal note), the requester's text read-only
unless staff correct it (logged), phone-only callers, acceptance told to the resident,
supporters without an address, a timeline that says what happened then and by whom.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations import services
from consultations.models import Assignment, Consultation, RequesterReply, Status
from mie_dx.fiscal import fiscal_year_label, fiscal_year_start
from mie_dx.models import AuditLog, Notification
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import (
    AssignmentFactory,
    ConsultationFactory,
    bulk_consultations,
    valid_form_data,
)
from tests.consultations.helpers import element_text

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultation_changelist")
ADD = reverse("admin:consultations_consultation_add")
TOKYO = ZoneInfo("Asia/Tokyo")


def change_url(consultation, query: str = "") -> str:
    return reverse("admin:consultations_consultation_change", args=[consultation.pk]) + query


def listed(response) -> list[str]:
    return [c.reference for c in response.context["cl"].result_list]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def named_staff(center_staff):
    center_staff.last_name, center_staff.first_name = "事務", "一郎"
    center_staff.save()
    return center_staff


# --- The list (item 7) --------------------------------------------------------------------------


def test_the_list_shows_the_readable_columns_with_the_staff_member_in_charge(client, named_staff):
    consultation = AssignmentFactory(supporter=SupporterFactory(name="関 治之")).consultation
    services.set_staff_in_charge(consultation=consultation, staff=named_staff, by=named_staff)
    client.force_login(named_staff)

    response = client.get(CHANGELIST)
    html = response.content.decode()

    columns = list(response.context["cl"].list_display)
    assert columns[1:] == [
        "reference",
        "title",
        "age",
        "status_shown",
        "requester_type",
        "municipality",
        "staff_in_charge_name",
        "supporters",
    ]
    for header in ("センター担当者", "アドバイザー・パートナー", "件名", "受付番号"):
        assert f">{header}<" in html.replace("</a>", "<"), header
    row = element_text(html, "result_list")
    assert "一郎 事務" in row or "事務 一郎" in row
    assert "関 治之" in row
    # Calendar-year navigation is gone; the list filters by fiscal year.
    assert response.context["cl"].date_hierarchy is None
    assert "受付日時（年度）" in html


def test_open_cases_by_default_with_a_clear_choice_of_all(client, center_staff):
    received = ConsultationFactory(title="受付の相談")
    on_hold = ConsultationFactory(status=Status.ON_HOLD)
    closed = ConsultationFactory(status=Status.CLOSED)
    withdrawn = ConsultationFactory(status=Status.WITHDRAWN)
    declined = ConsultationFactory(status=Status.DECLINED)
    client.force_login(center_staff)

    default = client.get(CHANGELIST)
    everything = client.get(CHANGELIST + "?case=all")
    ended = client.get(CHANGELIST + "?case=ended")
    by_status = client.get(CHANGELIST + "?status__exact=closed")

    assert sorted(listed(default)) == sorted([received.reference, on_hold.reference])
    assert len(listed(everything)) == 5
    assert sorted(listed(ended)) == sorted(
        [closed.reference, withdrawn.reference, declined.reference]
    )
    # Asking for a status by name is not narrowed by the default.
    assert listed(by_status) == [closed.reference]
    html = default.content.decode()
    assert "対応中（終了したものを除く）" in html
    assert "?case=all" in html
    assert ">すべて<" in html.replace("</a>", "<")


def test_sample_cases_are_hidden_unless_a_filter_asks_for_them(client, center_staff):
    real = ConsultationFactory()
    sample = ConsultationFactory(is_sample=True)
    client.force_login(center_staff)

    assert listed(client.get(CHANGELIST)) == [real.reference]
    assert sorted(listed(client.get(CHANGELIST + "?sample=include"))) == sorted(
        [real.reference, sample.reference]
    )
    assert listed(client.get(CHANGELIST + "?sample=only")) == [sample.reference]


def test_with_only_samples_the_list_shows_them_and_says_they_are_samples(client, center_staff):
    """A demo (every case a sample) does not open on an empty list (issue 21)."""
    sample = ConsultationFactory(is_sample=True)
    client.force_login(center_staff)

    demo = client.get(CHANGELIST)
    ConsultationFactory()  # the first real case
    real = client.get(CHANGELIST)

    assert listed(demo) == [sample.reference]
    assert "すべてデモ用のサンプルです" in element_text(demo.content.decode(), "sample-note")
    assert sample.reference not in listed(real)
    assert 'id="sample-note"' not in real.content.decode()
    included = client.get(CHANGELIST + "?sample=include").content.decode()
    assert "サンプル（件名が【サンプル】で始まる相談）を含めて" in element_text(
        included, "sample-note"
    )


def test_my_cases_and_cases_nobody_looks_after(client, center_staff, superuser):
    mine = ConsultationFactory()
    theirs = ConsultationFactory()
    nobodys = ConsultationFactory()
    services.set_staff_in_charge(consultation=mine, staff=center_staff, by=center_staff)
    services.set_staff_in_charge(consultation=theirs, staff=superuser, by=center_staff)
    client.force_login(center_staff)

    assert listed(client.get(CHANGELIST + "?in_charge=me")) == [mine.reference]
    assert listed(client.get(CHANGELIST + "?in_charge=none")) == [nobodys.reference]
    assert listed(client.get(CHANGELIST + f"?in_charge={superuser.pk}")) == [theirs.reference]
    assert "自分の担当" in client.get(CHANGELIST).content.decode()


def test_the_fiscal_year_filter_puts_31_march_and_1_april_in_different_years(client, center_staff):
    last_day = ConsultationFactory(title="年度末")
    first_day = ConsultationFactory(title="年度初め")
    Consultation.objects.filter(pk=last_day.pk).update(
        created_at=datetime(2025, 3, 31, 23, 30, tzinfo=TOKYO)
    )
    Consultation.objects.filter(pk=first_day.pk).update(
        created_at=datetime(2025, 4, 1, 0, 30, tzinfo=TOKYO)
    )
    client.force_login(center_staff)

    html = client.get(CHANGELIST).content.decode()
    fy2025 = client.get(
        CHANGELIST,
        {
            "created_at__gte": str(fiscal_year_start(2025)),
            "created_at__lt": str(fiscal_year_start(2026)),
        },
    )

    assert fiscal_year_label(2025) in html
    assert fiscal_year_label(2024) in html
    assert listed(fy2025) == [first_day.reference]


def test_the_list_runs_the_same_queries_with_staff_in_charge_and_samples_at_any_size(
    client, center_staff, superuser, django_assert_num_queries
):
    supporter = SupporterFactory()
    bulk_consultations(5, supporter=supporter)
    Consultation.objects.update(staff_in_charge=center_staff)
    client.force_login(center_staff)
    urls = [CHANGELIST, CHANGELIST + "?in_charge=me&sample=include", CHANGELIST + "?case=all"]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)

    bulk_consultations(495, supporter=SupporterFactory(), start=5000)
    Consultation.objects.filter(staff_in_charge__isnull=True).update(staff_in_charge=superuser)

    for url in urls:
        with django_assert_num_queries(counts[url]):
            response = client.get(url)
        assert len(response.context["cl"].result_list) > 0


# --- The case page (item 8) ---------------------------------------------------------------------


def test_the_case_page_starts_with_the_summary_and_the_next_step(client, center_staff):
    consultation = ConsultationFactory()
    client.force_login(center_staff)

    html = client.get(change_url(consultation)).content.decode()

    summary = html.index('id="case-title"')
    next_step = html.index('id="next-step-title"')
    timeline = html.index('id="timeline-title"')
    record = html.index('id="record-title"')
    assert summary < next_step < record
    assert summary < timeline
    next_section = html[next_step : html.index("</section>", next_step)]
    # Moving the case is a button of its own; the suggestions are a plain link.
    assert re.search(r'<button type="submit"[^>]*>マッチングへ進む</button>', next_section)
    match_url = reverse("admin:consultations_match", args=[consultation.pk])
    assert re.search(rf'<a [^>]*href="{match_url}"[^>]*>推薦を見る</a>', next_section)
    # The requester's text is read-only: no input for the title or description, no save.
    assert 'name="title"' not in html
    assert 'name="description"' not in html
    assert 'name="_save"' not in html
    assert 'name="_continue"' not in html
    assert 'name="_addanother"' not in html
    assert consultation.description in html


def test_triage_to_matching_in_one_step_then_the_suggestions(client, named_staff):
    consultation = ConsultationFactory()
    client.force_login(named_staff)

    response = client.post(
        reverse("admin:consultations_start_matching", args=[consultation.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "admin:consultations_match", args=[consultation.pk]
    )
    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING
    steps = list(consultation.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert steps == [
        ("", "received", None),
        ("received", "triage", named_staff.pk),
        ("triage", "matching", named_staff.pk),
    ]
    assert (
        AuditLog.objects.about(consultation).filter(action="consultation.status_changed").count()
        == 2
    )


@pytest.mark.parametrize("status", [Status.CLOSED, Status.WITHDRAWN, Status.MATCHING])
def test_one_step_matching_is_refused_where_the_workflow_does_not_allow_it(
    client, center_staff, status
):
    consultation = ConsultationFactory(status=status)
    client.force_login(center_staff)

    response = client.post(
        reverse("admin:consultations_start_matching", args=[consultation.pk]), follow=True
    )

    assert any("には変更できません" in m for m in messages_of(response))
    consultation.refresh_from_db()
    assert consultation.status == status
    assert consultation.status_changes.count() == 1


def test_managers_cannot_take_a_case_to_matching_reply_or_set_staff(client, manager):
    consultation = ConsultationFactory()
    client.force_login(manager)

    for name in ("start_matching", "reply", "staff"):
        url = reverse(f"admin:consultations_{name}", args=[consultation.pk])
        assert client.post(url, {"body": "x", "take": "1"}).status_code == 403, name
    consultation.refresh_from_db()
    assert consultation.status == Status.RECEIVED
    assert consultation.staff_in_charge is None
    assert not RequesterReply.objects.exists()


def test_staff_take_a_case_and_hand_it_over(client, center_staff, superuser):
    consultation = ConsultationFactory()
    client.force_login(center_staff)
    url = reverse("admin:consultations_staff", args=[consultation.pk])

    client.post(url, {"take": "1"})
    consultation.refresh_from_db()
    assert consultation.staff_in_charge == center_staff
    client.post(url, {"staff": str(superuser.pk)})
    consultation.refresh_from_db()
    assert consultation.staff_in_charge == superuser
    client.post(url, {"staff": ""})
    consultation.refresh_from_db()
    assert consultation.staff_in_charge is None
    entries = AuditLog.objects.about(consultation).filter(action="consultation.staff_in_charge_set")
    assert [e.data["to"] for e in entries.order_by("pk")] == [center_staff.pk, superuser.pk, None]


def staff_choices(response) -> set[int]:
    select = re.search(r'<select name="staff"[^>]*>(.*?)</select>', response.content.decode(), re.S)
    assert select, "no センター担当者 choice on the page"
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select.group(1))}


def test_the_staff_in_charge_are_chosen_among_people_who_work_on_consultations(
    client, center_staff, superuser, manager, training_officer, procedure_officer
):
    consultation = ConsultationFactory()
    client.force_login(center_staff)

    offered = staff_choices(client.get(change_url(consultation)))
    services.set_staff_in_charge(consultation=consultation, staff=manager, by=superuser)
    with_manager = staff_choices(client.get(change_url(consultation)))
    refused = client.post(
        reverse("admin:consultations_staff", args=[consultation.pk]),
        {"staff": str(training_officer.pk)},
        follow=True,
    )

    assert offered == {center_staff.pk, superuser.pk}
    # Whoever is in charge stays on the list (the page says who it is), nobody else is added.
    assert with_manager == {center_staff.pk, superuser.pk, manager.pk}
    assert "センター担当者を選び直してください。" in messages_of(refused)
    consultation.refresh_from_db()
    assert consultation.staff_in_charge == manager
    assert procedure_officer.pk not in offered


# --- A reply to the requester -------------------------------------------------------------------


def test_a_reply_goes_through_the_outbox_to_the_status_page_and_the_timeline(
    client, named_staff, django_capture_on_commit_callbacks, mailoutbox
):
    consultation = ConsultationFactory(email="hanako@example.jp")
    services.add_internal_note(consultation=consultation, by=named_staff, body="内部だけのメモ")
    mailoutbox.clear()
    client.force_login(named_staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:consultations_reply", args=[consultation.pk]),
            {"body": "来週の火曜日にお電話します。"},
            follow=True,
        )

    assert "相談者に連絡しました（メールで送信します）。" in messages_of(response)
    reply = RequesterReply.objects.get()
    assert (reply.sent_by, reply.emailed) == (named_staff, True)
    notification = Notification.objects.get(template="consultation_reply")
    assert notification.to == "hanako@example.jp"
    assert notification.status == "sent"
    assert "来週の火曜日にお電話します。" in mailoutbox[0].body
    # The timeline on the case page: a reply, by the staff member's full name.
    timeline = element_text(response.content.decode(), "timeline-title")
    assert timeline == "経過（タイムライン）"
    html = response.content.decode()
    assert "相談者への連絡（メール送信）" in html
    assert "事務" in html[html.index("相談者への連絡（メール送信）") :][:200]
    # The requester's status page shows the reply, never the internal note.
    status = client.get(reverse("consultations:status", args=[consultation.private_token]))
    text = element_text(status.content.decode(), "main")
    assert "センターからのご連絡" in text
    assert "来週の火曜日にお電話します。" in text
    assert "内部だけのメモ" not in text
    entry = AuditLog.objects.about(consultation).get(action="consultation.replied")
    assert entry.data == {"reply": reply.pk, "emailed": True}


def test_an_empty_reply_is_refused_and_nothing_is_sent(client, center_staff):
    consultation = ConsultationFactory()
    client.force_login(center_staff)

    response = client.post(
        reverse("admin:consultations_reply", args=[consultation.pk]), {"body": "  "}, follow=True
    )

    assert messages_of(response)
    assert not RequesterReply.objects.exists()
    assert not Notification.objects.filter(template="consultation_reply").exists()


def test_managers_see_that_there_was_a_reply_but_not_its_text(client, center_staff, manager):
    consultation = ConsultationFactory()
    services.reply_to_requester(consultation=consultation, body="秘密の連絡内容", by=center_staff)
    client.force_login(manager)

    html = client.get(change_url(consultation)).content.decode()

    assert "相談者への連絡（メール送信）" in html
    assert "秘密の連絡内容" not in html
    assert 'id="id_reply_body"' not in html
    assert consultation.email not in html


# --- Correcting the requester's text ------------------------------------------------------------


def correction_data(consultation, **overrides) -> dict:
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
    return {**data, **overrides}


def test_staff_correct_the_requesters_text_on_purpose_and_the_correction_is_logged(
    client, named_staff
):
    consultation = ConsultationFactory()
    client.force_login(named_staff)

    form = client.get(change_url(consultation, "?correct=1")).content.decode()
    assert 'name="title"' in form
    assert 'name="_save"' in form
    assert 'name="_addanother"' not in form
    response = client.post(
        change_url(consultation, "?correct=1"),
        correction_data(consultation, title="IT導入の進め方（件名を訂正）"),
    )

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "IT導入の進め方（件名を訂正）"
    entry = AuditLog.objects.about(consultation).get(action="consultation.corrected")
    assert (entry.user, entry.data) == (named_staff, {"fields": ["title"]})
    html = client.get(change_url(consultation)).content.decode()
    assert "相談者の情報・相談内容を訂正: 件名" in html


# --- Phone-only callers (item 9) ----------------------------------------------------------------


def intake(**overrides) -> dict:
    data = {
        k: v
        for k, v in valid_form_data(**overrides).items()
        if k not in ("privacy_consent", "website")
    }
    return {"source": "phone", **data}


def test_a_phone_only_caller_is_recorded_without_e_mail_or_kana(
    client, center_staff, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(center_staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, intake(email="", name_kana="", phone="059-224-3086"))

    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response.url == change_url(consultation)
    assert (consultation.email, consultation.name_kana) == ("", "")
    assert consultation.staff_in_charge == center_staff
    # No e-mail to the requester; the center still hears about the new case.
    assert [m.to for m in mailoutbox] == [["dxcenter@pref.mie.lg.jp"]]
    assert list(Notification.objects.values_list("template", flat=True)) == [
        "consultation_new_staff_alert"
    ]
    page = client.get(response.url)
    html = page.content.decode()
    assert (
        "メールアドレスがないため、受付のメールは送っていません。" in " ".join(messages_of(page))
        or "メールアドレスがないため" in html
    )
    assert "メールアドレスがないため、相談者にはメールが届きません。電話（059-224-3086）" in html


def test_a_phone_only_case_gets_no_mail_on_any_later_step(
    client, center_staff, django_capture_on_commit_callbacks, mailoutbox
):
    consultation = ConsultationFactory(email="", name_kana="")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_to_requester(
            consultation=consultation, body="お電話でお伝えしました。", by=center_staff
        )
        services.change_status(consultation=consultation, to_status="on_hold", by=center_staff)
        services.change_status(consultation=consultation, to_status="declined", by=center_staff)

    assert reply.emailed is False
    assert mailoutbox == []
    client.force_login(center_staff)
    html = client.get(change_url(consultation)).content.decode()
    assert "相談者への連絡（メールなし）" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"email": "", "phone": ""},
            "phone",
            "折り返し連絡できるよう、電話番号かメールアドレスを入力してください。",
        ),
        (
            {"email": "", "source": "email"},
            "email",
            "メールで受け付けた相談には、メールアドレスを入力してください。",
        ),
        ({"name": ""}, "name", "このフィールドは必須です。"),
    ],
)
def test_an_intake_without_a_way_to_call_back_is_refused(
    client, center_staff, overrides, field, message
):
    client.force_login(center_staff)
    data = intake()
    data.update(overrides)

    response = client.post(ADD, data)

    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert not Consultation.objects.exists()


# --- Acceptance and supporters without an address (item 10) --------------------------------------


def requester_templates(consultation) -> list[str]:
    return list(
        Notification.objects.filter(to=consultation.email)
        .order_by("pk")
        .values_list("template", flat=True)
    )


def test_the_resident_is_told_when_a_supporter_accepts_not_when_asked(center_staff):
    consultation = ConsultationFactory(status=Status.MATCHING, email="hanako@example.jp")
    supporter = SupporterFactory(name="関 治之")

    (assignment,) = services.assign_supporters(
        consultation=consultation, supporters=[supporter], by=center_staff
    )
    assert "consultation_matched" not in requester_templates(consultation)

    services.respond_to_assignment(assignment=assignment, accept=True)

    matched = Notification.objects.get(template="consultation_matched")
    assert matched.to == "hanako@example.jp"
    assert "関 治之" in matched.body_text
    assert "お引き受けしました" in matched.body_text


def test_a_decline_tells_the_resident_nothing_and_advice_recorded_counts_as_acceptance(
    center_staff,
):
    consultation = ConsultationFactory(status=Status.MATCHING, email="hanako@example.jp")
    declining, accepting = SupporterFactory(), SupporterFactory()
    first, second = services.assign_supporters(
        consultation=consultation, supporters=[declining, accepting], by=center_staff
    )

    services.respond_to_assignment(assignment=first, accept=False)
    assert "consultation_matched" not in requester_templates(consultation)
    services.record_advice(
        assignment=second,
        held_on=datetime(2026, 11, 1).date(),
        summary="助言",
        by_supporter=False,
        by=center_staff,
    )

    assert requester_templates(consultation).count("consultation_matched") == 1


def test_a_supporter_without_an_address_is_flagged_on_the_case(
    client, center_staff, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(status=Status.MATCHING)
    supporter = SupporterFactory(name="電話 だけの人", contact_email="")
    client.force_login(center_staff)
    suggestions = client.get(reverse("admin:consultations_match", args=[consultation.pk]))
    assert "メール未登録（依頼はセンターの受信箱へ）" in suggestions.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:consultations_match", args=[consultation.pk]),
            {"supporter": [supporter.pk]},
            follow=True,
        )

    assert any("メールアドレスの登録がないため" in m for m in messages_of(response))
    html = response.content.decode()
    assert (
        "電話 だけの人 はメールアドレスの登録がないため、依頼はセンターの受信箱に届いています。"
        in html
    )
    assert "メール未登録（依頼はセンターの受信箱へ）" in html
    assert Notification.objects.get(template="assignment_proposed").to == (
        "dxcenter@pref.mie.lg.jp"
    )


# --- The timeline (item 11) ---------------------------------------------------------------------


def test_the_timeline_shows_each_answer_as_given_and_staff_by_full_name(client, named_staff):
    consultation = ConsultationFactory(status=Status.MATCHING)
    (assignment,) = services.assign_supporters(
        consultation=consultation, supporters=[SupporterFactory(name="日下部 卓也")], by=named_staff
    )
    services.respond_to_assignment(assignment=assignment, accept=True)
    services.change_status(consultation=consultation, to_status="closed", by=named_staff)
    assert Assignment.objects.get().state == Assignment.State.DONE
    client.force_login(named_staff)

    html = client.get(change_url(consultation)).content.decode()
    timeline = html[html.index('id="timeline-title"') :]

    assert "日下部 卓也: 受諾" in timeline
    assert "日下部 卓也: 対応完了" not in timeline
    assert "日下部 卓也 に依頼（一郎 事務）" in timeline or "日下部 卓也 に依頼（事務 一郎）" in (
        timeline
    )
    assert f"（{named_staff.username}）" not in timeline


def test_a_declined_answer_stays_declined_in_the_timeline(client, center_staff):
    consultation = ConsultationFactory(status=Status.MATCHING)
    (assignment,) = services.assign_supporters(
        consultation=consultation,
        supporters=[SupporterFactory(name="辞退 する人")],
        by=center_staff,
    )
    services.respond_to_assignment(assignment=assignment, accept=False)
    client.force_login(center_staff)

    html = client.get(change_url(consultation)).content.decode()

    assert "辞退 する人: 辞退" in html[html.index('id="timeline-title"') :]


# --- Withdrawal alerts the center (item 15) ------------------------------------------------------


def test_a_withdrawal_alerts_the_center_without_the_reason(center_staff):
    consultation = ConsultationFactory(status=Status.MATCHING)
    services.assign_supporters(
        consultation=consultation, supporters=[SupporterFactory()], by=center_staff
    )

    services.withdraw(consultation=consultation, reason="他で解決しました")

    alert = Notification.objects.get(template="consultation_withdrawn_staff_alert")
    assert alert.to == "dxcenter@pref.mie.lg.jp"
    assert consultation.reference in alert.subject
    assert "他で解決しました" not in alert.body_text
    assert "依頼の取消しを通知しました" in alert.body_text
    assert reverse("admin:consultations_consultation_change", args=[consultation.pk]) in (
        alert.body_text
    )


def test_an_admin_action_reaches_the_ticked_rows_but_select_all_keeps_the_default_view(
    client, center_staff
):
    closed = ConsultationFactory(status=Status.CLOSED)
    other_closed = ConsultationFactory(status=Status.CLOSED)
    ConsultationFactory()  # open: what the default view lists
    client.force_login(center_staff)

    ticked = client.post(
        CHANGELIST, {"action": "erase_personal_data", "_selected_action": [closed.pk]}
    )
    everything_shown = client.post(
        CHANGELIST,
        {
            "action": "erase_personal_data",
            "_selected_action": [other_closed.pk],
            "select_across": "1",
        },
        follow=True,
    )

    assert ticked.status_code == 302
    closed.refresh_from_db()
    other_closed.refresh_from_db()
    assert closed.personal_data_erased_at is not None
    # "All shown" in the default view are the open cases: none may be erased, and the
    # ended case that was not shown is left alone.
    assert other_closed.personal_data_erased_at is None
    assert any("対応中の相談の個人情報は削除できません" in m for m in messages_of(everything_shown))
