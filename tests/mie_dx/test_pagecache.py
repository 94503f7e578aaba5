"""Public pages from the cache (mie_dx.pagecache): what changes is on the next request, nobody
gets another visitor's page, and the headers say who may keep it."""

import re

import pytest
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.test import Client
from django.urls import include, path

from mie_dx import pagecache
from seminars import services as seminar_services
from seminars.models import SeminarStatus
from tests.advisors.factories import ExpertiseAreaFactory, SupporterFactory
from tests.consultations.helpers import element_text
from tests.seminars.factories import SeminarFactory, register, valid_form_data

pytestmark = pytest.mark.django_db

CACHED = ["/", "/seminars/", "/advisors/", "/procedures/progress/"]
CLOSED_REDIS = "redis://127.0.0.1:1/0"


def _hello_then_home(request):
    messages.success(request, "登録しました（テスト用のお知らせ）")
    return redirect("/")


urlpatterns = [path("test/message/", _hello_then_home), path("", include("mie_dx.urls"))]


def state(response) -> str:
    return response["X-Page-Cache"]


def placeholder() -> str:
    return pagecache.csrf_placeholder()


def csrf_token_in(response) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else ""


@pytest.mark.parametrize("url", CACHED)
def test_an_anonymous_visitor_gets_the_stored_page_with_public_headers(client, url):
    first = client.get(url)
    second = client.get(url)

    assert (first.status_code, second.status_code) == (200, 200)
    assert (state(first), state(second)) == ("miss", "hit")
    assert first.content == second.content
    for response in (first, second):
        assert response["Cache-Control"] == f"public, max-age={settings.PAGE_CACHE_MAX_AGE}"
        assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
        assert "Expires" not in response


def test_a_stored_page_costs_no_query(client, django_assert_num_queries):
    SeminarFactory()
    client.get("/seminars/")
    with django_assert_num_queries(0):
        assert state(client.get("/seminars/")) == "hit"


def test_an_edited_supporter_is_on_the_next_request(client, django_capture_on_commit_callbacks):
    supporter = SupporterFactory(name="旧名 太郎")
    detail = f"/advisors/{supporter.slug}/"
    assert "旧名 太郎" in client.get("/advisors/").content.decode()
    assert "旧名 太郎" in client.get(detail).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        supporter.name = "新名 太郎"
        supporter.save()

    for url in ("/advisors/", detail):
        response = client.get(url)
        assert state(response) == "miss"
        page = response.content.decode()
        assert "新名 太郎" in page and "旧名 太郎" not in page


def test_a_supporter_made_inactive_leaves_the_directory_at_once(
    client, django_capture_on_commit_callbacks
):
    supporter = SupporterFactory(name="退任 花子")
    client.get(f"/advisors/{supporter.slug}/")
    with django_capture_on_commit_callbacks(execute=True):
        supporter.is_active = False
        supporter.save()

    assert client.get(f"/advisors/{supporter.slug}/").status_code == 404
    assert "退任 花子" not in client.get("/advisors/").content.decode()


