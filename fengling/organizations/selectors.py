"""Scoped reads of the organization tree."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Substr

from fengling.core.scoping import guard, scope_of
from fengling.members.models import ACTIVE_STATUSES, Member

from .models import CommitteePost, CommitteeTerm, Organization, ServiceCentre


def access_organization(user, pk, write: bool = False) -> Organization:
    """The organization `pk` if `user` may see it (404 otherwise; 403 if write is refused)."""
    return guard(Organization.objects.all(), user, pk, write=write)


def organization_list(user, *, parent: Organization | None = None, search: str = "",
                      kind: str = ""):
    """Organizations in scope; under `parent` means its direct children."""
    qs = Organization.objects.visible_to(user)
    if parent is not None:
        qs = qs.children_of(parent)
    if search:
        qs = qs.filter(Q(name__contains=search) | Q(short_name__contains=search)
                       | Q(code__iexact=search))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def organization_roots(user):
    """The top organizations of the user's scope: where the tree browser starts."""
    scope = scope_of(user)
    if scope.everything:
        return Organization.objects.filter(depth=1)
    return Organization.objects.filter(path__in=scope.read_paths)


def subtree_member_counts(orgs: list[Organization]) -> dict[int, int]:
    """Active members in each organization's subtree, one grouped query per depth.

    The organizations passed in are usually siblings (one depth), so this is one query.
    """
    counts: dict[int, int] = {}
    by_depth: dict[int, list[Organization]] = {}
    for org in orgs:
        by_depth.setdefault(org.depth, []).append(org)
    for depth, group in by_depth.items():
        prefix_len = depth * Organization.steplen
        wanted = {org.path: org.pk for org in group}
        rows = (
            Member.objects.active()
            .filter(organization__depth__gte=depth)
            .annotate(prefix=Substr("organization__path", 1, prefix_len))
            .filter(prefix__in=list(wanted))
            .values("prefix")
            .annotate(n=Count("id"))
        )
        for row in rows:
            counts[wanted[row["prefix"]]] = row["n"]
    return {org.pk: counts.get(org.pk, 0) for org in orgs}


def subtree_org_counts(org: Organization) -> dict[str, int]:
    """Organizations by kind inside `org`'s subtree (itself excluded)."""
    rows = (
        Organization.objects.filter(path__subtree=org.path, depth__gt=org.depth)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["kind"]: row["n"] for row in rows}


def current_term(org: Organization) -> CommitteeTerm | None:
    """The latest committee term with its current posts and their holders."""
    return (
        CommitteeTerm.objects.filter(organization=org)
        .prefetch_related(
            Prefetch(
                "posts",
                queryset=CommitteePost.objects.current().select_related("member")
                .order_by("post", "started_on"),
            )
        )
        .order_by("-started_on")
        .first()
    )


def service_centres_of(org: Organization):
    return ServiceCentre.objects.filter(organization=org)


def organization_members(org: Organization):
    """Members whose home is `org` itself or below it, active first."""
    return (
        Member.objects.in_subtree(org.path)
        .filter(status__in=ACTIVE_STATUSES)
        .select_related("organization")
        .order_by("organization__path", "name", "id")
    )
