"""The training office's pages: who may see them, names only with the personal-data
permission, exports, auto-enrolment from the page, and a fixed number of queries."""

from datetime import date

import pytest
from django.urls import reverse

from tests.mie_dx.factories import DivisionFactory
from tests.training.factories import (
    CourseRunFactory,
    EnrolmentFactory,
    InitiativeFactory,
    SpecialistCertificationFactory,
    StaffFactory,
)
from training import services
from training.models import (
    Enrolment,
    Initiative,
    PromoterAppointment,
    SpecialistCertification,
    Staff,
    Stage,
)

pytestmark = pytest.mark.django_db
FY = 2022

PAGES = [
    "/training/",
    "/training/overdue/",
    "/training/specialists/",
    "/training/promoters/",
    "/training/plan/",
    "/training/export/courses/",
    "/training/export/overdue/",
]


@pytest.fixture
def overdue():
    """An unfinished mandatory enrolment whose period ended, of a named member of staff."""
    run = CourseRunFactory(course__name="DXの基礎", ends_on=date(FY, 7, 29))
    return EnrolmentFactory(run=run, staff__name="三重 太郎", staff__employee_number="A0001")


@pytest.fixture
def certified():
    from training.models import Course

    run = CourseRunFactory(
        course__category=Course.Category.SPECIALIST_TRAINING, course__is_mandatory=False
    )
    enrolment = EnrolmentFactory(run=run, staff__name="伊勢 花子")
    services.record_completion(enrolment=enrolment, completed_on=date(FY, 9, 1), by=None)
    return enrolment


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ["center_staff", "procedure_officer", "public_user"])
@pytest.mark.parametrize("path", PAGES)
def test_other_roles_see_nothing(client, request, role, path, overdue):
    client.force_login(request.getfixturevalue(role))
    response = client.get(path)
    assert response.status_code == 403
    assert "三重 太郎" not in response.content.decode()


@pytest.mark.parametrize("path", PAGES)
def test_officers_and_managers_may_open_every_page(client, training_officer, manager, path):
    for user in (training_officer, manager):
        client.force_login(user)
        assert client.get(path).status_code == 200


def test_officers_see_names_managers_only_figures(
    client, training_officer, manager, overdue, certified
):
    urls = ["/training/overdue/?fy=2022", "/training/specialists/?fy=2022"]
    exports = ["/training/export/overdue/?fy=2022", "/training/export/specialists/?fy=2022"]
    client.force_login(training_officer)
    officer = [client.get(u).content.decode() for u in urls + exports]
    client.force_login(manager)
    managers = [client.get(u).content.decode() for u in urls + exports]
    assert "三重 太郎" in officer[0] and "三重 太郎" in officer[2]
    assert "伊勢 花子" in officer[1] and "伊勢 花子" in officer[3]
    for page in managers:
        assert "三重 太郎" not in page and "伊勢 花子" not in page
        assert "A0001" not in page
    assert "DXの基礎" in managers[0] and "DXの基礎" in managers[2]  # the figures are there


def test_dashboard_shows_rates_and_the_department_drill_down(client, manager, overdue):
    EnrolmentFactory(run=overdue.run, completed_on=date(FY, 5, 1), division=overdue.division)
    client.force_login(manager)
    page = client.get("/training/?fy=2022").content.decode()
    assert "50.0%" in page
    department = overdue.division.department
    link = reverse("training:department", args=[department.code])
    assert link in page
    drill = client.get(f"{link}?fy=2022").content.decode()
    assert overdue.division.name in drill and "50.0%" in drill
    assert client.get(reverse("training:department", args=["NOPE"])).status_code == 404


def test_xlsx_export(client, training_officer, overdue):
    client.force_login(training_officer)
    response = client.get("/training/export/courses/?fy=2022&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="training-courses-2022-'
    )
    csv = client.get("/training/export/courses/?fy=2022")
    assert csv.content.startswith("\ufeff".encode())
    assert csv["Cache-Control"] == "private, no-store"
    assert csv["Content-Disposition"].endswith('.csv"')
    assert "DXの基礎" in csv.content.decode()
    assert client.get("/training/export/unknown/").status_code == 404


