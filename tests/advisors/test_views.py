"""The public directory: /advisors/ and /advisors/<slug>/ (no sign-in; inactive rows are hidden)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.advisors.factories import ExpertiseAreaFactory, PartnerFactory, SupporterFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "/advisors/"


@pytest.fixture
def open_data():
    return ExpertiseAreaFactory(slug="open-data", name="オープンデータ", name_en="Open data")


@pytest.fixture
def farming():
    return ExpertiseAreaFactory(slug="agriculture", name="農業", name_en="Agriculture")


def test_directory_url_name():
    assert reverse("advisors:directory") == DIRECTORY


def test_directory_lists_advisors_and_partners_in_two_sections(client, open_data):
    advisor = SupporterFactory(
        name="関 治之", name_kana="せき はるゆき", affiliation="役職A\n役職B", expertise=[open_data]
    )
    partner = PartnerFactory(name="KDDI株式会社")

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert response.context["advisors"] == [advisor]
    assert response.context["partners"] == [partner]
    html = response.content.decode()
    assert '<h1 class="h2 mb-3">アドバイザー・パートナー</h1>' in html
    assert "みえDXアドバイザーズ" in html and "みえDXパートナーズ" in html
    assert html.index("関 治之") < html.index('id="partners-title"') < html.index("KDDI株式会社")
    assert "1名" in html and "1社" in html
    assert "せき はるゆき" in html
    # One role per line, each its own list item.
    assert "<li>役職A</li>" in html and "<li>役職B</li>" in html
    assert advisor.get_absolute_url() in html and partner.get_absolute_url() in html
    assert "オープンデータ" in html


def test_directory_counts(client):
    SupporterFactory.create_batch(3)
    PartnerFactory.create_batch(2)
    html = client.get(DIRECTORY).content.decode()
    assert "3名" in html and "2社" in html


def test_inactive_supporters_are_hidden_from_the_directory(client):
    SupporterFactory(name="公開中の人")
    SupporterFactory(name="休止中の人", is_active=False)
    PartnerFactory(name="休止中の会社", is_active=False)
    html = client.get(DIRECTORY).content.decode()
    assert "公開中の人" in html
    assert "休止中の人" not in html and "休止中の会社" not in html
    assert "0社" in html


def test_filter_form_is_a_labelled_get_select(client, open_data):
    html = client.get(DIRECTORY).content.decode()
    assert 'method="get"' in html
    assert '<label class="form-label" for="id_expertise">専門分野</label>' in html
    assert '<select name="expertise"' in html and 'id="id_expertise"' in html
    assert '<option value="open-data">オープンデータ</option>' in html
    assert 'type="submit"' in html


def test_filter_by_expertise(client, open_data, farming):
    seki = SupporterFactory(name="関 治之", expertise=[open_data])
    SupporterFactory(name="辻 武史", expertise=[farming])
    aws = PartnerFactory(name="アマゾン ウェブ サービス ジャパン株式会社", expertise=[open_data])

    response = client.get(DIRECTORY, {"expertise": "open-data"})

    assert response.status_code == 200
    assert response.context["selected_area"] == open_data
    assert response.context["advisors"] == [seki]
    assert response.context["partners"] == [aws]
    html = response.content.decode()
    assert "辻 武史" not in html
    assert "専門分野「オープンデータ」で絞り込んでいます。" in html
    assert '<option value="open-data" selected>' in html
    assert f'<a href="{DIRECTORY}">絞り込みを解除</a>' in html


def test_empty_filter_shows_everyone(client, open_data):
    SupporterFactory(name="関 治之", expertise=[open_data])
    SupporterFactory(name="辻 武史")
    response = client.get(DIRECTORY, {"expertise": ""})
    assert response.context["selected_area"] is None
    assert len(response.context["advisors"]) == 2
    assert "絞り込みを解除" not in response.content.decode()


def test_unknown_expertise_shows_an_error_and_everyone(client):
    SupporterFactory(name="関 治之")
    response = client.get(DIRECTORY, {"expertise": "no-such-area"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "指定された専門分野は見つかりません。" in html
    assert 'aria-describedby="expertise-error"' in html
    assert "関 治之" in html


def test_no_match_says_so(client, open_data, farming):
    SupporterFactory(expertise=[farming])
    html = client.get(DIRECTORY, {"expertise": "open-data"}).content.decode()
    assert "該当するアドバイザーはいません。" in html
    assert "該当するパートナーはいません。" in html


def test_detail_page(client, open_data):
    supporter = SupporterFactory(
        name="関 治之",
        name_kana="せき はるゆき",
        slug="seki-haruyuki",
        affiliation="一般社団法人コード・フォー・ジャパン 代表理事\nデジタル庁 オープンデータ伝道師",
        profile="一般社団法人コード・フォー・ジャパン 代表理事。",
        term_start_fy=2022,
        expertise=[open_data],
    )
    response = client.get("/advisors/seki-haruyuki/")
    assert response.status_code == 200
    assert (
        reverse("advisors:detail", kwargs={"slug": "seki-haruyuki"}) == "/advisors/seki-haruyuki/"
    )
    assert response.context["supporter"] == supporter
    html = response.content.decode()
    assert '<h1 id="supporter-name" class="h2 mb-1" lang="ja">関 治之</h1>' in html
    assert "せき はるゆき" in html
    assert '<dd class="col-sm-9">アドバイザー</dd>' in html
    assert "<li>一般社団法人コード・フォー・ジャパン 代表理事</li>" in html
    assert "<li>デジタル庁 オープンデータ伝道師</li>" in html
    assert "オープンデータ" in html and "?expertise=open-data" in html
    assert "令和4年度〜" in html
    assert "<p>一般社団法人コード・フォー・ジャパン 代表理事。</p>" in html


def test_detail_page_of_partner_and_ended_term(client):
    PartnerFactory(name="KDDI株式会社", slug="kddi", term_start_fy=2022, term_end_fy=2023)
    response = client.get("/advisors/kddi/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd class="col-sm-9">パートナー</dd>' in html
    assert "令和4年度〜令和5年度" in html


def test_inactive_supporter_detail_is_404(client):
    SupporterFactory(slug="resting", is_active=False)
    assert client.get("/advisors/resting/").status_code == 404


def test_unknown_slug_is_404(client):
    assert client.get("/advisors/nobody/").status_code == 404


def test_contact_email_never_appears_on_public_pages(client, open_data):
    advisor = SupporterFactory(contact_email="secret-advisor@example.jp", expertise=[open_data])
    partner = PartnerFactory(contact_email="secret-partner@example.jp")
    pages = [
        client.get(DIRECTORY),
        client.get(DIRECTORY, {"expertise": "open-data"}),
        client.get(advisor.get_absolute_url()),
        client.get(partner.get_absolute_url()),
        client.get(advisor.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "secret-advisor" not in html and "secret-partner" not in html


def test_html_in_profile_and_names_is_escaped(client):
    supporter = SupporterFactory(
        name="<b>太字</b>",
        affiliation="<img src=x onerror=alert(1)>",
        profile='<script>alert("x")</script>',
    )
    for url in (DIRECTORY, supporter.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>太字</b>" not in html
        assert "&lt;b&gt;太字&lt;/b&gt;" in html
    detail = client.get(supporter.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail


@pytest.mark.parametrize("url", [DIRECTORY, "/advisors/seki-haruyuki/"])
def test_english_rendering(client, open_data, url):
    SupporterFactory(slug="seki-haruyuki", expertise=[open_data], term_start_fy=2022)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Open data" in html
    if url != DIRECTORY:
        assert "FY2022" in html


def test_japanese_is_the_default(client):
    response = client.get(DIRECTORY)
    assert '<html lang="ja">' in response.content.decode()


def test_signed_in_user_sees_the_same_public_page(client, public_user):
    SupporterFactory(name="休止中の人", is_active=False)
    client.force_login(public_user)
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    assert "休止中の人" not in response.content.decode()


def _directory_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(DIRECTORY, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"expertise": "open-data"}])
def test_directory_query_count_does_not_grow_with_rows(
    client, open_data, farming, params, django_capture_on_commit_callbacks
):
    SupporterFactory.create_batch(2, expertise=[open_data, farming])
    PartnerFactory.create_batch(1, expertise=[open_data])
    few = _directory_queries(client, params)

    with django_capture_on_commit_callbacks(execute=True):  # the cached page is renewed
        SupporterFactory.create_batch(200, expertise=[open_data, farming])
        PartnerFactory.create_batch(97, expertise=[open_data])
    many = _directory_queries(client, params)

    assert few == many
    assert many <= 5


def test_detail_query_count(client, open_data, farming, django_assert_max_num_queries):
    supporter = SupporterFactory(expertise=[open_data, farming])
    with django_assert_max_num_queries(2):
        assert client.get(supporter.get_absolute_url()).status_code == 200
