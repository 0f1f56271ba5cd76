"""The dues rate engine (党费计算): pure functions over effective-dated data, no ORM.

Source: RULES.md Part A "Dues" and Part B §1, i.e. 中组部《关于中国共产党党费收缴、使用和管理的
规定》(中组发〔2008〕3号, effective 2008-04-01). Every number an administrator may change is a
field of a `RateSchedule` with the date it takes effect; a new schedule is appended to
`SCHEDULES`, old months keep being priced by the schedule that was in force then.

Money is `Decimal` end to end: a float is refused (TypeError), never converted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengling.core.lib.dates import add_months, month_start  # noqa: F401 (rates.add_months)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class Category(models.TextChoices):
    """Which dues rule applies to a member (党费规定 第二～六条). The first eight values equal
    `members.Occupation`, so a member's occupation gives the default category."""

    IN_SERVICE = "in_service", _("Employed, monthly salary")  # 在职: 第二条
    ANNUAL_SALARY = "annual_salary", _("Employed, annual salary")  # 年薪制: 第三条
    SELF_EMPLOYED = "self_employed", _("Self-employed or no monthly pay")  # 个体等: 第四条
    RETIREE = "retiree", _("Retired")  # 离退休: 第五条
    FARMER = "farmer", _("Farmer")  # 农民: 第六条
    STUDENT = "student", _("Student")  # 学生: 第六条
    UNEMPLOYED = "unemployed", _("Laid off or unemployed")  # 下岗失业: 第六条
    RELIEF = "relief", _("On relief or minimum living allowance")  # 抚恤/救济/低保: 第六条
    # 硕士/博士 on a scholarship: the in-service bands on the scholarship [local Q&A practice,
    # unconfirmed nationally: RULES Part B §1.1].
    SCHOLARSHIP = "scholarship", _("Graduate student on a scholarship")


# Categories whose amount is a percentage of an income base (the base is required).
BASE_CATEGORIES = frozenset({
    Category.IN_SERVICE, Category.ANNUAL_SALARY, Category.SELF_EMPLOYED, Category.RETIREE,
    Category.SCHOLARSHIP,
})
# What the base is, per category (shown beside the base field).
BASE_MEANING = {
    Category.IN_SERVICE: _("after-tax regular monthly salary"),
    Category.ANNUAL_SALARY: _("pay actually received that month"),
    Category.SELF_EMPLOYED: _("last quarter's average monthly net income"),
    Category.RETIREE: _("total pension actually received"),
    Category.SCHOLARSHIP: _("scholarship actually received"),
}


@dataclass(frozen=True)
class Band:
    """Bases up to and including `upper` (None: no upper limit) pay `percent` of the base."""

    upper: Decimal | None
    percent: Decimal


@dataclass(frozen=True)
class RateSchedule:
    """The rates in force from `effective_from` (the first day of a month) on."""

    effective_from: dt.date
    # 党费规定 第二条: tops inclusive ("3000元以下(含3000元)"), one rate on the whole base
    # (全额累进, not 超额累进): RULES Part A; Part B §1.1.
    salary_bands: tuple[Band, ...]
    # 党费规定 第五条: retirees on the total pension.
    retiree_bands: tuple[Band, ...]
    # 党费规定 第六条: fixed monthly amounts.
    fixed_amounts: dict[str, Decimal] = field(default_factory=dict)
    # 党费规定 第六条: farmers pay a fixed 0.2–1.0 yuan set per member; default 0.2.
    farmer_min: Decimal = Decimal("0.20")
    farmer_max: Decimal = Decimal("1.00")
    farmer_default: Decimal = Decimal("0.20")


SALARY_BANDS_2008 = (
    Band(Decimal("3000"), Decimal("0.5")),
    Band(Decimal("5000"), Decimal("1")),
    Band(Decimal("10000"), Decimal("1.5")),
    Band(None, Decimal("2")),
)

SCHEDULES: tuple[RateSchedule, ...] = (
    RateSchedule(
        effective_from=dt.date(2008, 4, 1),  # 中组发〔2008〕3号 takes effect
        salary_bands=SALARY_BANDS_2008,
        retiree_bands=(Band(Decimal("5000"), Decimal("0.5")), Band(None, Decimal("1"))),
        fixed_amounts={
            Category.STUDENT: Decimal("0.20"),
            Category.UNEMPLOYED: Decimal("0.20"),
            Category.RELIEF: Decimal("0.20"),
        },
    ),
)

# --- limits and thresholds (RULES Part A; Part B §1.3) ----------------------------------------

# 补交 and 预交 may not cover more than 6 months.
MAX_BACK_PAY_MONTHS = 6
MAX_PREPAY_MONTHS = 6
# A single voluntary extra payment of 1000 yuan or more goes entirely to the Central Committee.
CENTRAL_REMITTANCE_THRESHOLD = Decimal("1000")


