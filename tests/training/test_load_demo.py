"""`load_demo` loads the seed's R4 training plan and a marked sample roster, once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count

from mie_dx.registry import kpi_sources
from training.models import (
    Course,
    CourseRun,
    Enrolment,
    Initiative,
    MunicipalObserver,
    SpecialistCertification,
    Staff,
    Stage,
    StagePeriod,
)

pytestmark = pytest.mark.django_db


def test_the_r4_plan_and_a_sample_roster_idempotently():
    call_command("load_demo", verbosity=0)
    counts = (
        Course.objects.count(),
        CourseRun.objects.count(),
        StagePeriod.objects.count(),
        Staff.objects.count(),
        Enrolment.objects.count(),
    )
    call_command("load_demo", verbosity=0)
    assert counts == (
        Course.objects.count(),
        CourseRun.objects.count(),
        StagePeriod.objects.count(),
        Staff.objects.count(),
        Enrolment.objects.count(),
    )
    # Every course of the seed's plan, the matrix's headcounts and periods.
    assert Course.objects.count() == 22
    assert Course.objects.get(code="EL01").target_stages == [
        s.value for s in Stage if s != Stage.OTHER
    ]
    headcounts = dict(StagePeriod.objects.values_list("stage", "headcount"))
    assert headcounts == {
        Stage.NEW_HIRE: 210,
        Stage.YEAR_5: 100,
        Stage.NEW_CHIEF: 120,
        Stage.NEW_SUBSECTION_HEAD: 240,
        Stage.NEW_TEAM_LEADER: 170,
        Stage.NEW_DIVISION_HEAD: 100,
    }
    assert StagePeriod.objects.filter(stage=Stage.NEW_HIRE, fiscal_year=2022).count() == 2
    # The generated people are marked.
    assert Staff.objects.count() == 1000
    assert not Staff.objects.filter(is_sample=False).exists()
    assert all(
        name.startswith("【サンプル】") for name in Staff.objects.values_list("name", flat=True)
    )
    # DX推進スペシャリスト (seed §6): 14 certified by the end of R3; R4's 養成研修 has 23
    # prefecture staff, all certified in R4, and 12 municipal observers, never certified.
    assert Enrolment.objects.filter(course__code="SP02", fiscal_year=2022).count() == 23
    assert MunicipalObserver.objects.filter(fiscal_year=2022).count() == 12
    by_year = dict(
        SpecialistCertification.objects.values_list("fiscal_year").annotate(n=Count("pk"))
    )
    assert by_year == {2021: 14, 2022: 23}
    r3 = SpecialistCertification.objects.filter(fiscal_year=2021)
    assert all(date(2021, 4, 1) <= c.certified_on <= date(2022, 3, 31) for c in r3)
    assert all(c.enrolment.course.code == "SP02" for c in r3.select_related("enrolment__course"))
    assert all(c.staff.is_sample for c in SpecialistCertification.objects.select_related("staff"))


def test_the_demos_specialist_initiatives_give_a_meaningful_kpi_figure():
    """Worked out by hand from training.demo.R4_INITIATIVES: 21 initiatives in R4; the four
    養成研修 group works have only trainees (certified on 20 January 2023) and are not counted."""
    call_command("load_demo", verbosity=0)

    assert Initiative.objects.count() == 21
    assert not Initiative.objects.filter(is_sample=False).exists()
    assert not Initiative.objects.exclude(title__startswith="【サンプル】").exists()
    (source,) = kpi_sources()["行政運営6 a"]
    assert source([2021, 2022, 2023])[2022].numerator == 21 - 4
    # Every specialist of the R3 cohort takes part in an initiative of R4 (≥1 a year).
    r3 = Staff.objects.filter(certifications__fiscal_year=2021)
    assert not r3.exclude(initiatives__date__gte=date(2022, 4, 1)).exists()


def test_the_plan_page_shows_the_matrix(client, training_officer):
    call_command("load_demo", verbosity=0)
    client.force_login(training_officer)
    page = client.get("/training/plan/?fy=2022").content.decode()
    assert "令和4年度の研修計画" in page
    assert "210名" in page and "① 4-7月" in page and "12-3月" in page
    assert page.count('aria-hidden="true">●') == 6 + 1 + 2 + 3 + 3 + 2 + 3  # the seed's dots
    assert "DX推進スペシャリスト養成研修" in page and "ワークショップ1" in page


@time_machine.travel(datetime(2026, 12, 8, 10, tzinfo=ZoneInfo("Asia/Tokyo")), tick=False)
def test_the_current_year_has_the_plan_and_live_figures_r4_kept(client, training_officer):
    """On 8 December 2026 (令和8年度) a fresh demo has R8's plan (the R4 plan's periods moved),
    enrolments, completions up to today and people overdue; R4 is as the seed has it."""
    call_command("load_demo", verbosity=0)
    r4_runs = CourseRun.objects.filter(fiscal_year=2022).count()
    call_command("load_demo", verbosity=0)

    assert CourseRun.objects.filter(fiscal_year=2026).count() == r4_runs
    assert CourseRun.objects.filter(fiscal_year=2022).count() == r4_runs
    assert StagePeriod.objects.filter(fiscal_year=2026).count() == 7
    assert CourseRun.objects.filter(fiscal_year=2026, label__contains="R4").count() == 0
    this_year = Enrolment.objects.filter(fiscal_year=2026)
    assert this_year.count() > 1000
    assert not this_year.filter(completed_on__gt=date(2026, 12, 8)).exists()
    assert this_year.filter(completed_on__isnull=False).exists()
    # Periods not begun (February's security training) have no completion yet.
    assert not this_year.filter(course__code="SE01", completed_on__isnull=False).exists()
    # No certification in R8: the KPI's figures stay as the seed's.
    assert not SpecialistCertification.objects.filter(fiscal_year=2026).exists()

    client.force_login(training_officer)
    dashboard = client.get("/training/").content.decode()
    assert "令和8年度" in dashboard and "研修データはまだありません" not in dashboard
    overdue = client.get("/training/overdue/").content.decode()
    assert "令和8年度" in overdue and "該当はありません" not in overdue
    promoters = client.get("/training/promoters/").content.decode()
    assert "令和8年度" in promoters


def test_the_demos_r3_staff_survey_gives_the_plans_r3_figures(client, manager):
    """The sample R3 round: 500 answers of 1,000 invited; 31.8 % 実感する (県政レポート 主指標),
    81.0 % with やや実感する (the report's 81 %), 64.0 % for 行政運営6 b — on the KPIs as
    computed figures, and on the results page."""
    from decimal import Decimal

    from django.urls import reverse

    from kpi.models import SourceKind
    from kpi.selectors import kpi_figures
    from training.models import StaffSurvey

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # once
    (survey,) = StaffSurvey.objects.all()
    assert survey.is_sample and survey.title.startswith("【サンプル】")
    assert survey.answers.count() == 500
    assert survey.invitations.count() == 1000

    r3 = {
        f.kpi.code: next(y for y in f.years if y.fiscal_year == 2021)
        for f in kpi_figures()
        if f.kpi.code in ("県政レポート 主指標", "行政運営6 b")
    }
    assert r3["県政レポート 主指標"].actual == Decimal("31.8")
    assert r3["県政レポート 主指標"].source == SourceKind.COMPUTED
    assert r3["行政運営6 b"].actual == Decimal("64.0")

    client.force_login(manager)
    page = client.get(reverse("training:staff_survey_results", args=[survey.pk])).content
    assert "81.0%" in page.decode() and "50.0%" in page.decode()
