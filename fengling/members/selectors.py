"""Scoped reads of member records."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from fengling.core.lib import pinyin
from fengling.core.scoping import guard, scope_of
from fengling.organizations.kinds import MEMBER_HOME_KINDS, OrgKind
from fengling.organizations.models import CommitteePost, Organization

from .models import Member, MemberRole


def access_member(user, pk, write: bool = False) -> Member:
    """The member `pk` if `user` may see it (404 otherwise; 403 if write is refused)."""
    return guard(Member.objects.select_related("organization", "party_group"), user, pk,
                 write=write)


@dataclass(frozen=True)
class MemberFilters:
    search: str = ""
    organization: Organization | None = None  # its whole subtree
    status: str = ""
    membership: str = ""
    gender: str = ""
    education: str = ""
    occupation: str = ""


def member_list(user, filters: MemberFilters | None = None):
    """Members visible to `user`, filtered; the organization is selected for display."""
    f = filters or MemberFilters()
    qs = Member.objects.visible_to(user).select_related("organization")
    if f.organization is not None:
        qs = qs.in_subtree(f.organization.path)
    for field in ("status", "membership", "gender", "education", "occupation"):
        value = getattr(f, field)
        if value:
            qs = qs.filter(**{field: value})
    order = ("organization__path", "name", "id")
    if pinyin.normalise_query(f.search):
        # Best matches first (see MemberQuerySet.search), then the usual order.
        scope = scope_of(user)
        wide = f.organization is None and scope.covers_a_root
        return qs.search(f.search, within_scope=not wide).order_by("search_rank", *order)
    return qs.order_by(*order)


# A search that matches at most this many members is answered by reading their ids once.
SEARCH_IDS_LIMIT = 5000


class SearchResults:
    """The members a search found, for a paginator: their ids in rank order are read with
    one query, which gives the count too; the rows of a page are then read by id.

    (Counting with COUNT(*) and then reading a page would run the search twice.) A search
    matching more than SEARCH_IDS_LIMIT members falls back to COUNT and a LIMIT query.
    """

    def __init__(self, queryset, only: tuple[str, ...] = ()):
        """`only`: the fields a page's members are read with (all of them by default)."""
        self.queryset = queryset
        self.rows = queryset.model._base_manager.select_related("organization")
        if only:
            self.rows = self.rows.only(*only)
        ids = list(queryset.values_list("pk", flat=True)[:SEARCH_IDS_LIMIT + 1])
        self._ids = ids if len(ids) <= SEARCH_IDS_LIMIT else None

    def count(self) -> int:
        return len(self._ids) if self._ids is not None else self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if self._ids is None:
            return self.queryset[key]
        if not isinstance(key, slice):
            return self[key:key + 1][0]
        ids = self._ids[key]
        rows = self.rows.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


# The fields the member list pages show: reading only these halves the cost of a page's rows.
LIST_FIELDS = ("name", "gender", "birth_date", "membership", "join_date", "status", "phone",
               "organization", "organization__name")


def member_results(user, filters: MemberFilters | None = None, *,
                   only: tuple[str, ...] = ()):
    """`member_list` for a paginator: a search becomes SearchResults. With `only`, the
    members are read with those fields alone (see `LIST_FIELDS`)."""
    qs = member_list(user, filters)
    if filters is not None and pinyin.normalise_query(filters.search):
        return SearchResults(qs, only)
    return qs.only(*only) if only else qs


# How far below the top of a user's scope the list's organization filter offers choices
# before one is picked; picking one opens the level below it (a drill-down, so a district
# administrator chooses among ~25 streets, then a street's communities, not among ~600).
# Deeper organizations are still accepted (links from an organization's page).
FILTER_DEPTH_BELOW_SCOPE = 1


