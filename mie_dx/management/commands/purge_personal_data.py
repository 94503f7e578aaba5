"""`manage.py purge_personal_data`: erase personal data past the retention period.

Beat runs the same purge daily (mie_dx.tasks.purge_personal_data); this command is for running
it by hand, or with --dry-run to see what it would erase.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from mie_dx.retention import purge_all


class Command(BaseCommand):
    help = "Erase personal data of cases that ended more than the retention period ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be erased; change nothing."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        verb = "would erase" if dry_run else "erased"
        for label, erased in purge_all(dry_run=dry_run).items():
            self.stdout.write(
                f"{label}: {verb} personal data of {len(erased)} record(s) ended more than "
                f"{settings.PERSONAL_DATA_RETENTION_DAYS} days ago"
            )
            for item in erased:
                self.stdout.write(f"  {item}")
