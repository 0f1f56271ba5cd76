"""`fengling import_members FILE [--dry-run] [--as USERNAME] [--lang LANG]`."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from fengling.accounts.models import RoleAssignment
from fengling.core.roles import Role
from fengling.members.imports import format_report, member_import


def default_actor():
    """The first superuser, else the first active district administrator."""
    users = get_user_model().objects.filter(is_active=True)
    admins = RoleAssignment.objects.active().filter(role=Role.DISTRICT_ADMIN)
    return (
        users.filter(Q(is_superuser=True) | Q(pk__in=admins.values("user_id")))
        .order_by("-is_superuser", "pk")
        .first()
    )


class Command(BaseCommand):
    help = ("Import members from an .xlsx file (the columns of the import template). Every "
            "row is checked first; if any row is bad nothing is written and the bad rows are "
            "listed. A clean file is written in one transaction.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx file")
        parser.add_argument("--dry-run", action="store_true",
                            help="check every row and report; write nothing")
        parser.add_argument("--as", dest="username", default="",
                            help="the acting user (default: the first superuser or district "
                                 "administrator); their write scope applies")
        parser.add_argument("--lang", default="",
                            help="language of the report (default: $LANGUAGE or zh-hans)")

    def handle(self, *args, file: str, dry_run: bool = False, username: str = "",
               lang: str = "", **options):
        language = lang or os.environ.get("LANGUAGE", "").split(":")[0] or settings.LANGUAGE_CODE
        with translation.override(language.replace("_", "-").lower()):
            self._run(Path(file), dry_run=dry_run, username=username)

    def _run(self, path: Path, *, dry_run: bool, username: str):
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        if username:
            actor = get_user_model().objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(_("No active user is called %(name)s.") % {"name": username})
        else:
            actor = default_actor()
            if actor is None:
                raise CommandError(_("No district administrator exists; name one with --as."))
        with path.open("rb") as handle:
            result = member_import(actor, handle, dry_run=dry_run, source=path.name)
        if not result.ok:
            for line in format_report(result):
                self.stderr.write(line)
            raise CommandError(
                _("%(bad)d problems in %(rows)d rows; nothing was written.")
                % {"bad": len(result.errors), "rows": result.rows}
            )
        if dry_run:
            self.stdout.write(_("All %(rows)d rows are good; nothing was written (dry run).")
                              % {"rows": result.rows})
        else:
            self.stdout.write(_("Imported %(rows)d members.") % {"rows": result.written})
