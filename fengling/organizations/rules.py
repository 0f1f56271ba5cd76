"""Organization rules from RULES.md Part A "Organizations", as pure functions over plain values."""

from __future__ import annotations

import datetime as dt

from fengling.core.lib.dates import add_months, add_years  # noqa: F401 (rules.add_months)

from .kinds import COMMITTEE_KINDS, Domain, OrgKind

# 任期意见 (2018): 基层党委 5 years; 总支 and 支部 3 years; village and community
# organizations 5 years whatever their level.
TERM_YEARS_COMMITTEE = 5
TERM_YEARS_BRANCH = 3
TERM_YEARS_VILLAGE_COMMUNITY = 5
# 选举条例 第三条: postponing an election is limited to one year.
MAX_POSTPONEMENT_YEARS = 1
# The level above reminds about 6 months before the term ends (选举条例).
ELECTION_REMINDER_MONTHS = 6

# 支部工作条例: thresholds on the number of members.
BRANCH_MIN_FULL_MEMBERS = 3
BRANCH_MAX_MEMBERS = 50
GENERAL_BRANCH_MIN_MEMBERS = 50
COMMITTEE_MIN_MEMBERS = 100
BRANCH_COMMITTEE_MIN_FULL_MEMBERS = 7  # ≥7 full members → a committee of 3–5 (≤7)
BRANCH_COMMITTEE_SIZE = (3, 7)


def term_years(kind: str, domain: str) -> int:
    """Length of a committee's term for an organization of `kind` in `domain`."""
    if domain in (Domain.VILLAGE, Domain.COMMUNITY):
        return TERM_YEARS_VILLAGE_COMMUNITY
    if kind in COMMITTEE_KINDS or kind in (OrgKind.DISTRICT, OrgKind.STREET, OrgKind.TOWN):
        return TERM_YEARS_COMMITTEE
    return TERM_YEARS_BRANCH


def term_end(started_on: dt.date, years: int) -> dt.date:
    return add_years(started_on, years)


def election_due(started_on: dt.date, years: int, postponed_until: dt.date | None) -> dt.date:
    """When the next election is due: the end of the term, or an approved postponement."""
    return postponed_until or term_end(started_on, years)


def postponement_allowed(started_on: dt.date, years: int, postponed_until: dt.date) -> bool:
    end = term_end(started_on, years)
    return end <= postponed_until <= add_years(end, MAX_POSTPONEMENT_YEARS)


def kind_for_size(members: int) -> str:
    """The organization form a body of `members` calls for (支部条例)."""
    if members >= COMMITTEE_MIN_MEMBERS:
        return "committee"
    if members >= GENERAL_BRANCH_MIN_MEMBERS:
        return OrgKind.GENERAL_BRANCH
    return OrgKind.BRANCH


# Where a committee stands against its election due date (RULES Part A "Organizations";
# the warning levels of "Warnings": within 6 months yellow, overdue red, >1 year a violation).
TERM_OK = "ok"
TERM_DUE_SOON = "due_soon"
TERM_OVERDUE = "overdue"
TERM_LONG_OVERDUE = "long_overdue"


def term_status(election_due_on: dt.date, today: dt.date) -> str:
    """`ok`, `due_soon` (due within 6 months), `overdue` (at or past the due date) or
    `long_overdue` (more than a year past it). The thresholds are taken from `today` so
    that set-based counts over many terms (a date comparison per threshold) agree exactly."""
    if election_due_on < add_years(today, -MAX_POSTPONEMENT_YEARS):
        return TERM_LONG_OVERDUE
    if election_due_on <= today:
        return TERM_OVERDUE
    if election_due_on <= add_months(today, ELECTION_REMINDER_MONTHS):
        return TERM_DUE_SOON
    return TERM_OK
