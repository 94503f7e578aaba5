"""What one registration costs, part by part, and how long it holds the seminar's lock.

    .venv/bin/python bench/registration_cost.py [--requests 200 --seats 20]

One after another (no contention), `--requests` people register through the public form (the
Django test client: middleware, form, view, service; no network, no gunicorn) for a seminar
with `--seats` on-site seats, in its own database `mie_dx_registration_bench`. E-mails are
queued to an in-memory broker (a worker sends them elsewhere in production). Prints, per
registration (median and p95): the CPU time of the whole POST, the CPU time spent rendering
the e-mail (and .ics) before the lock, the time from `SELECT … FOR UPDATE` of the seminar to
the commit (the lock is held that long, and the queries run in it), and the floor this puts
on a burst: registrations of one seminar cannot go faster than one per lock time, nor than
the CPUs allow (CPU per registration / number of CPUs).
"""

import argparse
import os
import statistics
import sys
import time

from benchdb import (
    bench_database_url,
    create_bench_seminar,
    recreate_database,
    registration_form,
    setup_django,
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seats", type=int, default=20)
    return parser.parse_args()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    args = parse_args()
    database_url = bench_database_url("mie_dx_registration_bench")
    recreate_database(database_url)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "False"  # queue only: the worker sends
    os.environ["RATELIMIT_ENABLE"] = "False"
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from seminars import notifications
    from seminars.models import Registration, RegistrationStatus

    call_command("migrate", verbosity=0, interactive=False)
    create_bench_seminar(args.seats)

    current: dict[str, float] = {}

    def watch(execute, sql, params, many, context):
        if "FOR UPDATE" in sql and '"seminars_seminar"' in sql and "lock" not in current:
            current["lock"] = time.perf_counter()
            current["lock_cpu"] = time.thread_time()
            current["queries"] = 0
            current["in_queries"] = 0.0
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if "lock" in current and "committed" not in current:
                current["queries"] += 1
                current["in_queries"] += time.perf_counter() - started

    commit = connection.commit

    def timed_commit():
        started = time.perf_counter()
        commit()
        if "lock" in current and "committed" not in current:
            current["committed"] = time.perf_counter()
            current["held_cpu"] = time.thread_time() - current["lock_cpu"]
            current["commit"] = current["committed"] - started

    connection.commit = timed_commit

    render_cpu: list[float] = []
    first_message = getattr(notifications, "first_message", None)
    if first_message is not None:

        def timed_first_message(registration):
            started = time.thread_time()
            message = first_message(registration)
            current["render"] = current.get("render", 0.0) + time.thread_time() - started
            return message

        notifications.first_message = timed_first_message

    path = "/seminars/bench/register/"
    Client().get(path)  # warm the templates
    cpu, held, queries, in_queries, commits, held_cpu = [], [], [], [], [], []
    with connection.execute_wrapper(watch):
        for i in range(args.requests):
            current.clear()
            client = Client()
            started = time.thread_time()
            response = client.post(
                path,
                {**registration_form(i), "email": f"cost{i}@example.jp"},
            )
            cpu.append((time.thread_time() - started) * 1000)
            assert response.status_code == 302, response.status_code
            held.append((current["committed"] - current["lock"]) * 1000)
            in_queries.append(current["in_queries"] * 1000)
            held_cpu.append(current["held_cpu"] * 1000)
            commits.append(current["commit"] * 1000)
            queries.append(current["queries"])
            render_cpu.append(current.get("render", 0.0) * 1000)

    onsite = Registration.objects.filter(seminar__slug="bench")
    confirmed = onsite.filter(status=RegistrationStatus.CONFIRMED).count()
    print(
        f"{args.requests} registrations one after another, {args.seats} seats: {confirmed} confirmed"
    )

    def line(name: str, values: list[float], unit: str = "ms") -> None:
        print(
            f"{name:44} median {statistics.median(values):6.1f} {unit}, "
            f"p95 {percentile(values, 0.95):6.1f} {unit}"
        )

    line("CPU of the whole POST", cpu)
    if first_message is not None:
        line("  of which rendering the e-mail before lock", render_cpu)
    line("seminar lock held (FOR UPDATE to commit)", held)
    line("  of which waiting for its queries", in_queries)
    line("  of which the COMMIT", commits)
    line("  CPU of the web process while it is held", held_cpu)
    line("queries while the lock is held", queries, "")
    cpus = os.cpu_count() or 1
    floor_lock = statistics.median(held)
    floor_cpu = statistics.median(cpu) / cpus
    per = max(floor_lock, floor_cpu)
    print(
        f"floor for a burst of {args.requests}: one registration per "
        f"max(lock {floor_lock:.1f} ms, CPU {statistics.median(cpu):.1f} ms / {cpus} CPUs) "
        f"= {per:.1f} ms, so the last one waits at least {per * args.requests / 1000:.2f} s "
        "(the client's own CPU not counted)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
