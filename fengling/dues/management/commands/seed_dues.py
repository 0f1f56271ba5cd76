"""`fengling seed_dues [--as-of YYYY-MM-DD] [--months N] [--seed N]`: demo dues data."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fengling.dues.demo import seed_dues


class Command(BaseCommand):
    help = ("Demo dues: a profile for every member without one, bills for the last N months "
            "and quarterly payments with realistic arrears (members already paying are left "
            "alone). Deterministic for a given --seed.")

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default="", help="the last month's day (default today)")
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, as_of, months, seed, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        except ValueError:
            raise CommandError(f"--as-of must be YYYY-MM-DD, not {as_of!r}") from None
        if not 1 <= months <= 36:
            raise CommandError("--months must be from 1 to 36")
        started = time.perf_counter()
        counts = seed_dues(day, months=months, seed=seed)
        self.stdout.write(
            f"{counts['profiles']} profiles, {counts['bills']} bills, {counts['payments']} "
            f"payments ({time.perf_counter() - started:.1f} s)")
