"""The dues rate engine, table-driven from RULES.md Part A (党费规定, 中组发〔2008〕3号):
every band edge of every category, fixed amounts, rounding, dates, and refusals."""

import datetime as dt
from decimal import ROUND_CEILING, Decimal

import pytest

from fengling.dues import rates
from fengling.dues.rates import Band, Category, RateError, RateSchedule, monthly_dues

MONTH = dt.date(2026, 3, 1)
D = Decimal

SALARY_CATEGORIES = [Category.IN_SERVICE, Category.ANNUAL_SALARY, Category.SELF_EMPLOYED,
                     Category.SCHOLARSHIP]

# (base, dues): the in-service bands, tops inclusive, one rate on the whole base.
SALARY_TABLE = [
    ("0.00", "0.00"),
    ("0.01", "0.00"),      # 0.00005 rounds half up to 0.00
    ("1.00", "0.01"),      # 0.005 → 0.01 (half up)
    ("2999.99", "15.00"),  # 14.99995 → 15.00
    ("3000.00", "15.00"),  # RULES: 3000.00 → 15.00 (top of 0.5% inclusive)
    ("3000.01", "30.00"),  # RULES: 3000.01 → 30.00 (whole base at 1%, not marginal)
    ("4999.99", "50.00"),
    ("5000.00", "50.00"),  # RULES: 5000.00 → 50.00
    ("5000.01", "75.00"),  # 1.5% of the whole base: 75.00015 → 75.00
    ("9999.99", "150.00"),
    ("10000.00", "150.00"),  # RULES: 10000.00 → 150.00
    ("10000.01", "200.00"),  # RULES: 10000.01 → 200.00
    ("25000.00", "500.00"),
    ("3500.50", "35.01"),  # 35.005 → 35.01: half up, not half even
]


@pytest.mark.parametrize("category", SALARY_CATEGORIES)
@pytest.mark.parametrize(("base", "expected"), SALARY_TABLE)
def test_salary_bands_at_every_edge(category, base, expected):
    assert monthly_dues(category, D(base), MONTH) == D(expected)


RETIREE_TABLE = [
    ("0.00", "0.00"),
    ("3000.00", "15.00"),
    ("4999.99", "25.00"),
    ("5000.00", "25.00"),  # ≤5000 → 0.5%, top inclusive
    ("5000.01", "50.00"),  # >5000 → 1% of the whole pension
    ("8000.00", "80.00"),
    ("12000.00", "120.00"),  # no 1.5% / 2% bands for pensions
]


@pytest.mark.parametrize(("base", "expected"), RETIREE_TABLE)
def test_retiree_bands_at_every_edge(base, expected):
    assert monthly_dues(Category.RETIREE, D(base), MONTH) == D(expected)


@pytest.mark.parametrize("category", [Category.STUDENT, Category.UNEMPLOYED, Category.RELIEF])
def test_students_unemployed_and_relief_pay_twenty_fen_whatever_the_base(category):
    assert monthly_dues(category, None, MONTH) == D("0.20")
    assert monthly_dues(category, D("8000"), MONTH) == D("0.20")


@pytest.mark.parametrize(
    ("fixed", "expected"),
    [(None, "0.20"), ("0.20", "0.20"), ("0.50", "0.50"), ("1.00", "1.00")],
)
def test_farmers_pay_their_fixed_amount_default_twenty_fen(fixed, expected):
    amount = monthly_dues(Category.FARMER, None, MONTH,
                          fixed_amount=D(fixed) if fixed else None)
    assert amount == D(expected)


@pytest.mark.parametrize("fixed", ["0.19", "1.01", "0"])
def test_farmer_amount_outside_twenty_fen_to_one_yuan_is_refused(fixed):
    with pytest.raises(RateError) as exc:
        monthly_dues(Category.FARMER, None, MONTH, fixed_amount=D(fixed))
    assert exc.value.code == "farmer_amount"


@pytest.mark.parametrize("category", [*SALARY_CATEGORIES, Category.RETIREE])
def test_categories_with_a_base_refuse_a_missing_or_negative_base(category):
    with pytest.raises(RateError) as exc:
        monthly_dues(category, None, MONTH)
    assert exc.value.code == "base_required"
    with pytest.raises(RateError) as exc:
        monthly_dues(category, D("-1"), MONTH)
    assert exc.value.code == "negative_base"


def test_a_float_is_never_money():
    with pytest.raises(TypeError):
        monthly_dues(Category.IN_SERVICE, 3000.0, MONTH)


def test_unknown_category_is_refused():
    with pytest.raises(RateError):
        monthly_dues("pilot", D("100"), MONTH)


def test_rounding_is_configurable_for_units_that_round_up_to_whole_yuan():
    assert monthly_dues(Category.IN_SERVICE, D("3500.50"), MONTH) == D("35.01")
    assert monthly_dues(Category.IN_SERVICE, D("3500.50"), MONTH, quantum=D("1"),
                        rounding=ROUND_CEILING) == D("36")


def test_rates_are_effective_dated_data():
    """A later schedule prices the months from its date on; earlier months keep the old one."""
    later = RateSchedule(
        effective_from=dt.date(2027, 1, 1),
        salary_bands=(Band(D("4000"), D("0.5")), Band(None, D("1"))),
        retiree_bands=rates.SCHEDULES[0].retiree_bands,
        fixed_amounts={Category.STUDENT: D("0.30")},
    )
    schedules = (*rates.SCHEDULES, later)
    assert monthly_dues(Category.IN_SERVICE, D("3500"), dt.date(2026, 12, 1),
                        schedules=schedules) == D("35.00")
    assert monthly_dues(Category.IN_SERVICE, D("3500"), dt.date(2027, 1, 1),
                        schedules=schedules) == D("17.50")
    assert monthly_dues(Category.STUDENT, None, dt.date(2027, 6, 1),
                        schedules=schedules) == D("0.30")


def test_no_schedule_before_the_2008_rules():
    with pytest.raises(RateError):
        monthly_dues(Category.IN_SERVICE, D("3000"), dt.date(2008, 3, 1))
    assert monthly_dues(Category.IN_SERVICE, D("3000"), dt.date(2008, 4, 1)) == D("15.00")


@pytest.mark.parametrize(
    ("months", "level"),
    [(0, None), (2, None), (3, "yellow"), (4, "yellow"), (5, "red"), (6, "lapse_review"),
     (9, "lapse_review")],
)
def test_arrears_warning_levels(months, level):
    assert rates.arrears_level(months) == level


def test_income_base_deducts_tax_and_other_deductions_only_when_set():
    assert rates.income_base(D("6000"), D("90")) == D("5910")
    assert rates.income_base(D("6000"), D("90"), other_deductions=D("900")) == D("5910")
    assert rates.income_base(D("6000"), D("90"), other_deductions=D("900"),
                             deduct_others=True) == D("5010")


def test_month_arithmetic():
    assert rates.add_months(dt.date(2026, 11, 1), 3) == dt.date(2027, 2, 1)
    assert rates.add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert rates.months_between(dt.date(2025, 12, 1), dt.date(2026, 3, 1)) == 3
    assert rates.parse_month("2026-03") == dt.date(2026, 3, 1)
    with pytest.raises(ValueError):
        rates.parse_month("2026-13")
    with pytest.raises(ValueError):
        rates.parse_month("March")
