"""The staff survey (職員アンケート): sending through the outbox, one anonymous answer per
person, the reminder, the results with their ≥5 rule, the KPI figures, and that nothing in
the admin ties an answer to a person."""

import contextlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kpi.models import Measure, Policy, SourceKind
from kpi.selectors import kpi_figures
from mie_dx.models import Notification
from tests.kpi.factories import KpiActualFactory, KpiFactory
from tests.mie_dx.factories import DepartmentFactory, DivisionFactory
from tests.training.factories import StaffFactory, StaffSurveyFactory
from training import services
from training.models import (
    StaffSurvey,
    StaffSurveyAnswer,
    StaffSurveyInvitation,
    Stage,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/training/staff-survey/([A-Za-z0-9_-]{43})/")


def send(client, training_officer, survey: StaffSurvey) -> None:
    client.force_login(training_officer)
    response = client.post(reverse("training:staff_survey_send", args=[survey.pk]))
    assert response.status_code == 302
    client.logout()


def links(template: str = "staff_survey") -> dict[str, str]:
    """{address: survey path} from the outbox's e-mails."""
    return {
        n.to: LINK.search(n.body_text).group(0)
        for n in Notification.objects.filter(template=template)
    }


def answer(client, path: str, smart="yes", digital="yes", comment=""):
    return client.post(path, {"smart": smart, "digital": digital, "comment": comment})


def test_sending_queues_one_private_link_per_person_and_lists_those_without_email(
    client, training_officer
):
    survey = StaffSurveyFactory()
    with_email = StaffFactory.create_batch(3)
    without = StaffFactory(email="")
    StaffFactory(is_active=False)
    send(client, training_officer, survey)

    sent = links()
    assert set(sent) == {member.email for member in with_email}
    assert len(set(sent.values())) == 3
    assert StaffSurveyInvitation.objects.filter(survey=survey).count() == 4
    # Sending again invites nobody twice.
    send(client, training_officer, survey)
    assert Notification.objects.filter(template="staff_survey").count() == 3

    client.force_login(training_officer)
    page = client.get(reverse("training:staff_survey_results", args=[survey.pk]))
    assert without.employee_number in page.content.decode()
    assert "メールアドレスのない職員" in page.content.decode()


def test_a_person_answers_once_and_a_second_post_changes_nothing(client, training_officer):
    survey = StaffSurveyFactory()
    member = StaffFactory(stage=Stage.YEAR_5)
    send(client, training_officer, survey)
    path = links()[member.email]

    assert client.get(path).status_code == 200
    response = answer(client, path, smart="somewhat", digital="no", comment="会議が楽")
    assert response.status_code == 302
    (saved,) = StaffSurveyAnswer.objects.values("smart", "digital", "comment", "stage")
    assert saved == {"smart": "somewhat", "digital": "no", "comment": "会議が楽", "stage": "year_5"}

    again = answer(client, path, smart="yes", digital="yes", comment="変更")
    assert again.status_code == 409
    assert "すでにご回答いただいています" in again.content.decode()
    assert "変更することはできません" in again.content.decode()
    assert list(StaffSurveyAnswer.objects.values("smart", "digital", "comment", "stage")) == [saved]
    # The page after answering says thanks, with no form.
    page = client.get(path).content.decode()
    assert "ご回答ありがとうございました" in page
    assert 'name="smart"' not in page


def test_the_answer_keeps_no_link_to_the_person(client, training_officer):
    survey = StaffSurveyFactory()
    member = StaffFactory()
    send(client, training_officer, survey)
    answer(client, links()[member.email])

    fields = {field.name for field in StaffSurveyAnswer._meta.get_fields()}
    assert fields == {"id", "survey", "department", "stage", "smart", "digital", "comment"}
    invitation = StaffSurveyInvitation.objects.get()
    assert invitation.has_answered
    assert not any(
        field.get_internal_type() in {"DateTimeField", "DateField"}
        for field in StaffSurveyInvitation._meta.concrete_fields
    )


def test_an_expired_link_says_so(client, training_officer):
    survey = StaffSurveyFactory()
    member = StaffFactory()
    send(client, training_officer, survey)
    path = links()[member.email]
    StaffSurvey.objects.filter(pk=survey.pk).update(
        closes_on=timezone.localdate() - timedelta(days=1)
    )

    response = client.get(path)
    assert response.status_code == 410
    assert "有効期限が切れています" in response.content.decode()
    assert answer(client, path).status_code == 410
    assert not StaffSurveyAnswer.objects.exists()


def test_the_reminder_goes_once_and_only_to_those_who_have_not_answered(client, training_officer):
    survey = StaffSurveyFactory(reminder_days_before=3)
    answered, pending, also_pending = StaffFactory.create_batch(3)
    send(client, training_officer, survey)
    answer(client, links()[answered.email])

    too_early = survey.closes_on - timedelta(days=4)
    assert services.send_staff_survey_reminders(today=too_early) == 0
    on_the_day = survey.closes_on - timedelta(days=3)
    assert services.send_staff_survey_reminders(today=on_the_day) == 2
    assert set(links("staff_survey_reminder")) == {pending.email, also_pending.email}
    # The reminder carries the person's same link.
    assert links("staff_survey_reminder")[pending.email] == links()[pending.email]
    assert services.send_staff_survey_reminders(today=on_the_day) == 0
    assert Notification.objects.filter(template="staff_survey_reminder").count() == 2


def _answers_in(department, count: int, client, training_officer, survey) -> None:
    members = StaffFactory.create_batch(count, division=DivisionFactory(department=department))
    send(client, training_officer, survey)
    sent = links()
    for member in members:
        assert answer(client, sent[member.email], smart="no").status_code == 302


def results_page(client, user, survey) -> str:
    client.force_login(user)
    response = client.get(reverse("training:staff_survey_results", args=[survey.pk]))
    assert response.status_code == 200
    return response.content.decode()


def department_row(page: str, name: str) -> str:
    row = re.search(rf"<tr>\s*<th scope=\"row\">{name}</th>(.*?)</tr>", page, re.S)
    assert row is not None
    return row.group(1)


def test_a_department_with_four_answers_is_hidden(client, training_officer, manager):
    survey = StaffSurveyFactory()
    _answers_in(DepartmentFactory(name="四人部"), 4, client, training_officer, survey)
    row = department_row(results_page(client, manager, survey), "四人部")
    assert "回答数が少ないため非表示" in row
    assert "実感しない" not in row


def test_a_department_with_five_answers_is_shown(client, training_officer, manager):
    survey = StaffSurveyFactory()
    _answers_in(DepartmentFactory(name="五人部"), 5, client, training_officer, survey)
    row = department_row(results_page(client, manager, survey), "五人部")
    assert "回答数が少ないため非表示" not in row
    assert "実感しない：5件（100.0%）" in row


def test_one_small_department_cannot_be_had_by_subtraction(client, training_officer, manager):
    survey = StaffSurveyFactory()
    _answers_in(DepartmentFactory(name="少数部"), 2, client, training_officer, survey)
    _answers_in(DepartmentFactory(name="中規模部"), 6, client, training_officer, survey)
    _answers_in(DepartmentFactory(name="大規模部"), 9, client, training_officer, survey)
    page = results_page(client, manager, survey)
    assert "回答数が少ないため非表示" in department_row(page, "少数部")
    # The smallest shown department is hidden too, so overall − shown ≠ the small one.
    assert "回答数が少ないため非表示" in department_row(page, "中規模部")
    assert "回答数が少ないため非表示" not in department_row(page, "大規模部")


def test_no_admin_page_ties_an_answer_to_a_person(client, training_officer, superuser):
    survey = StaffSurveyFactory()
    member = StaffFactory(name="匿名 確認")
    send(client, training_officer, survey)
    answer(client, links()[member.email], comment="ひみつの感想XYZ")

    assert StaffSurveyAnswer not in admin.site._registry
    assert StaffSurveyInvitation not in admin.site._registry
    client.force_login(superuser)
    visited = 0
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls = [reverse("admin:{}_{}_changelist".format(*info))]
        obj = model._default_manager.first()
        if obj is not None:
            urls += [
                reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
                reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
            ]
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse("admin:{}_{}_export".format(*info)))
        for url in urls:
            response = client.get(url)
            visited += 1
            assert response.status_code in (200, 302, 403), url
            body = response.content.decode(errors="replace")
            assert "ひみつの感想XYZ" not in body, url
            if "匿名 確認" in body:
                # Where the person is shown, nothing of a survey answer is.
                assert "staffsurveyanswer" not in body.lower(), url
                assert "実感する" not in body, url
    assert visited > 50
    # The results page (not the admin) shows the comment, with no name.
    page = results_page(client, superuser, survey)
    assert "匿名 確認" not in page.split("メールアドレスのない職員")[0]


