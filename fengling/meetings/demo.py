"""A realistic year of organizational life for demo data, written set-based.

`seed_year(root, year, today=..., seed=...)` gives every branch (and general branch) under
`root` the meetings RULES asks of it — monthly themed Party Days and committee meetings,
quarterly general assemblies and Party lectures, a year-end organizational life meeting
and democratic appraisal, heart-to-heart talks — and every Party group (党小组) its monthly
党小组会 with the members placed in it; most held, a few skipped or cancelled, and attendance
(mostly present, some on leave with a reason, the rest absent). Meetings after `today` are
left planned. Rows go in with bulk_create in batches: no query per
meeting. Idempotent per year: organizations that already have meetings that year are
skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Collection
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from fengling.core.bulk import insert_rows
from fengling.members.models import Member, MemberStatus
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import CommitteePost, Organization

from . import rules
from .models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingState

BATCH = 5000

# (kind, months it is held in, day, hour, chance it is held at all)
PLAN = (
    (MeetingKind.PARTY_DAY, range(1, 13), None, 14, 0.93),
    (MeetingKind.COMMITTEE, range(1, 13), 5, 19, 0.85),
    (MeetingKind.GENERAL_ASSEMBLY, (3, 6, 9, 12), 20, 14, 0.9),
    (MeetingKind.LECTURE, (2, 5, 8, 11), 25, 9, 0.85),
    (MeetingKind.LIFE_MEETING, (12,), 10, 14, 0.9),
    (MeetingKind.APPRAISAL, (12,), 12, 14, 0.85),
    (MeetingKind.HEART_TALK, (11,), 18, 15, 0.8),
)
# What a Party group holds (RULES Part A: 党小组会 once a month), planned like PLAN.
GROUP_PLAN = ((MeetingKind.GROUP, range(1, 13), None, 19, 0.9),)
TOPICS = {
    MeetingKind.PARTY_DAY: "主题党日：{month}月集中学习",
    MeetingKind.COMMITTEE: "{month}月支委会",
    MeetingKind.GENERAL_ASSEMBLY: "第{quarter}季度支部党员大会",
    MeetingKind.LECTURE: "第{quarter}季度党课",
    MeetingKind.LIFE_MEETING: "年度组织生活会",
    MeetingKind.APPRAISAL: "民主评议党员",
    MeetingKind.HEART_TALK: "谈心谈话",
    MeetingKind.GROUP: "{month}月党小组会",
}
PLACES = {MeetingKind.GROUP: "党员活动室"}
LEAVE_REASONS = ("出差", "生病", "家中有事", "值班")


@dataclass
class Seeded:
    meetings: int = 0
    attendance: int = 0


def _local(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@transaction.atomic
def seed_year(root: Organization, year: int, *, today: dt.date | None = None,
              seed: int = 2026, months: Collection[int] | None = None) -> Seeded:
    """The year's meetings of every branch and Party group under `root` (only `months`,
    when given: the loader takes the end of last year too, for a full twelve months)."""
    today = today or timezone.localdate()
    only = set(months) if months is not None else None
    rng = random.Random(seed + year)
    branches = list(
        Organization.objects.subtree_of(root).filter(kind__in=rules.PARTY_DAY_ORG_KINDS)
        .exclude(pk__in=Meeting.objects.filter(starts_at__year=year)
                 .values("organization_id")).values_list("pk", flat=True)
    )
    # Party groups after the branches, so the branches' meetings do not depend on them.
    groups = list(
        Organization.objects.subtree_of(root).filter(kind=OrgKind.PARTY_GROUP)
        .exclude(pk__in=Meeting.objects.filter(starts_at__year=year)
                 .values("organization_id")).values_list("pk", flat=True)
    )
    # Who each branch and each Party group expects (meetings.services.expected_members_q):
    # one read of the members of the branches.
    members: dict[int, list[tuple[int, str]]] = {}
    group_members: dict[int, list[tuple[int, str]]] = {}
    wanted_groups = set(groups)
    for pk, org_id, group_id, status in (
            Member.objects.filter(organization_id__in=branches,
                                  status__in=(MemberStatus.NORMAL, MemberStatus.MOBILE))
            .values_list("pk", "organization_id", "party_group_id", "status").iterator()):
        members.setdefault(org_id, []).append((pk, status))
        if group_id in wanted_groups:
            group_members.setdefault(group_id, []).append((pk, status))
    committee: dict[int, list[int]] = {}
    for member_id, org_id in (CommitteePost.objects.current()
                              .filter(term__organization_id__in=branches,
                                      member__isnull=False)
                              .values_list("member_id", "term__organization_id")):
        committee.setdefault(org_id, []).append(member_id)

    result = Seeded()
    meetings: list[Meeting] = []
    for org_id, plan in [*((pk, PLAN) for pk in branches),
                         *((pk, GROUP_PLAN) for pk in groups)]:
        day_of_month = rng.choice((10, 15, 15, 20))
        for kind, plan_months, day, hour, chance in plan:
            for month in plan_months:
                if only is not None and month not in only:
                    continue
                date = dt.date(year, month, day or min(day_of_month, 28))
                starts = _local(date, hour)
                done = date < today
                if done and rng.random() > chance:
                    continue  # not held this period: compliance shows the gap
                state = MeetingState.HELD if done else MeetingState.PLANNED
                if done and rng.random() < 0.02:
                    state = MeetingState.CANCELLED
                meetings.append(Meeting(
                    organization_id=org_id, kind=kind, state=state,
                    topic=TOPICS[kind].format(month=month, quarter=(month - 1) // 3 + 1),
                    place=PLACES.get(kind, "党群服务中心"), starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=2),
                    party_day_month=dt.date(year, month, 1)
                    if kind == MeetingKind.PARTY_DAY else None,
                    cancel_reason="改期" if state == MeetingState.CANCELLED else "",
                    closed_at=starts + dt.timedelta(days=1) if state != MeetingState.PLANNED
                    else None,
                ))
    for start in range(0, len(meetings), BATCH):
        Meeting.objects.bulk_create(meetings[start:start + BATCH])
    result.meetings = len(meetings)
    # Read the keys back (bulk_create returns them on PostgreSQL and recent SQLite; to be sure).
    created = Meeting.objects.filter(organization_id__in=[*branches, *groups],
                                     starts_at__year=year,
                                     state=MeetingState.HELD).values_list(
        "pk", "organization_id", "kind", "starts_at")
    rows: list[tuple] = []
    signed_in = Attendance._meta.get_field("signed_in_at")
    for pk, org_id, kind, starts in created.iterator(chunk_size=BATCH):
        if kind == MeetingKind.COMMITTEE:
            expected = [(m, MemberStatus.NORMAL) for m in committee.get(org_id, ())]
        elif org_id in wanted_groups:
            expected = group_members.get(org_id, ())
        else:
            expected = members.get(org_id, ())
        # Adapted once per meeting, not once per row (1.3M rows at district scale).
        signed = signed_in.get_db_prep_value(starts, connection)
        for member_id, status in expected:
            roll = rng.random()
            if status == MemberStatus.MOBILE:
                rows.append((pk, member_id, AttendanceStatus.LEAVE, "流动党员：在流入地参加活动",
                             None))
            elif roll < 0.86:
                rows.append((pk, member_id, AttendanceStatus.PRESENT, "", signed))
            elif roll < 0.94:
                rows.append((pk, member_id, AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS),
                             None))
            else:
                rows.append((pk, member_id, AttendanceStatus.ABSENT, "", None))
        if len(rows) >= INSERT_BATCH:
            _insert_attendance(rows)
            result.attendance += len(rows)
            rows = []
    if rows:
        _insert_attendance(rows)
    result.attendance += len(rows)
    return result


INSERT_BATCH = 100_000
ATTENDANCE_COLUMNS = ("meeting_id", "member_id", "status", "reason", "signed_in_at")


def _insert_attendance(rows: list[tuple]) -> None:
    """Insert attendance rows (ATTENDANCE_COLUMNS order, values already adapted) the fast
    way (`core.bulk.insert_rows`): bulk_create is too slow for the district's rows."""
    insert_rows(Attendance, ATTENDANCE_COLUMNS, rows)
