"""Every admin change list of the portal's apps runs a fixed number of queries whatever the
number of rows (spec: "admin change lists run a fixed number of queries"): each list is
opened with a few rows and with many, and the two must cost the same.

The training and procedures lists have their own tests (tests/training, tests/procedures); the
third-party lists (auth, axes, django-otp) are the libraries' business.
"""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import services as consultation_services
from kpi.models import AnnualReport, ReportIndicator
from mie_dx.audit import log_action
from mie_dx.notifications import queue_notification
from mie_dx.surveys import Rating
from tests.advisors.factories import ExpertiseAreaFactory, SupporterFactory
from tests.consultations.factories import AssignmentFactory, ConsultationFactory
from tests.kpi.factories import (
    KpiActualFactory,
    KpiFactory,
    consultation_survey,
    seminar_survey,
)
from tests.mie_dx.factories import DepartmentFactory, DivisionFactory
from tests.seminars.factories import RegistrationFactory, SeminarFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 12


def _supporter(n: int) -> None:
    SupporterFactory(expertise=[ExpertiseAreaFactory()])


def _consultation(n: int) -> None:
    AssignmentFactory(consultation=ConsultationFactory(), supporter=SupporterFactory())


def _support_record(n: int) -> None:
    consultation_services.record_support(
        supported_on=date(2023, 6, 1) + timedelta(days=n),
        organization=f"株式会社見本{n}",
        programme="startup",
        kind="matching",
        note="",
        by=None,
    )


def _kpi_actual(n: int, user) -> None:
    KpiActualFactory(kpi=KpiFactory(), fiscal_year=2022, entered_by=user)


def _annual_report(n: int) -> None:
    report = AnnualReport.objects.create(
        fiscal_year=2022, title=f"試験{n}", main_indicator=KpiFactory()
    )
    ReportIndicator.objects.create(report=report, kpi=KpiFactory())


def _audit_entry(n: int, user) -> None:
    log_action(ConsultationFactory(), "consultation.note_added", by=user, data={"note": n})


def _notification(n: int) -> None:
    with transaction.atomic():
        queue_notification(
            to=f"staff{n}@example.jp",
            template="staff_alert",
            context={"title": "試験", "lines": [str(n)]},
        )


# model label → a function adding one row (given its number and the signed-in user)
ROWS: dict[str, Callable] = {
    "advisors.ExpertiseArea": lambda n, user: ExpertiseAreaFactory(),
    "advisors.Supporter": lambda n, user: _supporter(n),
    "consultations.Consultation": lambda n, user: _consultation(n),
    "consultations.SupportRecord": lambda n, user: _support_record(n),
    "consultations.Survey": lambda n, user: consultation_survey(Rating.USEFUL, timezone.now()),
    "kpi.Kpi": lambda n, user: KpiFactory(),
    "kpi.KpiActual": _kpi_actual,
    "kpi.AnnualReport": lambda n, user: _annual_report(n),
    "mie_dx.AuditLog": _audit_entry,
    "mie_dx.Department": lambda n, user: DepartmentFactory(),
    "mie_dx.Division": lambda n, user: DivisionFactory(),
    "mie_dx.Notification": lambda n, user: _notification(n),
    "seminars.Seminar": lambda n, user: RegistrationFactory(seminar=SeminarFactory()),
    "seminars.Registration": lambda n, user: RegistrationFactory(),
    "seminars.SeminarSurvey": lambda n, user: seminar_survey(Rating.USEFUL, timezone.now()),
}
APPS_TESTED_HERE = {"advisors", "consultations", "kpi", "mie_dx", "seminars"}


def test_every_admin_list_of_these_apps_is_covered():
    registered = {
        model._meta.label
        for model in admin.site._registry
        if model._meta.app_label in APPS_TESTED_HERE
    }
    assert registered == set(ROWS)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("label", sorted(ROWS))
def test_the_list_costs_the_same_with_few_and_many_rows(client, superuser, label):
    app_label, model_name = label.lower().split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    client.force_login(superuser)
    for n in range(FEW):
        ROWS[label](n, superuser)
    client.get(url)  # the session's and the permissions' first reads
    few = _queries(client, url)

    for n in range(FEW, MANY):
        ROWS[label](n, superuser)
    many = _queries(client, url)

    assert many == few, f"{label}: {few} queries with {FEW} rows, {many} with {MANY}"
    assert few < 40, f"{label}: {few} queries"  # and a sensible number at all
