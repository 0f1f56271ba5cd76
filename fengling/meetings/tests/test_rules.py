"""Rules of organizational life, table-driven from RULES.md Part A."""

import datetime as dt

import pytest

from fengling.meetings import rules
from fengling.meetings.rules import MeetingKind as K
from fengling.meetings.rules import MeetingState as S
from fengling.organizations.kinds import OrgKind

D = dt.date


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.PLANNED, S.NOTIFIED, True),
        (S.PLANNED, S.HELD, True),
        (S.PLANNED, S.CANCELLED, True),
        (S.NOTIFIED, S.HELD, True),
        (S.NOTIFIED, S.CANCELLED, True),
        (S.NOTIFIED, S.PLANNED, False),
        (S.HELD, S.CANCELLED, False),
        (S.HELD, S.NOTIFIED, False),
        (S.HELD, S.PLANNED, False),
        (S.CANCELLED, S.HELD, False),
        (S.CANCELLED, S.PLANNED, False),
        (S.PLANNED, "nonsense", False),
    ],
)
def test_state_machine(current, target, allowed):
    assert rules.can_transition(current, target) is allowed


@pytest.mark.parametrize(
    ("full", "present", "quorate"),
    [(0, 0, False), (1, 1, True), (2, 1, False), (3, 2, True), (10, 5, False),
     (10, 6, True), (11, 6, True), (11, 5, False)],
)
def test_quorum_is_more_than_half_of_full_members(full, present, quorate):
    assert rules.quorum_reached(full, present) is quorate


@pytest.mark.parametrize(
    ("full", "present", "votes_for", "quorate", "passed"),
    [
        (10, 6, 6, True, True),  # 6 of 10 who should attend
        (10, 6, 5, True, False),  # half of those who should attend is not enough
        (10, 10, 5, True, False),
        (10, 5, 5, False, False),  # no quorum: nothing passes
        (9, 5, 5, True, True),
    ],
)
def test_vote_passes_with_more_than_half_of_those_who_should_attend(
        full, present, votes_for, quorate, passed):
    result = rules.vote_outcome(full, present, votes_for)
    assert (result.quorate, result.passed) == (quorate, passed)


@pytest.mark.parametrize(
    ("month", "day", "expected"),
    [(D(2026, 3, 1), 15, D(2026, 3, 15)), (D(2026, 2, 1), 31, D(2026, 2, 28)),
     (D(2028, 2, 1), 30, D(2028, 2, 29)), (D(2026, 4, 1), 31, D(2026, 4, 30)),
     (D(2026, 1, 1), 1, D(2026, 1, 1))],
)
def test_party_day_falls_on_the_fixed_day_or_the_months_last(month, day, expected):
    assert rules.party_day_date(month, day) == expected


@pytest.mark.parametrize(
    ("start", "end", "period", "today", "expected"),
    [
        # A whole year, judged after it: 12 months, 4 quarters, 1 year.
        (D(2025, 1, 1), D(2025, 12, 31), "month", D(2026, 1, 1), 12),
        (D(2025, 1, 1), D(2025, 12, 31), "quarter", D(2026, 1, 1), 4),
        (D(2025, 1, 1), D(2025, 12, 31), "year", D(2026, 1, 1), 1),
        # Mid-year: only the periods that are over are due.
        (D(2025, 1, 1), D(2025, 12, 31), "month", D(2025, 7, 10), 6),
        (D(2025, 1, 1), D(2025, 12, 31), "quarter", D(2025, 7, 10), 2),
        (D(2025, 1, 1), D(2025, 12, 31), "year", D(2025, 7, 10), 0),
        # Partial periods at the edges do not count.
        (D(2025, 1, 15), D(2025, 3, 31), "month", D(2026, 1, 1), 2),
        (D(2025, 2, 1), D(2025, 12, 31), "quarter", D(2026, 1, 1), 3),
        (D(2025, 1, 1), D(2025, 6, 30), "year", D(2026, 1, 1), 0),
    ],
)
def test_due_periods(start, end, period, today, expected):
    assert len(rules.due_periods(start, end, period, today)) == expected


def test_branch_requirements_follow_rules_part_a():
    by_kind = {r.kind: (r.period, r.times) for r in rules.requirements_for(OrgKind.BRANCH)}
    assert by_kind == {
        K.GENERAL_ASSEMBLY: ("quarter", 1), K.COMMITTEE: ("month", 1),
        K.LECTURE: ("quarter", 1), K.PARTY_DAY: ("month", 1),
        K.LIFE_MEETING: ("year", 1), K.APPRAISAL: ("year", 1), K.HEART_TALK: ("year", 1),
    }
    assert {r.kind for r in rules.requirements_for(OrgKind.PARTY_GROUP)} == {K.GROUP}
    assert rules.requirements_for(OrgKind.COMMUNITY) == ()


def test_compliance_counts_periods_met_against_periods_due():
    held = {
        (K.PARTY_DAY, D(2025, 1, 1)): 1, (K.PARTY_DAY, D(2025, 2, 1)): 2,
        (K.GENERAL_ASSEMBLY, D(2025, 2, 1)): 1, (K.GENERAL_ASSEMBLY, D(2025, 3, 1)): 1,
        (K.LIFE_MEETING, D(2025, 12, 1)): 1,
    }
    result = {r.kind: (r.required, r.met, r.held) for r in rules.compliance_for(
        OrgKind.BRANCH, held, D(2025, 1, 1), D(2025, 12, 31), D(2026, 1, 5))}
    assert result[K.PARTY_DAY] == (12, 2, 3)  # two held in February count once
    assert result[K.GENERAL_ASSEMBLY] == (4, 1, 2)  # both in Q1
    assert result[K.LIFE_MEETING] == (1, 1, 1)
    assert result[K.COMMITTEE] == (12, 0, 0)
