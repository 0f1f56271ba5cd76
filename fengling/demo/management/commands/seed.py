"""`fengling seed`: replace the domain data with a deterministic demo district."""

import argparse
import datetime as dt
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fengling.demo import loader
from fengling.demo.accounts import accounts_text
from fengling.demo.generator import DEFAULT_SEED
from fengling.demo.plans import SCALES


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("Not a date (YYYY-MM-DD): %(value)s") % {"value": value}) from None


class Command(BaseCommand):
    help = (
        "Delete all organizations, members, terms, centres, audit entries and non-superuser "
        "accounts, then build the demo district (small: a few organizations; district: "
        "Haishu's 2,159 grassroots organizations and 45,618 members) and its demo accounts. "
        "Same --seed and --as-of give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--as-of", type=_date, default=None, dest="as_of",
                            help="the date all generated dates are anchored on (default today)")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when organizations already exist")
        parser.add_argument("--noinput", "--no-input", action="store_false",
                            dest="interactive", help="do not ask before deleting existing data")

    def handle(self, *args, scale, seed, as_of, if_empty, interactive, **options):
        if loader.has_data():
            if if_empty:
                self.stdout.write(_("Organizations already exist: nothing seeded."))
                return
            # Ask only a person at a terminal; scripts and checks (no TTY) seed as told.
            if interactive and sys.stdin.isatty() and not self._confirmed():
                raise CommandError(_("Seeding cancelled."))
        report = loader.seed(scale, seed, as_of)
        self.stdout.write(_(
            "Seeded the demo district at %(scale)s scale (seed %(seed)s, as of %(as_of)s): "
            "%(organizations)s organizations, %(grassroots)s of them grassroots, "
            "%(members)s members, in %(seconds).1f s."
        ) % {
            "scale": report.scale, "seed": report.seed, "as_of": report.as_of.isoformat(),
            "organizations": f"{report.organizations:,}", "grassroots": f"{report.grassroots:,}",
            "members": f"{report.members:,}", "seconds": report.seconds,
        })
        if report.activity:
            self.stdout.write(_(
                "A year of activity: %(meetings)s meetings, %(attendance)s attendance rows "
                "(%(meetings_seconds)s s), %(bills)s dues bills, %(payments)s payments "
                "(%(dues_seconds)s s)."
            ) % {key: f"{value:,}" for key, value in report.activity.items()})
        if report.evaluation:
            self.stdout.write(_(
                "Last year's star ratings, filed: %(star_ratings)s (5★ %(stars_5)s, "
                "4★ %(stars_4)s, 3★ %(stars_3)s, 2★ %(stars_2)s, 1★ %(stars_1)s), "
                "%(weak_designations)s weak and lax designations, %(budget_lines)s budget "
                "lines, %(disbursements)s disbursements (%(seconds)s s)."
            ) % {key: f"{value:,}" for key, value in report.evaluation.items()})
        self.stdout.write(accounts_text(settings.DEMO_PASSWORD))

    def _confirmed(self) -> bool:
        question = _(
            "This deletes every organization, member and non-superuser account in the "
            "database. Type “yes” to continue: "
        )
        try:
            return input(question).strip().lower() == "yes"
        except EOFError:
            return False
