"""Backups that can be restored, and erasures that survive a restore.

`make_backup()` writes one dated archive: a consistent PostgreSQL dump (`pg_dump --format=custom`,
one snapshot), the private media files (attachments) and `manifest.json` with each member's
SHA-256. Archives older than BACKUP_KEEP_DAYS are deleted — shorter than the personal-data
retention the privacy page promises, so no backup keeps what the portal itself has erased
for longer than that.

`restore_backup()` checks the manifest, refuses a database that already holds tables, restores
the dump and the media, then erases again every person erased after the backup was taken. Those
erasures are read from the erasure journal: a JSON-lines file beside the backups
(ERASURE_JOURNAL_PATH) holding only which row and when (`{"model": "consultations.consultation",
"pk": "12", "erased_at": "…"}`), never the erased data. The journal is written twice: in the
database, in the erasure's own transaction (ErasureJournalEntry), and appended to the file once
that transaction commits; each backup first copies to the file any entry the file is missing
(a process that died between the commit and the append).

Each app says how one of its rows is erased again (`personal_data_erasers` on its AppConfig,
mie_dx.registry): the same routine as on request, without the "may this be erased yet?" check
— that was answered when the person was erased.
"""

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mie_dx import registry
from mie_dx.models import ErasureJournalEntry

logger = logging.getLogger(__name__)

