"""Political birthday pages: the month's list (printable) and a member's greeting card."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fengling.core.scoping import scope_of
from fengling.members.selectors import member_filter_organizations
from fengling.organizations.selectors import access_organization

from . import rules, selectors

PAGE_SIZE = 50
# The printable list holds at most this many rows; a smaller organization prints the rest.
PRINT_LIMIT = 2000


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + (month - 1) + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@login_required
@require_GET
def month(request):
    """Members of an organization (default: the whole scope) with a political birthday in
    a month (default: this month). `?print=1` gives the printable list."""
    scope = scope_of(request.user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied  # a member has no roster; their own card is at card/<id>/
    raw_org = request.GET.get("organization", "").strip()
    organization = access_organization(request.user, raw_org) if raw_org else None
    year, month_no = rules.parse_month(request.GET.get("month", ""), timezone.localdate())
    members = selectors.month_birthdays(request.user, organization, year, month_no)
    context = {
        "organization": organization,
        "year": year,
        "month": month_no,
        "month_value": f"{year:04d}-{month_no:02d}",
        "first_day": dt.date(year, month_no, 1),
        "previous_month": _shift(year, month_no, -1),
        "next_month": _shift(year, month_no, 1),
    }
    if request.GET.get("print") == "1":
        rows = list(members[: PRINT_LIMIT + 1])
        context.update(birthdays=selectors.as_birthdays(rows[:PRINT_LIMIT], year),
                       truncated=len(rows) > PRINT_LIMIT, print_limit=PRINT_LIMIT)
        return render(request, "birthdays/month_print.html", context)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(
        page=page,
        birthdays=selectors.as_birthdays(page.object_list, year),
        # U+3000 (ideographic space) indents sub-organizations inside the <select>.
        organizations=[(pk, "\u3000" * indent + name) for pk, name, indent
                       in member_filter_organizations(request.user, selected=organization)],
    )
    return render(request, "birthdays/month.html", context)


@login_required
@require_GET
def card(request, pk):
    """A member's printable political birthday card for a year (default this year)."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 1921 <= year <= 9999:
        year = today.year
    birthday = selectors.birthday_card(request.user, pk, year)
    return render(request, "birthdays/card.html", {"b": birthday, "year": year})
