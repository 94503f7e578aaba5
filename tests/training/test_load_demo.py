"""`load_demo` loads the seed's R4 training plan and a marked sample roster, once."""

import pytest
from django.core.management import call_command

from training.models import (
    Course,
    CourseRun,
    Enrolment,
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
    assert StagePeriod.objects.filter(stage=Stage.NEW_HIRE).count() == 2
    # The generated people are marked.
    assert Staff.objects.count() == 1000
    assert not Staff.objects.filter(is_sample=False).exists()
    assert all(
        name.startswith("【サンプル】") for name in Staff.objects.values_list("name", flat=True)
    )
    # 養成研修 R4: 23 trainees, 12 municipal observers (seed), certified ones counted once.
    assert Enrolment.objects.filter(course__code="SP02").count() == 23
    assert MunicipalObserver.objects.filter(fiscal_year=2022).count() == 12
    assert SpecialistCertification.objects.filter(fiscal_year=2022).count() == 20


def test_the_plan_page_shows_the_matrix(client, training_officer):
    call_command("load_demo", verbosity=0)
    client.force_login(training_officer)
    page = client.get("/training/plan/?fy=2022").content.decode()
    assert "令和4年度の研修計画" in page
    assert "210名" in page and "① 4-7月" in page and "12-3月" in page
    assert page.count('aria-hidden="true">●') == 6 + 1 + 2 + 3 + 3 + 2 + 3  # the seed's dots
    assert "DX推進スペシャリスト養成研修" in page and "ワークショップ1" in page
