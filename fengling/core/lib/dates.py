"""Calendar arithmetic the rules share: months and years from a date.

`add_months(day, n)`: the same day n months later (or earlier); a day the target month
does not have becomes its last day (31 January + 1 month = 28 or 29 February). A month
start stays a month start, which is what the dues months use. `add_years` is
`add_months(day, 12 * n)`: 29 February falls back to the 28th.
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
