"""The time rules of member development at their edges (RULES Part A, Part B §4.2).

Pure functions over plain facts; `today` is passed in, so every date is fixed.
"""

import datetime as dt

import pytest

from fengling.development import rules
from fengling.development import steps as S
from fengling.development.rules import Facts, SponsorFact, Status

D = dt.date
BIRTH = D(2000, 3, 15)

MISSED_OPEN = (Status.MISSED, True)
MISSED = (Status.MISSED, False)
SATISFIED = (Status.SATISFIED, False)
PENDING = (Status.PENDING, False)
NA = (Status.NOT_APPLICABLE, False)


def facts(birth=BIRTH, **kwargs) -> Facts:
    dates = kwargs.pop("dates", {})
    return Facts(birth_date=birth, dates=dates, **kwargs)


def outcome(rule_id, f, today):
    o = rules.RULE_BY_ID[rule_id].check(f, today)
    return o.status, o.overdue, o.due


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 15), 1, D(2026, 2, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # the 31st of a shorter month is its last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 12, 1), 1, D(2027, 1, 1)),
    ],
)
def test_add_months(start, months, expected):
    assert rules.add_months(start, months) == expected


# --- Age ≥ 18 on the day of the application (党章 第一条) ------------------------------------


@pytest.mark.parametrize(
    ("applied", "expected"),
    [
        (D(2018, 3, 14), MISSED),  # the day before the 18th birthday
        (D(2018, 3, 15), SATISFIED),  # the birthday itself
        (D(2026, 1, 1), SATISFIED),
    ],
)
def test_age_at_application(applied, expected):
    status, overdue, _due = outcome("age_at_application",
                                    facts(dates={S.APPLICATION: applied}), D(2026, 6, 1))
    assert (status, overdue) == expected


def test_age_born_on_29_february_turns_18_on_1_march():
    f = facts(birth=D(2004, 2, 29), dates={S.APPLICATION: D(2022, 2, 28)})
    assert outcome("age_at_application", f, D(2026, 1, 1))[0] == Status.MISSED
    f = facts(birth=D(2004, 2, 29), dates={S.APPLICATION: D(2022, 3, 1)})
    assert outcome("age_at_application", f, D(2026, 1, 1))[0] == Status.SATISFIED


def test_age_not_applicable_without_an_application():
    assert outcome("age_at_application", facts(), D(2026, 1, 1))[:2] == NA


# --- Talk within 1 month of the application (细则) ------------------------------------------

APPLIED = D(2026, 1, 31)  # due 2026-02-28


@pytest.mark.parametrize(
    ("talk", "today", "expected"),
    [
        (None, D(2026, 2, 1), PENDING),
        (None, D(2026, 2, 28), PENDING),  # the last day is still in time
        (None, D(2026, 3, 1), MISSED_OPEN),  # overdue
        (D(2026, 2, 28), D(2026, 6, 1), SATISFIED),
        (D(2026, 3, 1), D(2026, 6, 1), MISSED),  # recorded late: missed, not open
    ],
)
def test_talk_within_one_month(talk, today, expected):
    dates = {S.APPLICATION: APPLIED}
    if talk:
        dates[S.TALK] = talk
    status, overdue, due = outcome("talk_within_one_month", facts(dates=dates), today)
    assert (status, overdue) == expected
    assert due == D(2026, 2, 28)


# --- Activist ≥ 1 year before becoming a development target (细则) --------------------------

NAMED = D(2025, 3, 1)


@pytest.mark.parametrize(
    ("target", "today", "expected"),
    [
        (None, D(2026, 2, 28), PENDING),  # possible from 2026-03-01
        (None, D(2026, 3, 1), SATISFIED),  # a full year: eligible
        (D(2026, 3, 1), D(2026, 6, 1), SATISFIED),
        (D(2026, 2, 28), D(2026, 6, 1), MISSED),  # one day early
    ],
)
def test_activist_one_year(target, today, expected):
    dates = {S.ACTIVIST: NAMED}
    if target:
        dates[S.TARGET] = target
    status, overdue, due = outcome("activist_one_year", facts(dates=dates), today)
    assert (status, overdue) == expected
    assert due == D(2026, 3, 1)
    assert rules.RULE_BY_ID["activist_one_year"].due_kind == rules.DueKind.EARLIEST


