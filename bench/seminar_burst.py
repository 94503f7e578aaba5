"""Burst benchmark: N people register at once for a 20-seat seminar, over HTTP, via gunicorn.

    .venv/bin/python bench/seminar_burst.py                 # 200 registrations, 50 at a time
    .venv/bin/python bench/seminar_burst.py --requests 500 --concurrency 100

What it does:
1. (Re)creates its own PostgreSQL database (default `mie_dx_bench` on the server of
   DATABASE_URL, override with BENCH_DATABASE_URL) and migrates it.
2. Creates a published hybrid seminar with 20 on-site seats (`--seats`).
3. Starts gunicorn on 127.0.0.1 (a free port) against that database, with RATELIMIT_ENABLE=False
   (every request comes from one address), DEBUG off, Celery tasks in process and a mail
   backend that discards messages (the outbox rows are still written and "sent").
4. Each simulated person first GETs the form (session and CSRF cookie), then all POSTs are fired
   from a thread pool; the latency of each POST is measured. Every registrant chooses on-site.
5. The same number of GETs to /healthz (a trivial view of the same server: one SELECT 1) at the
   same concurrency give the baseline.
6. Prints confirmed / wait-listed / errors, latency p50/p95 of both, and their ratio; stops
   gunicorn. Exits 1 when the seats were not exactly filled or any request failed.

Only 127.0.0.1 is contacted. Every request has a timeout and the whole run a deadline.
"""

import argparse
import http.cookiejar
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed

from benchdb import (
    ROOT,
    add_gunicorn_arguments,
    bench_database_url,
    bench_environment,
    create_bench_seminar,
    gunicorn_worker_options,
    recreate_database,
    registration_form,
    setup_django,
)

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 60.0
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="registrations (default 200)")
    parser.add_argument("--concurrency", type=int, default=50, help="parallel clients (50)")
    parser.add_argument("--seats", type=int, default=20, help="on-site seats (20)")
    add_gunicorn_arguments(parser)
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds for the run")
    return parser.parse_args()


def server_environment(database_url: str) -> dict[str, str]:
    env = bench_environment(database_url)
    # All requests come from one address; connections are kept for the burst.
    env.update({"RATELIMIT_ENABLE": "False", "ALLOWED_HOSTS": HOST, "CONN_MAX_AGE": "60"})
    return env


def prepare(database_url: str, seats: int) -> str:
    """Migrate and create the seminar (Django in this process, same settings as the server)."""
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    create_bench_seminar(seats)
    return "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int):
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "mie_dx.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        *gunicorn_worker_options(workers, threads),
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One person: their own cookies (session, CSRF), like a browser."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        self.token = ""

    def open_form(self, path: str) -> None:
        with self.opener.open(self.base + path, timeout=REQUEST_TIMEOUT) as response:
            self.token = CSRF_RE.search(response.read().decode()).group(1)

    def post(self, path: str, data: dict[str, str]) -> int:
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.token}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    try:
        outcome = call()
    except Exception as error:  # counted as an error in the summary
        outcome = error
    return time.perf_counter() - started, outcome


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def burst(calls, concurrency: int, deadline: float) -> list[tuple[float, object]]:
    results: list[tuple[float, object]] = []
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(timed, call) for call in calls]
        for future in as_completed(futures, timeout=max(deadline - time.monotonic(), 1)):
            with lock:
                results.append(future.result())
    return results


def main() -> int:
    args = parse_args()
    deadline = time.monotonic() + args.deadline
    database_url = bench_database_url("mie_dx_bench")
    print(f"database: {urllib.parse.urlsplit(database_url).path.lstrip('/')} (recreated)")
    recreate_database(database_url)
    slug = prepare(database_url, args.seats)
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_gunicorn(server_environment(database_url), port, args.workers, args.threads)
    try:
        wait_until_up(base, min(deadline, time.monotonic() + 60))
        form_path = f"/seminars/{slug}/register/"
        clients = [Client(base) for _ in range(args.requests)]
        # Sessions and CSRF tokens first, so that the burst is the registrations themselves.
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(lambda c: c.open_form(form_path), clients))

        def registration(i: int, client: Client):
            return lambda: client.post(
                form_path,
                registration_form(i),
            )

        started = time.perf_counter()
        registrations = burst(
            [registration(i, c) for i, c in enumerate(clients)], args.concurrency, deadline
        )
        burst_seconds = time.perf_counter() - started

        def health_check():
            with urllib.request.urlopen(f"{base}/healthz", timeout=REQUEST_TIMEOUT) as response:
                return response.status

        baseline = burst([health_check] * args.requests, args.concurrency, deadline)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    from django.db import connection

    from seminars.models import Attendance, Registration, RegistrationStatus

    connection.close()
    onsite = Registration.objects.filter(seminar__slug=slug, attendance=Attendance.ONSITE)
    confirmed = onsite.filter(status=RegistrationStatus.CONFIRMED).count()
    waitlisted = onsite.filter(status=RegistrationStatus.WAITLISTED).count()
    errors = [outcome for _, outcome in registrations if outcome != 302]
    baseline_errors = [outcome for _, outcome in baseline if outcome != 200]
    latencies = [seconds * 1000 for seconds, _ in registrations]
    baseline_latencies = [seconds * 1000 for seconds, _ in baseline]

    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    b50, b95 = percentile(baseline_latencies, 0.50), percentile(baseline_latencies, 0.95)
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads on {HOST}:{port}; "
        f"{args.requests} registrations, {args.concurrency} at a time, {args.seats} seats"
    )
    print(f"confirmed on-site: {confirmed}")
    print(f"wait-listed:       {waitlisted}")
    print(
        f"errors:            {len(errors)}"
        + (f" {sorted(set(map(str, errors)))}" if errors else "")
    )
    print(
        f"registration POST: p50 {p50:.1f} ms, p95 {p95:.1f} ms, mean "
        f"{statistics.fmean(latencies):.1f} ms; burst took {burst_seconds:.2f} s "
        f"({args.requests / burst_seconds:.0f} registrations/s)"
    )
    print(f"baseline /healthz: p50 {b50:.1f} ms, p95 {b95:.1f} ms (errors: {len(baseline_errors)})")
    print(f"ratio registration/healthz: p50 {p50 / b50:.1f}x, p95 {p95 / b95:.1f}x")

    expected_waitlisted = max(args.requests - args.seats, 0)
    ok = (
        confirmed == min(args.seats, args.requests)
        and waitlisted == expected_waitlisted
        and not errors
        and not baseline_errors
    )
    print("RESULT: " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
