"""The whole path through public pages and the admin: form → triage → match → advice → survey."""

import re

from django.urls import reverse

from consultations.models import Assignment, Consultation, Status
from tests.advisors.factories import ExpertiseAreaFactory, SupporterFactory
from tests.consultations.factories import valid_form_data


def _link(mail, pattern: str) -> str:
    match = re.search(rf"http://[^\s]+{pattern}[^\s]+/", mail.body)
    assert match, mail.body
    return match.group(0).replace("http://127.0.0.1:8000", "")


def test_happy_path_from_form_to_survey(
    client, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    area = ExpertiseAreaFactory(slug="business-dx", name="事業者のDX")
    supporter = SupporterFactory(name="関 治之", expertise=[area])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("consultations:new"), valid_form_data())
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert re.fullmatch(r"DX-\d{4}-0001", consultation.reference)
    assert consultation.name_kana == "ミホン　ハナコ"
    assert consultation.phone == "059-000-0000"
    page = client.get(response.url)
    assert consultation.reference in page.content.decode()
    assert [m.to for m in mailoutbox] == [["hanako@example.jp"], ["dxcenter@pref.mie.lg.jp"]]
    status_path = _link(mailoutbox[0], "/consultations/status/")
    assert "受付" in client.get(status_path).content.decode()

    client.force_login(superuser)
    change_url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    assert client.get(change_url).status_code == 200
    transition = reverse("admin:consultations_transition", args=[consultation.pk])
    for to_status in ("triage", "matching"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(transition, {"to_status": to_status, "note": "確認済み"})
    consultation.refresh_from_db()
    assert consultation.status == Status.MATCHING

    match_url = reverse("admin:consultations_match", args=[consultation.pk])
    page = client.get(match_url)
    assert supporter.name in page.content.decode()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(match_url, {"supporter": [supporter.pk], "note": ""})
    consultation.refresh_from_db()
    # Asked, not yet accepted: still matching (the case page says 「マッチング（依頼中）」).
    assert consultation.status == Status.MATCHING
    assert "マッチング（依頼中）" in client.get(change_url).content.decode()
    assignment = Assignment.objects.get()
    # The supporter is asked; the requester hears only once the supporter accepts.
    assert [m.to[0] for m in mailoutbox] == [supporter.contact_email]
    supporter_mail = next(m for m in mailoutbox if m.to == [supporter.contact_email])
    assignment_path = _link(supporter_mail, "/consultations/supporter/")
    client.logout()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(assignment_path, {"action": "respond", "decision": "accept"})
    assert sorted(m.to[0] for m in mailoutbox) == ["dxcenter@pref.mie.lg.jp", "hanako@example.jp"]
    consultation.refresh_from_db()
    assert consultation.status == Status.ADVISING  # 助言・提案 begins at the acceptance
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            assignment_path,
            {"action": "advice", "held_on": "2026-11-20", "summary": "段階的な導入を提案"},
        )
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.ACCEPTED
    assert assignment.sessions.count() == 1

    client.force_login(superuser)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(transition, {"to_status": "closed", "note": ""})
    consultation.refresh_from_db()
    assert consultation.status == Status.CLOSED
    survey_path = _link(mailoutbox[0], "/consultations/survey/")
    client.logout()
    response = client.post(survey_path, {"rating": "useful", "comment": "助かりました"})
    assert response.status_code == 302
    consultation.survey.refresh_from_db()
    assert consultation.survey.rating == "useful"
