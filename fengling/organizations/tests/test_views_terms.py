"""Committee terms against their election due date (RULES Part A "Organizations"), as the pages
show them: one rule in Python for a single term, the same rule as SQL for counts and filters."""

import datetime as dt

import pytest

from fengling.organizations import rules
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import CommitteeTerm
from fengling.organizations.selectors import current_terms, election_status_q
from fengling.testing.factories import make_org

TODAY = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("due", "status"),
    [
        (dt.date(2027, 3, 10), rules.TERM_OK),
        (dt.date(2026, 9, 11), rules.TERM_OK),  # more than 6 months away
        (dt.date(2026, 9, 10), rules.TERM_DUE_SOON),  # exactly 6 months: remind
        (dt.date(2026, 3, 11), rules.TERM_DUE_SOON),
        (dt.date(2026, 3, 10), rules.TERM_OVERDUE),  # overdue at expiry
        (dt.date(2025, 3, 10), rules.TERM_OVERDUE),  # exactly one year late
        (dt.date(2025, 3, 9), rules.TERM_LONG_OVERDUE),  # more than a year: a violation
    ],
)
def test_term_status_by_due_date(due, status):
    assert rules.term_status(due, TODAY) == status


# Starts chosen around every threshold, including 29 February and a postponement.
TERMS = [
    (dt.date(2021, 3, 10), 5, None),
    (dt.date(2021, 3, 11), 5, None),
    (dt.date(2023, 9, 10), 3, None),
    (dt.date(2023, 9, 11), 3, None),
    (dt.date(2020, 3, 9), 5, None),
    (dt.date(2020, 3, 10), 5, None),
    (dt.date(2022, 3, 9), 3, None),
    (dt.date(2020, 2, 29), 5, None),
    (dt.date(2024, 2, 29), 1, None),
    (dt.date(2024, 2, 29), 2, None),
    (dt.date(2020, 1, 1), 5, dt.date(2025, 12, 31)),
    (dt.date(2020, 1, 1), 5, dt.date(2026, 4, 1)),
    (dt.date(2020, 1, 1), 5, dt.date(2025, 3, 9)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 2, 28), dt.date(2025, 2, 28),
                                   dt.date(2028, 2, 29), dt.date(2026, 8, 31)])
def test_counts_in_sql_agree_with_the_rule(today):
    root = make_org(None, "区委", OrgKind.DISTRICT)
    for i, (start, years, postponed) in enumerate(TERMS):
        org = make_org(root, f"支部{i}", OrgKind.BRANCH)
        # An older term first: only the latest one counts.
        CommitteeTerm.objects.create(organization=org, started_on=dt.date(2000, 1, 1), years=3)
        CommitteeTerm.objects.create(organization=org, started_on=start, years=years,
                                     postponed_until=postponed)
    terms = list(current_terms())
    assert len(terms) == len(TERMS)
    expected = {
        status: {t.pk for t in terms if rules.term_status(t.election_due_on, today) == status}
        for status in (rules.TERM_DUE_SOON, rules.TERM_LONG_OVERDUE)
    }
    expected[rules.TERM_OVERDUE] = {
        t.pk for t in terms
        if rules.term_status(t.election_due_on, today)
        in (rules.TERM_OVERDUE, rules.TERM_LONG_OVERDUE)
    }
    for status, pks in expected.items():
        found = set(current_terms().filter(election_status_q(status, today))
                    .values_list("pk", flat=True))
        assert found == pks, status
