"""Benchmark of the training office: the main page with 5,000 staff and 20,000 enrolments,
and a 5,000-row roster import (and a 5,000-row completions import).

    .venv/bin/python bench/training_office.py            # 5,000 staff, 4 courses each
    .venv/bin/python bench/training_office.py --staff 10000 --repeat 10

What it does:
1. (Re)creates its own PostgreSQL database (default `mie_dx_training_bench` on the server of
   DATABASE_URL, override with BENCH_DATABASE_URL; the name must contain "bench") and
   migrates it.
2. Loads the demo organisation (29 divisions), 4 mandatory courses of FY2022 and `--staff`
   staff, each enrolled in the 4 courses (bulk), about 80 % completed; promoters in half of
   the divisions.
3. Times GET /training/?fy=2022 (as a training officer, Django's test client in process, no
   network) `--repeat` times after one warm-up, and counts its queries.
4. Times the import (`StaffResource`, the same as `import_data staff`) of a roster of all the
   staff with one row in ten changed (a new stage), then of a completions file of `--staff`
   rows (one per member of staff), each all-or-nothing in one transaction.
Prints the timings; exits 1 if an import reported a problem.
"""

import argparse
import statistics
import sys
import time
from datetime import date

from benchdb import (
    bench_database_url,
    create_bench_staff,
    recreate_database,
    setup_django,
    signed_in_client,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=5000, help="staff (5000)")
    parser.add_argument("--repeat", type=int, default=5, help="page loads timed (5)")
    return parser.parse_args()


def build(staff_count: int):
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from mie_dx.demo import load_organisation
    from mie_dx.models import Division
    from mie_dx.roles import TRAINING_OFFICERS
    from training.models import Course, CourseRun, Enrolment, PromoterAppointment, Stage

    call_command("migrate", verbosity=0, interactive=False)
    load_organisation()
    divisions = list(Division.objects.all())
    runs = []
    for n in range(4):
        course = Course.objects.create(
            code=f"B{n:02d}",
            name=f"ベンチ研修{n}",
            category=Course.Category.STAGE,
            delivery=Course.Delivery.ELEARNING,
            target_stages=[Stage.NEW_HIRE],
        )
        runs.append(
            CourseRun.objects.create(
                course=course,
                fiscal_year=2022,
                label="4-7月",
                starts_on=date(2022, 4, 1),
                ends_on=date(2022, 7, 29),
            )
        )
    staff = create_bench_staff(staff_count)
    Enrolment.objects.bulk_create(
        (
            Enrolment(
                staff=s,
                run=run,
                course_id=run.course_id,
                fiscal_year=2022,
                division_id=s.division_id,
                stage=s.stage,
                completed_on=date(2022, 6, 1) if (i + j) % 5 else None,
            )
            for i, s in enumerate(staff)
            for j, run in enumerate(runs)
        ),
        batch_size=5000,
    )
    PromoterAppointment.objects.bulk_create(
        PromoterAppointment(
            division=d, fiscal_year=2022, role=PromoterAppointment.Role.PRIMARY, staff=staff[n]
        )
        for n, d in enumerate(divisions[::2])
    )
    officer = User.objects.create_user("bench-officer", password="x", is_staff=True)
    officer.groups.add(Group.objects.get(name=TRAINING_OFFICERS))
    return officer, staff


def time_page(officer, repeat: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(officer)
    assert client.get("/training/?fy=2022").status_code == 200  # warm-up
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/training/?fy=2022")
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    return timings, len(queries)


def time_imports(staff, officer) -> int:
    from mie_dx.importexport import dataset_from_file, import_report
    from mie_dx.models import Division
    from training.models import IMPORT_NAME_BY_STAGE, Stage
    from training.resources import CompletionResource, StaffResource

    lines = ["職員番号,氏名,フリガナ,所属コード,階層,メールアドレス,在職"]
    division_codes = {d.pk: d.code for d in Division.objects.all()}
    for i, s in enumerate(staff):
        stage = Stage.NEW_CHIEF if i % 10 == 0 else s.stage
        lines.append(
            f"{s.employee_number},{s.name},,{division_codes[s.division_id]},"
            f"{IMPORT_NAME_BY_STAGE[stage]},{s.email},1"
        )
    roster = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    report = import_report(
        StaffResource(user=officer), dataset_from_file(roster, "roster.csv"), dry_run=False
    )
    roster_seconds = time.perf_counter() - started
    print(
        f"roster import, {len(staff)} rows: {roster_seconds:.2f} s "
        f"(created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"problems {len(report.problems)})"
    )
    failed = len(report.problems)

    lines = ["職員番号,研修コード,修了日"]
    lines += [f"{s.employee_number},B00,2022/07/01" for s in staff]
    completions = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    report = import_report(
        CompletionResource(user=officer), dataset_from_file(completions, "done.csv"), dry_run=False
    )
    seconds = time.perf_counter() - started
    print(
        f"completions import, {len(staff)} rows: {seconds:.2f} s "
        f"(created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"problems {len(report.problems)})"
    )
    return failed + len(report.problems)


def main() -> int:
    args = parse_args()
    url = bench_database_url("mie_dx_training_bench")
    recreate_database(url)
    setup_django(url)
    started = time.perf_counter()
    officer, staff = build(args.staff)
    from training.models import Enrolment

    print(
        f"built {len(staff)} staff and {Enrolment.objects.count()} enrolments "
        f"in {time.perf_counter() - started:.1f} s"
    )
    timings, queries = time_page(officer, args.repeat)
    print(
        f"GET /training/?fy=2022: median {statistics.median(timings) * 1000:.0f} ms, "
        f"max {max(timings) * 1000:.0f} ms over {args.repeat} loads, {queries} queries"
    )
    return 1 if time_imports(staff, officer) else 0


if __name__ == "__main__":
    sys.exit(main())
