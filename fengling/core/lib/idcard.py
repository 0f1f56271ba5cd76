"""Resident ID numbers (居民身份证号码), GB 11643-1999.

18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence (odd for men, even for
women), and a check character computed by ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class IDNumberError(ValueError):
    """The number is malformed; `code` says why (stable, for messages and tests)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IDNumber:
    value: str
    birth_date: dt.date
    gender: str  # "M" or "F"

    @property
    def masked(self) -> str:
        return mask(self.value)


def check_char(first17: str) -> str:
    """GB 11643: the 18th character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(raw: str) -> IDNumber:
    """Validate an ID number and read its birth date and gender; raise IDNumberError."""
    value = (raw or "").strip().upper()
    if len(value) != 18:
        raise IDNumberError("length")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise IDNumberError("characters")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IDNumberError("birth_date") from None
    if birth.year < 1900:
        raise IDNumberError("birth_date")
    if check_char(value[:17]) != value[17]:
        raise IDNumberError("check_digit")
    gender = "M" if int(value[16]) % 2 == 1 else "F"
    return IDNumber(value=value, birth_date=birth, gender=gender)


def build(area: str, birth: dt.date, sequence: int, gender: str) -> str:
    """Make a valid number (for demo data): `sequence` 0-499 picks the 3-digit sequence."""
    seq = sequence * 2 + (1 if gender == "M" else 0)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask(value: str) -> str:
    """`330203********1234`: area code and last four only."""
    if len(value) != 18:
        return "*" * len(value)
    return f"{value[:6]}{'*' * 8}{value[14:]}"
