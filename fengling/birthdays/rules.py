"""Political birthday (政治生日) rules, as pure functions.

A member's political birthday is the anniversary of the day they joined the Party
(`members.Member.join_date`, 入党日期). Rules encoded here:

- The anniversary in a year is the same month and day. A member who joined on 29 February
  is greeted on 28 February in years without one (the last day of February: the greeting
  stays in the month of the birthday and is never skipped).
- Years in the Party on an anniversary are counted by calendar year: joined 2005-07-01 →
  the 2026 anniversary is the 21st. The year of joining itself is no anniversary (0 years).
"""

from __future__ import annotations

import calendar
import datetime as dt


def anniversary(join_date: dt.date, year: int) -> dt.date:
    """The day in `year` on which the political birthday of `join_date` is kept."""
    if join_date.month == 2 and join_date.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return join_date.replace(year=year)


def years_in_party(join_date: dt.date, year: int) -> int:
    """Which political birthday falls in `year` (0 in the year of joining)."""
    return max(year - join_date.year, 0)


def join_days_kept_on(day: dt.date) -> list[tuple[int, int]]:
    """The (month, day) pairs of join dates whose anniversary is kept on `day`.

    Usually just `day`'s own; on 28 February of a common year also 29 February.
    """
    pairs = [(day.month, day.day)]
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        pairs.append((2, 29))
    return pairs


def parse_month(text: str, today: dt.date) -> tuple[int, int]:
    """`"2026-07"` → (2026, 7); an empty or malformed value means `today`'s month."""
    try:
        year_text, month_text = (text or "").strip().split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        return today.year, today.month
    if not (1 <= month <= 12 and 1921 <= year <= 9999):
        return today.year, today.month
    return year, month
