"""`manage.py load_demo`: the seed's real data for every app, in one transaction.

Each app contributes a loader in its own `demo.py`: a callable taking no arguments, idempotent,
returning a mapping of counts to report. Add new loaders to LOADERS in dependency order (for
example seminars after advisors, because talks name supporters).
"""

from collections.abc import Callable, Mapping

from django.core.management.base import BaseCommand
from django.db import transaction

from advisors.demo import load_supporters
from consultations.demo import load_sample_consultations
from seminars.demo import load_seminars

Loader = Callable[[], Mapping[str, int]]

LOADERS: list[tuple[str, Loader]] = [
    ("advisors", load_supporters),
    ("seminars", load_seminars),
    ("consultations", load_sample_consultations),
]


class Command(BaseCommand):
    help = "Load the seed's real data (supporters, sample consultations, ...). Safe to run again: nothing is duplicated."

    def handle(self, *args, **options) -> None:
        results: list[tuple[str, Mapping[str, int]]] = []
        # All or nothing: a failing loader leaves the database as it was.
        with transaction.atomic():
            for label, loader in LOADERS:
                results.append((label, loader()))
        for label, counts in results:
            summary = ", ".join(f"{key}={value}" for key, value in counts.items())
            self.stdout.write(f"{label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
