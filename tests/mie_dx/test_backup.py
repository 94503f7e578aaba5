"""Backups: `manage.py backup`, then `manage.py restore` into a new database, as an operator would.

The restore runs in its own process against a database created for it (pg_dump and pg_restore are
real; nothing is mocked). A person erased after the backup is erased again by the restore, and
every table holds as many rows as the database the backup came from.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from consultations import retention as consultation_retention
from consultations import services as consultation_services
from consultations.models import Consultation, Status
from mie_dx.erasure import ERASED
from mie_dx.models import ErasureJournalEntry
from seminars import retention as seminar_retention
from seminars.models import Registration, RegistrationStatus
from tests.consultations.factories import requester_details
from tests.seminars.factories import RegistrationFactory

ROOT = Path(__file__).resolve().parents[2]
NAME = "復元 試験子"
EMAIL = "restore-test@example.jp"


def _dsn(database: str) -> str:
    db = connection.settings_dict
    return f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname={database}"


def _row_counts(database: str) -> dict[str, int]:
    with psycopg.connect(_dsn(database), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


@pytest.fixture
def restore_database():
    """A new, empty database for the restore, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(_dsn("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def backup_dirs(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.ERASURE_JOURNAL_PATH = settings.BACKUP_DIR / "erasure-journal.jsonl"
    return settings.BACKUP_DIR


def _restore(
    archive: Path, database: str, media: Path, journal: Path
) -> subprocess.CompletedProcess:
    db = connection.settings_dict
    environment = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "mie_dx.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}",
        "REDIS_URL": settings.REDIS_URL,
        "PRIVATE_MEDIA_ROOT": str(media),
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "restore", str(archive), "--journal", str(journal)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _closed_consultation_with_attachment() -> Consultation:
    consultation = consultation_services.submit_consultation(
        details=requester_details(name=NAME, email=EMAIL),
        attachment=SimpleUploadedFile("見積書.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"),
    )
    Consultation.objects.filter(pk=consultation.pk).update(status=Status.CLOSED)
    consultation.refresh_from_db()
    return consultation


@pytest.mark.django_db(transaction=True)
def test_restore_erases_again_the_people_erased_after_the_backup(
    backup_dirs, restore_database, tmp_path
):
    call_command("load_demo", verbosity=0)
    consultation = _closed_consultation_with_attachment()
    attachment = consultation.attachment.name
    # Seminar numbers the demo's seminars do not use.
    registration = RegistrationFactory(status=RegistrationStatus.CANCELLED, seminar__number=900)
    assert consultation.attachment.storage.exists(attachment)

    call_command("backup")
    (archive,) = backup_dirs.glob("mie_dx-backup-*.tar")

    consultation_retention.erase_personal_data(consultation=consultation)
    seminar_retention.erase_personal_data(registration=registration)
    journal = settings.ERASURE_JOURNAL_PATH
    lines = [json.loads(line) for line in journal.read_text("utf-8").splitlines()]
    assert {(line["model"], line["pk"]) for line in lines} == {
        ("consultations.consultation", str(consultation.pk)),
        ("seminars.registration", str(registration.pk)),
    }
    assert NAME not in journal.read_text("utf-8")  # ids and times only

    media = tmp_path / "restored_media"
    result = _restore(archive, restore_database, media, journal)

    assert result.returncode == 0, result.stderr
    assert "erased again: 2" in result.stdout
    with psycopg.connect(_dsn(restore_database)) as conn:
        name, email, erased_at = conn.execute(
            "SELECT name, email, personal_data_erased_at FROM consultations_consultation WHERE id = %s",
            [consultation.pk],
        ).fetchone()
        registration_name = conn.execute(
            "SELECT name FROM seminars_registration WHERE id = %s", [registration.pk]
        ).fetchone()[0]
    assert (name, erased_at is not None) == (ERASED, True)
    assert EMAIL not in email
    assert registration_name in ("", ERASED)
    assert not (media / attachment).exists()  # restored with the media, erased again
    # Every other row came back: each table holds what the original holds.
    assert _row_counts(restore_database) == _row_counts(connection.settings_dict["NAME"])


@contextmanager
def connected_to(database: str):
    """Django's connection on another database for a while (as `restore` with DATABASE_URL)."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@pytest.mark.django_db(transaction=True)
def test_restore_in_this_process_puts_back_the_media_and_erases_again(
    backup_dirs, restore_database, tmp_path, settings
):
    consultation = _closed_consultation_with_attachment()
    kept = consultation_services.submit_consultation(
        details=requester_details(name="残る 人", email="kept@example.jp"),
        attachment=SimpleUploadedFile("残る.pdf", b"%PDF-1.4\n"),
    )
    call_command("backup")
    (archive,) = backup_dirs.glob("mie_dx-backup-*.tar")
    consultation_retention.erase_personal_data(consultation=consultation)
    media = tmp_path / "restored_media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(media)}},
    }
    out = io.StringIO()

    with connected_to(restore_database):
        call_command("restore", str(archive), stdout=out)
        restored = Consultation.objects.get(pk=consultation.pk)
        still = Consultation.objects.get(pk=kept.pk)
        journalled = ErasureJournalEntry.objects.count()

    assert "erased again: 1" in out.getvalue()
    assert restored.name == ERASED and restored.personal_data_erased_at is not None
    assert still.name == "残る 人"
    assert (media / still.attachment.name).read_bytes() == b"%PDF-1.4\n"
    assert not (media / consultation.attachment.name).exists()
    assert journalled == 1  # the erasure done again is journalled in the restored database


@pytest.mark.django_db(transaction=True)
def test_a_journal_that_names_no_known_row_kind_stops_the_restore(
    backup_dirs, restore_database, tmp_path
):
    call_command("backup")
    (archive,) = backup_dirs.glob("mie_dx-backup-*.tar")
    journal = tmp_path / "journal.jsonl"
    journal.write_text(
        json.dumps(
            {"id": 1, "model": "nowhere.thing", "pk": "1", "erased_at": "2999-01-01T00:00:00+00:00"}
        )
        + "\n",
        "utf-8",
    )

    with connected_to(restore_database), pytest.raises(CommandError, match=r"nowhere\.thing"):
        call_command("restore", str(archive), "--journal", str(journal))


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_missing_archive_and_a_broken_journal(backup_dirs, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "nothing.tar"))
    broken = tmp_path / "journal.jsonl"
    broken.write_text("not json\n", "utf-8")
    settings.ERASURE_JOURNAL_PATH = broken
    with pytest.raises(CommandError, match="line 1: not a journal entry"):
        call_command("backup")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(backup_dirs, tmp_path):
    call_command("backup")
    (archive,) = backup_dirs.glob("mie_dx-backup-*.tar")
    before = _row_counts(connection.settings_dict["NAME"])

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))

    assert _row_counts(connection.settings_dict["NAME"]) == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_archive(backup_dirs, restore_database, tmp_path):
    call_command("backup")
    (archive,) = backup_dirs.glob("mie_dx-backup-*.tar")
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "database.dump":
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    result = _restore(damaged, restore_database, tmp_path / "media", tmp_path / "none.jsonl")

    assert result.returncode != 0
    assert "database.dump does not match its checksum" in result.stderr
    assert _row_counts(restore_database) == {}


@pytest.mark.django_db(transaction=True)
def test_backup_keeps_only_backup_keep_days(backup_dirs, settings):
    backup_dirs.mkdir(parents=True)
    old = backup_dirs / "mie_dx-backup-20200101T000000Z.tar"
    old.write_bytes(b"old")
    settings.BACKUP_KEEP_DAYS = 35

    call_command("backup")

    assert not old.exists()
    assert len(list(backup_dirs.glob("mie_dx-backup-*.tar"))) == 1


@pytest.mark.django_db(transaction=True)
def test_the_next_backup_copies_journal_entries_the_file_missed(backup_dirs):
    registration = RegistrationFactory(status=RegistrationStatus.CANCELLED)
    seminar_retention.erase_personal_data(registration=registration)
    journal = settings.ERASURE_JOURNAL_PATH
    journal.unlink()  # as if the process died between the commit and the append

    call_command("backup")

    entry = ErasureJournalEntry.objects.get()
    assert json.loads(journal.read_text("utf-8")) == {
        "id": entry.pk,
        "model": "seminars.registration",
        "pk": str(registration.pk),
        "erased_at": entry.erased_at.isoformat(),
    }
    assert Registration.objects.get(pk=registration.pk).personal_data_erased_at is not None
