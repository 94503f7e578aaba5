"""Benchmark: the managers' KPI dashboard (/kpi/) and export at 1,000 and at 100,000 rows.

    .venv/bin/python bench/kpi_dashboard.py                   # 1,000 then 100,000 consultations
    .venv/bin/python bench/kpi_dashboard.py --runs 9

What it does:
1. (Re)creates its own PostgreSQL database (default `mie_dx_kpi_bench` on the server of
   DATABASE_URL, override with BENCH_DATABASE_URL; the name must contain `bench`), migrates
   it and loads the KPI definitions (kpi.demo.load_kpis).
2. Small size: 1,000 consultations (with their status changes and surveys) and 200 seminar
   registrations with surveys, written with bulk_create, spread over 令和4–8年度 up to today.
3. Times GET /kpi/ (the full page: every KPI × year, the sources, the SVG charts) and GET
   /kpi/export.csv as a manager, in process through Django's test client (no network):
   one warm-up, then --runs runs; prints the median and the best, and the queries per page.
4. Large size: up to 100,000 consultations and 20,000 registrations with surveys; times again.

The procedures app (5,000 procedures, KPI 10-2 a) declares no figures yet: nothing to add for it.
"""

import argparse
import statistics
import sys
import time
import urllib.parse
from datetime import timedelta

from benchdb import bench_database_url, recreate_database, setup_django, signed_in_client

BATCH = 5_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests per size (5)")
    parser.add_argument("--small", type=int, default=1_000, help="consultations, small (1,000)")
    parser.add_argument("--large", type=int, default=100_000, help="consultations, large")
    parser.add_argument("--registrations", type=int, default=20_000, help="registrations, large")
    return parser.parse_args()


def add_consultations(start: int, stop: int) -> None:
    """Consultations start … stop-1: received over 令和4年度 to today; 60 % reach advice three
    days later, half of those close and are surveyed (3 in 4 answers useful)."""
    from django.utils import timezone

    from consultations.models import Consultation, Status, StatusChange, Survey
    from mie_dx.surveys import Rating

    now = timezone.now()
    first = timezone.make_aware(timezone.datetime(2022, 4, 1, 9))
    span = (now - first).total_seconds() - 30 * 86400
    ratings = [Rating.USEFUL, Rating.SOMEWHAT_USEFUL, Rating.NOT_VERY_USEFUL, Rating.USEFUL]
    for batch_start in range(start, stop, BATCH):
        numbers = range(batch_start, min(batch_start + BATCH, stop))
        consultations = []
        for n in numbers:
            received = first + timedelta(seconds=span * ((n * 7919) % stop) / stop)
            status = [Status.CLOSED, Status.ADVISING, Status.MATCHING, Status.CLOSED, Status.TRIAGE]
            consultations.append(
                Consultation(
                    reference=f"DX-B-{n:07d}",
                    link_seed=f"bench-{n}",
                    status=status[n % 5],
                    requester_type="business",
                    organization="【サンプル】株式会社ベンチ",
                    name="見本 太郎",
                    name_kana="ミホン　タロウ",
                    email=f"bench{n}@example.jp",
                    municipality="tsu",
                    category="problem",
                    title="ベンチマーク用の相談",
                    description="件数の多いダッシュボードの確認用。",
                    is_sample=True,
                    created_at=received,
                )
            )
        Consultation.objects.bulk_create(consultations)
        changes, surveys = [], []
        for i, c in enumerate(consultations):
            n = numbers[i]
            changes.append(
                StatusChange(consultation=c, to_status=Status.RECEIVED, changed_at=c.created_at)
            )
            if n % 5 in (0, 1, 3):  # reached advice
                advised = c.created_at + timedelta(days=3)
                changes.append(
                    StatusChange(consultation=c, to_status=Status.ADVISING, changed_at=advised)
                )
                if c.status == Status.CLOSED:
                    closed = advised + timedelta(days=10)
                    changes.append(
                        StatusChange(consultation=c, to_status=Status.CLOSED, changed_at=closed)
                    )
                    answered = closed + timedelta(days=2)
                    surveys.append(
                        Survey(
                            consultation=c,
                            sent_at=closed,
                            rating=ratings[n % 4] if answered < now else "",
                            answered_at=answered if answered < now else None,
                        )
                    )
        StatusChange.objects.bulk_create(changes)
        Survey.objects.bulk_create(surveys)


