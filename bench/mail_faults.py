"""Mail fault run: 1,000 e-mails through the real outbox, Redis, Celery and SMTP, under faults.

    .venv/bin/python bench/mail_faults.py                       # 500 consultations, 2 mails each
    .venv/bin/python bench/mail_faults.py --consultations 100   # a quicker look

What it does (about 6–7 minutes on the 2-CPU development machine; deadline --deadline):
1. (Re)creates its own PostgreSQL database (`mie_dx_faults_bench` on the server of DATABASE_URL,
   or BENCH_DATABASE_URL) and migrates it.
2. Starts its own redis-server on 127.0.0.1:--redis-port (6390, no persistence: a stop loses
   every queued task message, the worst case) and an SMTP sink on a free port, in this process,
   which can answer 451 to everyone, 550 to chosen recipients, drop the connection after DATA
   (the message is in: it counts as received), or hold its reply to DATA.
3. Starts two Celery workers (prefork, 2 processes each) and beat as subprocesses, with the
   portal's production settings for the outbox (sweep every minute, "sending" stale after 2
   minutes) and EMAIL_URL pointing at the sink.
4. Submits --consultations consultations through the public service
   (consultations.services.submit_consultation), evenly over --spread seconds; each queues the
   requester's acknowledgement and the center's alert. Every 25th submission is also made in a
   transaction that rolls back: its e-mails must never be sent.
5. Meanwhile, from the start of the submissions: 10 requesters' addresses answered 550 all
   along; t=15 s a worker killed with -9 while the sink holds its reply to DATA (mid-send) and
   restarted 2 s later (what `restart: unless-stopped` does); t=30 s Redis stopped for 20 s;
   t=60 s SMTP 451 for 30 s; t=100 s drop after DATA for 10 s; t=120 s the other worker
   killed with -9 mid-send and restarted; t=135 s Redis stopped for 65 s, across two sweep
   ticks (the sweep runs every 30 s), while submissions go on.
6. Waits until no e-mail is pending or sending, then prints: delivered, failed, ambiguous,
   duplicates (and whether each shares the first copy's Message-ID), lost, rolled-back
   delivered, failed rows the sink received, workers alive after the Redis outage (process
   running and answering a ping, without a restart), delivery latency p50/p95. Exits 1 when a
   target is missed (0 lost, 0 rolled-back delivered, duplicates share their Message-ID, no
   failed row received, workers alive after the outage, p95 under 2 minutes).

Only 127.0.0.1 is contacted. Logs of the workers, beat and Redis go to a temporary directory
printed at the start.
"""

import argparse
import asyncio
import email
import email.policy
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from benchdb import ROOT, bench_database_url, bench_environment, recreate_database

HOST = "127.0.0.1"
CELERY = str(ROOT / ".venv" / "bin" / "celery")
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consultations", type=int, default=500, help="submissions (500)")
    parser.add_argument("--spread", type=float, default=190.0, help="seconds to submit them in")
    parser.add_argument("--redis-port", type=int, default=6390, help="its own Redis (6390)")
    parser.add_argument("--deadline", type=float, default=620.0, help="seconds for the run")
    return parser.parse_args()


# --- The SMTP sink ------------------------------------------------------------------------------


