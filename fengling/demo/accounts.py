"""The demo accounts as operators see them (`fengling demo_accounts`, `fengling seed`)."""

from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from fengling.accounts.models import RoleAssignment

from .generator import DEMO_USERNAMES


def demo_account_rows() -> list[tuple[str, str, str, str]]:
    """(username, role, organization, name) for each demo account present, in contract
    order. Two queries."""
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES)
        .prefetch_related(Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("organization").order_by("id"),
        ))
    }
    rows = []
    for username in DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        assignments = list(user.role_assignments.all())
        role = str(assignments[0].get_role_display()) if assignments else ""
        organization = assignments[0].organization.name if assignments else ""
        rows.append((username, role, organization, user.display_name))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A plain-text table whose columns line up with Chinese text in a terminal."""
    widths = [max(_width(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
              for row in rows]
    return "\n".join(lines)


def accounts_text(password: str) -> str:
    rows = demo_account_rows()
    if not rows:
        return _("There are no demo accounts yet: run “fengling seed” first.")
    table = format_table(rows, (_("Username"), _("Role"), _("Organization"), _("Name")))
    return "\n".join([
        _("Demo accounts:"),
        table,
        _("Password for every demo account: %(password)s") % {"password": password},
    ])
