"""`fengling credit_index [--month YYYY-MM]`: credit the member index (锋领指数) for a month
(default: last month) from the records, for the whole tree. Idempotent (the month's automatic
credits are replaced).

Cron, on the 2nd of every month at 02:00:
    0 2 2 * *  cd /srv/fengling && .venv/bin/fengling credit_index
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fengling.evaluation.index import credit_district


def _month(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(f"Not a month (YYYY-MM): {value}") from None


class Command(BaseCommand):
    help = "Credit the member index for a month from meetings, dues and study records."

    def add_arguments(self, parser):
        parser.add_argument("--month", type=_month, default=None,
                            help="The month to credit (YYYY-MM); default last month.")

    def handle(self, *args, month=None, **options):
        if month is None:
            month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        total = credit_district(month)
        self.stdout.write(f"month={month:%Y-%m} credits={total}")
