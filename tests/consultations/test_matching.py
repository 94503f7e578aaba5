"""Matching: the ranked suggestions and their reasons, the admin match page, and the
supporter's private link (accept, decline, record advice up to the limit)."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.matching import suggest_supporters
from consultations.models import AdviceSession, Assignment, Status
from mie_dx.fiscal import fiscal_year
from mie_dx.surveys import answer_survey
from tests.advisors.factories import ExpertiseAreaFactory, PartnerFactory, SupporterFactory
from tests.consultations.factories import AssignmentFactory, ConsultationFactory
from tests.consultations.helpers import element_text, link_in

pytestmark = pytest.mark.django_db


def area(slug: str):
    names = {
        "business-dx": "事業者のDX",
        "telework": "テレワーク",
        "open-data": "オープンデータ",
        "municipal-dx": "自治体DX",
        "retail-data": "小売・データ活用",
        "agriculture": "農業",
    }
    return ExpertiseAreaFactory(slug=slug, name=names[slug])


def by_name(suggestions) -> dict:
    return {s.supporter.name: s for s in suggestions}


def rated_case(
    supporter, rating: str, *, state=Assignment.State.ACCEPTED, is_sample: bool = False
) -> None:
    """A consultation `supporter` took part in (or declined), closed and rated by its requester."""
    consultation = ConsultationFactory(status=Status.ADVISING, is_sample=is_sample)
    AssignmentFactory(consultation=consultation, supporter=supporter, state=state)
    services.change_status(consultation=consultation, to_status=Status.CLOSED, by=None)
    answer_survey(survey=consultation.survey, rating=rating)


# --- The suggestions ----------------------------------------------------------------------------


def test_an_expertise_fit_ranks_above_a_non_fit_and_says_why():
    consultation = ConsultationFactory(
        status=Status.MATCHING,
        category="problem",
        requester_type="business",
        title="現場作業員へのIT導入",
        description="社内のデジタル化を進めたい。",
    )
    fit = SupporterFactory(name="適任 さん", expertise=[area("business-dx")])
    other = SupporterFactory(name="分野違い さん", expertise=[area("agriculture")])

    suggestions = suggest_supporters(consultation)

    assert [s.supporter for s in suggestions] == [fit, other]
    best = suggestions[0]
    assert best.score > suggestions[1].score
    reasons = " ".join(best.reasons)
    assert "相談の種類に合う専門分野: 事業者のDX" in reasons
    assert "相談内容に関係する専門分野: 事業者のDX" in reasons
    assert "相談者の区分に合う専門分野: 事業者のDX" in reasons
    assert "対応中の相談はありません" in reasons
    assert "専門分野" not in " ".join(suggestions[1].reasons)


def test_words_in_the_text_and_the_requester_type_count():
    consultation = ConsultationFactory(
        status=Status.MATCHING,
        category="other",
        requester_type="municipality",
        organization="見本町役場",
        title="オープンデータの公開を始めたい",
        description="町のデータ公開の進め方を知りたい。",
    )
    municipal = SupporterFactory(name="自治体 さん", expertise=[area("municipal-dx")])
    open_data = SupporterFactory(name="データ さん", expertise=[area("open-data")])
    unrelated = SupporterFactory(name="テレワーク さん", expertise=[area("telework")])

    suggestions = by_name(suggest_supporters(consultation))

    assert "相談内容に関係する専門分野: オープンデータ" in suggestions["データ さん"].reasons
    assert "相談者の区分に合う専門分野: 自治体DX" in suggestions["自治体 さん"].reasons
    assert suggestions["データ さん"].score > suggestions["テレワーク さん"].score
    assert suggestions["自治体 さん"].score > suggestions["テレワーク さん"].score
    assert {municipal, open_data, unrelated} == {s.supporter for s in suggestions.values()}


def test_open_cases_lower_the_score():
    expertise = [area("business-dx")]
    busy = SupporterFactory(name="多忙 さん", expertise=expertise)
    free = SupporterFactory(name="余裕 さん", expertise=expertise)
    for _ in range(2):
        AssignmentFactory(supporter=busy, state=Assignment.State.ACCEPTED)
    # A finished case is no load.
    AssignmentFactory(
        consultation=ConsultationFactory(status=Status.CLOSED),
        supporter=free,
        state=Assignment.State.DONE,
    )
    consultation = ConsultationFactory(status=Status.MATCHING, category="problem")

    suggestions = by_name(suggest_supporters(consultation))

    assert suggestions["余裕 さん"].score - suggestions["多忙 さん"].score == 16
    assert "対応中の相談: 2件" in suggestions["多忙 さん"].reasons
    assert "対応中の相談はありません" in suggestions["余裕 さん"].reasons
    assert suggest_supporters(consultation)[0].supporter == free


def test_past_survey_results_count_for_the_supporters_who_gave_the_advice():
    expertise = [area("business-dx")]
    praised = SupporterFactory(name="好評 さん", expertise=expertise)
    criticised = SupporterFactory(name="不評 さん", expertise=expertise)
    bystander = SupporterFactory(name="辞退した さん", expertise=expertise)
    rated_case(praised, "useful")
    rated_case(praised, "somewhat_useful")
    rated_case(criticised, "not_useful")
    rated_case(criticised, "not_very_useful")
    # Declining a case is not being rated for it.
    rated_case(bystander, "not_useful", state=Assignment.State.DECLINED)
    consultation = ConsultationFactory(status=Status.MATCHING, category="problem")

    suggestions = by_name(suggest_supporters(consultation))

    assert suggestions["好評 さん"].score > suggestions["辞退した さん"].score
    assert suggestions["辞退した さん"].score > suggestions["不評 さん"].score
    assert (
        "過去の相談者の評価: 2/2件が「役に立った」「やや役に立った」"
        in suggestions["好評 さん"].reasons
    )
    assert (
        "過去の相談者の評価: 0/2件が「役に立った」「やや役に立った」"
        in suggestions["不評 さん"].reasons
    )
    assert not any("過去の相談者の評価" in r for r in suggestions["辞退した さん"].reasons)


def test_sample_consultations_count_neither_as_load_nor_as_ratings():
    expertise = [area("business-dx")]
    with_samples = SupporterFactory(name="サンプルあり さん", expertise=expertise)
    without = SupporterFactory(name="サンプルなし さん", expertise=expertise)
    # What load_demo creates: open sample cases and rated sample cases.
    for _ in range(2):
        AssignmentFactory(
            consultation=ConsultationFactory(status=Status.ADVISING, is_sample=True),
            supporter=with_samples,
            state=Assignment.State.ACCEPTED,
        )
    rated_case(with_samples, "not_useful", is_sample=True)
    consultation = ConsultationFactory(status=Status.MATCHING, category="problem")

    suggestions = by_name(suggest_supporters(consultation))

    assert suggestions["サンプルあり さん"].score == suggestions["サンプルなし さん"].score
    assert suggestions["サンプルあり さん"].reasons == suggestions["サンプルなし さん"].reasons
    assert "対応中の相談はありません" in suggestions["サンプルあり さん"].reasons
    assert {with_samples, without} == {s.supporter for s in suggestions.values()}


def test_inactive_out_of_term_and_already_asked_supporters_are_not_suggested():
    current = fiscal_year(timezone.localdate())
    active = SupporterFactory(name="任期中 さん")
    partner = PartnerFactory(name="登録企業株式会社")
    SupporterFactory(name="休止中 さん", is_active=False)
    SupporterFactory(name="任期終了 さん", term_start_fy=2022, term_end_fy=current - 1)
    SupporterFactory(name="来年度から さん", term_start_fy=current + 1)
    ending_this_year = SupporterFactory(name="今年度まで さん", term_end_fy=current)
    consultation = ConsultationFactory(status=Status.MATCHING)
    declined = SupporterFactory(name="辞退済み さん")
    AssignmentFactory(
        consultation=consultation, supporter=declined, state=Assignment.State.DECLINED
    )

    suggested = {s.supporter for s in suggest_supporters(consultation)}

    assert suggested == {active, partner, ending_this_year}


def test_suggestions_run_a_fixed_number_of_queries():
    def queries_for(count: int) -> int:
        areas = [area("business-dx"), area("open-data"), area("telework")]
        for n in range(count):
            supporter = SupporterFactory(expertise=areas[: n % 3 + 1])
            AssignmentFactory(supporter=supporter, state=Assignment.State.ACCEPTED)
        consultation = ConsultationFactory(status=Status.MATCHING, category="problem")
        with CaptureQueriesContext(connection) as queries:
            suggestions = suggest_supporters(consultation, limit=100)
            reasons = [s.reasons for s in suggestions]
        assert len(suggestions) == Assignment.objects.values("supporter").distinct().count()
        assert all(reasons)
        return len(queries)

    three = queries_for(3)
    sixty = queries_for(57)  # 60 supporters in all

    assert three == sixty


# --- The admin match page -----------------------------------------------------------------------


def test_staff_see_ranked_suggestions_with_reasons_and_assign(
    client, center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(
        status=Status.MATCHING, category="problem", email="hanako@example.jp"
    )
    fit = SupporterFactory(name="関 治之", expertise=[area("business-dx")])
    SupporterFactory(name="田澤 由利", expertise=[area("telework")])
    url = reverse("admin:consultations_match", args=[consultation.pk])
    client.force_login(center_staff)

    page = client.get(url).content.decode()

    assert page.index("関 治之") < page.index("田澤 由利")
    assert "相談の種類に合う専門分野: 事業者のDX" in page
    assert "対応中の相談はありません" in page

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"supporter": [fit.pk], "note": "最適"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "admin:consultations_consultation_change", args=[consultation.pk]
    )
    consultation.refresh_from_db()
    # Asked, not accepted: the case stays in matching, shown as waiting for the answer.
    assert consultation.status == Status.MATCHING
    assert "マッチング（依頼中）" in response.content.decode()
    assert not consultation.status_changes.filter(to_status=Status.ADVISING).exists()
    # Staff's note on the request is an internal note.
    assert list(consultation.internal_notes.values_list("body", flat=True)) == ["最適"]
    assignment = Assignment.objects.get()
    assert (assignment.supporter, assignment.assigned_by) == (fit, center_staff)
    assert assignment.score is not None
    assert any("事業者のDX" in reason for reason in assignment.reasons)
    supporter_mail = next(m for m in mailoutbox if m.to == [fit.contact_email])
    assert link_in(supporter_mail, "/consultations/supporter/") == reverse(
        "consultations:assignment", args=[assignment.private_token]
    )
    # The supporter's e-mail has no personal data of the requester until they accept.
    assert "hanako@example.jp" not in supporter_mail.body
    # The requester is not told yet: the supporter has not accepted (issue 11, item 10).
    assert len(mailoutbox) == 1


def test_the_match_page_lists_the_suggested_first_and_folds_the_rest_after_the_button(
    client, center_staff
):
    """Issue 21: the supporters scoring above 0 first, the send button right after them, the
    others behind 「ほかのアドバイザー等を表示」 (closed)."""
    consultation = ConsultationFactory(
        status=Status.MATCHING, category="problem", requester_type="business"
    )
    SupporterFactory(name="関 治之", expertise=[area("business-dx")])
    SupporterFactory(name="農 太郎", expertise=[area("agriculture")])
    SupporterFactory(name="林 花子", expertise=[area("agriculture")])
    scores = {s.supporter.name: s.score for s in suggest_supporters(consultation, limit=50)}
    assert scores["関 治之"] > 0 and scores["農 太郎"] == scores["林 花子"] == 0
    client.force_login(center_staff)

    page = client.get(reverse("admin:consultations_match", args=[consultation.pk]))

    html = page.content.decode()
    suggested = element_text(html, "match-suggested")
    others = element_text(html, "match-others")
    assert "関 治之" in suggested
    assert "農 太郎" not in suggested and "林 花子" not in suggested
    assert others.startswith("ほかのアドバイザー等を表示（2人）")
    assert "農 太郎" in others and "林 花子" in others and "関 治之" not in others
    assert (
        html.index('id="match-suggested"')
        < html.index('value="選んだアドバイザー等に依頼する"')
        < html.index('<details class="match-others" id="match-others">')  # folded
    )


def test_when_nobody_fits_the_others_are_open_and_the_page_says_so(client, center_staff):
    consultation = ConsultationFactory(
        status=Status.MATCHING, category="problem", requester_type="business"
    )
    SupporterFactory(name="農 太郎", expertise=[area("agriculture")])
    client.force_login(center_staff)

    html = client.get(reverse("admin:consultations_match", args=[consultation.pk])).content
    html = html.decode()

    assert "見つかりませんでした" in element_text(html, "match-none")
    assert 'id="match-suggested"' not in html
    assert '<details class="match-others" id="match-others" open>' in html
    assert "農 太郎" in element_text(html, "match-others")


def test_assigning_needs_a_choice_and_a_consultation_in_matching(client, center_staff):
    supporter = SupporterFactory()
    waiting = ConsultationFactory(status=Status.TRIAGE)
    matching = ConsultationFactory(status=Status.MATCHING)
    client.force_login(center_staff)

    nobody = client.post(reverse("admin:consultations_match", args=[matching.pk]), {})
    too_early = client.post(
        reverse("admin:consultations_match", args=[waiting.pk]), {"supporter": [supporter.pk]}
    )

    assert "1件以上選んでください" in " ".join(str(m) for m in nobody.context["messages"])
    assert "「マッチング」の相談だけです" in " ".join(str(m) for m in too_early.context["messages"])
    assert "依頼できるのは、相談が「マッチング」のときだけです" in too_early.content.decode()
    assert not Assignment.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == Status.TRIAGE


# --- The supporter's private link ---------------------------------------------------------------


def assignment_url(assignment) -> str:
    return reverse("consultations:assignment", args=[assignment.private_token])


def test_the_supporter_accepts_and_then_sees_the_requesters_contact(client):
    assignment = AssignmentFactory(
        consultation=ConsultationFactory(status=Status.ADVISING, email="hanako@example.jp")
    )
    before = client.get(assignment_url(assignment)).content.decode()
    assert "hanako@example.jp" not in before
    assert assignment.consultation.title in before

    response = client.post(
        assignment_url(assignment), {"action": "respond", "decision": "accept"}, follow=True
    )

    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.ACCEPTED
    assert assignment.responded_at is not None
    assert "hanako@example.jp" in response.content.decode()


def test_the_last_supporter_declining_returns_to_matching_and_alerts_the_center(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(supporter=SupporterFactory(name="辞退 太郎"))
    consultation = assignment.consultation
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            assignment_url(assignment),
            {"action": "respond", "decision": "decline", "reason": "日程が合わないため"},
            follow=True,
        )

    assert "辞退を受け付けました" in response.content.decode()
    assignment.refresh_from_db()
    assert (assignment.state, assignment.decline_reason) == ("declined", "日程が合わないため")
    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING
    assert "辞退 太郎 が辞退しました。" in consultation.status_changes.last().note
    (alert,) = mailoutbox
    assert alert.to == ["dxcenter@pref.mie.lg.jp"]
    assert "日程が合わないため" in alert.body
    assert "「マッチング」に戻りました" in alert.body
    # The requester never sees the reason, nor the supporter who declined.
    status = client.get(reverse("consultations:status", args=[consultation.private_token]))
    assert "日程が合わないため" not in status.content.decode()
    assert "辞退 太郎" not in status.content.decode()


def test_answering_twice_through_the_link_shows_a_clear_error(client):
    assignment = AssignmentFactory(state=Assignment.State.ACCEPTED)

    response = client.post(assignment_url(assignment), {"action": "respond", "decision": "decline"})

    assert response.status_code == 400
    assert "この依頼にはすでに回答済みです。" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.ACCEPTED


@time_machine.travel(date(2026, 11, 26), tick=False)
@pytest.mark.parametrize("limit", [3, 2])
def test_advice_through_the_link_is_limited_with_a_clear_message(client, limit):
    assignment = AssignmentFactory(state=Assignment.State.ACCEPTED)
    url = assignment_url(assignment)

    with override_settings(CONSULTATION_MAX_ADVICE_SESSIONS=limit):
        for n in range(limit):
            response = client.post(
                url, {"action": "advice", "held_on": f"2026-11-{n + 10}", "summary": f"{n + 1}回目"}
            )
            assert response.status_code == 302
        refused = client.post(
            url, {"action": "advice", "held_on": "2026-11-25", "summary": "4回目の相談"}
        )

    assert refused.status_code == 400
    html = refused.content.decode()
    assert f"1件の相談で受けられるアドバイザー等の助言は{limit}回までです。" in html
    assert f"アドバイザー等による助言は{limit}回までです" in html
    assert AdviceSession.objects.count() == limit
    # The form is gone, but what was typed is kept on the page to copy.
    assert 'name="summary"' not in html
    assert "4回目の相談" in element_text(html, "unsaved-summary")


@time_machine.travel(date(2026, 11, 26), tick=False)
def test_the_advice_form_is_replaced_by_a_sentence_once_the_case_reached_the_limit(client):
    consultation = ConsultationFactory(status=Status.ADVISING)
    mine = AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)
    other = AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)

    with override_settings(CONSULTATION_MAX_ADVICE_SESSIONS=2):
        before = client.get(assignment_url(mine)).content.decode()
        # The limit counts every supporter's sessions on the case.
        for day in (10, 11):
            services.record_advice(
                assignment=other, held_on=date(2026, 11, day), summary="x", by_supporter=True
            )
        after = client.get(assignment_url(mine)).content.decode()

    assert 'name="summary"' in before
    assert 'id="advice-limit-reached"' not in before
    assert 'name="summary"' not in after
    assert "上限の2回に達したため、これ以上記録できません" in element_text(
        after, "advice-limit-reached"
    )


def test_a_supporter_token_opens_only_its_own_assignment(client):
    consultation = ConsultationFactory(status=Status.ADVISING, title="相談A")
    mine = AssignmentFactory(consultation=consultation)
    theirs = AssignmentFactory(
        consultation=ConsultationFactory(status=Status.ADVISING, title="相談B")
    )

    page = client.get(assignment_url(mine)).content.decode()
    assert "相談A" in page
    assert "相談B" not in page
    assert theirs.supporter.name not in page
    # Their token is theirs alone; guessed and other kinds of token open nothing.
    for token in ("guess", consultation.private_token, mine.private_token[:-2]):
        url = f"/consultations/supporter/{token}/"
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "respond", "decision": "decline"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == Assignment.State.PROPOSED


def test_an_unknown_action_is_not_found(client):
    assignment = AssignmentFactory()

    assert client.post(assignment_url(assignment), {"action": "delete"}).status_code == 404
