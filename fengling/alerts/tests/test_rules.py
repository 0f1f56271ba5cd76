"""Each warning rule: the smallest data that triggers it and the nearest that does not,
on frozen dates (RULES Part A "Warnings", Part B §5.2)."""

import datetime as dt

import pytest

from fengling.alerts import rules
from fengling.alerts.models import Threshold
from fengling.members.lifecycle.models import (
    LostContactRecord,
    MobileRecord,
    MobileReport,
    Transfer,
)
from fengling.members.models import Member
from fengling.organizations.kinds import OrgKind
from fengling.testing.factories import make_org

from .helpers import (
    FOUNDED,
    branch,
    candidate,
    held,
    members,
    milestone,
    seat,
    subjects,
    term,
    tree,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def b():
    _district, _street, community = tree()
    return branch(community)


# --- silent branch ------------------------------------------------------------------------


def test_silent_branch_after_more_than_30_days(b):
    held(b, "committee", D(2026, 3, 1))
    assert f"o{b.pk}" in subjects(rules.SILENT_BRANCH, D(2026, 4, 1))  # 31 days
    assert f"o{b.pk}" not in subjects(rules.SILENT_BRANCH, D(2026, 3, 31))  # 30 days


def test_silent_branch_threshold_is_data_with_an_effective_year(b):
    held(b, "committee", D(2026, 3, 1))
    # From 2027 on, 60 days: 2026's evaluation keeps 30 days.
    Threshold.objects.create(rule="silent_branch", name="days", effective_year=2027, value=60)
    assert f"o{b.pk}" in subjects(rules.SILENT_BRANCH, D(2026, 4, 1))
    held(b, "committee", D(2026, 12, 1))
    assert f"o{b.pk}" not in subjects(rules.SILENT_BRANCH, D(2027, 1, 20))  # 50 days < 60
    assert f"o{b.pk}" in subjects(rules.SILENT_BRANCH, D(2027, 2, 1))  # 62 days


def test_party_group_meetings_keep_their_branch_from_being_silent(b):
    # 支部工作条例 第十三条: the Party group is part of the branch; its 党小组会 is activity.
    group = make_org(b, "第一党小组", OrgKind.PARTY_GROUP, established_on=FOUNDED)
    held(b, "committee", D(2026, 3, 1))
    held(group, "group", D(2026, 3, 20))
    assert f"o{b.pk}" not in subjects(rules.SILENT_BRANCH, D(2026, 4, 10))  # 21 days
    assert f"o{b.pk}" in subjects(rules.SILENT_BRANCH, D(2026, 4, 20))  # 31 days


def test_party_group_that_held_no_group_meeting_is_warned_itself(b):
    # RULES Part A Warnings: 党小组会 monthly; the warning names the group (inside the
    # branch's subtree), not the branch, which holds no 党小组会 of its own.
    group = make_org(b, "第一党小组", OrgKind.PARTY_GROUP, established_on=FOUNDED)
    found = subjects(rules.MEETING_MISSED, D(2026, 4, 10))
    assert f"o{group.pk}:group:2026-03-01" in found
    assert f"o{b.pk}:group:2026-03-01" not in found
    held(group, "group", D(2026, 3, 12))
    assert f"o{group.pk}:group:2026-03-01" not in subjects(rules.MEETING_MISSED, D(2026, 4, 10))


# --- meetings -----------------------------------------------------------------------------


def test_meeting_missed_last_month(b):
    held(b, "committee", D(2026, 2, 28))
    key = f"o{b.pk}:committee:2026-03-01"
    assert key in subjects(rules.MEETING_MISSED, D(2026, 4, 10))
    held(b, "committee", D(2026, 3, 31))
    assert key not in subjects(rules.MEETING_MISSED, D(2026, 4, 10))


def test_meeting_missed_judges_the_quarter_and_the_year(b):
    today = D(2026, 4, 10)
    found = subjects(rules.MEETING_MISSED, today)
    assert f"o{b.pk}:lecture:2026-01-01" in found  # 党课 of Q1
    assert f"o{b.pk}:life_meeting:2025-01-01" in found  # 组织生活会 of 2025
    held(b, "lecture", D(2026, 1, 5))
    assert f"o{b.pk}:lecture:2026-01-01" not in subjects(rules.MEETING_MISSED, today)


def test_meeting_due_looks_ahead_to_the_end_of_the_month(b):
    key = f"o{b.pk}:committee:2026-04-01"
    assert key in subjects(rules.MEETING_DUE, D(2026, 4, 10))
    held(b, "committee", D(2026, 4, 2))
    assert key not in subjects(rules.MEETING_DUE, D(2026, 4, 10))
    # The quarter's 党课 shows only in the quarter's last month.
    assert f"o{b.pk}:lecture:2026-04-01" not in subjects(rules.MEETING_DUE, D(2026, 5, 31))
    assert f"o{b.pk}:lecture:2026-04-01" in subjects(rules.MEETING_DUE, D(2026, 6, 1))


# --- terms --------------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "rule"), [
    (D(2025, 11, 30), None),
    (D(2025, 12, 1), rules.TERM_DUE_SOON),
    (D(2026, 5, 31), rules.TERM_DUE_SOON),
    (D(2026, 6, 1), rules.TERM_OVERDUE),
    (D(2027, 6, 1), rules.TERM_OVERDUE),
    (D(2027, 6, 2), rules.TERM_LONG_OVERDUE),
])
def test_term_rules(b, today, rule):
    term(b, D(2023, 6, 1), years=3)  # election due 2026-06-01
    for r in (rules.TERM_DUE_SOON, rules.TERM_OVERDUE, rules.TERM_LONG_OVERDUE):
        assert (f"o{b.pk}" in subjects(r, today)) == (r is rule), r.id


