"""The dashboard, the KPI page, the drill-down and the export: who may open them, what they
show, the export's format and the dashboard's fixed number of queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from consultations.models import Status
from kpi.demo import load_kpis
from mie_dx.fiscal import fiscal_year
from mie_dx.registry import kpi_sources
from mie_dx.surveys import Rating
from tests.kpi.factories import consultation_survey, consultation_through, seminar_survey

pytestmark = pytest.mark.django_db

PAGES = ["/kpi/", "/kpi/10-1-a/", "/kpi/10-1-b/drilldown/2022/", "/kpi/export.csv"]


@pytest.fixture
def kpis():
    load_kpis()


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, kpis, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    "who", ["public_user", "center_staff", "training_officer", "procedure_officer"]
)
def test_everyone_but_managers_is_refused(client, kpis, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["manager", "superuser"])
def test_managers_and_superusers_may_read(client, kpis, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 200


def test_staff_given_the_permission_may_read(client, kpis, center_staff):
    from django.contrib.auth.models import Permission

    center_staff.user_permissions.add(Permission.objects.get(codename="view_kpi"))
    client.force_login(get_user_model().objects.get(pk=center_staff.pk))
    assert client.get("/kpi/").status_code == 200


def test_dashboard_shows_each_kpi_with_the_seed_figures(client, kpis, manager):
    client.force_login(manager)
    html = client.get("/kpi/").content.decode()
    for code in ["10-1 a", "10-1 b", "10-2 a", "10-2 b", "行政運営6 a", "行政運営6 b"]:
        assert code in html
    assert "令和3年度" in html and "令和8年度" in html
    assert "31.8%" in html and "0.80" in html  # 県政レポート: 31.8 ÷ 40.0
    assert "C（あまり進まなかった）" in html
    assert "（年度途中）" in html  # this fiscal year has not ended
    # Every KPI with figures has its chart; 行政運営6 b (under survey, no target) says so.
    assert html.count("<svg") == 8
    assert "現状値は「調査中」で、目標値と実績はまだありません。" in html
    assert 'role="img"' in html


def test_kpi_page_shows_the_counting_rule_the_table_and_drilldown_links(client, kpis, manager):
    consultation_through((Status.ADVISING, timezone.now() - timedelta(days=1)))
    client.force_login(manager)

    html = client.get("/kpi/10-1-b/").content.decode()

    # The counting rule is the code's own: each source of the KPI states it.
    rules = [str(source.rule) for source in kpi_sources()["10-1 b"]]
    assert rules
    for rule in rules:
        assert rule in html
    assert "/kpi/10-1-b/drilldown/" in html
    assert client.get("/kpi/no-such-kpi/").status_code == 404


def test_drilldown_lists_references_dates_and_answers_without_personal_data(client, kpis, manager):
    survey = consultation_survey(Rating.USEFUL, timezone.now() - timedelta(hours=1))
    seminar_survey(Rating.NOT_USEFUL, timezone.now() - timedelta(hours=1))
    client.force_login(manager)
    from mie_dx.fiscal import fiscal_year

    fy = fiscal_year(timezone.localdate())
    html = client.get(f"/kpi/10-1-a/drilldown/{fy}/").content.decode()

    assert survey.consultation.reference in html
    assert "役に立った" in html and "役に立たなかった" in html
    for personal in ("見本 花子", "hanako@example.jp", "見本 太郎"):
        assert personal not in html
    # The baseline year is entered, not computed: no drill-down.
    assert client.get("/kpi/10-1-a/drilldown/2021/").status_code == 404


def test_export_follows_the_spec(client, kpis, manager):
    client.force_login(manager)

    response = client.get("/kpi/export.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    # The spec's seven columns in order (a contract), then the name, grade, note and status.
    assert list(rows[0]) == [
        "code",
        "fiscal_year",
        "label",
        "target",
        "actual",
        "achievement",
        "source",
        "name",
        "grade",
        "note",
        "status",
    ]
    assert response["Cache-Control"] == "private, no-store"
    by_key = {(r["code"], r["fiscal_year"]): r for r in rows}
    assert by_key[("県政レポート 主指標", "2021")] == {
        "code": "県政レポート 主指標",
        "fiscal_year": "2021",
        "label": "令和3年度",
        "target": "40.0",
        "actual": "31.8",
        "achievement": "0.80",
        "source": "entered",
        "name": "スマート自治体の進展を実感する職員の割合",
        "grade": "C",
        "note": "令和4年版県政レポート（施策の進展度C）",
        "status": "behind",
    }
    assert by_key[("県政レポート 副指標1", "2021")]["status"] == "achieved"
    assert by_key[("10-2 b", "2021")]["status"] == ""  # the baseline year
    this_year = str(fiscal_year(timezone.localdate()))
    # 10-2 b is counted from the register of joint initiatives (none in this test): the
    # baseline's 7 carried forward, computed.
    assert by_key[("10-2 b", this_year)]["source"] == "computed"
    assert by_key[("10-2 a", "2022")]["target"] == "76.0"  # a percentage as 76.0
    assert (by_key[("10-2 b", "2022")]["actual"], by_key[("10-2 b", "2022")]["source"]) == (
        "7",
        "computed",
    )
    assert by_key[("10-1 a", "2021")]["actual"] == "90.0"
    assert by_key[("県政レポート 副指標2", "2021")]["actual"] == "62457"


def test_export_marks_computed_figures(client, kpis, manager):
    consultation_through((Status.ADVISING, timezone.now() - timedelta(hours=1)))
    client.force_login(manager)
    from mie_dx.fiscal import fiscal_year

    fy = str(fiscal_year(timezone.localdate()))
    rows = csv.DictReader(io.StringIO(client.get("/kpi/export.csv").content.decode("utf-8-sig")))
    row = next(r for r in rows if r["code"] == "10-1 b" and r["fiscal_year"] == fy)
    assert row["source"] == "computed"
    assert row["actual"] == "27"


def _records(n: int) -> None:
    at = timezone.now() - timedelta(hours=2)
    for i in range(n):
        consultation_survey([Rating.USEFUL, Rating.NOT_USEFUL][i % 2], at)
        seminar_survey(Rating.SOMEWHAT_USEFUL, at)
        consultation_through((Status.ADVISING, at))


# session (read, save) + user + 2 permission queries + the second factor's device (2) + 3 (KPIs,
# targets, actuals) + one query per registered source (consultation surveys, seminar surveys,
# consultations reaching advice, procedures, ...): fixed whatever the number of rows.
DASHBOARD_QUERIES = 12 + sum(len(sources) for sources in kpi_sources().values())


@pytest.mark.parametrize("size", [1, 15])
def test_dashboard_runs_a_fixed_number_of_queries(
    client, kpis, manager, django_assert_max_num_queries, size
):
    _records(size)
    client.force_login(manager)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get("/kpi/")
    assert response.status_code == 200
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get("/kpi/export.csv").status_code == 200


def test_the_admin_links_each_kpi_to_its_page(client, kpis, manager):
    client.force_login(manager)
    html = client.get("/admin/kpi/kpi/").content.decode()
    assert 'href="/kpi/10-1-a/"' in html
    assert 'href="/kpi/"' in html


def test_the_survey_links_open_the_admin_filtered_to_the_year_without_personal_data(
    client, kpis, manager
):
    from kpi import selectors

    consultation_survey(Rating.USEFUL, timezone.now() - timedelta(hours=1))
    seminar_survey(Rating.USEFUL, timezone.now() - timedelta(hours=1))
    old = consultation_survey(Rating.NOT_USEFUL, timezone.now() - timedelta(days=800))
    figures = next(f for f in selectors.kpi_figures() if f.kpi.code == "10-1 a")
    links = [c.url for c in figures.current.contributions]
    client.force_login(manager)

    assert len(links) == 2
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.context["cl"].result_count == 1  # this year's answer only
        assert old.consultation.reference not in response.content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_kpi_page_and_drilldown_run_a_fixed_number_of_queries(
    client, kpis, manager, django_assert_max_num_queries, size
):
    from mie_dx.fiscal import fiscal_year

    _records(size)
    fy = fiscal_year(timezone.localdate())
    client.force_login(manager)
    client.get("/kpi/")  # the session is saved once
    with django_assert_max_num_queries(14):  # with the second factor's device (2)
        assert client.get("/kpi/10-1-a/").status_code == 200
    # The figures (3 + 3 sources), each source's records (one query each), the second
    # factor's device (2).
    with django_assert_max_num_queries(17):
        response = client.get(f"/kpi/10-1-a/drilldown/{fy}/")
    assert response.status_code == 200
    assert len(response.context["records"]) == 2 * size
