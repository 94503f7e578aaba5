"""The workflow services: references, every transition allowed and refused, withdrawal,
supporters' answers, the advice limit and the survey."""

import re
import threading
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from consultations import notifications, services
from consultations.models import (
    AdviceSession,
    Assignment,
    Consultation,
    ReferenceCounter,
    Status,
    StatusChange,
    Survey,
)
from consultations.services import ConsultationError
from consultations.workflow import ALLOWED_TRANSITIONS
from mie_dx.fiscal import fiscal_year
from mie_dx.models import Notification
from mie_dx.surveys import SurveyError, answer_survey
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import (
    AssignmentFactory,
    ConsultationFactory,
    closed_consultation,
    requester_details,
)
from tests.consultations.helpers import pdf_bytes

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 26, 14, 0, tzinfo=TOKYO)


# --- References ---------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_references_are_sequential_per_year():
    first = services.submit_consultation(details=requester_details())
    second = services.submit_consultation(details=requester_details())

    assert (first.reference, second.reference) == ("DX-2026-0001", "DX-2026-0002")


@pytest.mark.django_db
def test_the_year_is_the_japanese_calendar_year_and_numbering_restarts():
    with time_machine.travel(datetime(2026, 12, 31, 23, 59, tzinfo=TOKYO), tick=False):
        last_of_2026 = services.submit_consultation(details=requester_details())
    # 15:30 UTC on 31 December is already New Year's Day in Mie.
    with time_machine.travel(datetime(2026, 12, 31, 15, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        first_of_2027 = services.submit_consultation(details=requester_details())

    assert last_of_2026.reference == "DX-2026-0001"
    assert first_of_2027.reference == "DX-2027-0001"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("already_issued", [0, 41], ids=["first-of-the-year", "counter-exists"])
def test_concurrent_submissions_get_distinct_sequential_references(already_issued):
    if already_issued:
        ReferenceCounter.objects.create(year=2026, last_number=already_issued)
    threads_count = 10
    barrier = threading.Barrier(threads_count)
    references: list[str] = []
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            consultation = services.submit_consultation(
                details=requester_details(email=f"concurrent{n}@example.jp")
            )
            references.append(consultation.reference)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(NOW, tick=True):
        threads = [threading.Thread(target=submit, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    expected = [f"DX-2026-{n:04d}" for n in range(already_issued + 1, already_issued + 11)]
    assert sorted(references) == expected
    assert sorted(Consultation.objects.values_list("reference", flat=True)) == expected
    assert ReferenceCounter.objects.get(year=2026).last_number == already_issued + threads_count


@pytest.mark.django_db
def test_submitting_records_the_first_history_row_and_consent():
    consultation = services.submit_consultation(details=requester_details())

    change = consultation.status_changes.get()
    assert (change.from_status, change.to_status) == ("", Status.RECEIVED)
    assert consultation.privacy_consent_at is not None
    assert consultation.source == "web"


# --- Every transition, allowed and refused -----------------------------------------------------

# The workflow as the center runs it, written out here rather than read from the code, so that
# a wrong entry in consultations.workflow fails the tests.
EXPECTED_WORKFLOW = {
    "received": {"triage", "on_hold", "declined", "withdrawn"},
    "triage": {"matching", "closed", "on_hold", "declined", "withdrawn"},
    "matching": {"advising", "triage", "on_hold", "declined", "withdrawn"},
    "advising": {"closed", "matching", "on_hold", "withdrawn"},
    "on_hold": {"triage", "matching", "advising", "declined", "withdrawn"},
    "closed": set(),
    "withdrawn": set(),
    "declined": set(),
}

ALL_PAIRS = [
    pytest.param(
        from_status,
        to_status,
        to_status in EXPECTED_WORKFLOW[from_status],
        id=f"{from_status}->{to_status}",
    )
    for from_status in EXPECTED_WORKFLOW
    for to_status in EXPECTED_WORKFLOW
]


def test_the_workflow_table_is_the_centers_workflow():
    assert set(EXPECTED_WORKFLOW) == {status.value for status in Status}
    assert {
        str(from_status): {str(to_status) for to_status in targets}
        for from_status, targets in ALLOWED_TRANSITIONS.items()
    } == EXPECTED_WORKFLOW


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status", "allowed"), ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_as_the_workflow_says(
    center_staff, from_status, to_status, allowed
):
    consultation = ConsultationFactory(status=from_status)
    if to_status == Status.ADVISING:
        # 助言・提案 needs a supporter who accepted (see the test below).
        AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)
    history_before = list(consultation.status_changes.values_list("pk", flat=True))
    notifications_before = Notification.objects.count()

    with time_machine.travel(NOW, tick=False):
        if allowed:
            services.change_status(
                consultation=consultation, to_status=to_status, by=center_staff, note="確認メモ"
            )
        else:
            with pytest.raises(ConsultationError, match="には変更できません"):
                services.change_status(
                    consultation=consultation, to_status=to_status, by=center_staff, note="x"
                )

    consultation.refresh_from_db()
    if allowed:
        assert consultation.status == to_status
        change = consultation.status_changes.exclude(pk__in=history_before).get()
        assert (change.from_status, change.to_status) == (from_status, to_status)
        assert change.changed_by == center_staff
        assert change.changed_at == NOW
        assert change.note == "確認メモ"
        assert consultation.status_changed_at == NOW
        assert (consultation.closed_at == NOW) is (to_status == Status.CLOSED)
        assert Survey.objects.filter(consultation=consultation).exists() is (
            to_status == Status.CLOSED
        )
    else:
        assert consultation.status == from_status
        assert list(consultation.status_changes.values_list("pk", flat=True)) == history_before
        assert Notification.objects.count() == notifications_before
        assert not Survey.objects.filter(consultation=consultation).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("from_status", [Status.MATCHING, Status.ON_HOLD])
@pytest.mark.parametrize("state", [None, "proposed", "declined"])
def test_advising_needs_a_supporter_who_accepted(center_staff, from_status, state):
    """Resuming from 保留 (or staff choosing 助言・提案 in matching) needs an accepted
    assignment: a supporter who was only asked has not taken the case on."""
    consultation = ConsultationFactory(status=from_status)
    if state:
        AssignmentFactory(consultation=consultation, state=state)
    history = consultation.status_changes.count()

    with pytest.raises(ConsultationError, match="依頼を受諾してからです"):
        services.change_status(
            consultation=consultation, to_status=Status.ADVISING, by=center_staff
        )

    consultation.refresh_from_db()
    assert consultation.status == from_status
    assert consultation.status_changes.count() == history


@pytest.mark.django_db
@pytest.mark.parametrize("to_status", ["on_hold", "declined", "withdrawn"])
def test_the_requester_hears_about_hold_decline_and_withdrawal(
    center_staff, mailoutbox, django_capture_on_commit_callbacks, to_status
):
    consultation = ConsultationFactory(status=Status.TRIAGE, email="hanako@example.jp")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(consultation=consultation, to_status=to_status, by=center_staff)

    assert [m.to for m in mailoutbox] == [["hanako@example.jp"]]
    assert "状況が変わりました" in mailoutbox[0].subject


@pytest.mark.django_db
def test_triage_and_matching_are_not_mailed(
    center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(consultation=consultation, to_status="triage", by=center_staff)
        services.change_status(consultation=consultation, to_status="matching", by=center_staff)

    assert mailoutbox == []


# --- Withdrawal ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_withdrawal_works_once_and_releases_the_supporters(
    mailoutbox, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(state=Assignment.State.ACCEPTED)
    consultation = assignment.consultation

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(consultation=consultation, reason="自社で解決しました")

    consultation.refresh_from_db()
    assert consultation.status == Status.WITHDRAWN
    change = consultation.status_changes.last()
    assert (change.to_status, change.changed_by, change.note) == (
        Status.WITHDRAWN,
        None,
        "自社で解決しました",
    )
    assignment.refresh_from_db()
    # Cancelled, not "declined": the supporter did not refuse; they are told it ended.
    assert assignment.state == Assignment.State.CANCELLED
    to_supporter = [m for m in mailoutbox if m.to == [assignment.supporter.contact_email]]
    assert len(to_supporter) == 1
    assert consultation.reference in to_supporter[0].subject
    assert "対応は不要です" in to_supporter[0].body
    assert "自社で解決しました" not in to_supporter[0].body  # the requester's reason is theirs
    with pytest.raises(ConsultationError, match="取り下げできません"):
        services.withdraw(consultation=consultation)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["closed", "declined", "withdrawn"])
def test_an_ended_consultation_cannot_be_withdrawn(status):
    consultation = ConsultationFactory(status=status)

    with pytest.raises(ConsultationError, match="すでに終了しているため"):
        services.withdraw(consultation=consultation)

    consultation.refresh_from_db()
    assert consultation.status == status


# --- Supporters ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_asking_supporters_leaves_the_case_in_matching(
    center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(status=Status.MATCHING, email="hanako@example.jp")
    history = consultation.status_changes.count()
    first, second = SupporterFactory(), SupporterFactory()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        created = services.assign_supporters(
            consultation=consultation,
            supporters=[first, second],
            by=center_staff,
            note="二人に依頼",
        )

    assert [a.supporter for a in created] == [first, second]
    assert {a.state for a in created} == {Assignment.State.PROPOSED}
    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING
    assert consultation.status_changes.count() == history  # no status change
    assert list(consultation.internal_notes.values_list("body", "author")) == [
        ("二人に依頼", center_staff.pk)
    ]
    # The supporters are asked; the requester hears nothing yet.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [first.contact_email, second.contact_email]
    )


def matching_with_asked(*names: str) -> tuple[Consultation, list[Assignment]]:
    consultation = ConsultationFactory(status=Status.MATCHING, email="hanako@example.jp")
    asked = services.assign_supporters(
        consultation=consultation,
        supporters=[SupporterFactory(name=name) for name in names],
        by=None,
    )
    return consultation, asked


@pytest.mark.django_db
def test_advising_begins_when_a_supporter_accepts(mailoutbox, django_capture_on_commit_callbacks):
    consultation, (first, second) = matching_with_asked("関 治之", "田澤 由利")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.respond_to_assignment(assignment=first, accept=True)

    consultation.refresh_from_db()
    assert consultation.status == Status.ADVISING
    change = consultation.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        Status.MATCHING,
        Status.ADVISING,
        None,
    )
    assert change.note == "関 治之 が依頼を受諾しました。"
    to_requester = [m for m in mailoutbox if m.to == ["hanako@example.jp"]]
    assert len(to_requester) == 1 and "関 治之" in to_requester[0].body
    (alert,) = [m for m in mailoutbox if m.to == ["dxcenter@pref.mie.lg.jp"]]
    assert "「助言・提案」に進みました" in alert.body

    # The second supporter accepting too adds a supporter, not a status change.
    services.respond_to_assignment(assignment=second, accept=True)
    consultation.refresh_from_db()
    assert consultation.status == Status.ADVISING
    assert consultation.status_changes.filter(to_status=Status.ADVISING).count() == 1


