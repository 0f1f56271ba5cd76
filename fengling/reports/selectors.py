"""What the home page counts for each role, set-based: a few aggregate queries per page,
whatever the size of the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import ExtractDay
from django.utils import timezone

from fengling.core.roles import Role
from fengling.core.scoping import scope_of
from fengling.members.models import ACTIVE_STATUSES, Member, Membership, MemberStatus
from fengling.members.rules import years_between
from fengling.organizations import rules
from fengling.organizations.kinds import GRASSROOTS_KINDS, OrgKind
from fengling.organizations.models import CentreStatus, Organization, ServiceCentre
from fengling.organizations.selectors import (
    election_status_q,
    secretary_vacant_q,
    terms_visible_to,
)

# Which home page a role sees (its primary role decides, see ROLE_PRECEDENCE).
OVERVIEW_ROLES = {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.AUDITOR, Role.GRID_WORKER}
SECRETARY_ROLES = {Role.ORG_SECRETARY, Role.BRANCH_SECRETARY}

# How many of this month's political birthdays the secretary's home page names.
BIRTHDAYS_SHOWN = 12


@dataclass
class RoleHeld:
    role: str
    label: str
    organization: Organization


@dataclass
class MemberSummary:
    member: Member
    # 党龄 counts from conversion to full membership (发展党员工作细则); None if probationary.
    standing_years: int | None


@dataclass
class Birthday:
    member: Member
    years: int  # how many years in the Party on this political birthday


@dataclass
class HomeDashboard:
    layout: str  # "overview", "secretary", "member" or "none"
    roles: list[RoleHeld]
    # The single organization the numbers are about, when the scope has one top (for links).
    scope_root: Organization | None = None
    org_kinds: list[tuple[str, str, int]] = field(default_factory=list)  # kind, label, n
    grassroots: int = 0
    communities: int = 0
    branches: int = 0
    members_active: int = 0
    members_full: int = 0
    members_probationary: int = 0
    members_by_status: list[tuple[str, str, int]] = field(default_factory=list)
    centres: dict[str, int] = field(default_factory=dict)
    elections: dict[str, int] = field(default_factory=dict)
    secretary_vacancies: int = 0
    birthdays_this_month: int = 0
    upcoming_birthdays: list[Birthday] = field(default_factory=list)
    terms: list[tuple[object, str]] = field(default_factory=list)  # (term, status)
    own_record: MemberSummary | None = None
    read_only: bool = False


def roles_held(user) -> list[RoleHeld]:
    rows = (
        user.role_assignments.active().select_related("organization")
        .order_by("organization__path", "role")
    )
    return [RoleHeld(r.role, r.get_role_display(), r.organization) for r in rows]


def _organization_counts(user, dash: HomeDashboard) -> None:
    rows = dict(
        Organization.objects.visible_to(user).order_by().values_list("kind")
        .annotate(n=Count("*"))
    )
    dash.org_kinds = [(k.value, k.label, rows[k.value]) for k in OrgKind if rows.get(k.value)]
    dash.grassroots = sum(n for kind, n in rows.items() if kind in GRASSROOTS_KINDS)
    dash.communities = rows.get(OrgKind.COMMUNITY, 0)
    dash.branches = rows.get(OrgKind.BRANCH, 0) + rows.get(OrgKind.GENERAL_BRANCH, 0)


def _member_counts(user, dash: HomeDashboard, today: dt.date, birthdays: bool) -> None:
    # Birthdays only where the page shows them: on SQLite the month is extracted by a Python
    # function per row, too slow over a whole district.
    counts = {"n": Count("*")}
    if birthdays:
        counts["birthdays"] = Count("pk", filter=Q(join_date__month=today.month))
    rows = (
        Member.objects.visible_to(user).order_by().values_list("status", "membership")
        .annotate(**counts)
    )
    by_status: dict[str, int] = {}
    for status, membership, n, *month in rows:
        by_status[status] = by_status.get(status, 0) + n
        if status in ACTIVE_STATUSES:
            dash.members_active += n
            dash.birthdays_this_month += month[0] if month else 0
            if membership == Membership.PROBATIONARY:
                dash.members_probationary += n
            else:
                dash.members_full += n
    dash.members_by_status = [
        (s.value, s.label, by_status[s.value]) for s in MemberStatus if by_status.get(s.value)
    ]


def _centre_counts(user, dash: HomeDashboard) -> None:
    dash.centres = ServiceCentre.objects.visible_to(user).aggregate(
        **{s.value: Count("id", filter=Q(status=s.value)) for s in CentreStatus}
    )


def _election_counts(user, dash: HomeDashboard, today: dt.date) -> None:
    dash.elections = terms_visible_to(user).aggregate(
        **{
            status: Count("id", filter=election_status_q(status, today))
            for status in (rules.TERM_DUE_SOON, rules.TERM_OVERDUE, rules.TERM_LONG_OVERDUE)
        }
    )
    dash.secretary_vacancies = (
        Organization.objects.visible_to(user).grassroots().filter(secretary_vacant_q()).count()
    )


def _upcoming_birthdays(user, today: dt.date) -> list[Birthday]:
    """Political birthdays (入党纪念日) from today to the end of the month."""
    rows = (
        Member.objects.visible_to(user).active()
        .filter(join_date__month=today.month, join_date__day__gte=today.day)
        .select_related("organization")
        .order_by(ExtractDay("join_date"), "name", "id")[:BIRTHDAYS_SHOWN]
    )
    return [Birthday(m, today.year - m.join_date.year) for m in rows]


def _own_terms(user, roles: list[RoleHeld], today: dt.date) -> list[tuple[object, str]]:
    org_ids = {r.organization.pk for r in roles if r.role in SECRETARY_ROLES}
    if not org_ids:
        return []
    terms = (
        terms_visible_to(user)
        .filter(organization_id__in=org_ids)
        .select_related("organization")
        .order_by("organization__path")
    )
    return [(t, rules.term_status(t.election_due_on, today)) for t in terms]


def _own_record(user, today: dt.date) -> MemberSummary | None:
    if not user.member_id:
        return None
    member = (
        Member.objects.visible_to(user).select_related("organization")
        .filter(pk=user.member_id).first()
    )
    if member is None:
        return None
    standing = None
    if member.membership == Membership.FULL and member.conversion_date:
        standing = years_between(member.conversion_date, today)
    return MemberSummary(member, standing)


def _scope_root(roles: list[RoleHeld]) -> Organization | None:
    tops = {r.organization.pk: r.organization for r in roles if r.role != Role.MEMBER}
    if len(tops) != 1:
        return None
    return next(iter(tops.values()))


def home_dashboard(user, today: dt.date | None = None) -> HomeDashboard:
    """The home page of `user`: who they are, where, and the numbers their role watches."""
    today = today or timezone.localdate()
    scope = scope_of(user)
    roles = roles_held(user)
    primary = scope.primary_role
    if primary in OVERVIEW_ROLES or scope.everything:
        layout = "overview"
    elif primary in SECRETARY_ROLES:
        layout = "secretary"
    elif primary == Role.MEMBER:
        layout = "member"
    else:
        layout = "none"
    dash = HomeDashboard(layout=layout, roles=roles, scope_root=_scope_root(roles),
                         read_only=not scope.can_write)
    if layout in ("overview", "secretary"):
        _organization_counts(user, dash)
        _member_counts(user, dash, today, birthdays=layout == "secretary")
    if layout == "overview":
        _centre_counts(user, dash)
        _election_counts(user, dash, today)
    if layout == "secretary":
        dash.upcoming_birthdays = _upcoming_birthdays(user, today)
        dash.terms = _own_terms(user, roles, today)
    dash.own_record = _own_record(user, today)
    return dash
