"""The public consultation pages: after submitting, the private status link, withdrawal, the
survey, escaping everywhere, spam defences and fixed query counts."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations import services
from consultations.models import Assignment, Consultation, Status, Survey
from mie_dx.models import Notification
from mie_dx.tokens import new_token
from tests.advisors.factories import SupporterFactory
from tests.consultations.factories import (
    AssignmentFactory,
    ConsultationFactory,
    bulk_consultations,
    closed_consultation,
    valid_form_data,
)
from tests.consultations.helpers import element_text, error_summary, html_body, link_in

pytestmark = pytest.mark.django_db

NEW = reverse("consultations:new")


def status_url(consultation: Consultation) -> str:
    return reverse("consultations:status", args=[consultation.private_token])


def survey_url(survey: Survey) -> str:
    return reverse("consultations:survey", args=[survey.private_token])


def main_text(response) -> str:
    return element_text(response.content.decode(), "main")


# --- After submitting ---------------------------------------------------------------------------


def test_submitting_shows_the_reference_and_mails_the_requester_and_the_center(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, valid_form_data(email="hanako@example.jp"), follow=True)

    consultation = Consultation.objects.get()
    assert response.redirect_chain == [(reverse("consultations:submitted"), 302)]
    assert consultation.reference in main_text(response)
    acknowledgement, alert = mailoutbox
    assert acknowledgement.to == ["hanako@example.jp"]
    assert consultation.reference in acknowledgement.subject
    assert link_in(acknowledgement, "/consultations/status/") == status_url(consultation)
    assert status_url(consultation) in html_body(acknowledgement)
    assert alert.to == ["dxcenter@pref.mie.lg.jp"]
    assert consultation.reference in alert.subject
    assert reverse("admin:consultations_consultation_change", args=[consultation.pk]) in alert.body
    # The center's alert carries no personal data (it is an inbox many people read).
    assert "hanako@example.jp" not in alert.body


def test_the_submitted_page_needs_a_submission(client):
    response = client.get(reverse("consultations:submitted"))

    assert response.status_code == 302
    assert response.url == NEW


def test_the_status_link_opens_one_consultation_only(client):
    mine = ConsultationFactory(title="私の相談")
    other = ConsultationFactory(title="他人の相談")

    page = client.get(status_url(mine))

    assert page.status_code == 200
    text = main_text(page)
    assert mine.reference in text
    assert "私の相談" in text
    assert other.reference not in text
    assert "他人の相談" not in text
    # Malformed tokens never reach the view (tests/test_private_link_shape.py); a well-formed
    # one that is not this consultation's is a 404 too.
    for token in ("not-a-token", mine.private_token[:-1], mine.private_token + "x"):
        assert client.get(f"/consultations/status/{token}/").status_code == 404
    assert client.get(reverse("consultations:status", args=[new_token()])).status_code == 404
    # A survey or supporter token is not a status token.
    survey = closed_consultation().survey
    assert (
        client.get(reverse("consultations:status", args=[survey.private_token])).status_code == 404
    )


def test_the_status_page_explains_in_plain_words_and_hides_what_is_internal(
    client, center_staff, django_capture_on_commit_callbacks
):
    center_staff.first_name, center_staff.last_name = "事務", "次郎"
    center_staff.save()
    consultation = ConsultationFactory()
    services.change_status(
        consultation=consultation, to_status="triage", by=center_staff, note="要注意の相談者"
    )
    services.add_internal_note(consultation=consultation, by=center_staff, body="内部だけのメモ")
    services.change_status(consultation=consultation, to_status="matching", by=center_staff)
    declining = SupporterFactory(name="辞退 する人")
    accepting = SupporterFactory(name="関 治之")
    services.assign_supporters(
        consultation=consultation, supporters=[declining, accepting], by=center_staff
    )
    services.respond_to_assignment(
        assignment=Assignment.objects.get(supporter=declining),
        accept=False,
        reason="報酬が少ないため辞退",
    )
    before_acceptance = element_text(client.get(status_url(consultation)).content.decode(), "main")
    services.respond_to_assignment(
        assignment=Assignment.objects.get(supporter=accepting), accept=True
    )

    page = client.get(status_url(consultation)).content.decode()
    text = element_text(page, "main")

    assert "助言・提案" in text
    # Where it is on the usual path: steps 1–3 done, step 4 current.
    assert re.search(r'aria-current="step">\s*4\. 助言・提案', page)
    assert text.count("✓") == 3
    assert "アドバイザー・パートナーが助言・提案を行っています。" in text
    assert "関 治之" in text
    # Named to the requester once they accepted, not while the center only asked them.
    assert "関 治之" not in before_acceptance
    for secret in (
        "要注意の相談者",
        "内部だけのメモ",
        "事務",
        "次郎",
        center_staff.username,
        "辞退 する人",
        "報酬が少ないため辞退",
        accepting.contact_email,
    ):
        assert secret not in text


# --- Withdrawal ---------------------------------------------------------------------------------


def test_the_requester_withdraws_through_the_status_page_once(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(email="hanako@example.jp")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            status_url(consultation), {"reason": "自己解決しました", "confirm": "on"}, follow=True
        )

    consultation.refresh_from_db()
    assert consultation.status == Status.WITHDRAWN
    text = main_text(response)
    assert "相談を取り下げました。" in text
    assert "相談は取り下げられました。" in text
    # The requester is told, and the center is alerted (issue 11, item 15).
    assert [m.to for m in mailoutbox] == [["hanako@example.jp"], ["dxcenter@pref.mie.lg.jp"]]
    assert consultation.reference in mailoutbox[1].subject
    assert "自己解決しました" not in mailoutbox[1].body
    # The form is gone; posting again gets a clear refusal and changes nothing.
    assert 'name="confirm"' not in response.content.decode()
    again = client.post(status_url(consultation), {"confirm": "on"})
    assert again.status_code == 400
    assert "この相談はすでに終了しているため、取り下げできません。" in main_text(again)
    assert consultation.status_changes.filter(to_status=Status.WITHDRAWN).count() == 1


def test_withdrawing_a_closed_consultation_shows_a_clear_error(client):
    consultation = closed_consultation()

    response = client.post(status_url(consultation), {"confirm": "on"})

    assert response.status_code == 400
    assert "この相談はすでに終了しているため、取り下げできません。" in main_text(response)
    consultation.refresh_from_db()
    assert consultation.status == Status.CLOSED


def test_withdrawal_needs_the_confirmation_box(client):
    consultation = ConsultationFactory()

    response = client.post(status_url(consultation), {"reason": ""})

    assert response.status_code == 400
    assert "取り下げる場合はチェックを入れてください。" in main_text(response)
    consultation.refresh_from_db()
    assert consultation.status == Status.RECEIVED


def test_withdrawal_through_another_token_is_impossible(client):
    ConsultationFactory()

    response = client.post(reverse("consultations:status", args=[new_token()]), {"confirm": "on"})

    assert response.status_code == 404
    assert not Consultation.objects.filter(status=Status.WITHDRAWN).exists()


# --- Survey -------------------------------------------------------------------------------------


def test_closing_mails_the_survey_which_is_answered_once(
    client, center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(state=Assignment.State.ACCEPTED)
    consultation = assignment.consultation
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(consultation=consultation, to_status="closed", by=center_staff)
    (survey_mail,) = mailoutbox
    url = link_in(survey_mail, "/consultations/survey/")
    assert url == survey_url(consultation.survey)

    form = client.get(url)
    assert form.status_code == 200
    for label in ("役に立った", "やや役に立った", "あまり役に立たなかった", "役に立たなかった"):
        assert label in main_text(form)

    first = client.post(url, {"rating": "somewhat_useful", "comment": "参考になりました"})
    assert first.status_code == 302
    assert "ご回答ありがとうございました" in main_text(client.get(url))

    second = client.post(url, {"rating": "not_useful", "comment": "書き換え"})
    assert second.status_code == 400
    assert "このアンケートにはすでにご回答いただいています。" in main_text(second)
    survey = Survey.objects.get()
    assert (survey.rating, survey.comment) == ("somewhat_useful", "参考になりました")


def test_a_survey_needs_a_rating_and_a_known_token(client):
    survey = closed_consultation().survey

    response = client.post(survey_url(survey), {"rating": "excellent"})

    assert response.status_code == 400
    assert "excellent は候補にありません" in main_text(response)
    assert client.get(reverse("consultations:survey", args=[new_token()])).status_code == 404
    survey.refresh_from_db()
    assert not survey.is_answered


# --- Escaping -----------------------------------------------------------------------------------

SCRIPT = "<script>alert('xss')</script>"
BOLD = '<b onmouseover="alert(1)">太字</b>'


def test_html_typed_into_the_form_is_shown_escaped_everywhere(
    client, center_staff, mailoutbox, django_capture_on_commit_callbacks
):
    data = valid_form_data(
        name=f"見本{SCRIPT}",
        organization=f"株式会社{BOLD}",
        title=f"件名{SCRIPT}",
        description=f"本文{BOLD}\n2行目",
    )
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(NEW, data, follow=True)
    consultation = Consultation.objects.get()
    assert consultation.title == f"件名{SCRIPT}"  # stored as typed

    escaped_script = "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;"
    pages = {
        "submitted": submitted,
        "status": client.get(status_url(consultation)),
    }
    # A refused form shows the typed values back, escaped.
    pages["form-with-errors"] = client.post(NEW, {**data, "email": "bad"})
    client.force_login(center_staff)
    pages["admin-change"] = client.get(
        reverse("admin:consultations_consultation_change", args=[consultation.pk])
    )
    pages["admin-list"] = client.get(reverse("admin:consultations_consultation_changelist"))
    for name, page in pages.items():
        html = page.content.decode()
        assert "<script>alert" not in html, name
        assert "<b onmouseover" not in html, name
    for name in ("status", "form-with-errors", "admin-change", "admin-list"):
        assert escaped_script in pages[name].content.decode(), name

    # The CSV holds the text exactly as typed (it is not HTML), quoted where needed.
    export = client.get(reverse("admin:consultations_export"))
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[1][7] == f"件名{SCRIPT}"
    assert f"株式会社{BOLD}" in rows[1]

    # E-mails: the HTML body escapes, the text body is plain text, as typed.
    acknowledgement = mailoutbox[0]
    assert f"件名{SCRIPT}" in acknowledgement.body
    assert f"見本{SCRIPT} 様" in acknowledgement.body
    html_mail = html_body(acknowledgement)
    assert "<script>" not in html_mail
    assert escaped_script in html_mail
    stored = Notification.objects.get(to="hanako@example.jp")
    assert "<script>" not in stored.body_html
    staff_alert = mailoutbox[1]
    assert f"件名{SCRIPT}" in staff_alert.body


# --- Spam -------------------------------------------------------------------------------------


def test_a_filled_honeypot_is_refused_and_nothing_is_saved(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(NEW, valid_form_data(website="http://spam.example.com/"))

    assert response.status_code == 200
    assert "送信内容を確認できませんでした" in element_text(
        response.content.decode(), "error-summary"
    )
    assert Consultation.objects.count() == 0
    assert Notification.objects.count() == 0
    assert mailoutbox == []


# Frozen clock: django-ratelimit counts in fixed hourly windows, and a window must not end
# between the fifth and the sixth request.
@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_over_the_address_budget_the_form_comes_back_with_what_was_typed(client, settings):
    settings.PUBLIC_POST_RATE = "5/h"
    for n in range(5):
        response = client.post(NEW, valid_form_data(email=f"r{n}@example.jp"))
        assert response.status_code == 302, n

    sixth = client.post(NEW, valid_form_data(email="r6@example.jp", title="六件目の相談"))

    assert sixth.status_code == 429
    assert 1 <= int(sixth["Retry-After"]) <= 3600  # the end of the address's hourly window
    assert "短時間に多くの送信がありました" in error_summary(sixth.content.decode())
    assert 'value="六件目の相談"' in sixth.content.decode()  # what was typed is still there
    assert "059-224-3086" in sixth.content.decode()
    assert Consultation.objects.count() == 5
    # Reading the form is never limited, and another address may still submit.
    assert client.get(NEW).status_code == 200
    other = client.post(NEW, valid_form_data(), REMOTE_ADDR="192.0.2.10")
    assert other.status_code == 302


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_submissions_with_mistakes_never_count(client, settings):
    settings.PUBLIC_POST_RATE = "5/h"
    for _ in range(10):
        assert client.post(NEW, valid_form_data(email="bad")).status_code == 200

    assert client.post(NEW, valid_form_data()).status_code == 302
    assert Consultation.objects.count() == 1


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_an_office_behind_one_address_sends_dozens_of_forms_an_hour(client):
    # The default budget: a town hall reaching us through one LGWAN address.
    for n in range(25):
        response = client.post(NEW, valid_form_data(email=f"staff{n}@town.example.jp"))
        assert response.status_code == 302, n


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_one_mailbox_is_not_flooded_from_many_addresses(client, settings):
    settings.PUBLIC_FORM_EMAIL_RATE = "2/h"
    for n in range(2):
        response = client.post(NEW, valid_form_data(), REMOTE_ADDR=f"192.0.2.{n + 1}")
        assert response.status_code == 302

    third = client.post(NEW, valid_form_data(email="HANAKO@example.jp"), REMOTE_ADDR="192.0.2.9")

    assert third.status_code == 429
    assert Consultation.objects.count() == 2


@override_settings(RATELIMIT_ENABLE=False)
def test_with_the_rate_limit_switched_off_a_load_test_is_not_limited(client):
    for n in range(8):
        assert client.post(NEW, valid_form_data(email=f"load{n}@example.jp")).status_code == 302

    assert Consultation.objects.count() == 8


# --- Query counts of the public pages -----------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["status", "survey", "form"])
def test_public_pages_run_the_same_queries_with_5_or_500_consultations(
    client, django_assert_num_queries, page
):
    supporter = SupporterFactory()
    consultation = closed_consultation()
    url = {
        "status": status_url(consultation),
        "survey": survey_url(consultation.survey),
        "form": NEW,
    }[page]
    bulk_consultations(4, supporter=supporter)
    assert Consultation.objects.count() == 5
    with_five = count_queries(client, url)

    bulk_consultations(495, supporter=supporter, start=5000)
    assert Consultation.objects.count() == 500

    with django_assert_num_queries(with_five):
        assert client.get(url).status_code == 200


def test_the_status_page_does_not_grow_with_its_own_history(client, center_staff):
    consultation = ConsultationFactory(status=Status.ADVISING)
    AssignmentFactory(consultation=consultation)
    short = count_queries(client, status_url(consultation))

    for _ in range(5):
        # Accepted: resuming 助言・提案 needs a supporter who took the case on.
        AssignmentFactory(consultation=consultation, state=Assignment.State.ACCEPTED)
        services.change_status(consultation=consultation, to_status="on_hold", by=center_staff)
        services.change_status(consultation=consultation, to_status="advising", by=center_staff)

    assert count_queries(client, status_url(consultation)) == short


@time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_the_english_form_over_its_budget_says_from_when(client, settings):
    settings.PUBLIC_POST_RATE = "1/h"
    client.cookies["django_language"] = "en"
    assert client.post(NEW, valid_form_data(name="Maria Santos", name_kana="")).status_code == 302

    refused = client.post(NEW, valid_form_data(name="Maria Santos", name_kana="", title="Again"))

    assert refused.status_code == 429
    again = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo")) + timedelta(
        seconds=int(refused["Retry-After"])
    )
    assert f"please send it again from {again:%H:%M}." in error_summary(refused.content.decode())