def test_term_postponement_moves_the_due_date(b):
    term(b, D(2023, 6, 1), years=3, postponed_until=D(2027, 1, 1))
    assert f"o{b.pk}" not in subjects(rules.TERM_OVERDUE, D(2026, 6, 1))


# --- secretary ----------------------------------------------------------------------------


def test_secretary_vacant_yellow_then_red_after_three_months(b):
    t = term(b, D(2024, 1, 1))
    seat(t, "secretary", ended_on=D(2026, 1, 10))
    assert f"o{b.pk}" in subjects(rules.SECRETARY_VACANT, D(2026, 4, 10))
    assert f"o{b.pk}" not in subjects(rules.SECRETARY_VACANT_LONG, D(2026, 4, 10))
    assert f"o{b.pk}" not in subjects(rules.SECRETARY_VACANT, D(2026, 4, 11))
    assert f"o{b.pk}" in subjects(rules.SECRETARY_VACANT_LONG, D(2026, 4, 11))


def test_secretary_in_office_no_warning(b):
    t = term(b, D(2024, 1, 1))
    seat(t, "secretary", ended_on=D(2025, 1, 10))
    seat(t, "secretary", started_on=D(2025, 1, 11), name="新书记")
    for r in (rules.SECRETARY_VACANT, rules.SECRETARY_VACANT_LONG):
        assert f"o{b.pk}" not in subjects(r, D(2026, 4, 10))


# --- size and committee -------------------------------------------------------------------


def test_committee_setup_needs_three_seats_from_seven_full_members(b):
    members(b, 7)
    t = term(b, D(2025, 1, 1))
    seat(t, "secretary")
    seat(t)
    assert f"o{b.pk}" in subjects(rules.COMMITTEE_SETUP, D(2026, 4, 10))
    seat(t)
    assert f"o{b.pk}" not in subjects(rules.COMMITTEE_SETUP, D(2026, 4, 10))


def test_committee_setup_six_full_members_need_no_committee(b):
    members(b, 6)
    seat(term(b, D(2025, 1, 1)), "secretary")
    assert f"o{b.pk}" not in subjects(rules.COMMITTEE_SETUP, D(2026, 4, 10))


def test_branch_size_under_three_full_members(b):
    members(b, 2)
    members(b, 1, membership="probationary", conversion_date=None)
    assert f"o{b.pk}" in subjects(rules.BRANCH_SIZE, D(2026, 4, 10))
    members(b, 1)
    assert f"o{b.pk}" not in subjects(rules.BRANCH_SIZE, D(2026, 4, 10))


# --- members ------------------------------------------------------------------------------


def test_lost_contact_six_months(b):
    m = members(b, 1)[0]
    LostContactRecord.objects.create(member=m, since=D(2025, 10, 10))
    Member.objects.filter(pk=m.pk).update(status="lost_contact")
    assert f"m{m.pk}" in subjects(rules.LOST_CONTACT, D(2026, 4, 10))
    assert f"m{m.pk}" not in subjects(rules.LOST_CONTACT, D(2026, 4, 9))


def test_lost_contact_stopped_member_no_longer_warned(b):
    m = members(b, 1)[0]
    LostContactRecord.objects.create(member=m, since=D(2025, 1, 1))
    Member.objects.filter(pk=m.pk).update(status="stopped")
    assert f"m{m.pk}" not in subjects(rules.LOST_CONTACT, D(2026, 4, 10))


def test_mobile_member_without_annual_report(b):
    m = members(b, 1)[0]
    record = MobileRecord.objects.create(member=m, destination="上海", since=D(2025, 4, 10))
    assert f"m{m.pk}" not in subjects(rules.MOBILE_NO_REPORT, D(2026, 4, 10))
    assert f"m{m.pk}" in subjects(rules.MOBILE_NO_REPORT, D(2026, 4, 11))
    MobileReport.objects.create(record=record, year=2026, reported_on=D(2026, 4, 1))
    assert f"m{m.pk}" not in subjects(rules.MOBILE_NO_REPORT, D(2026, 4, 11))


@pytest.mark.parametrize(("valid_until", "warned"), [(D(2026, 4, 9), True),
                                                      (D(2026, 4, 10), False)])