@pytest.mark.django_db
def test_the_last_decline_in_matching_leaves_the_case_in_matching_and_alerts_the_center(
    mailoutbox, django_capture_on_commit_callbacks
):
    consultation, (first, second) = matching_with_asked("辞退 一郎", "辞退 二郎")
    history = consultation.status_changes.count()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.respond_to_assignment(assignment=first, accept=False)
        services.respond_to_assignment(assignment=second, accept=False, reason="多忙")

    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING
    assert consultation.status_changes.count() == history
    first_alert, last_alert = [m for m in mailoutbox if m.to == ["dxcenter@pref.mie.lg.jp"]]
    assert "いなくなりました" not in first_alert.body  # 辞退 二郎 was still asked
    assert "依頼中のアドバイザー等がいなくなりました" in last_alert.body
    assert "「マッチング」に戻りました" not in last_alert.body
    assert not [m for m in mailoutbox if m.to == ["hanako@example.jp"]]


@pytest.mark.django_db
def test_an_acceptance_while_on_hold_leaves_the_case_on_hold_until_staff_resume(center_staff):
    consultation, (asked,) = matching_with_asked("関 治之")
    services.change_status(consultation=consultation, to_status=Status.ON_HOLD, by=center_staff)

    services.respond_to_assignment(assignment=asked, accept=True)
    consultation.refresh_from_db()
    assert consultation.status == Status.ON_HOLD

    services.change_status(consultation=consultation, to_status=Status.ADVISING, by=center_staff)
    consultation.refresh_from_db()
    assert consultation.status == Status.ADVISING


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_advice_recorded_for_a_supporter_still_asked_is_the_acceptance_and_starts_advising(
    center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    consultation, (asked,) = matching_with_asked("関 治之")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session = services.record_advice(
            assignment=asked,
            held_on=date(2026, 11, 20),
            summary="電話で助言",
            by_supporter=False,
            by=center_staff,
        )

    asked.refresh_from_db()
    assert asked.state == Assignment.State.ACCEPTED
    assert session.held_on == date(2026, 11, 20)
    consultation.refresh_from_db()
    assert consultation.status == Status.ADVISING
    change = consultation.status_changes.last()
    assert (change.from_status, change.to_status, change.changed_by) == (
        Status.MATCHING,
        Status.ADVISING,
        center_staff,
    )
    assert "関 治之" in change.note
    assert len([m for m in mailoutbox if m.to == ["hanako@example.jp"]]) == 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_refused_advice_in_matching_changes_nothing():
    consultation, (asked,) = matching_with_asked("関 治之")
    history = consultation.status_changes.count()

    with pytest.raises(ConsultationError, match="未来の日付"):
        services.record_advice(
            assignment=asked, held_on=date(2026, 12, 1), summary="x", by_supporter=True
        )

    asked.refresh_from_db()
    consultation.refresh_from_db()
    assert asked.state == Assignment.State.PROPOSED
    assert consultation.status == Status.MATCHING
    assert consultation.status_changes.count() == history
    assert not AdviceSession.objects.exists()
    assert not Notification.objects.filter(template="consultation_matched").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.TRIAGE, Status.ON_HOLD, Status.CLOSED])
