"""Member rules from RULES.md as pure functions over plain values."""

from __future__ import annotations

import datetime as dt

# 党章 第一条: members are at least 18 years old when they apply.
MIN_AGE_AT_JOINING = 18


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from `start` to `end` (an anniversary counts on its day)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def age_on(birth_date: dt.date | None, today: dt.date) -> int | None:
    if birth_date is None:
        return None
    return years_between(birth_date, today)


def party_standing_years(conversion_date: dt.date | None, today: dt.date) -> int | None:
    """党龄: whole years since conversion to full member (发展党员工作细则: 党龄 counts from
    conversion, not from joining). None while the member is probationary."""
    if conversion_date is None or conversion_date > today:
        return None
    return years_between(conversion_date, today)
