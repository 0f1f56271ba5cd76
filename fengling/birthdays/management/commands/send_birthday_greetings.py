"""`fengling send_birthday_greetings [--date YYYY-MM-DD]`: greet today's political birthdays.

Idempotent (one greeting per member per year), so cron may run it more than once a day:
`30 7 * * * fengling send_birthday_greetings`.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fengling.birthdays.services import send_birthday_greetings


class Command(BaseCommand):
    help = ("Send political birthday (政治生日) greetings to the members whose join date's "
            "anniversary is the given day (default today). A member joined on 29 February "
            "is greeted on 28 February in common years.")

    def add_arguments(self, parser):
        parser.add_argument("--date", default="", help="the day, YYYY-MM-DD (default today)")

    def handle(self, *args, date: str = "", **options):
        if date:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Not a date (YYYY-MM-DD): {date}") from None
        else:
            day = timezone.localdate()
        result = send_birthday_greetings(day)
        self.stdout.write(
            f"{day}: {result.due} political birthdays, {result.greeted} greeted, "
            f"{result.without_account} without an account"
        )
