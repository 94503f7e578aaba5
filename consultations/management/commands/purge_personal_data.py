"""`manage.py purge_personal_data`: erase requesters' personal data past the retention period.

Run it daily (cron or a scheduler). PERSONAL_DATA_RETENTION_DAYS sets the period.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from consultations.retention import purge_expired


class Command(BaseCommand):
    help = "Erase personal data of consultations that ended more than the retention period ago."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be erased; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        references = purge_expired(dry_run=dry_run)
        verb = "would erase" if dry_run else "erased"
        self.stdout.write(
            f"{verb} personal data of {len(references)} consultation(s) ended more than "
            f"{settings.PERSONAL_DATA_RETENTION_DAYS} days ago"
        )
        for reference in references:
            self.stdout.write(f"  {reference}")
