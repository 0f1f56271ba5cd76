"""`fengling dues_reminders [--organization CODE]`: remind members in arrears, once a month.

Idempotent (one reminder per member and month). Cron (docs/dues.md), on the 20th at 09:00:

    0 9 20 * *  cd /srv/fengling && .venv/bin/fengling dues_reminders
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fengling.dues.reminders import dues_reminders_send
from fengling.organizations.models import Organization


class Command(BaseCommand):
    help = "Send a dues reminder to every member with unpaid months (once a month each)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", default="",
                            help="only this organization's subtree (its code)")

    def handle(self, *args, organization, **options):
        subtree = None
        if organization:
            subtree = Organization.objects.filter(code=organization).first()
            if subtree is None:
                raise CommandError(f"no organization with code {organization!r}")
        sent = dues_reminders_send(timezone.localdate(), subtree)
        self.stdout.write(f"{sent} dues reminders sent")
