"""The case page and the suggestions say what happens: asking a supporter leaves the case in
マッチング (shown 「マッチング（依頼中）」 with whose answer is awaited), 助言・提案 begins at
the acceptance, and looking at the suggestions never moves the case — 「マッチングへ進む」 is
always a button of its own.
"""

import re
from datetime import date

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import Assignment, Status
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import AssignmentFactory, ConsultationFactory
from tests.consultations.helpers import element_text

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:consultations_consultation_changelist")


def change_url(consultation) -> str:
    return reverse("admin:consultations_consultation_change", args=[consultation.pk])


def match_url(consultation) -> str:
    return reverse("admin:consultations_match", args=[consultation.pk])


def start_url(consultation) -> str:
    return reverse("admin:consultations_start_matching", args=[consultation.pk])


def next_step_section(html: str) -> str:
    start = html.index('id="next-step-title"')
    return html[start : html.index("</section>", start)]


def buttons(section: str) -> list[str]:
    return re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', section)


def links(section: str) -> list[str]:
    return re.findall(r'<a class="button[^"]*" href="[^"]+">([^<]+)</a>', section)


def asked(consultation, *names: str, by=None) -> list[Assignment]:
    return services.assign_supporters(
        consultation=consultation,
        supporters=[SupporterFactory(name=name) for name in names],
        by=by,
    )


# --- The list and the case page say 「マッチング（依頼中）」 ----------------------------------------


def test_the_list_shows_matching_waiting_for_an_answer(client, center_staff):
    waiting = ConsultationFactory(status=Status.MATCHING, title="依頼中の相談")
    asked(waiting, "関 治之")
    ConsultationFactory(status=Status.MATCHING, title="まだ依頼していない相談")
    client.force_login(center_staff)

    listing = element_text(client.get(CHANGELIST).content.decode(), "result_list")

    assert listing.count("マッチング（依頼中）") == 1
    assert listing.count("マッチング") == 2
    # The one waiting is the one a supporter was asked about.
    assert re.search(r"依頼中の相談\d+日マッチング（依頼中）", listing)


def test_the_case_page_names_whose_answer_is_awaited(client, center_staff):
    consultation = ConsultationFactory(status=Status.MATCHING)
    asked(consultation, "関 治之", "田澤 由利")
    client.force_login(center_staff)

    html = client.get(change_url(consultation)).content.decode()

    assert '<strong class="case-status">マッチング（依頼中）</strong>' in html
    section = next_step_section(html)
    assert "関 治之、田澤 由利 の回答を待っています（依頼中）" in section
    assert links(section) == ["ほかのアドバイザー・パートナーにも依頼する（推薦を見る）"]
    assert buttons(section) == []


def test_after_the_acceptance_the_case_page_shows_advising(client, center_staff):
    consultation = ConsultationFactory(status=Status.MATCHING)
    (assignment,) = asked(consultation, "関 治之")
    services.respond_to_assignment(assignment=assignment, accept=True)
    client.force_login(center_staff)

    html = client.get(change_url(consultation)).content.decode()

    assert '<strong class="case-status">助言・提案</strong>' in html
    section = next_step_section(html)
    assert "助言・提案を記録し、終わったら完了にしてください。" in section
    assert buttons(section) == ["完了にする（アンケートを送る）"]
    timeline = html[html.index('id="timeline-title"') :]
    assert "関 治之: 受諾" in timeline
    assert "マッチング → <strong>助言・提案</strong>" in timeline


# --- Next-step words and buttons for each status ----------------------------------------------


@pytest.mark.parametrize(
    ("status", "setup", "text", "expected_buttons", "expected_links"),
    [
        (
            Status.RECEIVED,
            None,
            "推薦は状態を変えずに見られます",
            ["マッチングへ進む", "課題の明確化へ進む"],
            ["推薦を見る"],
        ),
        (
            Status.TRIAGE,
            None,
            "課題を整理したら",
            ["マッチングへ進む", "完了にする（アンケートを送る）"],
            ["推薦を見る"],
        ),
        (
            Status.MATCHING,
            None,
            "推薦を見て、アドバイザー・パートナーに依頼してください。",
            [],
            ["アドバイザー・パートナーを選ぶ（推薦を見る）"],
        ),
        (
            Status.MATCHING,
            Assignment.State.DECLINED,
            "が辞退しました。推薦を見て",
            [],
            ["アドバイザー・パートナーを選ぶ（推薦を見る）"],
        ),
        (
            Status.MATCHING,
            Assignment.State.ACCEPTED,
            "が受諾しています。",
            ["助言・提案に戻す"],
            ["アドバイザー・パートナーを選ぶ（推薦を見る）"],
        ),
        (
            Status.ON_HOLD,
            None,
            "保留中です。再開するときは",
            ["課題の明確化に戻す", "マッチングへ進む"],
            ["推薦を見る"],
        ),
        (
            Status.ON_HOLD,
            Assignment.State.ACCEPTED,
            "助言・提案に戻せます",
            ["助言・提案に戻す", "課題の明確化に戻す", "マッチングへ進む"],
            ["推薦を見る"],
        ),
        (Status.CLOSED, None, "この相談は終了しています。", [], []),
    ],
)
def test_the_next_step_has_words_and_buttons_for_each_status(
    client, center_staff, status, setup, text, expected_buttons, expected_links
):
    consultation = ConsultationFactory(status=status)
    if setup:
        AssignmentFactory(consultation=consultation, state=setup)
    client.force_login(center_staff)

    html = client.get(change_url(consultation)).content.decode()

    if status == Status.CLOSED:
        assert 'id="next-step-title"' in html
    section = next_step_section(html)
    assert text in section
    assert buttons(section) == expected_buttons
    assert links(section) == expected_links


