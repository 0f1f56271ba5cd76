"""Study hours: attendance and approved study, by member and rolled up the tree."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengling.members.models import MemberRole, MemberRoleKind
from fengling.organizations.models import CommitteePost, CommitteeTerm, Post
from fengling.testing.factories import MemberFactory
from fengling.training import selectors, services
from fengling.training.models import ReviewStatus, StudyKind, StudyRecord, StudyRequirement

from .conftest import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 11, 24, 12)


def hours_of(cast, year=2026, **kw):
    rows = selectors.member_hours_list(cast.district_admin, None, year, **kw)
    return {m.name: (m.done, m.required) for m in rows}


def test_present_earns_the_session_hours_absent_earns_nothing(cast, training):
    services.attendance_record(cast.district_admin, training.session1, [cast.member_a.pk],
                               now=NOW)
    services.attendance_record(cast.district_admin, training.session2,
                               [cast.member_a.pk, cast.secretary_a_member.pk], now=NOW)
    hours = hours_of(cast)
    assert hours["张三"][0] == D("7.5")
    assert hours["李四"][0] == D("3.5")
    assert hours["王五"][0] == D("0")


def test_recording_attendance_again_replaces_the_marks(cast, training):
    services.attendance_record(cast.district_admin, training.session1, [cast.member_a.pk],
                               now=NOW)
    services.attendance_record(cast.district_admin, training.session1, [], now=NOW)
    assert hours_of(cast)["张三"][0] == 0
    assert training.session1.attendance.count() == 2  # both enrolled, both absent now


def test_only_approved_own_study_counts(cast, training):
    member = cast.member_a
    pending = services.study_record_add(cast.member, member, kind=StudyKind.ONLINE,
                                        title="学习强国", studied_on=dt.date(2026, 5, 1),
                                        hours=2, today=dt.date(2026, 11, 24))
    assert pending.status == ReviewStatus.PENDING
    assert hours_of(cast)["张三"][0] == 0
    services.study_record_review(cast.branch_secretary, pending, approve=True)
    rejected = services.study_record_add(cast.member, member, kind=StudyKind.SELF_STUDY,
                                         title="自学", studied_on=dt.date(2026, 5, 2),
                                         hours=3, today=dt.date(2026, 11, 24))
    services.study_record_review(cast.branch_secretary, rejected, approve=False,
                                 comment="无学习记录")
    assert hours_of(cast)["张三"][0] == D("2")


def test_hours_count_in_the_year_of_local_time(cast, training):
    course = training.course
    course.ends_on = None
    course.save()
    new_year = services.session_add(cast.district_admin, course, title="新年第一课",
                                    starts_at=at(2027, 1, 1, 0, 30), hours=2)
    services.attendance_record(cast.district_admin, new_year, [cast.member_a.pk],
                               now=at(2027, 1, 2))
    # 00:30 on 1 January in Ningbo is still 31 December in UTC: it counts for 2027.
    assert hours_of(cast, 2026)["张三"][0] == 0
    assert hours_of(cast, 2027)["张三"][0] == 2


def test_secretaries_and_committee_members_need_56(cast, training):
    assert hours_of(cast)["张三"][1] == 32
    MemberRole.objects.create(member=cast.member_a, role=MemberRoleKind.SECRETARY)
    term = CommitteeTerm.objects.create(organization=cast.branch_a2,
                                        started_on=dt.date(2024, 1, 1), years=3)
    CommitteePost.objects.create(term=term, post=Post.PROPAGANDA, member=cast.member_a2,
                                 started_on=dt.date(2024, 1, 1))
    CommitteePost.objects.create(term=term, post=Post.MEMBER, member=cast.member_b,
                                 started_on=dt.date(2024, 1, 1),
                                 ended_on=dt.date(2025, 1, 1))  # no longer on it
    hours = hours_of(cast)
    assert hours["张三"][1] == 56
    assert hours["王五"][1] == 56
    assert hours["赵六"][1] == 32


def test_required_hours_follow_the_data(cast):
    StudyRequirement.objects.create(effective_year=2027, group="member", hours=40)
    assert hours_of(cast, 2026)["张三"][1] == 32
    assert hours_of(cast, 2027)["张三"][1] == 40


def test_behind_only_keeps_members_below_their_requirement(cast, training):
    StudyRecord.objects.create(member=cast.member_a2, kind=StudyKind.OTHER, title="x",
                               studied_on=dt.date(2026, 2, 1), hours=12,
                               status=ReviewStatus.APPROVED)
    StudyRequirement.objects.filter(group="member").update(hours=10)
    assert "王五" not in hours_of(cast, behind_only=True)
    assert "张三" in hours_of(cast, behind_only=True)


def test_rollup_counts_each_subtree(cast, training):
    services.attendance_record(cast.district_admin, training.session1,
                               [cast.member_a.pk, cast.secretary_a_member.pk], now=NOW)
    StudyRequirement.objects.filter(group="member").update(hours=4)
    orgs = [cast.district, cast.street1, cast.community_a, cast.branch_a2, cast.street2]
    rows = {r.organization.name: r for r in selectors.hours_rollup(orgs, 2026)}
    assert (rows[cast.district.name].members, rows[cast.district.name].met) == (4, 2)
    assert rows[cast.district.name].hours == D("8")
    assert (rows[cast.street1.name].members, rows[cast.street1.name].met) == (3, 2)
    assert rows[cast.community_a.name].rate == 67
    assert (rows[cast.branch_a2.name].members, rows[cast.branch_a2.name].met) == (1, 0)
    assert rows[cast.street2.name].average == D("0.0")


def test_rollup_query_count_does_not_grow_with_members(cast, training):
    orgs = [cast.district, cast.street1, cast.street2]

    def count():
        with CaptureQueriesContext(connection) as ctx:
            selectors.hours_rollup(orgs, 2026)
        return len(ctx)

    before = count()
    for _ in range(5):
        MemberFactory(organization=cast.branch_b)
    services.attendance_record(cast.district_admin, training.session1, [cast.member_a.pk],
                               now=NOW)
    assert count() == before == 4