class Sink:
    """A small SMTP server (asyncio, in a thread) whose answers the run switches."""

    def __init__(self) -> None:
        self.temp_fail = False  # 451 to MAIL FROM
        self.drop_after_data = False  # close once the message is in, before "250"
        self.hold_seconds = 0.0  # wait before answering DATA
        self.rejected: set[str] = set()  # 550 at RCPT TO
        self.received: list[tuple[float, str, str, str]] = []  # time, Message-ID, To, Subject
        self.holding = 0
        self.sessions = 0
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.port = 0

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            server = self.loop.run_until_complete(asyncio.start_server(self._session, HOST, 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)

    async def _session(self, reader, writer) -> None:
        def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        recipients: list[str] = []
        self.sessions += 1
        try:
            reply("220 sink ESMTP")
            while line := await reader.readline():
                command = line.decode("utf-8", "replace").strip()
                verb = command[:4].upper()
                if verb == "EHLO":
                    reply("250-sink")
                    reply("250 8BITMIME")
                elif verb == "MAIL":
                    recipients = []
                    reply("451 4.3.0 try again later" if self.temp_fail else "250 OK")
                elif verb == "RCPT":
                    address = command.partition("<")[2].partition(">")[0].lower()
                    if address in self.rejected:
                        reply("550 5.1.1 user unknown")
                    else:
                        recipients.append(address)
                        reply("250 OK")
                elif verb == "DATA":
                    reply("354 go ahead")
                    await writer.drain()
                    lines = []
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    self._record(b"".join(lines))
                    if self.drop_after_data:
                        return
                    if self.hold_seconds:
                        self.holding += 1
                        try:
                            await asyncio.sleep(self.hold_seconds)
                        finally:
                            self.holding -= 1
                    reply("250 2.0.0 queued")
                elif verb == "QUIT":
                    reply("221 bye")
                    await writer.drain()
                    return
                else:  # HELO, RSET, NOOP
                    reply("250 OK")
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.sessions -= 1
            writer.close()

    def _record(self, raw: bytes) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        entry = (
            time.time(),
            str(message["Message-ID"]),
            str(message["To"]).lower(),
            str(message["Subject"]),
        )
        with self.lock:
            self.received.append(entry)


# --- Processes ----------------------------------------------------------------------------------


class Processes:
    def __init__(self, env: dict[str, str], logs: Path, redis_port: int) -> None:
        self.env, self.logs, self.redis_port = env, logs, redis_port
        self.workers: dict[str, subprocess.Popen] = {}
        self.redis: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.restarts = 0
        # What `restart: unless-stopped` does: a worker that exits by itself is started again.
        self.crashes: list[tuple[str, float]] = []
        self.killing: set[str] = set()
        self.stopping = False

    def supervise(self, t0: float) -> None:
        while not self.stopping:
            for name, process in list(self.workers.items()):
                if name not in self.killing and process.poll() is not None and not self.stopping:
                    self.crashes.append((name, time.monotonic() - t0))
                    time.sleep(1)
                    self.start_worker(name)
            time.sleep(0.5)

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("a")
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the pool with it
        )

    def start_redis(self) -> None:
        self.redis = self._spawn(
            "redis",
            [
                "redis-server",
                "--bind",
                HOST,
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--dir",
                str(self.logs),
                "--appendonly",
                "no",
            ],
        )

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(10)

    def start_worker(self, name: str) -> None:
        self.workers[name] = self._spawn(
            name,
            [
                CELERY,
                "-A",
                "mie_dx",
                "worker",
                "--pool=prefork",
                "--concurrency=2",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
        )

    def kill_worker(self, name: str) -> bool:
        """kill -9 the worker and its pool; False when it had already exited by itself."""
        process = self.workers[name]
        if process.poll() is not None:
            return False
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        return True

    def start_beat(self) -> None:
        schedule = self.logs / "celerybeat-schedule"
        self.beat = self._spawn("beat", [CELERY, "-A", "mie_dx", "beat", "-s", str(schedule)])

    def stop_all(self) -> None:
        self.stopping = True
        for process in [*self.workers.values(), self.beat, self.redis]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.workers.values(), self.beat, self.redis]:
            if process is None:
                continue
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def wait_for_redis(port: int, deadline: float) -> None:
    import socket

    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("redis-server did not start")


def pinged(names: list[str]) -> set[str]:
    from mie_dx.celery import app

    try:
        replies = app.control.ping(timeout=3.0)
    except Exception:  # no broker: nobody answered
        return set()
    answered = {name.split("@")[0] for reply in replies for name in reply}
    return answered & set(names)