def test_the_next_step_buttons_post_where_they_say(client, center_staff):
    consultation = ConsultationFactory(status=Status.ON_HOLD)
    AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)
    client.force_login(center_staff)

    section = next_step_section(client.get(change_url(consultation)).content.decode())
    forms = re.findall(
        r'<form method="post" action="([^"]+)">.*?(?:value="([a-z_]+)">)?<button', section
    )

    assert (reverse("admin:consultations_transition", args=[consultation.pk]), "advising") in (
        forms
    )
    assert (start_url(consultation), "") in forms
    response = client.post(
        reverse("admin:consultations_transition", args=[consultation.pk]),
        {"to_status": "advising"},
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.ADVISING


def test_resuming_advice_without_an_accepted_supporter_is_refused_with_a_message(
    client, center_staff
):
    consultation = ConsultationFactory(status=Status.ON_HOLD)
    AssignmentFactory(consultation=consultation, state=Assignment.State.PROPOSED)
    client.force_login(center_staff)

    response = client.post(
        reverse("admin:consultations_transition", args=[consultation.pk]),
        {"to_status": "advising"},
        follow=True,
    )

    assert any(
        "アドバイザー・パートナーが依頼を受諾してからです" in str(m)
        for m in response.context["messages"]
    )
    consultation.refresh_from_db()
    assert consultation.status == Status.ON_HOLD


# --- The suggestions: looking changes nothing -------------------------------------------------


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.TRIAGE, Status.ON_HOLD])
def test_looking_at_the_suggestions_changes_no_status(client, center_staff, status):
    consultation = ConsultationFactory(status=status)
    supporter = SupporterFactory(name="関 治之")
    history = consultation.status_changes.count()
    client.force_login(center_staff)

    response = client.get(match_url(consultation))

    assert response.status_code == 200
    html = response.content.decode()
    assert "関 治之" in html
    # Supporters cannot be chosen here; moving the case is its own button.
    assert f'value="{supporter.pk}" id="supporter-{supporter.pk}" disabled' in html
    assert "選んだアドバイザー等に依頼する" not in html
    note = element_text(html, "match-status-note")
    assert "依頼できるのは、相談が「マッチング」のときだけです" in note
    assert f'action="{start_url(consultation)}"' in html
    assert re.search(
        r'<button type="submit" class="button default">マッチングへ進む</button>', html
    )
    consultation.refresh_from_db()
    assert consultation.status == status
    assert consultation.status_changes.count() == history


@pytest.mark.parametrize("status", [Status.ADVISING, Status.CLOSED])
def test_the_suggestions_of_a_case_past_matching_offer_no_move(client, center_staff, status):
    consultation = ConsultationFactory(status=status)
    SupporterFactory(name="関 治之")
    client.force_login(center_staff)

    html = client.get(match_url(consultation)).content.decode()

    assert "関 治之" in html
    assert start_url(consultation) not in html
    assert "選んだアドバイザー等に依頼する" not in html


def test_the_button_on_the_suggestions_moves_the_case_and_comes_back_to_them(client, center_staff):
    consultation = ConsultationFactory(status=Status.TRIAGE)
    supporter = SupporterFactory(name="関 治之")
    client.force_login(center_staff)

    response = client.post(start_url(consultation), follow=True)

    assert response.redirect_chain[-1][0] == match_url(consultation)
    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING
    html = response.content.decode()
    assert "選んだアドバイザー等に依頼する" in html
    assert f'value="{supporter.pk}" id="supporter-{supporter.pk}">' in html


def test_managers_may_not_open_the_suggestions(client, manager):
    consultation = ConsultationFactory(status=Status.RECEIVED)
    client.force_login(manager)

    assert client.get(match_url(consultation)).status_code == 403
    assert client.post(start_url(consultation)).status_code == 403
    consultation.refresh_from_db()
    assert consultation.status == Status.RECEIVED


def test_anonymous_visitors_are_sent_to_the_login_page_from_the_suggestions(client):
    consultation = ConsultationFactory()

    response = client.get(match_url(consultation))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- Staff record advice on a case still waiting for the answer --------------------------------


def test_staff_record_advice_for_a_supporter_still_asked(client, center_staff):
    consultation = ConsultationFactory(status=Status.MATCHING)
    (assignment,) = asked(consultation, "関 治之")
    client.force_login(center_staff)
    html = client.get(change_url(consultation)).content.decode()
    assert reverse("admin:consultations_advice", args=[consultation.pk, assignment.pk]) in html

    response = client.post(
        reverse("admin:consultations_advice", args=[consultation.pk, assignment.pk]),
        {"held_on": date.today().isoformat(), "summary": "電話で助言しました"},
        follow=True,
    )

    assert any("記録しました" in str(m) for m in response.context["messages"])
    consultation.refresh_from_db()
    assignment.refresh_from_db()
    assert consultation.status == Status.ADVISING
    assert assignment.state == Assignment.State.ACCEPTED
    assert consultation.status_changes.last().changed_by == center_staff
