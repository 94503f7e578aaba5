"""`manage.py outbox_status`: the e-mail outbox's backlog as one line, for monitoring.

    pending=3 late=0 sending=1 failed=2 ambiguous=1 oldest_pending_age_s=12

`pending` counts e-mails due and waiting (not reminders scheduled for later), `late` those due
for longer than NOTIFICATION_LATE_AFTER (5 minutes), `failed` and `ambiguous` ("may have been
sent") those waiting for staff. With --check the command exits 1 when mail is not flowing
(late > 0), so that a cron job or a container healthcheck can alert; failed and ambiguous
e-mails are the staff's daily digest, not an outage. `/healthz` stays about the services.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mie_dx.notifications import outbox_status


class Command(BaseCommand):
    help = "Print the e-mail outbox's backlog (pending, late, sending, failed, ambiguous)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit with status 1 when due e-mails have waited longer than they should.",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        status = outbox_status()
        self.stdout.write(status.as_line())
        if check and status.late:
            raise CommandError(f"{status.late} e-mail(s) late: is the worker running?")