def add_registrations(start: int, stop: int) -> None:
    """Registrations start … stop-1 across 20 seminars a year; 70 % answer the survey."""
    from django.utils import timezone

    from mie_dx.fiscal import fiscal_year
    from mie_dx.surveys import Rating
    from seminars.models import Registration, Seminar, SeminarSurvey

    now = timezone.now()
    seminars = list(Seminar.objects.filter(slug__startswith="bench-").order_by("pk"))
    if not seminars:
        for k in range(40):
            day = (now - timedelta(days=10 + 45 * k)).date()
            seminars.append(
                Seminar.objects.create(
                    fiscal_year=fiscal_year(day),
                    number=100 + k,
                    slug=f"bench-{k}",
                    title=f"【サンプル】ベンチマーク用セミナー{k}",
                    status="held",
                    date=day,
                    format="online",
                )
            )
    ratings = [Rating.USEFUL, Rating.SOMEWHAT_USEFUL, Rating.USEFUL, Rating.NOT_USEFUL]
    for batch_start in range(start, stop, BATCH):
        numbers = range(batch_start, min(batch_start + BATCH, stop))
        registrations = [
            Registration(
                seminar=seminars[n % len(seminars)],
                status="attended",
                attendance="online",
                requester_type="business",
                name="見本 花子",
                name_kana="ミホン　ハナコ",
                email=f"bench-registrant{n}@example.jp",
                registered_at=now - timedelta(days=20 + 45 * (n % len(seminars))),
            )
            for n in numbers
        ]
        Registration.objects.bulk_create(registrations)
        surveys = []
        for registration, n in zip(registrations, numbers, strict=True):
            held = timezone.make_aware(
                timezone.datetime.combine(registration.seminar.date, timezone.datetime.min.time())
            )
            answered = n % 10 < 7
            surveys.append(
                SeminarSurvey(
                    registration=registration,
                    sent_at=held,
                    rating=ratings[n % 4] if answered else "",
                    answered_at=held + timedelta(days=1) if answered else None,
                )
            )
        SeminarSurvey.objects.bulk_create(surveys)


def measure(client, path: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm-up (template loading, the session)
    timings = []
    for _run in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{path} answered {response.status_code}")
    return statistics.median(timings), min(timings), len(queries)


def report(label: str, client, runs: int) -> None:
    from consultations.models import Consultation, StatusChange, Survey
    from seminars.models import Registration, SeminarSurvey

    counts = (
        f"{Consultation.objects.count():,} consultations, {StatusChange.objects.count():,} "
        f"status changes, {Survey.objects.exclude(answered_at=None).count():,} answered "
        f"consultation surveys, {Registration.objects.count():,} registrations, "
        f"{SeminarSurvey.objects.exclude(answered_at=None).count():,} answered seminar surveys"
    )
    print(f"\n{label}: {counts}")
    for path in ("/kpi/", "/kpi/export.csv"):
        median, best, queries = measure(client, path, runs)
        print(f"  GET {path:<16} median {median:7.1f} ms   best {best:7.1f} ms   {queries} queries")


def main() -> None:
    args = parse_args()
    url = bench_database_url("mie_dx_kpi_bench")
    recreate_database(url)
    setup_django(url)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from kpi.demo import load_kpis
    from mie_dx.roles import MANAGERS

    print(f"database {urllib.parse.urlsplit(url).path.lstrip('/')}: migrating …")
    call_command("migrate", verbosity=0, interactive=False)
    load_kpis()
    manager = get_user_model().objects.create_user("bench-cdo", is_staff=True)
    manager.groups.add(Group.objects.get(name=MANAGERS))
    client = signed_in_client(manager)

    small_registrations = max(args.registrations * args.small // args.large, 1)
    started = time.perf_counter()
    add_consultations(0, args.small)
    add_registrations(0, small_registrations)
    print(f"small data written in {time.perf_counter() - started:.1f} s")
    report(f"{args.small:,} rows", client, args.runs)

    started = time.perf_counter()
    add_consultations(args.small, args.large)
    add_registrations(small_registrations, args.registrations)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give
    print(f"\nlarge data written in {time.perf_counter() - started:.1f} s")
    report(f"{args.large:,} rows", client, args.runs)


if __name__ == "__main__":
    main()
