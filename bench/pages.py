"""Public pages against a bare Django view, and a registration burst, with production settings.

    .venv/bin/python bench/pages.py                      # every page 10 s, then 200 for 20 seats
    .venv/bin/python bench/pages.py --seconds 10 --skip-burst

What it does:
1. (Re)creates its own PostgreSQL database (default `mie_dx_pages_bench` on the server of
   DATABASE_URL, override with BENCH_DATABASE_URL), migrates it, loads the demo data and adds a
   published hybrid seminar `bench` with 20 on-site seats; empties the Redis database of
   REDIS_URL (BENCH_REDIS_URL overrides it; required: production caches there) and collects
   the static files into a temporary directory.
2. Starts, on 127.0.0.1 (free ports), gunicorn as the Dockerfile does (3 sync workers, the
   image's WEB_CONCURRENCY; `--workers`, and `--threads` > 1 for gthread workers) with
   `mie_dx.settings.production` (through bench/pages_settings.py, which only adds the bare
   view `/bench/bare/` — a TemplateView rendering a tiny template through the same
   middleware), and one Celery worker (solo pool) that sends the outbox to a mail backend that
   discards messages. Every request carries `X-Forwarded-Proto: https` as from the TLS proxy.
3. For each page, `--clients` threads (keep-alive connections, anonymous visitors without
   cookies, Japanese) request it for `--seconds` after a warm-up, right after the same run of
   the bare view; prints both requests/s and their ratio.
4. The burst: `--requests` people (default 200) each GET the registration form (session and
   CSRF cookie), then all POST at once, `--concurrency` at a time (50), for `--seats` on-site
   seats (20); prints confirmed / wait-listed / errors and latency p50 / p95, and the CPU
   each part of the machine spent during the burst (gunicorn, the Celery worker, PostgreSQL,
   Redis, this script's client threads, from /proc), per registration, with the floor the
   web processes' CPU alone puts on the burst.
5. Exits 1 when a page answered anything but 200, or the burst did not confirm exactly
   `--seats` people with no error.

Only 127.0.0.1 is contacted. Every request has a timeout and the whole run a deadline.
"""

import argparse
import contextlib
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from benchdb import (
    ROOT,
    add_gunicorn_arguments,
    bench_database_url,
    create_bench_seminar,
    gunicorn_worker_options,
    recreate_database,
    registration_form,
)

HOST = "127.0.0.1"
TIMEOUT = 60.0
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECRET = "bench-only-secret-key-" + "x" * 40


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per page (10)")
    parser.add_argument("--clients", type=int, default=8, help="parallel clients per page (8)")
    parser.add_argument("--requests", type=int, default=200, help="registrations (200)")
    parser.add_argument("--concurrency", type=int, default=50, help="parallel registrations")
    parser.add_argument("--seats", type=int, default=20, help="on-site seats (20)")
    add_gunicorn_arguments(parser)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds for the run")
    return parser.parse_args()


def environment(database_url: str, redis_url: str, static_root: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.pages_settings",
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": SECRET,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_URL": "dummymail://",
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "BENCH_STATIC_ROOT": static_root,
            # All requests come from one address; connections are kept between requests.
            "RATELIMIT_ENABLE": "False",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "ERROR",
            "SITE_URL": "https://127.0.0.1",
        }
    )
    return env


