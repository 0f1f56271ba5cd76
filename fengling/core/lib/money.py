"""Amounts of money typed by a user (yuan, Decimal end to end).

`parse_money` turns a string or Decimal into a Decimal of at most two decimals that fits the
column, or raises `MoneyError` with a message in the user's language. Floats are refused
outright (a programming error): money never passes through binary floating point. NaN and
infinities ("NaN", "Infinity" parse as Decimals) are refused like any other non-amount.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


class MoneyError(ValueError):
    """Not an acceptable amount; `str(error)` is the message for the user."""


def parse_money(value, *, max_digits: int = 12, positive: bool = False) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must be a Decimal or a string, not a float")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise MoneyError(_("Enter an amount in yuan, such as 3500.00.")) from None
    if not amount.is_finite():
        raise MoneyError(_("Enter an amount in yuan, such as 3500.00."))
    if amount < 0 or (positive and amount == 0):
        raise MoneyError(_("Enter an amount of more than zero.") if positive
                         else _("Enter an amount of zero or more."))
    # The size first: quantizing 1e30 to cents overflows the decimal context.
    if amount >= Decimal(10) ** (max_digits - 2):
        raise MoneyError(_("The amount is too large."))
    if amount != amount.quantize(CENT):
        raise MoneyError(_("Enter an amount with at most two decimals."))
    return amount.quantize(CENT)
