"""Scoped reads of meetings, attendance, compliance and themed Party Days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from fengling.core.scoping import guard, scope_of
from fengling.organizations.models import Organization

from . import rules
from .models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingState,
    PartyDayTemplate,
    PartyDayTheme,
    ThemePush,
)


def access_meeting(user, pk, write: bool = False) -> Meeting:
    """The meeting `pk` if `user` may see it (404 otherwise; 403 if write is refused)."""
    return guard(Meeting.objects.select_related("organization", "host", "recorder", "theme",
                                                "template"), user, pk, write=write)


def access_theme_push(user, pk, write: bool = False) -> ThemePush:
    return guard(ThemePush.objects.select_related("organization", "theme", "template"), user,
                 pk, write=write)


@dataclass(frozen=True)
class MeetingFilters:
    organization: Organization | None = None  # its whole subtree
    kind: str = ""
    state: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def meeting_list(user, filters: MeetingFilters | None = None):
    """Meetings visible to `user`, newest first, with attendance counts (one query)."""
    f = filters or MeetingFilters()
    qs = Meeting.objects.visible_to(user).select_related("organization")
    if f.organization is not None:
        qs = qs.in_subtree(f.organization.path)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.start:
        qs = qs.filter(starts_at__gte=_local_midnight(f.start))
    if f.end:
        qs = qs.filter(starts_at__lt=_local_midnight(f.end + dt.timedelta(days=1)))
    return qs.annotate(
        expected_count=Count("attendance"),
        present_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
    ).order_by("-starts_at", "-id")


def meeting_attendance(meeting: Meeting):
    return (Attendance.objects.filter(meeting=meeting).select_related("member")
            .order_by("member__name", "member_id"))


@dataclass(frozen=True)
class AttendanceSummary:
    expected: int
    present: int
    leave: int
    absent: int
    pending: int
    full_members: int
    full_present: int

    @property
    def quorate(self) -> bool:
        return rules.quorum_reached(self.full_members, self.full_present)


def attendance_summary(meeting: Meeting) -> AttendanceSummary:
    from fengling.members.models import Membership

    full = Q(member__membership=Membership.FULL)
    row = Attendance.objects.filter(meeting=meeting).aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        leave=Count("pk", filter=Q(status=AttendanceStatus.LEAVE)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
        pending=Count("pk", filter=Q(status=AttendanceStatus.EXPECTED)),
        full_members=Count("pk", filter=full),
        full_present=Count("pk", filter=full & Q(status=AttendanceStatus.PRESENT)),
    )
    return AttendanceSummary(**row)


def meetings_of_member(member_id: int, *, since: dt.datetime | None = None):
    """A member's meetings (upcoming first), through their attendance rows."""
    qs = (Attendance.objects.filter(member_id=member_id)
          .exclude(meeting__state=MeetingState.CANCELLED)
          .select_related("meeting", "meeting__organization"))
    if since is not None:
        qs = qs.filter(meeting__ends_at__gte=since)
    return qs.order_by("meeting__starts_at")


def theme_choices():
    return PartyDayTheme.objects.filter(is_active=True)


def template_choices():
    return PartyDayTemplate.objects.filter(is_active=True)


# --- Compliance ------------------------------------------------------------------------------


@dataclass
class ComplianceRow:
    """One organization (or a subtree rolled up): per kind, periods due and periods met."""

    organization: Organization
    organizations: int = 0  # organizations counted (those RULES asks something of)
    kinds: dict[str, list[int]] = field(default_factory=dict)  # kind → [required, met, held]

    @property
    def required(self) -> int:
        return sum(v[0] for v in self.kinds.values())

    @property
    def met(self) -> int:
        return sum(v[1] for v in self.kinds.values())

    @property
    def rate(self) -> float | None:
        return self.met / self.required if self.required else None

    def cells(self, kinds: list[str]) -> list[list[int] | None]:
        return [self.kinds.get(k) for k in kinds]


@dataclass
class ComplianceReport:
    organization: Organization
    start: dt.date
    end: dt.date
    kinds: list[str]
    own: ComplianceRow | None
    children: list[ComplianceRow]
    total: ComplianceRow


REPORT_KINDS = list(MeetingKind.values)