# --- The run ------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    deadline = started + args.deadline
    database_url = bench_database_url("mie_dx_faults_bench")
    logs = Path(tempfile.mkdtemp(prefix="mail_faults_"))
    print(f"database {database_url.rsplit('/', 1)[1]}, logs in {logs}", flush=True)

    sink = Sink()
    env = bench_environment(database_url)
    env.update(
        {
            "REDIS_URL": f"redis://{HOST}:{args.redis_port}/0",
            "CELERY_TASK_ALWAYS_EAGER": "False",
            "EMAIL_URL": f"smtp://{HOST}:{sink.port}",
            "LOG_LEVEL": "WARNING",
        }
    )
    recreate_database(database_url)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # A publish refused while Redis is down is logged by Django (robust on_commit): expected.
    logging.getLogger("django.db.backends.base").setLevel(logging.CRITICAL)
    logging.getLogger("mie_dx").setLevel(logging.CRITICAL)

    processes = Processes(env, logs, args.redis_port)
    processes.start_redis()
    wait_for_redis(args.redis_port, deadline)
    for name in ("w1", "w2"):
        processes.start_worker(name)
    processes.start_beat()
    while pinged(["w1", "w2"]) != {"w1", "w2"}:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not start")
        time.sleep(1)
    print(f"ready after {time.monotonic() - started:.0f} s; submitting", flush=True)

    try:
        results = run_faults(args, sink, processes, deadline)
    finally:
        processes.stop_all()
    results["runtime_s"] = time.monotonic() - started
    return report(results)