def member_filter_organizations(user, selected: Organization | None = None) -> list[tuple]:
    """(id, name, indent) of the organizations offered by the lists' organization filter.

    The top of the user's scope and the level below it; with an organization selected, also
    its ancestors inside the scope, their children (the selection's siblings and those of each
    ancestor) and its own children. In tree order; one query.
    """
    scope = scope_of(user)
    steplen = Organization.steplen
    if scope.everything:
        offered = Q(depth__lte=1 + FILTER_DEPTH_BELOW_SCOPE)
        roots: tuple[str, ...] = ()
    elif scope.read_paths:
        # Each root of the scope (a street admin may also be a branch secretary elsewhere)
        # and the level below it (the root is in its own subtree).
        roots = scope.read_paths
        offered = Q()
        for root in roots:
            offered |= Q(path__subtree=root,
                         depth__lte=len(root) // steplen + FILTER_DEPTH_BELOW_SCOPE)
    else:
        return []
    if selected is not None:
        for path in [*selected.ancestor_paths(), selected.path]:
            if scope.everything or any(path.startswith(root) for root in roots):
                offered |= Q(path=path) | Q(path__subtree=path,
                                            depth=len(path) // steplen + 1)
    rows = list(
        Organization.objects.visible_to(user)
        .filter(offered)
        .exclude(kind__in=(OrgKind.FUNCTIONAL, OrgKind.PARTY_GROUP))
        .order_by("path")
        .values_list("pk", "name", "depth", "path")
    )

    def indent(depth: int, path: str) -> int:
        """Levels below the root of the scope the organization lies in."""
        top = next((len(r) // steplen for r in roots if path.startswith(r)), 1)
        return max(depth - top, 0)

    choices = [(pk, name, indent(depth, path)) for pk, name, depth, path in rows]
    if selected is not None and all(pk != selected.pk for pk, _n, _d in choices):
        choices.insert(0, (selected.pk, selected.name, 0))
    return choices


@dataclass(frozen=True)
class MemberProfile:
    """Everything the member page shows, loaded in a fixed number of queries."""

    member: Member
    roles: list[str]
    functional_organizations: list[Organization]
    posts: list[CommitteePost]
    can_write: bool
    # Organizations the viewer may open (the page links only those).
    visible_org_ids: frozenset[int]
    # May reveal the full ID and phone numbers (audited) and read the change history.
    can_reveal: bool = False
    can_read_history: bool = False


def member_profile(user, pk) -> MemberProfile:
    """The member page of `pk` for `user` (404 outside their scope)."""
    member = access_member(user, pk)
    scope = scope_of(user)
    roles = [r.get_role_display() for r in MemberRole.objects.filter(member=member)
             .order_by("role")]
    functional = list(member.functional_organizations.order_by("path"))
    posts = list(
        CommitteePost.objects.current().filter(member=member)
        .select_related("term__organization").order_by("term__organization__path", "post")
    )
    orgs = [member.organization, *functional, *(p.term.organization for p in posts)]
    if member.party_group is not None:
        orgs.append(member.party_group)
    can_write = scope.covers_path(member.organization.path, write=True)
    return MemberProfile(
        member=member,
        roles=roles,
        functional_organizations=functional,
        posts=posts,
        can_write=can_write,
        visible_org_ids=frozenset(o.pk for o in orgs if scope.covers_path(o.path)),
        can_reveal=scope.may_reveal(member.organization.path, member.pk),
        can_read_history=scope.may_read_history(member.organization.path, member.pk),
    )


def member_home_choices(user):
    """Organizations where `user` may place members: writable, of a kind that has members."""
    return (
        Organization.objects.visible_to(user, write=True)
        .filter(kind__in=MEMBER_HOME_KINDS)
        .order_by("path")
    )


def party_groups_of(home: Organization | None):
    """The Party groups (党小组) a member of `home` may be placed in: its own groups, the
    children of kind PARTY_GROUP (支部工作条例 第十三条). The home is already in scope."""
    if home is None:
        return Organization.objects.none()
    return Organization.objects.children_of(home).filter(kind=OrgKind.PARTY_GROUP).order_by(
        "path")


def functional_organizations_near(user, home: Organization | None, also=()):
    """Functional organizations (四室四组) a member of `home` may join: those attached to
    `home` or to one of its ancestors, within the user's scope; plus the ids in `also`
    (those the member already belongs to), if the user can see them."""
    near = Q(pk__in=list(also))
    if home is not None:
        for path in [*home.ancestor_paths(), home.path]:
            near |= Q(path__subtree=path, depth=len(path) // Organization.steplen + 1)
    return (
        Organization.objects.visible_to(user)
        .filter(near, kind=OrgKind.FUNCTIONAL)
        .order_by("path")
    )
