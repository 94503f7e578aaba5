"""End to end through the real broker: a committed notification reaches a real Celery worker
(a subprocess) over Redis and is written by Django's file e-mail backend."""

import email
import email.policy
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from mie_dx.celery import app as celery_app
from mie_dx.models import Notification
from mie_dx.notifications import queue_notification

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def _test_database_url() -> str:
    """The URL of the database this test process uses (test_…), for the worker."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A real worker on the test database and Redis, writing e-mail into tmp_path/mail."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        # This process's own Redis database is given as it is: the worker must not move it
        # again for the pytest-xdist process it was started from (mie_dx.settings.test).
        **{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "mie_dx.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        # django-environ drops the first "/" of the path: one more keeps it absolute.
        "EMAIL_URL": f"filemail:///{mail_dir}",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own executable and fixed arguments
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "mie_dx",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            "celery",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield mail_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def publish_to_broker():
    """This process publishes to Redis instead of running tasks in process (app.conf is
    already configured, so a settings override would not reach it)."""
    previous = celery_app.conf.task_always_eager
    # The app reads Django settings under the CELERY namespace: an override uses that name.
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=False)
    assert celery_app.conf.task_always_eager is False
    celery_app.control.purge()
    yield
    celery_app.conf.update(CELERY_TASK_ALWAYS_EAGER=previous)


def test_a_committed_notification_is_delivered_by_a_real_worker(
    publish_to_broker, worker, tmp_path
):
    with transaction.atomic():
        notification = queue_notification(
            to="staff@example.jp",
            template="staff_alert",
            context={"title": "ワーカー経由の配信確認", "lines": ["Redis を通って届きました。"]},
        )

    started = time.monotonic()
    deadline = started + WAIT_SECONDS
    notification.refresh_from_db()
    while notification.status != Notification.Status.SENT and time.monotonic() < deadline:
        time.sleep(0.5)
        notification.refresh_from_db()

    log = (tmp_path / "worker.log").read_text()
    assert notification.status == Notification.Status.SENT, log
    assert notification.attempts == 1
    [message_file] = list(worker.iterdir())
    # The file backend writes the MIME message followed by a line of dashes.
    raw = message_file.read_bytes().rsplit(b"\n" + b"-" * 79, 1)[0]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "staff@example.jp"
    # strip(): the folded, encoded header unfolds with a leading space.
    assert message["Subject"].strip() == "【みえDXセンター】ワーカー経由の配信確認"
    assert "Redis を通って届きました。" in message.get_body(("plain",)).get_content()
    assert f"notification {notification.pk} sent" in log