def test_advice_is_recorded_only_in_matching_or_advising(status):
    assignment = AssignmentFactory(
        consultation=ConsultationFactory(status=status), state=Assignment.State.ACCEPTED
    )

    with pytest.raises(ConsultationError, match="「マッチング」「助言・提案」の相談だけです"):
        services.record_advice(
            assignment=assignment, held_on=date(2026, 11, 1), summary="x", by_supporter=True
        )

    assert not AdviceSession.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["received", "triage", "advising", "closed"])
def test_supporters_are_assigned_only_in_matching(center_staff, status):
    consultation = ConsultationFactory(status=status)

    with pytest.raises(ConsultationError, match="マッチング"):
        services.assign_supporters(
            consultation=consultation, supporters=[SupporterFactory()], by=center_staff
        )

    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_an_inactive_supporter_cannot_be_assigned(center_staff):
    consultation = ConsultationFactory(status=Status.MATCHING)

    with pytest.raises(ConsultationError, match="割り当てできません"):
        services.assign_supporters(
            consultation=consultation,
            supporters=[SupporterFactory(is_active=False)],
            by=center_staff,
        )


@pytest.mark.django_db
def test_declining_keeps_advising_while_another_supporter_remains():
    consultation = ConsultationFactory(status=Status.ADVISING)
    leaving = AssignmentFactory(consultation=consultation)
    AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)

    services.respond_to_assignment(assignment=leaving, accept=False, reason="日程が合わない")

    consultation.refresh_from_db()
    assert consultation.status == Status.ADVISING


