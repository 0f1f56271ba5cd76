"""Typed amounts of money (core.lib.money): what is taken and what is refused."""

from decimal import Decimal as D

import pytest

from fengling.core.lib.money import MoneyError, parse_money


@pytest.mark.parametrize(("text", "expected"), [
    ("3500", D("3500.00")), ("3500.5", D("3500.50")), (" 0.01 ", D("0.01")), ("0", D("0.00")),
    (D("12.30"), D("12.30")), ("9999999999.99", D("9999999999.99")),
])
def test_amounts_taken(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "-Infinity", "abc", "", "-0.01",
                                  "1.005", "1e30", "10000000000"])
def test_amounts_refused_with_a_message(text):
    with pytest.raises(MoneyError) as error:
        parse_money(text)
    assert str(error.value)


def test_positive_refuses_zero_and_floats_are_a_programming_error():
    with pytest.raises(MoneyError):
        parse_money("0", positive=True)
    with pytest.raises(TypeError):
        parse_money(1.5)
