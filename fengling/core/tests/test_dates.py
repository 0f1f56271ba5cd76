"""Month and year arithmetic shared by the terms, the development pipeline, meetings and
dues (core.lib.dates)."""

import datetime as dt

import pytest

from fengling.core.lib.dates import add_months, add_years, month_end, month_start

D = dt.date


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2026, 1, 15), 1, D(2026, 2, 15)),
    (D(2026, 1, 31), 1, D(2026, 2, 28)),      # no 31 February: its last day
    (D(2028, 1, 31), 1, D(2028, 2, 29)),      # a leap year
    (D(2026, 3, 31), -1, D(2026, 2, 28)),
    (D(2026, 11, 30), 3, D(2027, 2, 28)),     # across the year
    (D(2026, 1, 1), -1, D(2025, 12, 1)),      # a dues month stays a month start
    (D(2026, 5, 1), 0, D(2026, 5, 1)),
    (D(2026, 8, 31), 6, D(2027, 2, 28)),      # probation extension of 6 months
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(("day", "years", "expected"), [
    (D(2024, 2, 29), 1, D(2025, 2, 28)),
    (D(2024, 2, 29), 4, D(2028, 2, 29)),
    (D(2026, 6, 30), 3, D(2029, 6, 30)),      # a branch committee's 3-year term
])
def test_add_years(day, years, expected):
    assert add_years(day, years) == expected


def test_month_bounds():
    assert month_start(D(2026, 2, 17)) == D(2026, 2, 1)
    assert month_end(D(2026, 2, 17)) == D(2026, 2, 28)
    assert month_end(D(2028, 2, 1)) == D(2028, 2, 29)