ARCHIVE_PREFIX = "mie_dx-backup-"
ARCHIVE_SUFFIX = ".tar"
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
MEDIA_DIR = "media"


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why, for the operator."""


# --- The erasure journal ------------------------------------------------------------------------


def journal_path() -> Path:
    return Path(settings.ERASURE_JOURNAL_PATH)


def _journal_line(entry: ErasureJournalEntry) -> str:
    return json.dumps(
        {
            "id": entry.pk,
            "model": entry.model,
            "pk": entry.object_pk,
            "erased_at": entry.erased_at.isoformat(),
        },
        ensure_ascii=False,
    )


def _append_to_file(lines: list[str]) -> None:
    path = journal_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as journal:
            journal.writelines(f"{line}\n" for line in lines)
            journal.flush()
            os.fsync(journal.fileno())
    except OSError:
        # The erasure stands; the next backup copies the entry from the database.
        logger.exception("erasure journal: could not append to %s", path)


# While a restore erases again, the file already holds those entries.
_replaying: ContextVar[bool] = ContextVar("replaying_erasures", default=False)


def journal_erasure(obj: models.Model, *, now: datetime) -> None:
    """Record that `obj`'s person was erased (call inside the erasure's transaction)."""
    entry = ErasureJournalEntry.objects.create(
        model=obj._meta.label_lower, object_pk=str(obj.pk), erased_at=now
    )
    if not _replaying.get():
        transaction.on_commit(lambda: _append_to_file([_journal_line(entry)]))


def read_journal(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or journal_path()
    if not path.exists():
        return []
    entries = []
    with path.open(encoding="utf-8") as journal:
        for number, line in enumerate(journal, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                entry["erased_at"] = parse_datetime(entry["erased_at"])
            except (ValueError, KeyError, TypeError) as error:
                raise BackupError(
                    f"{path}, line {number}: not a journal entry ({error})"
                ) from error
            entries.append(entry)
    return entries


def sync_journal_file() -> int:
    """Append to the file every database entry it lacks; returns how many."""
    known = {entry.get("id") for entry in read_journal()}
    missing = [e for e in ErasureJournalEntry.objects.order_by("pk") if e.pk not in known]
    if missing:
        _append_to_file([_journal_line(entry) for entry in missing])
    return len(missing)


# --- Backup ------------------------------------------------------------------------------------


def _pg_environment() -> dict[str, str]:
    db = connection.settings_dict
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if db.get(key):
            environment[variable] = str(db[key])
    return environment


def _run(command: list[str]) -> None:
    if connection.vendor != "postgresql":
        raise BackupError("Backups need PostgreSQL (set DATABASE_URL).")
    try:
        subprocess.run(  # noqa: S603 — a fixed program, arguments from settings
            command, env=_pg_environment(), check=True, capture_output=True, text=True
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} is not installed: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client)."
        ) from error
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed: {error.stderr.strip()}") from error


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_root() -> Path:
    return Path(default_storage.location)  # type: ignore[attr-defined]


def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(path for path in root.rglob("*") if path.is_file())


@dataclass(frozen=True)
class BackupResult:
    path: Path
    taken_at: datetime
    files: int
    deleted: list[Path]


def make_backup(directory: Path | None = None, *, now: datetime | None = None) -> BackupResult:
    directory = Path(directory or settings.BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    sync_journal_file()
    # Erasures from this instant on are replayed after a restore; one made while the dump runs
    # may be in the dump already, and erasing twice changes nothing.
    taken_at = now or timezone.now()
    name = f"{ARCHIVE_PREFIX}{taken_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    with tempfile.TemporaryDirectory(dir=directory) as work:
        dump = Path(work) / DUMP_NAME
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={dump}"])
        members = {DUMP_NAME: dump}
        media_root = _media_root()
        for path in _media_files(media_root):
            members[f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}"] = path
        manifest = {
            "format": 1,
            "taken_at": taken_at.isoformat(),
            "database": str(connection.settings_dict["NAME"]),
            "files": {member: _sha256(path) for member, path in members.items()},
        }
        manifest_path = Path(work) / MANIFEST_NAME
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        partial = Path(work) / f"{name}{ARCHIVE_SUFFIX}"
        with tarfile.open(partial, "w") as archive:
            archive.add(manifest_path, arcname=MANIFEST_NAME)
            for member, path in members.items():
                archive.add(path, arcname=member)
        partial.chmod(0o600)
        final = directory / partial.name
        partial.replace(final)  # whole or absent: never a half-written archive under its name
    deleted = prune_backups(directory, now=taken_at)
    return BackupResult(final, taken_at, len(members) - 1, deleted)


def prune_backups(directory: Path, *, now: datetime) -> list[Path]:
    """Delete archives older than BACKUP_KEEP_DAYS (by the time in their name)."""
    cutoff = now - timedelta(days=settings.BACKUP_KEEP_DAYS)
    deleted = []
    for path in sorted(directory.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}")):
        stamp = path.name.removeprefix(ARCHIVE_PREFIX).removesuffix(ARCHIVE_SUFFIX)
        try:
            taken = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        if taken < cutoff:
            path.unlink()
            deleted.append(path)
    return deleted


# --- Restore -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    taken_at: datetime
    files: int
    erased_again: int


def _check_empty_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        (tables,) = cursor.fetchone()
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']!r} is not empty ({tables} tables): "
            "restore only into a new, empty database."
        )


def _read_manifest(archive: tarfile.TarFile, work: Path) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST_NAME)
    except KeyError as error:
        raise BackupError("The archive has no manifest.json: not a portal backup.") from error
    archive.extractall(work, filter="data")
    manifest: dict[str, Any] = json.loads((work / member.name).read_text("utf-8"))
    for name, expected in manifest["files"].items():
        path = work / name
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"{name} does not match its checksum: the archive is damaged.")
    return manifest


def erase_again(since: datetime, journal: Path | None = None) -> int:
    erasers = registry.personal_data_erasers()
    due = [entry for entry in read_journal(journal) if entry["erased_at"] >= since]
    unknown = {entry["model"] for entry in due} - erasers.keys()
    if unknown:
        raise BackupError(f"No app erases these rows again: {', '.join(sorted(unknown))}.")
    token = _replaying.set(True)
    try:
        with transaction.atomic():
            for entry in due:
                erasers[entry["model"]](entry["pk"], now=entry["erased_at"])
    finally:
        _replaying.reset(token)
    return len(due)


def restore_backup(path: Path, *, journal: Path | None = None) -> RestoreResult:
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    _check_empty_database()
    with tempfile.TemporaryDirectory() as work_dir, tarfile.open(path) as archive:
        work = Path(work_dir)
        manifest = _read_manifest(archive, work)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                f"--dbname={connection.settings_dict['NAME']}",
                str(work / DUMP_NAME),
            ]
        )
        media_root = _media_root()
        files = 0
        for name in manifest["files"]:
            if name.startswith(f"{MEDIA_DIR}/"):
                target = media_root / name.removeprefix(f"{MEDIA_DIR}/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / name, target)
                target.chmod(0o600)
                files += 1
    taken_at = parse_datetime(manifest["taken_at"])
    if taken_at is None:
        raise BackupError("The manifest's taken_at is not a date and time.")
    connection.close()  # the restored tables, seen afresh
    return RestoreResult(taken_at, files, erase_again(taken_at, journal))
