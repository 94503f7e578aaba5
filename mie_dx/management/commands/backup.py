"""`manage.py backup`: one dated archive of the database and the private media (mie_dx.backup).

    python manage.py backup                 # into BACKUP_DIR, deleting archives older than BACKUP_KEEP_DAYS
    python manage.py backup --dir /mnt/nas  # somewhere else

Prints the archive's path; exits 1 with the reason when pg_dump is missing or fails.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mie_dx.backup import BackupError, make_backup


class Command(BaseCommand):
    help = "Back up the database and the private media into one dated archive with checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, help="Where to write it (default BACKUP_DIR).")

    def handle(self, *args: Any, dir: Path | None = None, **options: Any) -> None:
        try:
            result = make_backup(dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{result.path} ({result.files} media files)")
        for path in result.deleted:
            self.stdout.write(f"deleted (older than BACKUP_KEEP_DAYS): {path}")