def run_faults(args, sink: Sink, processes: Processes, deadline: float) -> dict:
    from django.db import transaction

    from consultations.services import ConsultationDetails, submit_consultation
    from mie_dx.models import Notification

    n = args.consultations
    rejected = {f"bench-{i:04d}@example.jp" for i in range(5, n, max(n // 10, 1))}
    sink.rejected = set(sorted(rejected)[:10])
    events: list[str] = []
    alive_after_outage: dict[str, bool] = {}
    # (fault, start, end) in wall-clock time, to compare with the sink's receipt times.
    windows: list[tuple[str, float, float]] = []
    redis_down = threading.Event()
    t0 = time.monotonic()

    def at(seconds: float) -> None:
        time.sleep(max(0.0, t0 + seconds - time.monotonic()))

    def kill_mid_send(name: str) -> None:
        processes.killing.add(name)
        sink.hold_seconds = 4.0
        wait_until = time.monotonic() + 8
        while sink.holding == 0 and time.monotonic() < wait_until:
            time.sleep(0.05)
        held = sink.holding
        killed = processes.kill_worker(name)
        sink.hold_seconds = 0.0
        what = f"kill -9 {name} ({held} send(s) held)" if killed else f"{name} had already died"
        events.append(f"t={time.monotonic() - t0:.0f}s {what}")
        time.sleep(2)
        processes.start_worker(name)
        processes.restarts += 1
        processes.killing.discard(name)

    def schedule() -> None:
        at(15)
        kill_mid_send("w1")
        at(30)
        started = time.time()
        processes.stop_redis()
        redis_down.set()
        events.append(f"t={time.monotonic() - t0:.0f}s Redis stopped")
        at(50)
        processes.start_redis()
        wait_for_redis(args.redis_port, deadline)
        redis_down.clear()
        windows.append(("Redis down 20 s", started, time.time()))
        events.append(f"t={time.monotonic() - t0:.0f}s Redis back")
        # Alive after the outage: the same processes (no restart), answering a ping.
        answered: set[str] = set()
        until = time.monotonic() + 30
        while answered != {"w1", "w2"} and time.monotonic() < until:
            answered |= pinged(["w1", "w2"])
            time.sleep(1)
        crashed = {name for name, _t in processes.crashes}
        for name, process in processes.workers.items():
            alive_after_outage[name] = (
                process.poll() is None and name in answered and name not in crashed
            )
        at(60)
        started = time.time()
        sink.temp_fail = True
        events.append("t=60s SMTP 451 on")
        at(90)
        sink.temp_fail = False
        windows.append(("SMTP 451 30 s", started, time.time()))
        events.append("t=90s SMTP 451 off")
        at(100)
        started = time.time()
        sink.drop_after_data = True
        events.append("t=100s drop after DATA on")
        at(110)
        sink.drop_after_data = False
        windows.append(("drop after DATA 10 s", started, time.time()))
        events.append("t=110s drop after DATA off")
        at(120)
        started = time.time()
        kill_mid_send("w2")
        windows.append(("kill -9 mid-send", started, time.time()))
        # Across two sweep ticks: beat cannot publish the sweep, retries held by the broker are
        # gone (no persistence), submissions cannot publish.
        at(135)
        started = time.time()
        processes.stop_redis()
        redis_down.set()
        events.append(f"t={time.monotonic() - t0:.0f}s Redis stopped (across two sweep ticks)")
        at(200)
        processes.start_redis()
        wait_for_redis(args.redis_port, deadline)
        redis_down.clear()
        windows.append(("Redis down 65 s", started, time.time()))
        events.append(f"t={time.monotonic() - t0:.0f}s Redis back")

    faults = threading.Thread(target=schedule, daemon=True)
    faults.start()
    threading.Thread(target=processes.supervise, args=(t0,), daemon=True).start()

    class Rollback(Exception):
        pass

    def details(email_address: str, i: int) -> ConsultationDetails:
        return ConsultationDetails(
            requester_type="business",
            organization="株式会社ベンチ",
            name=f"試験 {i}",
            name_kana="ｼｹﾝ",
            email=email_address,
            phone="059-000-0000",
            municipality="tsu",
            category="problem",
            title=f"障害試験の相談 {i}",
            description="メール障害の試験です。",
        )

    rolled_back = 0
    submit_ms: dict[bool, list[float]] = {True: [], False: []}  # Redis down? → durations
    for i in range(n):
        at(i * args.spread / n)
        down = redis_down.is_set()
        began = time.perf_counter()
        submit_consultation(details=details(f"bench-{i:04d}@example.jp", i))
        submit_ms[down and redis_down.is_set()].append((time.perf_counter() - began) * 1000)
        if i % 25 == 0:
            try:
                with transaction.atomic():
                    submit_consultation(details=details(f"rollback-{i:04d}@example.jp", i))
                    raise Rollback
            except Rollback:
                rolled_back += 1
    submitted_at = time.monotonic() - t0
    faults.join(max(0.0, deadline - time.monotonic()))

    # Drain: until nothing is pending or sending (or the deadline).
    unsent = Notification.objects.filter(status__in=["pending", "sending"])
    while unsent.exists() and time.monotonic() < deadline:
        time.sleep(2)
    drained_at = time.monotonic() - t0
    time.sleep(2)
    final_ping = pinged(list(processes.workers))
    rows = list(
        Notification.objects.values_list(
            "pk", "message_id", "to", "status", "created_at", "template"
        )
    )
    with sink.lock:
        received = list(sink.received)
    return {
        "consultations": n,
        "rolled_back": rolled_back,
        "rows": rows,
        "received": received,
        "events": events,
        "alive_after_outage": alive_after_outage,
        "final_ping": final_ping,
        "restarts": processes.restarts,
        "crashes": list(processes.crashes),
        "submitted_at": submitted_at,
        "drained_at": drained_at,
        "unsent_left": unsent.count(),
        "windows": windows,
        "submit_ms": submit_ms,
    }


def report(results: dict) -> int:
    rows, received = results["rows"], results["received"]
    by_message_id: dict[str, list[tuple[float, str, str, str]]] = defaultdict(list)
    by_mail: dict[tuple[str, str], list[str]] = defaultdict(list)  # (to, subject) → Message-IDs
    for entry in received:
        by_message_id[entry[1]].append(entry)
        by_mail[(entry[2], entry[3])].append(entry[1])
    known = {row[1] for row in rows}
    status_of = {row[1]: row[3] for row in rows}

    delivered = [row for row in rows if row[1] in by_message_id]
    failed = [row for row in rows if row[3] == "failed"]
    ambiguous = [row for row in rows if row[3] == "ambiguous"]
    lost = [
        row for row in rows if row[1] not in by_message_id and row[3] not in ("failed", "ambiguous")
    ]
    duplicates = sum(len(ids) - 1 for ids in by_mail.values())
    same_message_id = all(len(set(ids)) == 1 for ids in by_mail.values())
    rolled_back_delivered = sum(
        1 for entry in received if entry[1] not in known or entry[2].startswith("rollback-")
    )
    failed_received = sum(
        1 for message_id in by_message_id if status_of.get(message_id) == "failed"
    )
    ambiguous_received = sum(1 for row in ambiguous if row[1] in by_message_id)
    latencies = sorted(
        min(entry[0] for entry in by_message_id[row[1]]) - row[4].timestamp() for row in delivered
    )
    p50 = statistics.median(latencies) if latencies else 0.0
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    alive = results["alive_after_outage"]

    print()
    for event in results["events"]:
        print(f"  {event}")
    print(
        f"submitted in {results['submitted_at']:.0f} s, drained at {results['drained_at']:.0f} s "
        f"({results['unsent_left']} still pending/sending), runtime {results['runtime_s']:.0f} s"
    )
    print(
        f"mails: {len(rows)} outbox rows from {results['consultations']} consultations "
        f"(+{results['rolled_back']} rolled back)"
    )
    print(f"delivered: {len(delivered)} (sink copies {len(received)})")
    print(f"failed: {len(failed)} (received by the sink: {failed_received})")
    print(
        f"ambiguous, left to staff: {len(ambiguous)} (received by the sink: {ambiguous_received})"
    )
    print(
        f"duplicates: {duplicates} (each shares the first copy's Message-ID: "
        f"{'yes' if same_message_id else 'NO'})"
    )
    print(f"lost: {len(lost)}")
    print(f"rolled-back delivered: {rolled_back_delivered}")
    print(
        f"workers alive after the Redis outage: {sum(alive.values())}/{len(alive)} {alive}; "
        f"answering at the end: {sorted(results['final_ping'])}; "
        f"restarted after kill -9: {results['restarts']}; exited by themselves (and "
        f"restarted): {[f'{name} at t={t:.0f}s' for name, t in results['crashes']] or 'none'}"
    )
    print(
        f"delivery latency: p50 {p50:.1f} s, p95 {p95:.1f} s, "
        f"max {latencies[-1] if latencies else 0:.1f} s"
    )
    internal_left = sum(1 for row in ambiguous if row[5].endswith("staff_alert"))
    print(f"internal alerts left to staff (may have been sent): {internal_left}")
    # Per fault: the e-mails created before it ended and first received after it started
    # (held back by it), and how long after its end they arrived.
    recovered_in_time = True
    for name, start, end in results["windows"]:
        after_end = sorted(
            max(0.0, min(e[0] for e in by_message_id[row[1]]) - end)
            for row in delivered
            if row[4].timestamp() <= end and min(e[0] for e in by_message_id[row[1]]) >= start
        )
        if not after_end:
            print(f"{name}: no e-mail held back")
            continue
        late_p95 = after_end[int(0.95 * (len(after_end) - 1))]
        recovered_in_time &= late_p95 <= 60
        print(
            f"{name}: {len(after_end)} e-mails held back; delivered after its end "
            f"p50 {statistics.median(after_end):.1f} s, p95 {late_p95:.1f} s, "
            f"last {after_end[-1]:.1f} s"
        )
    for down, label in ((False, "Redis up"), (True, "Redis down")):
        durations = sorted(results["submit_ms"][down])
        if durations:
            print(
                f"submission while {label}: {len(durations)}, p50 "
                f"{statistics.median(durations):.1f} ms, p95 "
                f"{durations[int(0.95 * (len(durations) - 1))]:.1f} ms"
            )
    ok = (
        not lost
        and rolled_back_delivered == 0
        and same_message_id
        and failed_received == 0
        and alive
        and all(alive.values())
        and p95 < 120
        and recovered_in_time
        and internal_left == 0
    )
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
