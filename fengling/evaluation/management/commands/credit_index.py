"""`fengling credit_index [--month YYYY-MM | --year-to-date]`: credit the member index (锋领指数)
for a month (default: last month) from the records, for the whole tree; `--year-to-date`
credits every month of this year up to last month (what `make demo` runs after seeding, as
if the monthly job had run all year). Idempotent (a month's automatic credits are replaced).

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
        parser.add_argument("--year-to-date", action="store_true",
                            help="Every month of this year up to last month.")

    def handle(self, *args, month=None, year_to_date=False, **options):
        last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        if year_to_date and month is not None:
            raise CommandError("Give --month or --year-to-date, not both.")
        months = ([dt.date(last.year, m, 1) for m in range(1, last.month + 1)]
                  if year_to_date else [month or last])
        for month in months:
            total = credit_district(month)
            self.stdout.write(f"month={month:%Y-%m} credits={total}")
