"""`fengling demo_accounts`: the demo accounts and their password."""

from django.conf import settings
from django.core.management.base import BaseCommand

from fengling.demo.accounts import accounts_text


class Command(BaseCommand):
    help = "Print the demo accounts (username, role, organization) and their password."

    def handle(self, *args, **options):
        self.stdout.write(accounts_text(settings.DEMO_PASSWORD))
