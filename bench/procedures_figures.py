"""Figures benchmark: the procedure figures (KPI 10-2 a, the schedule table, availability vs
usage) and the two pages over an inventory of N procedures (default 5,000).

    .venv/bin/python bench/procedures_figures.py                 # 5,000 procedures, 20 runs
    .venv/bin/python bench/procedures_figures.py --procedures 50000 --runs 10

What it does:
1. (Re)creates its own PostgreSQL database (default `mie_dx_procedures_bench` on the server of
   DATABASE_URL, override with BENCH_DATABASE_URL; the name must contain "bench") and migrates.
2. Creates 20 divisions and N procedures with bulk_create (mixed kinds, priorities, planned
   years, statuses and digitisation dates).
3. Times each selector and the officers' page (`/procedures/`, signed in) and the public page
   (`/procedures/progress/`) in process with Django's test client: median and max of `--runs`
   runs, and the number of queries each made (which must not grow with N).
"""

import argparse
import statistics
import time
from datetime import date

from benchdb import bench_database_url, recreate_database, setup_django, signed_in_client


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=5000, help="procedures (5,000)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each (20)")
    return parser.parse_args()


def build(count: int) -> None:
    from django.core.management import call_command

    from mie_dx.models import Department, Division
    from procedures.models import Procedure

    call_command("migrate", verbosity=0, interactive=False)
    department = Department.objects.create(code="B1", name="ベンチ部", first_fiscal_year=2021)
    divisions = Division.objects.bulk_create(
        [
            Division(code=f"B1{i:02d}", name=f"ベンチ課{i}", department=department,
                     first_fiscal_year=2021)
            for i in range(20)
        ]
    )  # fmt: skip
    kinds = [Procedure.Kind.OWN, Procedure.Kind.STATUTORY]
    rows = []
    for i in range(count):
        digitised = i % 3 == 0
        planned = i % 9 < 7
        rows.append(
            Procedure(
                code=f"BENCH-{i:06d}",
                name=f"ベンチ手続{i}",
                division=divisions[i % len(divisions)],
                kind=kinds[i % 2],
                annual_applications=100 + (i * 7919) % 20_000,
                is_priority=i % 4 == 0,
                plan=Procedure.Plan.FISCAL_YEAR
                if planned
                else [Procedure.Plan.R9_OR_LATER, Procedure.Plan.NEEDS_ADJUSTMENT][i % 2],
                planned_fiscal_year=2020 + i % 7 if planned else None,
                status=Procedure.Status.DIGITISED
                if digitised
                else [Procedure.Status.NOT_STARTED, Procedure.Status.IN_PROGRESS,
                      Procedure.Status.OUT_OF_SCOPE][i % 3],
                digitised_on=date(2020 + i % 6, 1 + i % 12, 1) if digitised else None,
                online_url="https://example.jp/apply" if digitised else "",
                online_applications=(i * 31) % 5000 if digitised and i % 2 else None,
            )
        )  # fmt: skip
    Procedure.objects.bulk_create(rows, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE procedures_procedure")


def timed(label: str, runs: int, fn) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    fn()  # warm up
    with CaptureQueriesContext(connection) as captured:
        fn()
    queries = len(captured)
    reset_queries()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"{label:<42} median {statistics.median(times):7.1f} ms   max {max(times):7.1f} ms"
        f"   queries {queries}"
    )


def main() -> None:
    args = parse_args()
    url = bench_database_url("mie_dx_procedures_bench")
    recreate_database(url)
    setup_django(url)
    started = time.perf_counter()
    build(args.procedures)
    print(f"built {args.procedures} procedures in {time.perf_counter() - started:.1f} s")

    from django.contrib.auth import get_user_model
    from django.test import Client

    from procedures import selectors

    timed("digitised_share(R4)", args.runs, lambda: selectors.digitised_share(2022))
    timed("progress_against_targets() (R3-R8)", args.runs,
          lambda: selectors.progress_against_targets(selectors.digitisation_plan()))  # fmt: skip
    timed("schedule_table()", args.runs, selectors.schedule_table)
    timed("availability_and_usage(R4)", args.runs, lambda: selectors.availability_and_usage(2022))
    timed("kpi_digitised_share(R3-R8)", args.runs,
          lambda: selectors.kpi_digitised_share(range(2021, 2027)))  # fmt: skip

    user = get_user_model().objects.create_superuser("bench", "bench@example.jp", "x")
    officer = signed_in_client(user)
    public = Client()

    def page(client, path):
        def get():
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        return get

    timed("GET /procedures/?fy=2022 (signed in)", args.runs, page(officer, "/procedures/?fy=2022"))
    timed("GET /procedures/progress/ (public)", args.runs, page(public, "/procedures/progress/"))


if __name__ == "__main__":
    main()