def prepare(env: dict[str, str], seats: int) -> dict[str, str]:
    """Migrate, load the demo data, add the burst's seminar; returns the pages' paths."""
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from advisors.models import Supporter

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    cache.clear()
    create_bench_seminar(seats, number=99)
    supporter = Supporter.objects.filter(is_active=True).order_by("pk").first()
    from django.db import connection

    connection.close()
    return {
        "bare view": "/bench/bare/",
        "home": "/",
        "seminar list": "/seminars/",
        "seminar page": "/seminars/bench/",
        "directory": "/advisors/",
        "supporter page": f"/advisors/{supporter.slug}/",
        "procedure progress": "/procedures/progress/",
        "consultation form": "/consultations/new/",
        "registration form": "/seminars/bench/register/",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_servers(env: dict[str, str], port: int, workers: int, threads: int):
    bin_dir = ROOT / ".venv" / "bin"
    gunicorn = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "mie_dx.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            *gunicorn_worker_options(workers, threads),
            "--keep-alive",
            "5",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    worker = subprocess.Popen(
        [str(bin_dir / "celery"), "-A", "mie_dx", "worker", "--pool", "solo", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return [gunicorn, worker]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # it has exited
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _with_descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in children.read_text().split())
    return found


def _named(name: str) -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == name:
                pids.append(int(comm.parent.name))
        except OSError:
            pass
    return pids


def cpu_by_part(processes) -> dict[str, float]:
    """CPU seconds so far of each part of the machine the burst uses."""
    gunicorn, worker = processes
    times = os.times()
    return {
        "web (gunicorn)": sum(map(_cpu_seconds, _with_descendants(gunicorn.pid))),
        "mail worker (celery)": sum(map(_cpu_seconds, _with_descendants(worker.pid))),
        "PostgreSQL": sum(map(_cpu_seconds, _named("postgres"))),
        "Redis": sum(map(_cpu_seconds, _named("redis-server"))),
        "clients (this script)": times.user + times.system,
    }


def stop(processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


BASE_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "ja"}


class Visitor:
    """One browser: a keep-alive connection and its own cookies (kept by hand: production's
    cookies are Secure, and the proxy in front speaks https)."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        self.cookies: dict[str, str] = {}
        self.last_cache = "-"

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = {**BASE_HEADERS, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        self.last_cache = response.headers.get("X-Page-Cache", "-")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def close(self) -> None:
        self.connection.close()


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            visitor = Visitor(port)
            status, _ = visitor.request("GET", "/healthz")
            visitor.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


def throughput(port: int, path: str, clients: int, seconds: float) -> tuple[float, list[int], str]:
    """Requests/s of `clients` anonymous visitors (no cookies kept) on `path`, and what the
    page cache did (X-Page-Cache) for the last warm-up request."""
    warm = Visitor(port)
    for _ in range(10):
        warm.cookies.clear()
        warm.request("GET", path)
    warm.close()
    stop_at = time.monotonic() + seconds
    counts = [0] * clients
    bad: list[int] = []

    def run(i: int) -> None:
        visitor = Visitor(port)
        while time.monotonic() < stop_at:
            visitor.cookies.clear()
            status, _ = visitor.request("GET", path)
            if status == 200:
                counts[i] += 1
            else:
                bad.append(status)
        visitor.close()

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started), bad, warm.last_cache


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_pages(port: int, paths: dict[str, str], args) -> bool:
    """Each page right after a run of the bare view: the machine's load drifts (other work on
    the same CPUs), so each page is compared with the bare view measured next to it."""
    bare_path = paths["bare view"]
    results = []
    ok = True
    for name, path in paths.items():
        if path == bare_path:
            continue
        bare, bad_bare, _ = throughput(port, bare_path, args.clients, args.seconds)
        rate, bad, cache = throughput(port, path, args.clients, args.seconds)
        ok = ok and not bad and not bad_bare
        results.append((name, path, rate, bare, bad + bad_bare, cache))
    print(f"{args.clients} clients, {args.seconds:.0f} s per run; bare view {bare_path}")
    for name, path, rate, bare, bad, cache in results:
        errors = f"  ERRORS {sorted(set(bad))}" if bad else ""
        print(
            f"{name:20} {path:30} {rate:6.0f} req/s vs bare {bare:5.0f} req/s: "
            f"{rate / bare:5.2f} (cache: {cache}){errors}"
        )
    return ok


def run_burst(port: int, args, deadline: float, processes) -> bool:
    path = "/seminars/bench/register/"
    visitors = [Visitor(port) for _ in range(args.requests)]
    tokens: dict[int, str] = {}

    def open_form(i: int) -> None:
        _, body = visitors[i].request("GET", path)
        tokens[i] = CSRF_RE.search(body.decode()).group(1)
        # One connection per person, opened again for the POST: no keep-alive advantage.
        visitors[i].close()

    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(pool.map(open_form, range(args.requests)))

    def register(i: int):
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": tokens[i], **registration_form(i)})
        started = time.perf_counter()
        try:
            status, _ = visitors[i].request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{HOST}:{port}",
                    "Referer": f"https://{HOST}:{port}{path}",
                },
            )
        except Exception as error:  # counted as an error in the summary
            status = repr(error)
        return time.perf_counter() - started, status

    cpu_before = cpu_by_part(processes)
    started = time.perf_counter()
    results = []
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        futures = [pool.submit(register, i) for i in range(args.requests)]
        for future in as_completed(futures, timeout=max(deadline - time.monotonic(), 1)):
            results.append(future.result())
    seconds = time.perf_counter() - started
    cpu_after = cpu_by_part(processes)

    from django.db import connection

    from seminars.models import Attendance, Registration, RegistrationStatus

    connection.close()
    onsite = Registration.objects.filter(seminar__slug="bench", attendance=Attendance.ONSITE)
    confirmed = onsite.filter(status=RegistrationStatus.CONFIRMED).count()
    waitlisted = onsite.filter(status=RegistrationStatus.WAITLISTED).count()
    errors = [status for _, status in results if status != 302]
    latencies = [s * 1000 for s, _ in results]
    print(f"burst: {args.requests} registrations, {args.concurrency} at a time, {args.seats} seats")
    print(
        f"confirmed on-site: {confirmed}; wait-listed: {waitlisted}; errors: {len(errors)}"
        + (f" {sorted(set(map(str, errors)))}" if errors else "")
    )
    print(
        f"registration POST: p50 {percentile(latencies, 0.5):.0f} ms, "
        f"p95 {percentile(latencies, 0.95):.0f} ms, mean {statistics.fmean(latencies):.0f} ms; "
        f"burst took {seconds:.2f} s ({args.requests / seconds:.0f} registrations/s)"
    )
    print_cpu(cpu_before, cpu_after, seconds, args)
    return (
        confirmed == min(args.seats, args.requests)
        and waitlisted == max(args.requests - args.seats, 0)
        and not errors
    )


def print_cpu(before: dict[str, float], after: dict[str, float], seconds: float, args) -> None:
    """Where the machine's CPU went during the burst, and the floor the web part implies."""
    cpus = os.cpu_count() or 1
    spent = {part: after[part] - before[part] for part in after}
    total = sum(spent.values())
    print(
        f"CPU during the burst ({seconds:.2f} s x {cpus} CPUs = {seconds * cpus:.2f} CPU-s "
        f"available; {total:.2f} CPU-s used, {total / (seconds * cpus):.0%}):"
    )
    for part, used in spent.items():
        print(f"  {part:24} {used:6.2f} CPU-s  {used / args.requests * 1000:6.1f} ms/registration")
    web = spent["web (gunicorn)"] / args.requests
    if web > 0:
        rate = cpus / web
        print(
            f"floor from the web processes alone ({web * 1000:.1f} ms CPU per registration on "
            f"{cpus} CPUs): at most {rate:.0f} registrations/s, so with {args.concurrency} in "
            f"flight each waits about {args.concurrency / rate * 1000:.0f} ms, and the whole "
            f"burst needs {args.requests / rate:.2f} s; with everything else on the same CPUs "
            f"({total / args.requests * 1000:.1f} ms per registration): "
            f"{args.concurrency * total / args.requests / cpus * 1000:.0f} ms each"
        )


def main() -> int:
    args = parse_args()
    deadline = time.monotonic() + args.deadline
    redis_url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    if not redis_url:
        sys.exit("Set REDIS_URL (or BENCH_REDIS_URL): production caches in Redis.")
    database_url = bench_database_url("mie_dx_pages_bench")
    print(f"database: {urllib.parse.urlsplit(database_url).path.lstrip('/')} (recreated)")
    recreate_database(database_url)
    with tempfile.TemporaryDirectory(prefix="mie_dx_static_") as static_root:
        env = environment(database_url, redis_url, static_root)
        paths = prepare(env, args.seats)
        port = free_port()
        processes = start_servers(env, port, args.workers, args.threads)
        ok = True
        try:
            wait_until_up(port, min(deadline, time.monotonic() + 60))
            print(
                f"gunicorn: {args.workers} workers x {args.threads} threads on {HOST}:{port}, "
                "production settings, Redis cache, 1 Celery worker"
            )
            if not args.skip_pages:
                ok = run_pages(port, paths, args) and ok
            if not args.skip_burst:
                ok = run_burst(port, args, deadline, processes) and ok
        finally:
            stop(processes)
    print("RESULT: " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
