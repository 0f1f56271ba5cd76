"""The demo year: realistic, set-based, idempotent, and visible in compliance."""

import datetime as dt

import pytest

from fengling.meetings.demo import seed_year
from fengling.meetings.models import Attendance, Meeting
from fengling.meetings.selectors import compliance_report

pytestmark = pytest.mark.django_db


def test_seed_year_fills_branches_once(cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        result = seed_year(cast.district, 2025, today=dt.date(2026, 1, 10))
    # Four branches, up to 12+12+4+4+1+1+1 = 35 meetings each; about 88% are held.
    assert 4 * 28 <= result.meetings == Meeting.objects.count() <= 4 * 35
    assert result.attendance == Attendance.objects.count() > 0
    assert seed_year(cast.district, 2025, today=dt.date(2026, 1, 10)).meetings == 0
    report = compliance_report(cast.district_admin, cast.district, dt.date(2025, 1, 1),
                               dt.date(2025, 12, 31), today=dt.date(2026, 1, 10))
    required, met, _held = report.total.kinds["party_day"]
    assert required == 48 and 40 <= met <= 48


def test_seed_year_gives_every_party_group_its_monthly_group_meeting(
        cast, django_assert_max_num_queries):
    from fengling.meetings.models import MeetingKind
    from fengling.members.models import Member
    from fengling.organizations.kinds import OrgKind
    from fengling.testing.factories import MemberFactory, make_org

    first = make_org(cast.branch_a, "第一党小组", OrgKind.PARTY_GROUP)
    second = make_org(cast.branch_a, "第二党小组", OrgKind.PARTY_GROUP)
    Member.objects.filter(pk=cast.member_a.pk).update(party_group=first)
    placed = {cast.member_a.pk, MemberFactory(organization=cast.branch_a,
                                              party_group=second).pk}
    with django_assert_max_num_queries(13):
        seed_year(cast.district, 2025, today=dt.date(2026, 1, 10))
    group_meetings = Meeting.objects.filter(kind=MeetingKind.GROUP)
    # RULES Part A: 党小组会 once a month, held with a realistic chance (about 90%).
    assert set(group_meetings.values_list("organization_id", flat=True)) == {first.pk,
                                                                            second.pk}
    assert 2 * 9 <= group_meetings.count() <= 2 * 12
    attendance = Attendance.objects.filter(meeting__kind=MeetingKind.GROUP)
    # Only those placed in a group, each at their own group's meetings.
    assert set(attendance.values_list("member_id", flat=True)) == placed
    assert not attendance.exclude(meeting__organization_id=first.pk,
                                  member_id=cast.member_a.pk).filter(
        meeting__organization_id=first.pk).exists()
    report = compliance_report(cast.district_admin, cast.district, dt.date(2025, 1, 1),
                               dt.date(2025, 12, 31), today=dt.date(2026, 1, 10))
    required, met, _held = report.total.kinds[MeetingKind.GROUP]
    assert required == 24 and 18 <= met <= 24
