"""`fengling meeting_reminders [--date YYYY-MM-DD]`: remind members the day before.

Idempotent (one reminder per meeting and member). Cron, every day at 18:00:
    0 18 * * *  cd /srv/fengling && .venv/bin/fengling meeting_reminders
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from fengling.meetings.services import meetings_remind


class Command(BaseCommand):
    help = "Remind everyone expected at a notified meeting that starts tomorrow."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                            help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        day = date or timezone.localdate()
        n = meetings_remind(day)
        self.stdout.write(f"{n} meeting(s) reminded for {day + dt.timedelta(days=1)}")