# --- Activist reviewed every 6 months (细则 + local) -----------------------------------------


@pytest.mark.parametrize(
    ("reviews", "target", "today", "expected", "due"),
    [
        ((), None, D(2025, 9, 1), PENDING, D(2025, 9, 1)),
        ((), None, D(2025, 9, 2), MISSED_OPEN, D(2025, 9, 1)),
        ((D(2025, 9, 1),), None, D(2026, 3, 1), PENDING, D(2026, 3, 1)),
        ((D(2025, 9, 2),), None, D(2026, 1, 1), MISSED, D(2026, 3, 2)),  # one late review
        ((D(2025, 9, 1), D(2026, 3, 1)), D(2026, 3, 1), D(2026, 6, 1), SATISFIED, None),
        ((D(2025, 8, 1),), D(2026, 3, 1), D(2026, 6, 1), MISSED, None),  # gap before target
    ],
)
def test_activist_reviews_every_six_months(reviews, target, today, expected, due):
    dates = {S.ACTIVIST: NAMED}
    if reviews:
        dates[S.ACTIVIST_REVIEW] = reviews[0]
    if target:
        dates[S.TARGET] = target
    status, overdue, got_due = outcome("activist_review_every_six_months",
                                       facts(dates=dates, reviews=reviews), today)
    assert (status, overdue) == expected
    assert got_due == due


# --- 24 class hours of training (细则) ------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(None, PENDING), (23, MISSED), (24, SATISFIED), (40, SATISFIED)],
)
def test_training_hours(hours, expected):
    dates = {S.TARGET: D(2026, 3, 1)}
    if hours is not None:
        dates[S.TRAINING] = D(2026, 4, 1)
    f = facts(dates=dates, training_hours=hours)
    assert outcome("training_hours", f, D(2026, 6, 1))[:2] == expected


def test_training_not_applicable_before_development_target():
    assert outcome("training_hours", facts(), D(2026, 6, 1))[:2] == NA


# --- Two full-member sponsors (党章 第五条) --------------------------------------------------

GOOD = SponsorFact(full_member=True, same_branch=True, active=True)


@pytest.mark.parametrize(
    ("sponsors", "expected"),
    [
        ((GOOD, GOOD), SATISFIED),
        ((GOOD,), MISSED),
        ((GOOD, GOOD, GOOD), MISSED),
        ((GOOD, SponsorFact(full_member=False, same_branch=True, active=True)), MISSED),
        ((GOOD, SponsorFact(full_member=True, same_branch=False, active=True)), MISSED),
        ((GOOD, SponsorFact(full_member=True, same_branch=True, active=False)), MISSED),
    ],
)
def test_two_full_member_sponsors(sponsors, expected):
    f = facts(dates={S.TARGET: D(2026, 3, 1), S.SPONSORS: D(2026, 3, 5)}, sponsors=sponsors)
    assert outcome("two_full_member_sponsors", f, D(2026, 6, 1))[:2] == expected


def test_sponsors_pending_until_named():
    f = facts(dates={S.TARGET: D(2026, 3, 1)})
    assert outcome("two_full_member_sponsors", f, D(2026, 6, 1))[:2] == PENDING


# --- Political review valid 1 year (local) --------------------------------------------------


@pytest.mark.parametrize(
    ("meeting", "today", "expected"),
    [
        (None, D(2027, 4, 1), PENDING),
        (None, D(2027, 4, 2), MISSED_OPEN),
        (D(2027, 4, 1), D(2027, 6, 1), SATISFIED),
        (D(2027, 4, 2), D(2027, 6, 1), MISSED),
    ],
)
def test_political_review_valid_one_year(meeting, today, expected):
    dates = {S.POLITICAL_REVIEW: D(2026, 4, 1)}
    if meeting:
        dates[S.BRANCH_MEETING] = meeting
    assert outcome("political_review_valid", facts(dates=dates), today)[:2] == expected


# --- Admission approved within 3 months of the branch meeting -------------------------------

MEETING = D(2026, 5, 31)  # due 2026-08-31