@pytest.mark.django_db
def test_a_supporter_answers_once():
    assignment = AssignmentFactory()
    services.respond_to_assignment(assignment=assignment, accept=True)

    with pytest.raises(ConsultationError, match="すでに回答済み"):
        services.respond_to_assignment(assignment=assignment, accept=False)

    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.ACCEPTED


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [3, 2])
def test_advice_sessions_are_limited_per_consultation(limit):
    consultation = ConsultationFactory(status=Status.ADVISING)
    first = AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)
    second = AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)

    with override_settings(CONSULTATION_MAX_ADVICE_SESSIONS=limit):
        for n in range(limit):
            services.record_advice(
                assignment=(first, second)[n % 2],
                held_on=date(2026, 11, n + 1),
                summary=f"{n + 1}回目",
                by_supporter=True,
            )
        # The limit counts every supporter's sessions on the consultation.
        with pytest.raises(ConsultationError, match=f"{limit}回までです"):
            services.record_advice(
                assignment=second, held_on=date(2026, 11, 20), summary="超過", by_supporter=True
            )

    assert AdviceSession.objects.count() == limit


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_advice_cannot_be_dated_in_the_future():
    assignment = AssignmentFactory(state=Assignment.State.ACCEPTED)

    with pytest.raises(ConsultationError, match="未来の日付"):
        services.record_advice(
            assignment=assignment, held_on=date(2026, 11, 27), summary="x", by_supporter=True
        )


# --- Survey -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_creates_the_survey_and_marks_the_accepted_supporters_done():
    consultation = closed_consultation()

    assert consultation.survey.is_answered is False
    assert list(consultation.assignments.values_list("state", flat=True)) == ["done"]


