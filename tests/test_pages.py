"""The public pages' frame: language, skip link, navigation, the center's contact, error pages."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import include, path

from mie_dx import views

PUBLIC_PAGES = [
    pytest.param("/", 200, id="home"),
    pytest.param("/advisors/", 200, id="advisors"),
    pytest.param("/no-such-page/", 404, id="404"),
]
NAV_ITEMS = ["相談する", "セミナー", "アドバイザー・パートナー"]
CENTER_PHONE = "059-224-3086"
CENTER_EMAIL = "dxcenter@pref.mie.lg.jp"


def _boom(request):
    raise RuntimeError("a bug, to see the 500 page")


# Used only through @pytest.mark.urls below: the portal's URLs plus one that fails.
urlpatterns = [
    path("boom/", _boom),
    path("", include("mie_dx.urls")),
]


class PageOutline(HTMLParser):
    """The parts of a page these tests look at, read from the HTML."""

    def __init__(self):
        super().__init__()
        self.html_lang: str | None = None
        self.first_link: dict[str, str | None] | None = None
        self.ids: set[str] = set()
        self.main_count = 0
        self._stack: list[str] = []
        self.text_in: dict[str, list[str]] = {"nav": [], "footer": [], "main": [], "title": []}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and self.first_link is None:
            self.first_link = attributes
        if tag == "main":
            self.main_count += 1
        if tag not in {"meta", "link", "input", "br", "img", "hr"}:
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data):
        for region, texts in self.text_in.items():
            if region in self._stack:
                texts.append(data)

    def text(self, region: str) -> str:
        return " ".join(" ".join(self.text_in[region]).split())


def outline(response) -> PageOutline:
    parser = PageOutline()
    parser.feed(response.content.decode())
    parser.close()
    return parser


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES)
def test_pages_are_japanese_by_default(client, path, status):
    response = client.get(path)

    assert response.status_code == status
    page = outline(response)
    assert page.html_lang == "ja"
    assert "みえDXセンター" in page.text("title")
    assert "みえDXセンター" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES)
def test_pages_follow_the_browser_language(client, path, status):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == status
    assert outline(response).html_lang == "en"
    assert response["Content-Language"] == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES)
def test_the_language_switcher_sets_a_cookie_the_pages_follow(client, path, status):
    response = client.post("/i18n/setlang/", {"language": "en", "next": path})

    assert response.status_code == 302
    assert response["Location"] == path
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # The cookie wins over a Japanese browser.
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == status
    assert outline(response).html_lang == "en"
    assert (
        '<span class="language-current" lang="en" aria-current="true">English</span>'
        in response.content.decode()
    )

    # And switching back works.
    client.post("/i18n/setlang/", {"language": "ja", "next": path})
    assert outline(client.get(path)).html_lang == "ja"


@pytest.mark.django_db
def test_the_language_switcher_refuses_a_foreign_next_url(client):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "https://evil.example.com/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES)
def test_the_first_link_skips_to_main(client, path, status):
    page = outline(client.get(path))

    assert page.first_link is not None
    assert page.first_link["href"] == "#main"
    assert "visually-hidden-focusable" in page.first_link["class"]
    assert "main" in page.ids
    assert page.main_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), PUBLIC_PAGES)
def test_navigation_and_footer(client, path, status):
    page = outline(client.get(path))

    nav = page.text("nav")
    for item in NAV_ITEMS:
        assert item in nav
    footer = page.text("footer")
    assert CENTER_PHONE in footer
    assert CENTER_EMAIL in footer
    html = client.get(path).content.decode()
    assert f'href="tel:{CENTER_PHONE}"' in html
    assert f'href="mailto:{CENTER_EMAIL}"' in html


@pytest.mark.django_db
def test_home_runs_a_fixed_small_number_of_queries(client, django_assert_num_queries):
    # The home page reads one thing for a visitor: the next seminar, with its seats left.
    with django_assert_num_queries(1):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_home_queries_for_a_signed_in_staff_member(client, superuser, django_assert_num_queries):
    client.force_login(superuser)
    # The session is read and saved again (the idle timeout slides on every request: UPDATE
    # inside a savepoint); the page itself does not load the user.
    with django_assert_num_queries(5):
        assert client.get("/").status_code == 200


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_500_page_is_self_contained(client):
    client.raise_request_exception = False
    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "みえDXセンター" in html
    assert CENTER_PHONE in html
    assert CENTER_EMAIL in html
    # It works even when templates, static files or the database are what broke.
    assert "{%" not in html
    assert response["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_the_rate_limit_page(rf: RequestFactory):
    request = rf.get("/")
    request.LANGUAGE_CODE = "ja"
    response = views.ratelimited(request, exception=Exception("limited"))

    assert response.status_code == 429
    html = response.content.decode()
    assert "短時間に多くの送信がありました" in html
    assert CENTER_PHONE in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "current"),
    [("/", "みえDXセンター"), ("/advisors/", "アドバイザー・パートナー"), ("/no-such-page/", None)],
)
def test_the_menu_marks_the_current_page_only(client, path, current):
    html = client.get(path).content.decode()

    marked = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', html)
    assert marked == ([current] if current else [])