# ----------------------------------------------------------------------------- KPI figures


@pytest.fixture
def survey_kpis():
    common = {
        "policy": Policy.REPORT,
        "measure": Measure.PERCENTAGE,
        "unit": "%",
        "baseline_value": None,
        "final_target_value": None,
        "source": SourceKind.COMPUTED,
        "first_computed_fiscal_year": 2021,
    }
    main = KpiFactory(code="県政レポート 主指標", slug="report-main", **common)
    digital = KpiFactory(code="行政運営6 b", slug="gyosei-6-b", **common)
    KpiActualFactory(kpi=main, fiscal_year=2020, value=Decimal("31.7"))
    KpiActualFactory(kpi=main, fiscal_year=2021, value=Decimal("31.8"))
    return main, digital


def shown(code: str, fy: int):
    figures = next(f for f in kpi_figures() if f.kpi.code == code)
    return next((y for y in figures.years if y.fiscal_year == fy), None)


def test_the_kpis_equal_a_hand_count(client, training_officer, survey_kpis):
    fy = StaffSurveyFactory.fiscal_year.function()
    survey = StaffSurveyFactory(fiscal_year=fy)
    answers = [
        ("yes", "yes"),
        ("yes", "somewhat"),
        ("somewhat", "somewhat"),
        ("somewhat", "not_really"),
        ("not_really", "no"),
        ("no", "yes"),
        ("yes", "not_really"),
    ]
    members = StaffFactory.create_batch(len(answers) + 1)  # one does not answer
    send(client, training_officer, survey)
    sent = links()
    for member, (smart, digital) in zip(members, answers, strict=False):
        answer(client, sent[member.email], smart=smart, digital=digital)

    # By hand: 実感する 3 of 7 = 42.9 %; top two 5 of 7 = 71.4 %; 定着 (+やや) 4 of 7 = 57.1 %.
    assert shown("県政レポート 主指標", fy).actual == Decimal("42.9")
    assert shown("行政運営6 b", fy).actual == Decimal("57.1")
    page = results_page(client, training_officer, survey)
    assert "42.9%" in page and "71.4%" in page and "57.1%" in page
    assert "87.5%" in page  # response rate 7 of 8