class ArrearsLevel(models.TextChoices):
    """Warnings on unpaid months: 3 yellow, 5 red, 6 → 自行脱党 review (党章 第九条)."""

    YELLOW = "yellow", _("Yellow: 3 months unpaid")
    RED = "red", _("Red: 5 months unpaid")
    LAPSE_REVIEW = "lapse_review", _("Lapse review: 6 months unpaid")


ARREARS_THRESHOLDS: tuple[tuple[int, str], ...] = (
    (6, ArrearsLevel.LAPSE_REVIEW),
    (5, ArrearsLevel.RED),
    (3, ArrearsLevel.YELLOW),
)


def arrears_level(months_owed: int) -> str | None:
    """The warning for `months_owed` consecutive unpaid months, or None below 3."""
    for months, level in ARREARS_THRESHOLDS:
        if months_owed >= months:
            return level
    return None


# --- months -----------------------------------------------------------------------------------


def months_between(first: dt.date, last: dt.date) -> int:
    """Whole months from `first` to `last` (both month starts): 0 for the same month."""
    return (last.year - first.year) * 12 + last.month - first.month


def parse_month(text: str) -> dt.date:
    """'2026-03' → date(2026, 3, 1); ValueError otherwise."""
    year, _sep, month = text.strip().partition("-")
    if len(year) != 4 or not year.isdigit() or not month.isdigit():
        raise ValueError(text)
    return dt.date(int(year), int(month), 1)


# --- the rate engine --------------------------------------------------------------------------


class RateError(ValueError):
    """The inputs cannot be priced (missing base, negative base, fixed amount out of range)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def schedule_for(month: dt.date, schedules: tuple[RateSchedule, ...] = SCHEDULES) -> RateSchedule:
    """The schedule in force in `month`: the latest that took effect on or before it."""
    candidates = [s for s in schedules if s.effective_from <= month]
    if not candidates:
        raise RateError("no_schedule", f"no dues schedule in force in {month:%Y-%m}")
    return max(candidates, key=lambda s: s.effective_from)


def band_percent(bands: tuple[Band, ...], base: Decimal) -> Decimal:
    """The percent of the first band whose (inclusive) top is at or above `base`."""
    for band in bands:
        if band.upper is None or base <= band.upper:
            return band.percent
    raise RateError("no_band", "the bands do not cover this base")  # a schedule without None


def _decimal(value, name: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError(f"{name} must be a Decimal, not a float")
    return Decimal(value)


def monthly_dues(category: str, base: Decimal | None, month: dt.date, *,
                 fixed_amount: Decimal | None = None, quantum: Decimal = CENT,
                 rounding: str = ROUND_HALF_UP,
                 schedules: tuple[RateSchedule, ...] = SCHEDULES) -> Decimal:
    """One month's dues for a member of `category` with income `base` (yuan) in `month`.

    Rounding: to `quantum` (0.01 yuan) `rounding` (half up) — RULES Part A; the national rule
    is unconfirmed (Part B §1.2), so both are parameters (e.g. Decimal("1"), ROUND_CEILING for
    units that round up to whole yuan). `fixed_amount` is a farmer's own amount (0.2–1.0).
    """
    base = _decimal(base, "base")
    fixed_amount = _decimal(fixed_amount, "fixed_amount")
    schedule = schedule_for(month_start(month), schedules)
    if category in BASE_CATEGORIES:
        if base is None:
            raise RateError("base_required", "this category needs an income base")
        if base < 0:
            raise RateError("negative_base", "the income base cannot be negative")
        bands = schedule.retiree_bands if category == Category.RETIREE else schedule.salary_bands
        amount = base * band_percent(bands, base) / 100
    elif category == Category.FARMER:
        amount = schedule.farmer_default if fixed_amount is None else fixed_amount
        if not schedule.farmer_min <= amount <= schedule.farmer_max:
            raise RateError("farmer_amount", "a farmer's fixed amount is 0.20 to 1.00 yuan")
    elif category in schedule.fixed_amounts:
        amount = schedule.fixed_amounts[category]
    else:
        raise RateError("unknown_category", f"unknown dues category {category!r}")
    return amount.quantize(quantum, rounding=rounding)


def income_base(gross: Decimal, income_tax: Decimal, *, other_deductions: Decimal = ZERO,
                deduct_others: bool = False) -> Decimal:
    """The base from gross regular pay: minus 个人所得税 always ("税后", Part B §1.2); other
    deductions (三险一金) only where the organization's setting says so (default: not)."""
    gross = _decimal(gross, "gross")
    base = gross - _decimal(income_tax, "income_tax")
    if deduct_others:
        base -= _decimal(other_deductions, "other_deductions")
    return max(base, ZERO)
