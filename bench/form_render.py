"""How long the public forms take to render (GET), on the test client, in-process.

    DATABASE_URL=... .venv/bin/python bench/form_render.py [N]

Creates one seminar in the database it is given if none exists with the slug below, renders
/consultations/new/ and /seminars/<slug>/register/ N times (default 200) after a warm-up, and
prints milliseconds per request (middleware, view, queries, template), then the form pages'
templates alone. Uses the database of DATABASE_URL (adds one seminar, slug below).
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mie_dx.settings.test")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "localhost")
os.environ.setdefault("RATELIMIT_ENABLE", "False")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

SLUG = "bench-form-render"


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


def timed(client: Client, url: str, n: int) -> float:
    for _ in range(10):
        assert client.get(url, secure=True).status_code == 200, url
    start = time.perf_counter()
    for _ in range(n):
        client.get(url, secure=True)
    return (time.perf_counter() - start) * 1000 / n


def template_only(n: int) -> None:
    """The page's template alone (no middleware, no query): where the form's cost shows."""
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
    pages = {
        "consultation form template": lambda: render_to_string(
            "consultations/consultation_form.html", {"form": ConsultationForm()}, request=request
        ),
        "registration form template": lambda: render_to_string(
            "seminars/registration_form.html",
            {"seminar": seminar, "form": RegistrationForm(seminar=seminar)},
            request=request,
        ),
    }
    for name, render in pages.items():
        for _ in range(10):
            render()
        start = time.perf_counter()
        for _ in range(n):
            render()
        print(f"{name}: {(time.perf_counter() - start) * 1000 / n:.2f} ms per render")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    call_command("migrate", verbosity=0)
    # Not the test environment: its template instrumentation would be measured too.
    client = Client(HTTP_HOST="localhost")
    for url in ("/consultations/new/", seminar_url()):
        print(f"GET {url}: {timed(client, url, n):.2f} ms per request ({n} requests)")
    template_only(n)


if __name__ == "__main__":
    main()
