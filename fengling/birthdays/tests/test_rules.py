"""Political birthday rules, table-driven (see birthdays/rules.py for the rules)."""

import datetime as dt

import pytest

from fengling.birthdays import rules

D = dt.date


@pytest.mark.parametrize(
    ("joined", "year", "kept_on"),
    [
        (D(2005, 7, 1), 2026, D(2026, 7, 1)),
        (D(2004, 2, 29), 2028, D(2028, 2, 29)),  # leap year: its own day
        (D(2004, 2, 29), 2026, D(2026, 2, 28)),  # common year: 28 February
        (D(2004, 2, 29), 2100, D(2100, 2, 28)),  # 2100 is not a leap year
        (D(2004, 2, 28), 2026, D(2026, 2, 28)),
        (D(1999, 12, 31), 2026, D(2026, 12, 31)),
    ],
)
def test_anniversary(joined, year, kept_on):
    assert rules.anniversary(joined, year) == kept_on


@pytest.mark.parametrize(
    ("day", "pairs"),
    [
        (D(2026, 2, 28), [(2, 28), (2, 29)]),  # common year: 29 Feb joiners too
        (D(2028, 2, 28), [(2, 28)]),  # leap year: they wait for the 29th
        (D(2028, 2, 29), [(2, 29)]),
        (D(2026, 3, 1), [(3, 1)]),  # never pushed into March
        (D(2026, 7, 1), [(7, 1)]),
    ],
)
def test_join_days_kept_on(day, pairs):
    assert rules.join_days_kept_on(day) == pairs


@pytest.mark.parametrize(
    ("joined", "year", "years"),
    [(D(2005, 7, 1), 2026, 21), (D(2025, 12, 31), 2026, 1), (D(2026, 1, 1), 2026, 0)],
)
def test_years_in_party(joined, year, years):
    assert rules.years_in_party(joined, year) == years


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-07", (2026, 7)), ("2026-13", (2026, 3)), ("", (2026, 3)), ("x", (2026, 3)),
     ("1900-01", (2026, 3))],
)
def test_parse_month_falls_back_to_this_month(text, expected):
    assert rules.parse_month(text, D(2026, 3, 15)) == expected