def test_years_without_a_round_keep_their_entered_values(survey_kpis):
    assert shown("県政レポート 主指標", 2020).actual == Decimal("31.7")
    r3 = shown("県政レポート 主指標", 2021)
    assert r3.actual == Decimal("31.8")
    assert r3.source == SourceKind.ENTERED


def test_a_round_replaces_the_entered_value_of_its_year(survey_kpis):
    survey = StaffSurveyFactory(fiscal_year=2021)
    department = DepartmentFactory()
    StaffSurveyAnswer.objects.bulk_create(
        [
            StaffSurveyAnswer(
                survey=survey, department=department, stage=Stage.OTHER, smart=s, digital="no"
            )
            for s in ["yes"] * 159 + ["somewhat"] * 246 + ["no"] * 95
        ]
    )
    r3 = shown("県政レポート 主指標", 2021)
    assert r3.actual == Decimal("31.8")
    assert r3.source == SourceKind.COMPUTED
    assert shown("行政運営6 b", 2021).actual == Decimal("0.0")


# ----------------------------------------------------------------------------- query counts


def _answers(survey: StaffSurvey, count: int) -> None:
    departments = [DepartmentFactory() for _ in range(6)]
    StaffSurveyAnswer.objects.bulk_create(
        [
            StaffSurveyAnswer(
                survey=survey,
                department=departments[i % 6],
                stage=Stage.values[i % len(Stage.values)],
                smart=["yes", "somewhat", "not_really", "no"][i % 4],
                digital=["yes", "somewhat", "not_really", "no"][(i // 4) % 4],
                comment="感想" if i % 10 == 0 else "",
            )
            for i in range(count)
        ]
    )


def _results_queries(client, user, survey) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("training:staff_survey_results", args=[survey.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_results_page_costs_the_same_with_few_and_many_answers(client, manager):
    client.force_login(manager)
    small, large = StaffSurveyFactory(), StaffSurveyFactory()
    _answers(small, 60)
    _answers(large, 600)
    client.get(reverse("training:staff_survey_results", args=[small.pk]))  # warm caches
    assert _results_queries(client, manager, small) == _results_queries(client, manager, large)


def _send_queries(survey: StaffSurvey) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.send_staff_survey(survey=survey)
    return len(queries)


def test_sending_writes_the_outbox_in_the_same_queries_for_few_and_many(db):
    division = DivisionFactory()
    ContentType.objects.get_for_model(StaffSurvey)  # the audit log's cached look-up, warm
    StaffFactory.create_batch(20, division=division)
    few = _send_queries(StaffSurveyFactory())
    StaffFactory.create_batch(380, division=division)
    many = _send_queries(StaffSurveyFactory())
    assert few == many
    assert Notification.objects.filter(template="staff_survey").count() == 20 + 400


def test_under_five_answers_nothing_of_the_answers_is_shown(
    client, training_officer, manager, survey_kpis
):
    survey = StaffSurveyFactory()
    _answers_in(DepartmentFactory(name="小部"), 4, client, training_officer, survey)
    page = results_page(client, manager, survey)
    assert "全体の集計も回答が5件以上になるまで表示しません" in page
    assert "設問ごとの回答" not in page
    assert shown("県政レポート 主指標", survey.fiscal_year).actual is None


def test_the_beat_runs_the_reminder_task_and_the_task_sends_the_e_mails(
    client, training_officer, capture_mail
):
    from mie_dx.celery import app
    from training.tasks import send_staff_survey_reminders

    entry = app.conf.beat_schedule["training-staff-survey-reminders"]
    assert entry["task"] == "training.tasks.send_staff_survey_reminders"

    survey = StaffSurveyFactory(
        closes_on=timezone.localdate() + timedelta(days=2), reminder_days_before=3
    )
    member = StaffFactory(email="pending@example.jp")
    send(client, training_officer, survey)
    with capture_mail() as sent:
        assert send_staff_survey_reminders() == 1
    assert [m.to for m in sent] == [["pending@example.jp"]]
    assert LINK.search(sent[0].body).group(0) == links()[member.email]


def test_the_kpi_drill_down_lists_rounds_not_people(client, training_officer, survey_kpis):
    from kpi.selectors import drilldown_records

    survey = StaffSurveyFactory(title="ドリルダウン確認")
    members = StaffFactory.create_batch(5, name="名前の見える人")
    send(client, training_officer, survey)
    sent = links()
    for member in members:
        answer(client, sent[member.email], smart="yes")
    main, _digital = survey_kpis
    records = drilldown_records(main, survey.fiscal_year)
    assert [(r["reference"], r["detail"]) for r in records] == [
        ("ドリルダウン確認", "回答5件のうち5件")
    ]
    assert "名前の見える人" not in str(records)
