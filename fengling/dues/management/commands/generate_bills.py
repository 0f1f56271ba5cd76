"""`fengling generate_bills [--month YYYY-MM] [--ahead N] [--organization CODE]`.

Idempotent: a month's bills are created once per member; running again creates only the
bills of members who joined or became billable since. Cron (docs/dues.md), daily at 01:10:

    10 1 * * *  cd /srv/fengling && .venv/bin/fengling generate_bills --ahead 1
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fengling.dues.rates import add_months, month_start, parse_month
from fengling.dues.services import generate_bills
from fengling.organizations.models import Organization


class Command(BaseCommand):
    help = ("Generate the monthly dues bills of every billable member (default: this month "
            "and the next). Safe to run again: existing bills are never changed.")

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="the first month, YYYY-MM "
                            "(default: the current month)")
        parser.add_argument("--ahead", type=int, default=1,
                            help="also generate this many following months (default 1)")
        parser.add_argument("--organization", default="",
                            help="only this organization's subtree (its code)")

    def handle(self, *args, month, ahead, organization, **options):
        try:
            first = parse_month(month) if month else month_start(timezone.localdate())
        except ValueError:
            raise CommandError(f"--month must be YYYY-MM, not {month!r}") from None
        if not 0 <= ahead <= 12:
            raise CommandError("--ahead must be from 0 to 12")
        subtree = None
        if organization:
            subtree = Organization.objects.filter(code=organization).first()
            if subtree is None:
                raise CommandError(f"no organization with code {organization!r}")
        for n in range(ahead + 1):
            target = add_months(first, n)
            started = time.perf_counter()
            created = generate_bills(target, subtree)
            self.stdout.write(f"{target:%Y-%m}: {created} bills created "
                              f"({time.perf_counter() - started:.2f} s)")