def test_a_formula_in_a_name_is_exported_as_text(client, training_officer, overdue):
    Staff.objects.filter(pk=overdue.staff_id).update(name="=HYPERLINK(1)")
    client.force_login(training_officer)
    content = client.get("/training/export/overdue/?fy=2022").content.decode()
    assert "'=HYPERLINK(1)" in content


def test_auto_enrolment_from_the_page(client, training_officer, manager):
    CourseRunFactory(course__target_stages=[Stage.NEW_HIRE])
    StaffFactory.create_batch(3, stage=Stage.NEW_HIRE)
    client.force_login(manager)
    assert client.post("/training/enrol/", {"fy": FY}).status_code == 403
    assert Enrolment.objects.count() == 0
    client.force_login(training_officer)
    response = client.post("/training/enrol/", {"fy": FY})
    assert response.status_code == 302
    assert Enrolment.objects.count() == 3
    client.post("/training/enrol/", {"fy": FY})
    assert Enrolment.objects.count() == 3


def _build(size: int) -> None:
    """`size` staff over 10 divisions, each enrolled in 2 courses, a third completed, and
    promoters in half of the divisions."""
    divisions = [DivisionFactory() for _ in range(10)]
    runs = [CourseRunFactory(), CourseRunFactory(ends_on=date(FY, 12, 1))]
    staff = Staff.objects.bulk_create(
        Staff(
            employee_number=f"Q{i:06d}",
            name=f"テスト{i}",
            division=divisions[i % 10],
            stage=Stage.NEW_HIRE,
        )
        for i in range(size)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            staff=s,
            run=run,
            course_id=run.course_id,
            fiscal_year=FY,
            division_id=s.division_id,
            stage=s.stage,
            completed_on=date(FY, 5, 1) if i % 3 == 0 else None,
        )
        for i, s in enumerate(staff)
        for run in runs
    )
    PromoterAppointment.objects.bulk_create(
        PromoterAppointment(
            division=d, fiscal_year=FY, role=PromoterAppointment.Role.PRIMARY, staff=staff[n]
        )
        for n, d in enumerate(divisions[:5])
    )


@pytest.mark.parametrize("size", [50, 5000])
@pytest.mark.parametrize(
    "path",
    [
        "/training/?fy=2022",
        "/training/overdue/?fy=2022",
        "/training/specialists/?fy=2022",
        "/training/promoters/?fy=2022",
        "/training/plan/?fy=2022",
        "/training/export/departments/?fy=2022",
    ],
)
def test_pages_keep_a_fixed_number_of_queries(
    client, training_officer, django_assert_max_num_queries, size, path
):
    _build(size)
    department = DivisionFactory().department
    client.force_login(training_officer)
    with django_assert_max_num_queries(14):
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/training/departments/{department.code}/?fy=2022").status_code == 200


# --- Specialists and their initiatives (KPI 行政運営6 a) -------------------------------------


def test_the_specialists_page_shows_the_years_intake_against_the_plan_and_the_total(
    client, manager
):
    CourseRunFactory(fiscal_year=2021, starts_on=date(2021, 5, 1), ends_on=date(2022, 3, 31))
    CourseRunFactory()  # R4: the years a page offers are those with training
    SpecialistCertificationFactory.create_batch(14, certified_on=date(2022, 3, 18))
    SpecialistCertificationFactory.create_batch(3, certified_on=date(2023, 1, 20))
    client.force_login(manager)

    r4 = client.get("/training/specialists/", {"fy": 2022})
    r3 = client.get("/training/specialists/", {"fy": 2021})

    intake = r4.context["intake"]
    assert (intake.certified, intake.planned, intake.cumulative) == (3, 20, 17)
    page = r4.content.decode()
    assert "令和4年度に認定" in page and "計画：毎年20名程度" in page
    assert "認定者の累計（令和4年度末まで）" in page and "17名" in page
    assert (r3.context["intake"].certified, r3.context["intake"].cumulative) == (14, 14)


