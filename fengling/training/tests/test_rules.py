"""The training rules as tables (RULES Part A "Study"; 红领学院 from the seed)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from fengling.training import rules
from fengling.training.rules import Requirement

TABLE = [
    Requirement(2019, "member", D("32")),
    Requirement(2019, "leader", D("56")),
    Requirement(2027, "member", D("40")),
]


@pytest.mark.parametrize(
    ("year", "group", "hours"),
    [
        (2018, "member", None),  # before any rule
        (2019, "member", D("32")),
        (2026, "member", D("32")),
        (2026, "leader", D("56")),
        (2027, "member", D("40")),  # a later row replaces the earlier one
        (2030, "leader", D("56")),  # and the leader row stays
    ],
)
def test_required_hours_take_the_latest_row_in_effect(year, group, hours):
    assert rules.required_hours(TABLE, year, group) == hours


def test_defaults_are_32_for_members_and_56_for_leaders():
    rows = [Requirement(*r) for r in rules.DEFAULT_REQUIREMENTS]
    assert rules.required_hours(rows, 2026, rules.requirement_group(False)) == 32
    assert rules.required_hours(rows, 2026, rules.requirement_group(True)) == 56


@pytest.mark.parametrize(
    ("score", "passed"),
    [(D("0"), False), (D("59.9"), False), (D("60"), True), (D("60.1"), True),
     (D("100"), True)],
)
def test_pass_mark_is_inclusive(score, passed):
    assert rules.exam_passed(score, D("60"), D("100")) is passed


@pytest.mark.parametrize("score", [D("-0.1"), D("100.1"), D("150")])
def test_scores_outside_zero_to_full_marks_are_refused(score):
    with pytest.raises(rules.ScoreError):
        rules.exam_passed(score, D("60"), D("100"))


@pytest.mark.parametrize(
    ("year", "seq", "number"),
    [(2026, 1, "HL-2026-000001"), (2026, 123, "HL-2026-000123"),
     (2027, 999_999, "HL-2027-999999")],
)
def test_certificate_number_format(year, seq, number):
    assert rules.certificate_number(year, seq) == number
    assert rules.parse_certificate_number(number) == (year, seq)


@pytest.mark.parametrize("seq", [0, 1_000_000])
def test_certificate_sequence_out_of_range(seq):
    with pytest.raises(ValueError, match="out of range"):
        rules.certificate_number(2026, seq)


@pytest.mark.parametrize(
    ("issued", "until"),
    [(dt.date(2026, 6, 30), dt.date(2029, 6, 29)),
     (dt.date(2028, 2, 29), dt.date(2031, 2, 28)),
     (dt.date(2026, 1, 1), dt.date(2028, 12, 31))],
)
def test_certificates_are_valid_three_years(issued, until):
    assert rules.certificate_expiry(issued) == until


TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("expires", "status"),
    [(None, rules.UNCERTIFIED),
     (dt.date(2026, 11, 23), rules.EXPIRED),
     (dt.date(2026, 11, 24), rules.EXPIRING),  # valid through today
     (TODAY + dt.timedelta(days=89), rules.EXPIRING),
     (TODAY + dt.timedelta(days=90), rules.CERTIFIED)],
)
def test_certification_status(expires, status):
    assert rules.certification_status(expires, TODAY) == status


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [("draft", "submit", "submitted"), ("returned", "submit", "submitted"),
     ("submitted", "accept", "reviewed"), ("submitted", "return", "returned"),
     ("draft", "accept", None), ("reviewed", "submit", None), ("reviewed", "return", None),
     ("submitted", "submit", None)],
)
def test_report_workflow(state, action, target):
    assert rules.report_next_state(state, action) == target
