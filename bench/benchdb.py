"""What every benchmark shares: its own PostgreSQL database, and Django set up against it.

`bench_database_url("mie_dx_x_bench")` — BENCH_DATABASE_URL, or that database on the server of
DATABASE_URL (default the local one); never SQLite. `recreate_database(url)` drops and creates
it (only a name containing "bench"). `setup_django(url)` configures the portal as in
production but for the benchmark: local settings without DEBUG, tasks in process, e-mail
discarded, quiet logs.
"""

import os
import re
import sys
import urllib.parse
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_database_url(name: str) -> str:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/mie_dx")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at PostgreSQL (the benchmark never uses SQLite).")
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def add_gunicorn_arguments(parser) -> None:
    """--workers/--threads, defaulting to how the Dockerfile runs gunicorn: WEB_CONCURRENCY (3)
    sync workers."""
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (1: sync workers)"
    )


def gunicorn_worker_options(workers: int, threads: int) -> list[str]:
    """Sync workers as in the Dockerfile, gthread when more than one thread is asked for."""
    worker_class = "gthread" if threads > 1 else "sync"
    return ["--workers", str(workers), "--threads", str(threads), "--worker-class", worker_class]


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name) or "bench" not in name:
        sys.exit(f"refusing to recreate database {name!r}: its name must contain 'bench'")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench_environment(database_url: str) -> dict[str, str]:
    """The environment a benchmarked portal runs with (also for a gunicorn it starts)."""
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "mie_dx.settings.local",
            "DEBUG": "False",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "DATABASE_URL": database_url,
            "EMAIL_URL": "dummymail://",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
            "PYTHONWARNINGS": "ignore:No directory at",
        }
    )
    return environment


def setup_django(database_url: str) -> None:
    """Django in this process, against the benchmark's database (migrated by the caller)."""
    environment = bench_environment(database_url)
    os.environ.clear()
    os.environ.update(environment)
    # No collectstatic for a benchmark: whitenoise's warning about it is noise here.
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def signed_in_client(user):
    """A test client signed in as `user` with the second factor passed (a confirmed
    authenticator, as after enrolment), like a staff member at work."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def create_bench_staff(count: int) -> list:
    """`count` sample staff spread over the organisation's divisions and the stages (load the
    organisation first)."""
    from mie_dx.models import Division
    from training.models import Staff, Stage

    divisions = list(Division.objects.all())
    stages = list(Stage.values)
    return Staff.objects.bulk_create(
        (
            Staff(
                employee_number=f"B{i:06d}",
                name=f"ベンチ 職員{i}",
                division=divisions[i % len(divisions)],
                stage=stages[i % len(stages)],
                email=f"bench{i}@example.com",
                is_sample=True,
            )
            for i in range(count)
        ),
        batch_size=2000,
    )


def create_bench_seminar(seats: int, *, number: int = 1, slug: str = "bench"):
    """The published hybrid seminar the registration benchmarks use (Django set up first),
    30 days ahead, with an individual-consultation window."""
    from datetime import time as clock
    from datetime import timedelta

    from django.utils import timezone

    from mie_dx.fiscal import fiscal_year
    from seminars.models import Format, Seminar, SeminarStatus

    day = timezone.localdate() + timedelta(days=30)
    return Seminar.objects.create(
        fiscal_year=fiscal_year(day),
        number=number,
        slug=slug,
        title="ベンチマーク用セミナー",
        status=SeminarStatus.PUBLISHED,
        date=day,
        start_time=clock(13, 30),
        end_time=clock(15, 15),
        format=Format.HYBRID,
        venue_name="会場",
        onsite_capacity=seats,
        registration_deadline=day - timedelta(days=4),
        consultation_start_time=clock(15, 30),
        consultation_end_time=clock(16, 30),
        consultation_slot_minutes=15,
    )


def registration_form(i: int) -> dict[str, str]:
    """The fields of the i-th burst registration, confirmed at once (`confirm=1`, as the
    form's confirmation page re-posts them)."""
    return {
        "requester_type": "individual",
        "organization": "",
        "name": f"負荷 試験{i}",
        "name_kana": "フカ　シケン",
        "email": f"burst{i}@example.jp",
        "phone": "",
        "attendance": "onsite",
        "privacy_consent": "on",
        "website": "",
        "confirm": "1",
    }
