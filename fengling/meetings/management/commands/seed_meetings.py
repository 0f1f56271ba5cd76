"""`fengling seed_meetings [--year 2026] [--organization CODE]`: a realistic year of
organizational life for demo data (see `meetings.demo`). Idempotent per organization and
year."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fengling.meetings.demo import seed_year
from fengling.organizations.models import Organization


class Command(BaseCommand):
    help = "Add a year of meetings and attendance to every branch (demo data)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--organization", default="",
                            help="The code of the subtree's root (default: every root).")

    def handle(self, *args, year=None, organization="", **options):
        year = year or timezone.localdate().year
        if organization:
            roots = list(Organization.objects.filter(code=organization))
            if not roots:
                raise CommandError(f"No organization with code {organization}")
        else:
            roots = list(Organization.objects.filter(depth=1))
        started = time.perf_counter()
        meetings = attendance = 0
        for root in roots:
            result = seed_year(root, year)
            meetings += result.meetings
            attendance += result.attendance
        self.stdout.write(f"{meetings} meetings, {attendance} attendance rows for {year} "
                          f"in {time.perf_counter() - started:.1f} s")
