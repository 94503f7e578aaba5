"""Supporters in the Django admin: staff maintain them; everyone else is refused."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advisors.models import Supporter
from tests.advisors.factories import ExpertiseAreaFactory, PartnerFactory, SupporterFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/advisors/supporter/"
ADD = "/admin/advisors/supporter/add/"


@pytest.fixture
def admin_client_(client, superuser):
    client.force_login(superuser)
    return client


def test_superuser_opens_changelist_add_change_and_history(admin_client_):
    area = ExpertiseAreaFactory(name="オープンデータ")
    supporter = SupporterFactory(name="関 治之", expertise=[area])
    supporter.save()  # a second history row for the history page

    changelist = admin_client_.get(CHANGELIST)
    assert changelist.status_code == 200
    assert "関 治之" in changelist.content.decode()
    assert "オープンデータ" in changelist.content.decode()
    assert admin_client_.get(ADD).status_code == 200
    assert admin_client_.get(f"{CHANGELIST}{supporter.pk}/change/").status_code == 200
    assert admin_client_.get(f"{CHANGELIST}{supporter.pk}/history/").status_code == 200
    assert admin_client_.get("/admin/advisors/expertisearea/").status_code == 200
    assert admin_client_.get("/admin/advisors/expertisearea/add/").status_code == 200
    assert admin_client_.get(f"/admin/advisors/expertisearea/{area.pk}/change/").status_code == 200


def test_superuser_adds_a_supporter_and_history_records_who(admin_client_, superuser):
    area = ExpertiseAreaFactory()
    response = admin_client_.post(
        ADD,
        {
            "kind": "advisor",
            "name": "三重 花子",
            "name_kana": "みえ はなこ",
            "slug": "mie-hanako",
            "sort_key": "みえ はなこ",
            "is_active": "on",
            "affiliation": "株式会社サンプル 代表取締役",
            "expertise": [area.pk],
            "profile": "株式会社サンプル 代表取締役。",
            "term_start_fy": "2022",
            "term_end_fy": "",
            "contact_email": "hanako@example.jp",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    supporter = Supporter.objects.get(slug="mie-hanako")
    assert list(supporter.expertise.all()) == [area]
    assert supporter.history.filter(history_type="+").get().history_user == superuser


def test_changelist_columns(admin_client_):
    SupporterFactory(
        affiliation="一般社団法人コード・フォー・ジャパン 代表理事\n総務省 地域情報化アドバイザー"
    )
    html = admin_client_.get(CHANGELIST).content.decode()
    assert "一般社団法人コード・フォー・ジャパン 代表理事 …" in html
    assert "令和4年度〜" in html


def test_search_by_name_kana_and_affiliation(admin_client_):
    SupporterFactory(
        name="関 治之", name_kana="せき はるゆき", affiliation="コード・フォー・ジャパン"
    )
    SupporterFactory(name="辻 武史", name_kana="つじ たけし", affiliation="株式会社つじ農園")

    def found(query: str) -> list[str]:
        response = admin_client_.get(CHANGELIST, {"q": query})
        assert response.status_code == 200
        return [s.name for s in response.context["cl"].result_list]

    assert found("関") == ["関 治之"]
    assert found("つじ") == ["辻 武史"]
    assert found("コード・フォー") == ["関 治之"]


def test_filters(admin_client_):
    area = ExpertiseAreaFactory()
    SupporterFactory(name="関 治之", expertise=[area])
    PartnerFactory(name="KDDI株式会社", is_active=False)

    def names(params: dict) -> list[str]:
        response = admin_client_.get(CHANGELIST, params)
        assert response.status_code == 200
        return sorted(s.name for s in response.context["cl"].result_list)

    assert names({"kind__exact": "partner"}) == ["KDDI株式会社"]
    assert names({"is_active__exact": "0"}) == ["KDDI株式会社"]
    assert names({"expertise__id__exact": area.pk}) == ["関 治之"]
    assert names({"term_start_fy": "2022"}) == ["KDDI株式会社", "関 治之"]


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow_with_rows(admin_client_):
    areas = ExpertiseAreaFactory.create_batch(3)
    SupporterFactory.create_batch(2, expertise=areas)
    PartnerFactory(expertise=areas[:1])
    few = _changelist_queries(admin_client_)

    SupporterFactory.create_batch(200, expertise=areas)
    PartnerFactory.create_batch(97, expertise=areas[:1])
    many = _changelist_queries(admin_client_)

    assert few == many


def test_anonymous_is_sent_to_login(client):
    supporter = SupporterFactory()
    for url in (CHANGELIST, ADD, f"{CHANGELIST}{supporter.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_non_staff_user_is_refused(client, public_user):
    supporter = SupporterFactory(contact_email="secret-advisor@example.jp")
    client.force_login(public_user)
    for url in (CHANGELIST, ADD, f"{CHANGELIST}{supporter.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
        assert "secret-advisor" not in response.content.decode()
    response = client.post(
        ADD, {"kind": "advisor", "name": "x", "slug": "x", "term_start_fy": "2022"}
    )
    assert response.status_code == 302
    assert not Supporter.objects.filter(slug="x").exists()
