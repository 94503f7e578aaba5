"""The public forms rendered by the portal's own field renderer (mie_dx.templatetags.
public_forms, `field_html`) against django-crispy-forms (`as_crispy_field`, crispy-bootstrap5:
the owner's stack), in-process on the test client.

    DATABASE_URL=... .venv/bin/python bench/form_render.py [N]

For each renderer and each form (/consultations/new/, a seminar's /register/) it prints the
milliseconds per request of:
- a page-cache **hit** (the anonymous empty form as most visitors get it);
- a **miss** (PAGE_CACHE_ENABLED off: the whole view renders, as after any change of the topic,
  e.g. every registration renews the seminar's pages);
- a **POST with mistakes** (the form comes back bound, with its errors: never cached);
then the form templates alone (no middleware, no query).

The crispy variant is made from the real templates at run time (each `{{ form.x|field_html }}`
becomes `{{ form.x|as_crispy_field }}`) in a temporary template directory placed first: the
same page, the same fields, only the renderer differs. Creates one seminar in the database it
is given if none exists with the slug below.
"""

import os
import re
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mie_dx.settings.test")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ.setdefault("RATELIMIT_ENABLE", "False")

import django  # noqa: E402 (after the settings module is chosen)

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

SLUG = "bench-form-render"
FORM_TEMPLATES = (
    "consultations/consultation_form.html",
    "seminars/registration_form.html",
    "includes/requester_fields.html",
)
FIELD_HTML = re.compile(r"\{\{ (form\.\w+)\|field_html \}\}")


def seminar_url() -> str:
    import datetime

    from seminars.models import Seminar

    seminar = Seminar.objects.filter(slug=SLUG).first()
    if seminar is None:
        day = datetime.date.today() + datetime.timedelta(days=60)
        seminar = Seminar.objects.create(
            slug=SLUG,
            fiscal_year=day.year if day.month >= 4 else day.year - 1,
            number=99,
            title="ベンチマーク用セミナー",
            date=day,
            start_time=datetime.time(13, 30),
            end_time=datetime.time(15, 15),
            format="hybrid",
            onsite_capacity=20,
            status="published",
            consultation_start_time=datetime.time(15, 30),
            consultation_end_time=datetime.time(16, 30),
        )
    return f"/seminars/{seminar.slug}/register/"


@contextmanager
def crispy_templates():
    """The form templates with every field rendered by crispy, first in the search path."""
    with tempfile.TemporaryDirectory() as directory:
        for name in FORM_TEMPLATES:
            text = (ROOT / "templates" / name).read_text()
            text = FIELD_HTML.sub(r"{{ \1|as_crispy_field }}", text)
            text = text.replace("{% load ", "{% load crispy_forms_tags ", 1)
            target = Path(directory) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        templates = [dict(settings.TEMPLATES[0])]
        templates[0]["DIRS"] = [directory, *templates[0]["DIRS"]]
        with override_settings(TEMPLATES=templates):
            yield


def per_request(call, n: int) -> float:
    for _ in range(10):
        call()
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) * 1000 / n


def get(client: Client, url: str):
    def call():
        response = client.get(url, secure=True)
        assert response.status_code == 200, url

    return call


def post_with_mistakes(client: Client, url: str):
    # A valid CSRF token is not needed: the test client does not enforce it. Everything is
    # missing but the e-mail, which is malformed: every field comes back with its message.
    def call():
        response = client.post(url, {"email": "not-an-address"}, secure=True)
        assert response.status_code == 200, url
        assert b"field-error" in response.content or b"invalid-feedback" in response.content

    return call


def template_only(n: int) -> dict[str, float]:
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from consultations.forms import ConsultationForm
    from seminars import selectors
    from seminars.forms import RegistrationForm

    request = RequestFactory(HTTP_HOST="localhost").get("/")
    request.user = AnonymousUser()
    request.session = {}
    seminar = selectors.seminar_for_public(SLUG)
    return {
        "consultation template": per_request(
            lambda: render_to_string(
                "consultations/consultation_form.html", {"form": ConsultationForm()}, request
            ),
            n,
        ),
        "registration template": per_request(
            lambda: render_to_string(
                "seminars/registration_form.html",
                {"seminar": seminar, "form": RegistrationForm(seminar=seminar)},
                request,
            ),
            n,
        ),
    }


def measure(n: int, urls: list[str]) -> dict[str, float]:
    client = Client(HTTP_HOST="localhost")
    results: dict[str, float] = {}
    for url in urls:
        cache.clear()
        results[f"GET {url} hit"] = per_request(get(client, url), n)
        with override_settings(PAGE_CACHE_ENABLED=False):
            results[f"GET {url} miss"] = per_request(get(client, url), n)
        results[f"POST {url} with mistakes"] = per_request(post_with_mistakes(client, url), n)
    results.update(template_only(n))
    return results


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    call_command("migrate", verbosity=0)
    urls = ["/consultations/new/", seminar_url()]
    hand = measure(n, urls)
    with crispy_templates():
        crispy = measure(n, urls)
    print(f"{'ms per request':<52} {'field_html':>10} {'crispy':>8} {'crispy/own':>10}")
    for key, own in hand.items():
        print(f"{key:<52} {own:>10.2f} {crispy[key]:>8.2f} {crispy[key] / own:>10.2f}")


if __name__ == "__main__":
    main()
