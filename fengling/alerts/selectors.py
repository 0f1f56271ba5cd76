"""Scoped reads of warnings and rectification cases, and their guards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, Value, When

from fengling.accounts.models import RoleAssignment, User
from fengling.core.scoping import guard, scope_of
from fengling.organizations.models import Organization

from .models import Alert, Case, CaseState, Level, ScanRun, WarningState
from .services import LEADING_ROLES

# Red first, then yellow, then the look-ahead.
LEVEL_RANK = When_(When(level=Level.RED, then=Value(0)), When(level=Level.YELLOW, then=Value(1)),
                   default=Value(2), output_field=IntegerField())


def access_alert(user, pk, write: bool = False) -> Alert:
    return guard(Alert.objects.select_related("organization", "member"), user, pk, write)


def access_case(user, pk, write: bool = False) -> Case:
    return guard(Case.objects.select_related("organization", "responsible", "warning"),
                 user, pk, write)


@dataclass
class AlertFilters:
    level: str = ""
    rule: str = ""
    state: str = WarningState.OPEN
    organization: Organization | None = None
    # First seen / resolved in a month (its first day): the cockpit's trend points.
    opened_month: dt.date | None = None
    resolved_month: dt.date | None = None


def _month_range(field: str, month: dt.date) -> Q:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Q(**{f"{field}__gte": month, f"{field}__lt": following})


def alert_list(user, filters: AlertFilters | None = None):
    """Warnings in scope, filtered; red first, then the most recent. Two queries a page."""
    f = filters or AlertFilters()
    qs = Alert.objects.visible_to(user).select_related("organization", "member")
    if f.state in WarningState.values:
        qs = qs.filter(state=f.state)
    if f.level in Level.values:
        qs = qs.filter(level=f.level)
    if f.rule:
        qs = qs.filter(rule=f.rule)
    if f.organization is not None:
        qs = qs.filter(organization__path__subtree=f.organization.path)
    if f.opened_month is not None:
        qs = qs.filter(_month_range("first_seen", f.opened_month))
    if f.resolved_month is not None:
        qs = qs.filter(_month_range("resolved_on", f.resolved_month))
    return qs.annotate(rank=LEVEL_RANK).order_by("rank", "-last_seen", "organization__path",
                                               "id")


def level_counts(user, organization: Organization | None = None) -> dict[str, int]:
    """Open warnings in scope by level (one query)."""
    qs = Alert.objects.visible_to(user).open()
    if organization is not None:
        qs = qs.filter(organization__path__subtree=organization.path)
    counts = dict(qs.order_by().values_list("level").annotate(n=Count("id")))
    return {level: counts.get(level, 0) for level in Level.values}


def rule_counts(user) -> dict[str, int]:
    """Open warnings in scope by rule (one query)."""
    return dict(Alert.objects.visible_to(user).open().order_by().values_list("rule")
                .annotate(n=Count("id")))


def sees_whole_district(user) -> bool:
    """Whether the user's scope holds every organization (a root of the tree): only then
    are a scan's district-wide figures theirs to see."""
    return scope_of(user).covers_a_root


@dataclass
class CaseFilters:
    state: str = ""
    overdue: bool = False
    organization: Organization | None = None


def case_list(user, filters: CaseFilters | None = None, today=None):
    f = filters or CaseFilters()
    qs = Case.objects.visible_to(user).select_related("organization", "responsible")
    if f.state in CaseState.values:
        qs = qs.filter(state=f.state)
    elif f.state == "active":
        qs = qs.active()
    if f.overdue and today is not None:
        qs = qs.active().filter(deadline__lt=today)
    if f.organization is not None:
        qs = qs.filter(organization__path__subtree=f.organization.path)
    return qs.order_by("deadline", "id")


def my_todo(user):
    """Unclosed cases the user is responsible for (the branch secretary's to-do list), in
    their scope: a role given up takes its cases off the list."""
    return (Case.objects.visible_to(user).filter(responsible=user).active()
            .select_related("organization", "responsible").order_by("deadline", "id"))


def responsible_choices(organization: Organization):
    """Users who can work on the organization: a writing role at it or above it."""
    paths = [*organization.ancestor_paths(), organization.path]
    users = RoleAssignment.objects.active().filter(
        organization__path__in=paths, role__in=LEADING_ROLES).values("user_id")
    return User.objects.filter(pk__in=users, is_active=True).order_by("username")


def latest_scan() -> ScanRun | None:
    return ScanRun.objects.order_by("-started_at").first()


@dataclass
class HomePanel:
    counts: dict
    top: list
    todo: int


def home_panel(user, limit: int = 5) -> HomePanel:
    """The role's warnings first on the home page: counts, the worst few, the to-do count."""
    counts = level_counts(user)
    top = list(Alert.objects.visible_to(user).open().filter(
        level__in=[Level.RED, Level.YELLOW]).select_related("organization")
        .annotate(rank=LEVEL_RANK).order_by("rank", "-first_seen", "id")[:limit])
    todo = my_todo(user).count() if user.is_authenticated else 0
    return HomePanel(counts=counts, top=top, todo=todo)
