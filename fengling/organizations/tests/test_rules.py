"""RULES.md Part A "Organizations": terms and postponements, as tables."""

import datetime as dt

import pytest

from fengling.organizations import rules
from fengling.organizations.kinds import Domain, OrgKind


@pytest.mark.parametrize(
    ("kind", "domain", "years"),
    [
        # 任期意见: 基层党委 5 years; 总支 and 支部 3 years; village/community 5 years.
        (OrgKind.TWO_NEW, Domain.TWO_NEW, 5),
        (OrgKind.INSTITUTION, Domain.INSTITUTION, 5),
        (OrgKind.BUSINESS_DISTRICT, Domain.BUSINESS_DISTRICT, 5),
        (OrgKind.GENERAL_BRANCH, Domain.TWO_NEW, 3),
        (OrgKind.BRANCH, Domain.INSTITUTION, 3),
        (OrgKind.BRANCH, Domain.BUSINESS_DISTRICT, 3),
        (OrgKind.COMMUNITY, Domain.COMMUNITY, 5),
        (OrgKind.BRANCH, Domain.COMMUNITY, 5),
        (OrgKind.GENERAL_BRANCH, Domain.VILLAGE, 5),
        (OrgKind.VILLAGE, Domain.VILLAGE, 5),
    ],
)
def test_term_length_by_kind(kind, domain, years):
    assert rules.term_years(kind, domain) == years


@pytest.mark.parametrize(
    ("until", "allowed"),
    [
        (dt.date(2026, 3, 1), True),  # the end itself
        (dt.date(2027, 3, 1), True),  # exactly one year later
        (dt.date(2027, 3, 2), False),  # one day too many (选举条例 第三条)
        (dt.date(2026, 2, 28), False),  # before the end is no postponement
    ],
)
def test_postponement_at_most_one_year(until, allowed):
    assert rules.postponement_allowed(dt.date(2023, 3, 1), 3, until) is allowed


def test_election_due_is_the_term_end_unless_postponed():
    assert rules.election_due(dt.date(2021, 6, 30), 5, None) == dt.date(2026, 6, 30)
    assert rules.election_due(dt.date(2021, 6, 30), 5, dt.date(2027, 1, 1)) == dt.date(
        2027, 1, 1
    )


@pytest.mark.parametrize(
    ("members", "form"),
    [(3, OrgKind.BRANCH), (49, OrgKind.BRANCH), (50, OrgKind.GENERAL_BRANCH),
     (99, OrgKind.GENERAL_BRANCH), (100, "committee")],
)
def test_size_thresholds(members, form):
    assert rules.kind_for_size(members) == form


def test_leap_day_term_ends_on_28_february():
    assert rules.term_end(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)
