"""`fengling scan_alerts [--date YYYY-MM-DD] [--quiet-notifications]`: one warning scan.

Idempotent for a date. Nightly cron line (docs/alerts.md):
    15 2 * * *  cd /srv/fengling && .venv/bin/fengling scan_alerts
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from fengling.alerts.services import run_scan


class Command(BaseCommand):
    help = "Evaluate every warning rule over the whole district (idempotent for a date)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Evaluate as of this date (YYYY-MM-DD); default today.")
        parser.add_argument("--no-notify", action="store_true",
                            help="Do not send notifications.")

    def handle(self, *args, date=None, no_notify=False, **options):
        today = None
        if date:
            try:
                today = dt.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date: {exc}") from None
        run = run_scan(today, send=not no_notify)
        self.stdout.write(
            f"{run.day}: {run.open_total} open, {run.opened} new, {run.resolved} resolved, "
            f"{run.escalated} cases escalated")