def test_a_published_seminar_is_on_the_next_request(client, django_capture_on_commit_callbacks):
    seminar = SeminarFactory(status=SeminarStatus.DRAFT, title="公開前のセミナー")
    assert "公開前のセミナー" not in client.get("/seminars/").content.decode()
    assert client.get(f"/seminars/{seminar.slug}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        seminar_services.publish_seminar(seminar=seminar)

    assert "公開前のセミナー" in client.get("/seminars/").content.decode()
    assert client.get(f"/seminars/{seminar.slug}/").status_code == 200


def test_a_registration_changes_the_seats_left_on_the_next_request(
    client, django_capture_on_commit_callbacks
):
    seminar = SeminarFactory(onsite_capacity=2)
    url = f"/seminars/{seminar.slug}/"
    assert element_text(client.get(url).content.decode(), "seats-left") == "残り2席"
    assert state(client.get(url)) == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(seminar, email="a@example.jp")
    assert element_text(client.get(url).content.decode(), "seats-left") == "残り1席"

    with django_capture_on_commit_callbacks(execute=True):
        seminar_services.cancel_registration(registration=registration)
    assert element_text(client.get(url).content.decode(), "seats-left") == "残り2席"


def test_a_cancelled_seminar_says_so_on_the_next_request(
    client, django_capture_on_commit_callbacks
):
    seminar = SeminarFactory(title="データ活用のセミナー")
    url = f"/seminars/{seminar.slug}/"
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    assert "このセミナーは中止になりました。" not in first.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"  # the page is stored

    with django_capture_on_commit_callbacks(execute=True):
        seminar_services.cancel_seminar(seminar=seminar, reason="荒天")

    after = client.get(url)
    assert after["X-Page-Cache"] == "miss"  # a new generation: the stored page is not served
    assert "このセミナーは中止になりました。" in after.content.decode()


def test_each_language_gets_its_own_page(client):
    ja = client.get("/", HTTP_ACCEPT_LANGUAGE="ja")
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    ja_again = client.get("/", HTTP_ACCEPT_LANGUAGE="ja")

    assert '<html lang="ja">' in ja.content.decode()
    assert '<html lang="en">' in en.content.decode()
    assert state(en) == "miss"  # not the Japanese page
    assert state(ja_again) == "hit" and '<html lang="ja">' in ja_again.content.decode()
    assert en["Content-Language"] == "en" and ja_again["Content-Language"] == "ja"


def test_a_shared_page_holds_no_csrf_token_and_sets_no_cookie(client):
    for _ in range(2):
        response = client.get("/seminars/")
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert settings.CSRF_COOKIE_NAME not in response.cookies
        assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_the_language_switcher_of_a_shared_page_works_without_a_token():
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/advisors/").content.decode()
    assert 'action="/i18n/setlang/"' in page

    response = browser.post("/i18n/setlang/", {"language": "en", "next": "/advisors/"})

    assert response.status_code == 302 and response["Location"] == "/advisors/"
    assert '<html lang="en">' in browser.get("/advisors/").content.decode()


def test_signed_in_staff_are_never_served_nor_stored(client, center_staff):
    seminar = SeminarFactory()
    form_url = f"/seminars/{seminar.slug}/register/"
    anonymous = Client()
    anonymous.get("/seminars/")  # stored
    anonymous.get(form_url)  # stored, with the placeholder
    client.force_login(center_staff)

    for url in ("/seminars/", form_url):
        response = client.get(url)
        assert state(response) == "bypass"
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # Their form carries their own token, rendered for them.
    assert csrf_token_in(response) and placeholder() not in response.content.decode()
    # What the staff member got was not stored for anyone else.
    client.logout()
    assert state(anonymous.get("/seminars/")) == "hit"
    assert state(anonymous.get(form_url)) == "hit"


@pytest.mark.urls(__name__)
def test_a_page_with_a_message_is_neither_served_from_nor_stored_in_the_cache(client):
    Client().get("/")  # stored for anonymous visitors

    response = client.get("/test/message/", follow=True)

    assert state(response) == "bypass"
    assert "登録しました（テスト用のお知らせ）" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # The next visitor (and this one, next time) gets the stored page without the message.
    for visitor in (Client(), client):
        later = visitor.get("/")
        assert state(later) == "hit"
        assert "登録しました（テスト用のお知らせ）" not in later.content.decode()


def test_only_declared_query_parameters_of_the_declared_shape_are_stored(client):
    SeminarFactory()
    assert state(client.get("/seminars/?page=2")) == "miss"
    assert state(client.get("/seminars/?page=2")) == "hit"
    for url in ("/seminars/?page=abc", "/seminars/?utm_source=x", "/advisors/?expertise=nothing"):
        assert state(client.get(url)) == "bypass"
        assert state(client.get(url)) == "bypass"


def test_an_empty_form_comes_from_the_cache_with_each_visitors_own_token():
    seminar = SeminarFactory(onsite_capacity=5)
    url = f"/seminars/{seminar.slug}/register/"
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    responses = [first.get(url), second.get(url)]

    assert [state(r) for r in responses] == ["miss", "hit"]
    tokens = [csrf_token_in(r) for r in responses]
    assert all(tokens) and tokens[0] != tokens[1]
    for response in responses:
        assert placeholder() not in response.content.decode()
        assert settings.CSRF_COOKIE_NAME in response.cookies  # the token's secret
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert settings.SESSION_COOKIE_NAME not in response.cookies
    # The page was the same apart from the token.
    one, two = (r.content.decode().replace(t, "") for r, t in zip(responses, tokens, strict=True))
    assert one == two
    # The token of the page served from the cache is good for the visitor who got it.
    sent = second.post(
        url, valid_form_data(csrfmiddlewaretoken=tokens[1], email="second@example.jp")
    )
    assert sent.status_code == 302
    assert seminar.registrations.get().email == "second@example.jp"


def test_a_form_sent_with_mistakes_is_never_shown_to_the_next_visitor(client):
    seminar = SeminarFactory()
    url = f"/seminars/{seminar.slug}/register/"
    client.get(url)  # the empty form is stored

    typed = client.post(url, valid_form_data(name="", email="typed@example.jp"))

    assert typed.status_code == 200 and state(typed) == "bypass"
    assert "typed@example.jp" in typed.content.decode()
    later = Client().get(url)
    assert state(later) == "hit" and "typed@example.jp" not in later.content.decode()


def test_a_seminar_change_is_on_its_form_at_once(client, django_capture_on_commit_callbacks):
    seminar = SeminarFactory(title="旧題のセミナー")
    url = f"/seminars/{seminar.slug}/register/"
    assert "旧題のセミナー" in client.get(url).content.decode()
    assert state(client.get(url)) == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        seminar.title = "新題のセミナー"
        seminar.save()

    response = client.get(url)
    assert state(response) == "miss" and "新題のセミナー" in response.content.decode()


def test_the_consultation_form_pre_filled_for_an_area_is_stored_once_per_area(client):
    area = ExpertiseAreaFactory(name="農業のデジタル化")
    url = f"/consultations/new/?expertise={area.slug}"

    responses = [client.get(url), client.get(url)]

    assert [state(r) for r in responses] == ["miss", "hit"]
    assert "「農業のデジタル化」について相談したい" in responses[1].content.decode()
    assert csrf_token_in(responses[1])
    for made_up in ("/consultations/new/?expertise=nothing", "/consultations/new/?category=x"):
        assert state(client.get(made_up)) == "bypass"
        assert state(client.get(made_up)) == "bypass"


def test_the_language_switcher_asks_for_no_token():
    # set_language is CSRF-exempt: a token in the switcher would make every page private.
    page = Client().get("/advisors/").content.decode()
    assert "csrfmiddlewaretoken" not in page and "/i18n/setlang/" in page


def test_pages_are_rendered_when_the_cache_is_unreachable(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_REDIS,
        }
    }
    SupporterFactory(name="障害中 一郎")

    response = client.get("/advisors/")

    assert response.status_code == 200 and "障害中 一郎" in response.content.decode()
    assert state(response) == "bypass"
    assert "page cache unavailable" in caplog.text


def test_a_change_rolled_back_renews_nothing(client, django_capture_on_commit_callbacks):
    supporter = SupporterFactory(name="残留 一郎")
    assert state(client.get("/advisors/")) == "miss"

    with (
        django_capture_on_commit_callbacks(execute=True) as renewals,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        supporter.name = "取消 一郎"
        supporter.save()
        raise RuntimeError("rolled back")

    assert renewals == []
    page = client.get("/advisors/")
    assert state(page) == "hit" and "残留 一郎" in page.content.decode()


def test_a_new_secret_key_never_serves_a_form_stored_under_the_old_one(settings):
    seminar = SeminarFactory()
    url = f"/seminars/{seminar.slug}/register/"
    assert state(Client().get(url)) == "miss"  # stored with the old key's placeholder

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" + "y" * 32
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(url)

    assert state(response) == "miss"
    assert "csrfplaceholder" not in response.content.decode()
    token = csrf_token_in(response)
    sent = visitor.post(url, valid_form_data(csrfmiddlewaretoken=token, email="new@example.jp"))
    assert sent.status_code == 302
