"""`manage.py restore ARCHIVE`: a backup into a new, empty database (mie_dx.backup).

    createdb mie_dx_restored
    DATABASE_URL=postgres://…/mie_dx_restored python manage.py restore backups/mie_dx-backup-….tar

Refuses a database that holds any table, and an archive whose checksums do not match. After
the restore it erases again every person the erasure journal (ERASURE_JOURNAL_PATH, or
--journal) says was erased after the backup was taken.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mie_dx.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database, then re-apply later erasures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--journal", type=Path, help="The erasure journal (default ERASURE_JOURNAL_PATH)."
        )

    def handle(
        self, *args: Any, archive: Path, journal: Path | None = None, **options: Any
    ) -> None:
        try:
            result = restore_backup(archive, journal=journal)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored the backup of {result.taken_at:%Y-%m-%d %H:%M:%S %Z} "
            f"({result.files} media files); erased again: {result.erased_again}"
        )