def test_initiatives_are_listed_per_year_with_whether_the_kpi_counts_them(client, training_officer):
    CourseRunFactory()  # R4: the years a page offers are those with training
    specialist = SpecialistCertificationFactory(certified_on=date(2022, 3, 18)).staff
    trainee = SpecialistCertificationFactory(certified_on=date(2023, 1, 20)).staff
    InitiativeFactory(title="計上される取組", date=date(2022, 6, 1), specialists=[specialist])
    InitiativeFactory(title="研修生だけの取組", date=date(2022, 9, 1), specialists=[trainee])
    InitiativeFactory(title="参画者なしの取組", date=date(2022, 9, 2))
    InitiativeFactory(title="翌年度の取組", date=date(2023, 4, 1), specialists=[trainee])
    client.force_login(training_officer)

    response = client.get("/training/specialists/", {"fy": 2022})

    rows = {(r.fiscal_year, r.recorded, r.counted) for r in response.context["initiatives_by_year"]}
    assert rows == {(2022, 3, 1), (2023, 1, 1)}  # each year its own count
    listed = {i.title: (i.specialist_count, i.certified_specialist_count, i.counted)
              for i in response.context["initiatives"]}  # fmt: skip
    assert listed == {
        "計上される取組": (1, 1, True),
        "研修生だけの取組": (1, 0, False),
        "参画者なしの取組": (0, 0, False),
    }
    page = response.content.decode()
    assert "計上しない（実施日に認定済みのスペシャリストなし）" in page
    assert "計上しない（スペシャリストの参画なし）" in page
    assert "累計（ポータル登録分）" not in page

    export = client.get("/training/export/initiatives/", {"fy": 2022}).content.decode("utf-8-sig")
    header, *lines = export.splitlines()
    assert header == "実施日,取組名,所属,参加スペシャリスト数,うち実施日までに認定,KPIに計上,成果"
    assert any("計上される取組" in line and ",1,1,計上," in line for line in lines)


def _specialists_and_initiatives(size: int) -> None:
    """`size` certified specialists (half R3, half R4) and `size` initiatives over R4–R5."""
    division = DivisionFactory()
    staff = Staff.objects.bulk_create(
        Staff(employee_number=f"P{i:06d}", name=f"テスト{i}", division=division)
        for i in range(size)
    )
    SpecialistCertification.objects.bulk_create(
        SpecialistCertification(
            staff=s,
            fiscal_year=2021 if i % 2 else 2022,
            certified_on=date(2022, 3, 18) if i % 2 else date(2023, 1, 20),
        )
        for i, s in enumerate(staff)
    )
    initiatives = Initiative.objects.bulk_create(
        Initiative(title=f"取組{i}", division=division, date=date(2022 + i % 2, 10, 1))
        for i in range(size)
    )
    Initiative.specialists.through.objects.bulk_create(
        Initiative.specialists.through(initiative=initiative, staff=staff[i])
        for i, initiative in enumerate(initiatives)
    )


@pytest.mark.parametrize("size", [10, 2000])
@pytest.mark.parametrize(
    "path",
    [
        "/training/specialists/?fy=2022",
        "/training/export/initiatives/?fy=2022",
        "/training/export/specialists/?fy=2022",
    ],
)
def test_the_specialists_pages_keep_a_fixed_number_of_queries(
    client, training_officer, django_assert_max_num_queries, size, path
):
    CourseRunFactory()
    _specialists_and_initiatives(size)
    client.force_login(training_officer)
    with django_assert_max_num_queries(14):
        assert client.get(path).status_code == 200


def test_the_specialists_page_offers_every_year_the_kpi_counts(client, manager):
    """The KPI's drill-down links to ?fy= of each year it counts, with or without training
    runs recorded that year."""
    specialist = SpecialistCertificationFactory(certified_on=date(2022, 3, 18)).staff
    InitiativeFactory(title="令和7年度の取組", date=date(2025, 6, 1), specialists=[specialist])
    client.force_login(manager)

    response = client.get("/training/specialists/", {"fy": 2025})

    assert response.context["fy"] == 2025
    assert [i.title for i in response.context["initiatives"]] == ["令和7年度の取組"]
    assert "令和3年度" in dict(response.context["fy_form"].fields["fy"].choices).values()