def test_transfer_not_received_within_validity(b, valid_until, warned):
    m = members(b, 1)[0]
    t = Transfer.objects.create(member=m, direction="outgoing", from_organization=b,
                                outside_unit="外区", letter_number="L1",
                                issued_on=D(2026, 3, 10), valid_until=valid_until)
    assert (f"m{m.pk}:t{t.pk}" in subjects(rules.TRANSFER_OVERDUE, D(2026, 4, 10))) == warned


# --- development --------------------------------------------------------------------------


def test_development_approval_overdue(b):
    c = candidate(b)
    milestone(c, 15, D(2026, 1, 10))  # branch meeting: approval due by 2026-04-10
    assert f"o{b.pk}" not in subjects(rules.DEVELOPMENT_OVERDUE, D(2026, 4, 10))
    assert f"o{b.pk}" in subjects(rules.DEVELOPMENT_OVERDUE, D(2026, 4, 11))
    milestone(c, 17, D(2026, 4, 11))
    assert f"o{b.pk}" not in subjects(rules.DEVELOPMENT_OVERDUE, D(2026, 4, 12))


def test_no_development_target_for_two_years(b):
    c = candidate(b)
    milestone(c, 7, D(2024, 4, 10))
    assert f"o{b.pk}" not in subjects(rules.NO_DEVELOPMENT_TARGET, D(2026, 4, 10))
    assert f"o{b.pk}" in subjects(rules.NO_DEVELOPMENT_TARGET, D(2026, 4, 11))


def test_a_new_branch_is_not_judged_before_it_existed():
    _d, _s, community = tree()
    from fengling.testing.factories import make_org
    young = make_org(community, "新支部", "branch", established_on=D(2026, 3, 20))
    assert f"o{young.pk}" not in subjects(rules.SILENT_BRANCH, D(2026, 4, 10))
    assert f"o{young.pk}" not in subjects(rules.NO_DEVELOPMENT_TARGET, D(2026, 4, 10))


def test_every_rule_has_an_id_level_and_translated_message():
    assert len({r.id for r in rules.RULES}) == len(rules.RULES)
    for r in rules.RULES:
        assert r.level in ("upcoming", "yellow", "red")
        assert str(r.title) and "%(" in str(r.message)


# --- dues (党费) ----------------------------------------------------------------------------


APRIL = D(2026, 4, 1)


def unpaid(member, months: int, until=APRIL):
    from decimal import Decimal

    from fengling.dues.models import DuesBill
    from fengling.organizations.rules import add_months
    for i in range(months):
        DuesBill.objects.create(member=member, organization=member.organization,
                                month=add_months(until, -i), category="in_service",
                                amount=Decimal("10.00"))


@pytest.mark.parametrize(("months", "rule"), [
    (2, None), (3, rules.DUES_ARREARS), (4, rules.DUES_ARREARS), (5, rules.DUES_ARREARS_RED),
    (6, rules.DUES_LAPSE_REVIEW), (8, rules.DUES_LAPSE_REVIEW),
])
def test_dues_arrears_levels(b, months, rule):
    m = members(b, 1)[0]
    unpaid(m, months)
    for r in (rules.DUES_ARREARS, rules.DUES_ARREARS_RED, rules.DUES_LAPSE_REVIEW):
        assert (f"m{m.pk}" in subjects(r, D(2026, 4, 10))) == (r is rule), r.id


def test_dues_next_month_bill_is_not_yet_arrears(b):
    m = members(b, 1)[0]
    unpaid(m, 3, until=D(2026, 5, 1))  # March, April, May
    assert f"m{m.pk}" not in subjects(rules.DUES_ARREARS, D(2026, 4, 30))
    assert f"m{m.pk}" in subjects(rules.DUES_ARREARS, D(2026, 5, 1))


@pytest.mark.parametrize(("months", "upcoming"), [(3, False), (4, True), (5, True), (6, False)])
def test_dues_look_ahead(b, months, upcoming):
    m = members(b, 1)[0]
    unpaid(m, months)
    assert (f"m{m.pk}" in subjects(rules.DUES_UPCOMING, D(2026, 4, 10))) == upcoming


# --- study hours --------------------------------------------------------------------------


def studied(member, hours, day):
    from fengling.training.models import StudyRecord
    StudyRecord.objects.create(member=member, kind="self_study", title="学习", studied_on=day,
                               hours=hours, status="approved")


def test_study_hours_behind_from_the_fourth_quarter(b):
    m = members(b, 1)[0]
    for day, hours in ((D(2026, 3, 1), 12), (D(2026, 6, 1), 12), (D(2026, 7, 1), 1)):
        studied(m, hours, day)  # 25 hours by 1 October (day 274): a pace of 33.3
    assert f"m{m.pk}" not in subjects(rules.STUDY_HOURS_BEHIND, D(2026, 10, 1))
    # Six weeks later without more study, the pace falls under 32.
    assert f"m{m.pk}" in subjects(rules.STUDY_HOURS_BEHIND, D(2026, 11, 15))
    # Before the fourth quarter, nobody is warned.
    assert f"m{m.pk}" not in subjects(rules.STUDY_HOURS_BEHIND, D(2026, 9, 30))