@pytest.mark.django_db
def test_a_survey_is_answered_once():
    survey = closed_consultation().survey
    answer_survey(survey=survey, rating="useful", comment="助かりました")

    with pytest.raises(SurveyError, match="すでにご回答いただいています"):
        answer_survey(survey=survey, rating="not_useful", comment="変更")

    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == ("useful", "助かりました")


@pytest.mark.django_db
def test_history_rows_are_kept_in_order(center_staff):
    consultation = ConsultationFactory()
    for to_status in ("triage", "on_hold", "triage", "declined"):
        services.change_status(consultation=consultation, to_status=to_status, by=center_staff)

    assert list(
        StatusChange.objects.filter(consultation=consultation).values_list("to_status", flat=True)
    ) == ["received", "triage", "on_hold", "triage", "declined"]


@pytest.mark.django_db
def test_declining_a_case_on_hold_cancels_its_assignments_and_tells_the_supporter(
    center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(state=Assignment.State.PROPOSED)
    consultation = assignment.consultation
    Consultation.objects.filter(pk=consultation.pk).update(status=Status.ON_HOLD)

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(
            consultation=consultation, to_status=Status.DECLINED, by=center_staff
        )

    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.CANCELLED
    assert [m.to for m in mailoutbox if "終了しました" in m.subject] == [
        [assignment.supporter.contact_email]
    ]


@pytest.mark.django_db
def test_closing_cancels_the_requests_nobody_answered_and_tells_those_supporters(
    center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(status=Status.ADVISING)
    accepted = AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)
    silent = AssignmentFactory(consultation=consultation, state=Assignment.State.PROPOSED)
    declined = AssignmentFactory(consultation=consultation, state=Assignment.State.DECLINED)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(consultation=consultation, to_status=Status.CLOSED, by=center_staff)

    states = {
        a.pk: a.state
        for a in Assignment.objects.filter(pk__in=[accepted.pk, silent.pk, declined.pk])
    }
    assert states == {
        accepted.pk: Assignment.State.DONE,
        silent.pk: Assignment.State.CANCELLED,
        declined.pk: Assignment.State.DECLINED,
    }
    (ended,) = [m for m in mailoutbox if "終了しました" in m.subject]
    assert ended.to == [silent.supporter.contact_email]
    assert "「完了」となり" in ended.body
    assert "対応は不要です" in ended.body


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["ended-last-year", "starts-next-year"])
def test_a_supporter_outside_their_term_cannot_be_assigned(center_staff, term):
    current = fiscal_year(timezone.localdate())
    supporter = (
        SupporterFactory(name="任期外 さん", term_start_fy=current - 2, term_end_fy=current - 1)
        if term == "ended-last-year"
        else SupporterFactory(name="任期外 さん", term_start_fy=current + 1)
    )
    consultation = ConsultationFactory(status=Status.MATCHING)

    with pytest.raises(
        ConsultationError,
        match=re.escape(f"任期（{supporter.term_label}）外のため割り当てできません"),
    ):
        services.assign_supporters(
            consultation=consultation, supporters=[supporter], by=center_staff
        )

    assert not Assignment.objects.exists()
    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING


@pytest.mark.django_db
def test_a_supporter_whose_term_ends_this_year_can_be_assigned(center_staff):
    current = fiscal_year(timezone.localdate())
    supporter = SupporterFactory(term_start_fy=current - 1, term_end_fy=current)
    consultation = ConsultationFactory(status=Status.MATCHING)

    (assignment,) = services.assign_supporters(
        consultation=consultation, supporters=[supporter], by=center_staff
    )

    assert assignment.supporter == supporter


# --- The attachment of a failed submission -----------------------------------------------------


@pytest.mark.django_db
def test_a_submission_that_fails_after_storing_the_attachment_removes_the_file(
    monkeypatch, private_media
):
    def fail(consultation, **options):
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(notifications, "consultation_received", fail)
    upload = SimpleUploadedFile("plan.pdf", pdf_bytes(), "application/pdf")

    with pytest.raises(RuntimeError, match="outbox"):
        services.submit_consultation(details=requester_details(), attachment=upload)

    assert Consultation.objects.count() == 0
    assert [p for p in private_media.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_a_successful_submission_keeps_its_attachment(private_media):
    upload = SimpleUploadedFile("plan.pdf", pdf_bytes(), "application/pdf")

    consultation = services.submit_consultation(details=requester_details(), attachment=upload)

    assert [p for p in private_media.rglob("*") if p.is_file()] == [
        Path(consultation.attachment.path)
    ]