@pytest.mark.parametrize(
    ("approved", "today", "expected"),
    [
        (None, D(2026, 8, 31), PENDING),
        (None, D(2026, 9, 1), MISSED_OPEN),
        (D(2026, 8, 31), D(2026, 10, 1), SATISFIED),
        (D(2026, 9, 1), D(2026, 10, 1), MISSED),
    ],
)
def test_admission_approval_within_three_months(approved, today, expected):
    dates = {S.BRANCH_MEETING: MEETING}
    if approved:
        dates[S.ADMISSION_APPROVAL] = approved
    status, overdue, due = outcome("approval_within_three_months", facts(dates=dates), today)
    assert (status, overdue) == expected
    assert due == D(2026, 8, 31)


# --- Probation 1 year from the branch meeting, plus an extension (党章 第七条) ---------------


@pytest.mark.parametrize(
    ("extension", "vote", "today", "expected", "end"),
    [
        ((), None, D(2027, 5, 31), PENDING, D(2027, 5, 31)),
        ((), None, D(2027, 6, 1), MISSED_OPEN, D(2027, 5, 31)),  # no conversion vote
        ((), D(2027, 5, 31), D(2027, 7, 1), SATISFIED, D(2027, 5, 31)),
        ((), D(2027, 5, 30), D(2027, 7, 1), MISSED, D(2027, 5, 31)),  # a day early
        ((6,), None, D(2027, 6, 1), PENDING, D(2027, 11, 30)),
        ((12,), D(2028, 5, 31), D(2028, 6, 1), SATISFIED, D(2028, 5, 31)),
    ],
)
def test_probation_one_year(extension, vote, today, expected, end):
    dates = {S.BRANCH_MEETING: MEETING, S.ADMISSION_APPROVAL: D(2026, 6, 15)}
    if vote:
        dates[S.CONVERSION_MEETING] = vote
    f = facts(dates=dates, extension_months=extension)
    status, overdue, due = outcome("probation_one_year", f, today)
    assert (status, overdue) == expected
    assert due == end


def test_probation_not_applicable_before_admission():
    f = facts(dates={S.BRANCH_MEETING: MEETING})
    assert outcome("probation_one_year", f, D(2027, 6, 1))[:2] == NA


# --- One extension of 6–12 months (细则 第三十二条) ------------------------------------------


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        ((), NA),
        ((5,), MISSED),
        ((6,), SATISFIED),
        ((12,), SATISFIED),
        ((13,), MISSED),
        ((6, 6), MISSED),  # a second extension
    ],
)
def test_extension_once(months, expected):
    assert outcome("extension_once", facts(extension_months=months), D(2027, 1, 1))[:2] \
        == expected


# --- Conversion approved within 3 months of the vote ----------------------------------------


@pytest.mark.parametrize(
    ("approved", "today", "expected"),
    [
        (None, D(2027, 8, 31), PENDING),
        (None, D(2027, 9, 1), MISSED_OPEN),
        (D(2027, 8, 31), D(2027, 9, 1), SATISFIED),
        (D(2027, 9, 1), D(2027, 9, 2), MISSED),
    ],
)
def test_conversion_approval_within_three_months(approved, today, expected):
    dates = {S.CONVERSION_MEETING: D(2027, 5, 31)}
    if approved:
        dates[S.CONVERSION_APPROVAL] = approved
    f = facts(dates=dates)
    assert outcome("conversion_approval_within_three_months", f, today)[:2] == expected


def test_every_rule_has_an_id_a_statement_and_a_basis():
    ids = [rule.id for rule in rules.RULES]
    assert len(ids) == len(set(ids))
    for rule in rules.RULES:
        assert str(rule.title) and str(rule.statement) and rule.basis


def test_evaluate_answers_every_rule_in_order():
    results = rules.evaluate(facts(dates={S.APPLICATION: D(2026, 1, 5)}), D(2026, 1, 10))
    assert [r.rule.id for r in results] == [rule.id for rule in rules.RULES]
    by_id = {r.rule.id: r for r in results}
    assert by_id["talk_within_one_month"].status == Status.PENDING
    assert by_id["talk_within_one_month"].due == D(2026, 2, 5)
    assert by_id["probation_one_year"].status == Status.NOT_APPLICABLE