def compliance_report(user, organization: Organization, start: dt.date, end: dt.date,
                      today: dt.date | None = None) -> ComplianceReport:
    """What RULES requires of each organization in `organization`'s subtree against what it
    held in [start, end], rolled up to the organization's direct children and its total.

    Three queries whatever the subtree's size: the organizations, the held meetings grouped
    by organization, kind and month, and the direct children.
    """
    today = today or timezone.localdate()
    orgs = list(
        Organization.objects.subtree_of(organization).visible_to(user)
        .filter(kind__in=list(rules.REQUIREMENTS)).values_list("pk", "path", "kind")
    )
    held: dict[int, dict[tuple[str, dt.date], int]] = {}
    rows = (
        Meeting.objects.held().in_subtree(organization.path)
        .filter(starts_at__gte=_local_midnight(start),
                starts_at__lt=_local_midnight(end + dt.timedelta(days=1)))
        # The local month as a date: the database truncates in the current time zone, and
        # a date needs no time-zone conversion per row in Python (tens of thousands).
        .annotate(month=TruncMonth("starts_at", output_field=DateField()))
        .order_by().values_list("organization_id", "kind", "month").annotate(n=Count("pk"))
    )
    for org_id, kind, month, n in rows:
        per = held.setdefault(org_id, {})
        per[(kind, month)] = per.get((kind, month), 0) + n
    children = list(Organization.objects.children_of(organization).visible_to(user))
    child_rows = {c.path: ComplianceRow(c) for c in children}
    own = ComplianceRow(organization)
    total = ComplianceRow(organization)
    steplen = Organization.steplen
    child_len = len(organization.path) + steplen
    for pk, path, kind in orgs:
        results = rules.compliance_for(kind, held.get(pk, {}), start, end, today)
        targets = [total]
        if pk == organization.pk:
            targets.append(own)
        elif (row := child_rows.get(path[:child_len])) is not None:
            targets.append(row)
        for target in targets:
            target.organizations += 1
            for r in results:
                cell = target.kinds.setdefault(r.kind, [0, 0, 0])
                cell[0] += r.required
                cell[1] += r.met
                cell[2] += r.held
    return ComplianceReport(
        organization=organization, start=start, end=end, kinds=REPORT_KINDS,
        own=own if own.organizations else None,
        children=[r for r in child_rows.values() if r.organizations],
        total=total,
    )


# --- Themed Party Day pushes -----------------------------------------------------------------


@dataclass(frozen=True)
class PushStatusRow:
    organization_id: int
    name: str
    meeting_id: int | None
    state: str
    on_theme: bool


def push_status(push: ThemePush) -> list[PushStatusRow]:
    """Every branch below the pusher and its themed day of the month: held or not. Two
    queries."""
    branches = list(
        Organization.objects.subtree_of(push.organization)
        .filter(kind__in=rules.PARTY_DAY_ORG_KINDS).values_list("pk", "name")
    )
    meetings = {
        org_id: (pk, state, push_id)
        for org_id, pk, state, push_id in Meeting.objects.filter(
            organization__path__subtree=push.organization.path, party_day_month=push.month,
        ).values_list("organization_id", "pk", "state", "push_id")
    }
    rows = []
    for org_id, name in branches:
        pk, state, push_id = meetings.get(org_id, (None, "", None))
        rows.append(PushStatusRow(org_id, name, pk, state, push_id == push.pk))
    return rows


def push_list(user, organization: Organization):
    return (ThemePush.objects.visible_to(user).filter(organization=organization)
            .select_related("theme", "template"))


def can_write(user, organization: Organization) -> bool:
    return scope_of(user).covers_path(organization.path, write=True)


# --- One member's record (锋领e家) -----------------------------------------------------------


def member_attendance_in(member_id: int, start: dt.datetime, end: dt.datetime):
    """The member's attendance rows of meetings starting in [start, end), cancelled meetings
    left out, newest first, with the meeting and its organization (one query; for the
    member's record timeline)."""
    return (Attendance.objects.filter(member_id=member_id, meeting__starts_at__gte=start,
                                      meeting__starts_at__lt=end)
            .exclude(meeting__state=MeetingState.CANCELLED)
            .select_related("meeting", "meeting__organization")
            .order_by("-meeting__starts_at", "-id"))


def member_attendance_counts(member_id: int, start: dt.datetime, end: dt.datetime,
                             now: dt.datetime) -> dict[str, int]:
    """Meetings held in [start, end) that the member should have attended, and how many
    they attended (present): one aggregate query."""
    row = (Attendance.objects.filter(member_id=member_id, meeting__state=MeetingState.HELD,
                                     meeting__starts_at__gte=start,
                                     meeting__starts_at__lt=min(end, now))
           .aggregate(required=Count("pk"),
                      attended=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))))
    return {"required": row["required"], "attended": row["attended"]}
