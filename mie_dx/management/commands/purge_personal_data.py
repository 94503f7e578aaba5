"""`manage.py purge_personal_data`: erase personal data past the retention period, in every app.

Run it daily (cron or a scheduler). PERSONAL_DATA_RETENTION_DAYS sets the period. Each app
contributes a `purge_expired(*, dry_run)` in its own `retention.py`, returning what it erased (or
would erase): references of consultations, ids of registrations.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand

from consultations.retention import purge_expired as purge_consultations
from seminars.retention import purge_expired as purge_registrations

PURGERS: list[tuple[str, Callable[..., list]]] = [
    ("consultations", purge_consultations),
    ("seminar registrations", purge_registrations),
]


class Command(BaseCommand):
    help = "Erase personal data of cases that ended more than the retention period ago."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be erased; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        verb = "would erase" if dry_run else "erased"
        for label, purge in PURGERS:
            erased = purge(dry_run=dry_run)
            self.stdout.write(
                f"{label}: {verb} personal data of {len(erased)} record(s) ended more than "
                f"{settings.PERSONAL_DATA_RETENTION_DAYS} days ago"
            )
            for item in erased:
                self.stdout.write(f"  {item}")
