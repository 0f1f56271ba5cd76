"""The dues figure of `fengling bench` (issue 4 item 11): one month's bills for every member
of the district (45,618 at district scale) in at most 5 seconds, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

from django.utils import timezone

from .models import DuesBill
from .rates import add_months, month_start
from .services import billable_members, generate_bills

TARGET_S = 5.0


def free_month():
    """The first month from next month on with no bill at all, so the run times creating a
    whole month (the demo data may hold bills of past and current months)."""
    month = add_months(month_start(timezone.localdate()), 1)
    taken = set(DuesBill.objects.filter(month__gte=month).values_list("month", flat=True)
                .distinct())
    while month in taken:
        month = add_months(month, 1)
    return month


def generate_bills_figure() -> dict:
    """Time `generate_bills` for one month over the whole tree, then a second (idempotent)
    run; remove the month's bills afterwards, leaving the bench data as they were."""
    month = free_month()
    members = billable_members(month).count()
    started = time.perf_counter()
    created = generate_bills(month)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = generate_bills(month)
    second = time.perf_counter() - started
    DuesBill.objects.filter(month=month).delete()
    return {
        "name": "dues.generate_bills_month",
        "seconds": round(seconds, 2),
        "rows_per_s": round(created / seconds) if seconds > 0 else None,
        "bills": created,
        "billable_members": members,
        "month": f"{month:%Y-%m}",
        "second_run_seconds": round(second, 2),
        "second_run_created": again,
        "target_s": TARGET_S,
    }
