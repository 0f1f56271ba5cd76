"""`fengling stats`: counts of organizations, members, centres and alliances."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from fengling.demo.stats import district_counts


class Command(BaseCommand):
    help = "Print counts of the data: organizations by kind, grassroots organizations, members " \
           "(active), communities, service centres, alliances, committee terms."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="print JSON (stable keys)")

    def handle(self, *args, as_json: bool = False, **options):
        counts = district_counts()
        if as_json:
            self.stdout.write(json.dumps(counts, ensure_ascii=False, indent=2))
            return
        for key, value in counts.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{name} {n:,}" for name, n in value.items() if n)
                self.stdout.write(f"{key}: {inner or '-'}")
            else:
                self.stdout.write(f"{key}: {value:,}")
        self.stdout.write(_("Members count normal, mobile and lost-contact members."))
