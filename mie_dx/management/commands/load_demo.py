"""`manage.py load_demo`: the seed's real data for every app, in one transaction.

Each app declares its loader in its own apps.py (`demo_loader`, `demo_order`; see
mie_dx.registry): a callable taking no arguments, idempotent, returning counts to report.
"""

from collections.abc import Mapping

from django.core.management.base import BaseCommand
from django.db import transaction

from mie_dx import pagecache
from mie_dx.registry import demo_loaders


class Command(BaseCommand):
    help = "Load the seed's real data (supporters, seminars, sample consultations, ...). Safe to run again: nothing is duplicated."

    def handle(self, *args, **options) -> None:
        results: list[tuple[str, Mapping[str, int]]] = []
        # All or nothing: a failing loader leaves the database as it was.
        with transaction.atomic():
            for label, loader in demo_loaders():
                results.append((label, loader()))
        # Some loaders write in bulk (no signals): the cached public pages start afresh.
        pagecache.bump_all()
        for label, counts in results:
            summary = ", ".join(f"{key}={value}" for key, value in counts.items())
            self.stdout.write(f"{label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
