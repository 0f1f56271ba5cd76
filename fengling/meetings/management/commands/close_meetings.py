"""`fengling close_meetings [--date YYYY-MM-DD]`: close the record of meetings whose day is
over: attended notified meetings become held, unattended ones cancelled, absentees marked.

Idempotent. Cron, every day at 01:00:
    0 1 * * *  cd /srv/fengling && .venv/bin/fengling close_meetings
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from fengling.meetings.services import meetings_close


class Command(BaseCommand):
    help = "Close past meetings (themed Party Days included) and mark absentees."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                            help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        result = meetings_close(date or timezone.localdate())
        self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
