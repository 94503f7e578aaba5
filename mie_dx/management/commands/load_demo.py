"""`manage.py load_demo`: the seed's real data for every app, in one transaction.

Each app declares its loader in its own apps.py (`demo_loader`, `demo_order`; see
mie_dx.registry): a callable taking no arguments, idempotent, returning counts to report.

With the local settings (DEMO_USERS on) it also makes one sign-in account per staff role
(mie_dx.demo_users) and prints how to sign in, last, so that `make run` shows it just above
the development server's address.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from mie_dx import pagecache
from mie_dx.demo_users import DemoAccount, ensure_demo_users
from mie_dx.registry import demo_loaders


class Command(BaseCommand):
    help = "Load the seed's real data (supporters, seminars, sample consultations, ...). Safe to run again: nothing is duplicated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-passwords",
            action="store_true",
            help="Give the local demo sign-in accounts new random passwords and print them "
            "(local settings only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        new_passwords = options["new_passwords"]
        if new_passwords and not settings.DEMO_USERS:
            raise CommandError(
                "Demo sign-in accounts exist only with the local settings "
                "(DJANGO_SETTINGS_MODULE=mie_dx.settings.local); never in production."
            )
        results: list[tuple[str, Mapping[str, int]]] = []
        accounts: list[DemoAccount] = []
        # All or nothing: a failing loader leaves the database as it was.
        with transaction.atomic():
            # The accounts first: a loader may give a demo account what its role works on
            # (procedures.demo: the procedure officer edits the sample divisions).
            if settings.DEMO_USERS:
                accounts = ensure_demo_users(new_passwords=new_passwords)
            for label, loader in demo_loaders():
                results.append((label, loader()))
        # Some loaders write in bulk (no signals): the cached public pages start afresh.
        pagecache.bump_all()
        for label, counts in results:
            summary = ", ".join(f"{key}={value}" for key, value in counts.items())
            self.stdout.write(f"{label}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if accounts:
            self._print_sign_in(accounts)

    def _print_sign_in(self, accounts: list[DemoAccount]) -> None:
        write = self.stdout.write
        write("")
        write(
            self.style.MIGRATE_HEADING(f"Demo sign-in (local only) at {settings.SITE_URL}/admin/")
        )
        for account in accounts:
            password = account.password or "(unchanged: printed when it was set)"
            note = "  + authenticator app (TOTP)" if account.second_factor else ""
            write(f"  {account.username:<16} {password:<24} {account.role}{note}")
        if any(a.password is None for a in accounts):
            write("  Forgot a password? .venv/bin/python manage.py load_demo --new-passwords")
        if any(a.second_factor for a in accounts):
            write(
                "  Accounts marked TOTP may see personal data: the first sign-in asks you to"
                " enrol an authenticator app (scan the QR code), later ones for its 6-digit code."
            )
