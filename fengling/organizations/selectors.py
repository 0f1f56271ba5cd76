"""Scoped reads of the organization tree."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from fengling.core.scoping import guard, path_q, scope_of
from fengling.members.models import ACTIVE_STATUSES, Member

from . import rules
from .kinds import OrgKind
from .models import (
    Alliance,
    CommitteePost,
    CommitteeTerm,
    Organization,
    Post,
    ServiceCentre,
)

# Posts in the order of Post's choices: secretary first, ordinary committee members last.
POST_RANK = Case(
    *(When(post=value, then=Value(rank)) for rank, value in enumerate(Post.values)),
    default=Value(len(Post.values)),
)


def access_organization(user, pk, write: bool = False) -> Organization:
    """The organization `pk` if `user` may see it (404 otherwise; 403 if write is refused)."""
    return guard(Organization.objects.all(), user, pk, write=write)


# What the organization picker puts in its box: the name, then "#" and the id (`#1234`).
PICKED = re.compile(r"#\s*(\d+)\s*$")
SUGGESTIONS = 15


def picker_value(pk: int, name: str) -> str:
    """How the picker writes a chosen organization: readable, and exact (`name #id`)."""
    return f"{name} #{pk}"


def access_organization_named(user, text, write: bool = False) -> Organization:
    """The organization a picker's box names (`organizations/partials/picker.html`): the
    suggestion chosen (`name #id`), a bare id, or a name typed whole that only one
    organization in the user's scope has.

    An id goes through `access_organization` (404 outside the scope, 403 if write is
    refused); a name that names none or several is a ValidationError that says so.
    """
    text = (text or "").strip()
    picked = PICKED.search(text)
    if picked or text.isdigit():
        return access_organization(user, picked.group(1) if picked else text, write=write)
    if not text:
        raise ValidationError(_("Choose an organization."), code="required")
    found = list(Organization.objects.visible_to(user).filter(name=text)
                 .values_list("pk", flat=True)[:2])
    if not found:
        raise ValidationError(
            _("No organization in your scope is called “%(name)s”. Type part of its name or "
              "pinyin and choose it from the list.") % {"name": text}, code="not_found")
    if len(found) > 1:
        raise ValidationError(
            _("Several organizations are called “%(name)s”. Choose the one you mean from the "
              "list.") % {"name": text}, code="ambiguous")
    return access_organization(user, found[0], write=write)


def organization_suggestions(user, text: str, *, limit: int = SUGGESTIONS) -> list[tuple]:
    """(organization, parent name) for the picker: organizations in scope whose name,
    short name, pinyin, initials or code match `text`, shallowest first. The parent is
    named only if it is in scope too (as `parent_id` in the API). Two queries."""
    if not (text or "").strip():
        return []
    orgs = list(organization_list(user, search=text).order_by("depth", "path")[:limit])
    parent_paths = {o.path[:-Organization.steplen] for o in orgs if o.depth > 1}
    parents = dict(Organization.objects.visible_to(user).filter(path__in=parent_paths)
                   .values_list("path", "name")) if parent_paths else {}
    return [(o, parents.get(o.path[:-Organization.steplen], "")) for o in orgs]


def organization_list(user, *, parent: Organization | None = None, search: str = "",
                      kind: str = ""):
    """Organizations in scope; under `parent` means its direct children."""
    qs = Organization.objects.visible_to(user)
    if parent is not None:
        qs = qs.children_of(parent)
    if search:
        qs = qs.search(search)
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
    """Active members in each organization's subtree: one grouped query for them all.

    Members are counted per home organization (an index-only count on PostgreSQL), then each
    home's count is added to every requested organization whose path prefixes the home's.
    """
    if not orgs:
        return {}
    wanted = {org.path: org.pk for org in orgs}
    prefix_lengths = sorted({len(path) for path in wanted})
    roots = tuple(dict.fromkeys(sorted(wanted)))
    rows = (
        Member.objects.active()
        .filter(path_q("organization__path", roots))
        .order_by()
        .values_list("organization__path")
        .annotate(n=Count("*"))
    )
    counts = dict.fromkeys(wanted.values(), 0)
    for home_path, n in rows:
        for length in prefix_lengths:
            pk = wanted.get(home_path[:length])
            if pk is not None:
                counts[pk] += n
    return counts


def subtree_org_counts(org: Organization) -> dict[str, int]:
    """Organizations by kind inside `org`'s subtree (itself excluded)."""
    rows = (
        Organization.objects.filter(path__subtree=org.path, depth__gt=org.depth)
        .values("kind")
        .annotate(n=Count("*"))
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
                .order_by(POST_RANK, "started_on", "pk"),
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


# --- Pages: the tree browser, its search, and the organization page -------------------------

# How many children the tree shows at once; a "more" button fetches the next batch.
TREE_BATCH = 100


def latest_term_pk(organization_ref):
    """Subquery: the pk of the latest committee term of the organization `organization_ref`
    points at (an OuterRef). The current term is the latest one, whatever its dates."""
    return Subquery(
        CommitteeTerm.objects.filter(organization=organization_ref)
        .order_by("-started_on", "-pk")
        .values("pk")[:1]
    )


def current_terms():
    """Every organization's current (latest) committee term, as one queryset."""
    return CommitteeTerm.objects.filter(pk=latest_term_pk(OuterRef("organization")))


def terms_visible_to(user):
    """Current terms of the organizations in `user`'s scope."""
    scope = scope_of(user)
    qs = current_terms()
    if scope.everything:
        return qs
    return qs.filter(path_q("organization__path", scope.read_paths))


def _latest_start_ending_by(day: dt.date, years: int) -> dt.date:
    """The latest start date whose `years`-long term ends on or before `day`."""
    start = rules.add_years(day, -years)
    following = start + dt.timedelta(days=1)
    # 29 February: a term started then ends on 28 February, so it may still fit.
    if rules.term_end(following, years) <= day:
        start = following
    return start


def election_due_by(day: dt.date) -> Q:
    """Terms whose election falls due on or before `day` (a Q on CommitteeTerm).

    The due date is the approved postponement, else the start plus the term's length; the
    length takes few values, so the date arithmetic is done here, not in SQL.
    """
    by_length = Q(pk__in=[])
    for years in range(1, 6):  # term_years_1_to_5
        by_length |= Q(years=years, started_on__lte=_latest_start_ending_by(day, years))
    return Q(postponed_until__isnull=False, postponed_until__lte=day) | (
        Q(postponed_until__isnull=True) & by_length
    )


def election_status_q(status: str, today: dt.date) -> Q:
    """A Q on CommitteeTerm matching `rules.term_status(term.election_due_on, today) == status`
    (or worse, for `overdue`, which includes the long overdue)."""
    long_overdue = election_due_by(rules.add_years(today, -rules.MAX_POSTPONEMENT_YEARS)
                                   - dt.timedelta(days=1))
    overdue = election_due_by(today)
    if status == rules.TERM_LONG_OVERDUE:
        return long_overdue
    if status == rules.TERM_OVERDUE:
        return overdue
    if status == rules.TERM_DUE_SOON:
        return election_due_by(rules.add_months(today, rules.ELECTION_REMINDER_MONTHS)) & ~overdue
    raise ValueError(status)


def secretary_vacant_q() -> Exists:
    """A condition on Organization: no current secretary in its current committee term."""
    return ~Exists(
        CommitteePost.objects.current().filter(
            post=Post.SECRETARY, term=latest_term_pk(OuterRef(OuterRef("pk")))
        )
    )


ELECTION_FILTERS = (rules.TERM_DUE_SOON, rules.TERM_OVERDUE, rules.TERM_LONG_OVERDUE)


def organization_search(user, *, search: str = "", kind: str = "", election: str = "",
                        secretary_vacant: bool = False, within: Organization | None = None,
                        today: dt.date | None = None):
    """Organizations in scope matching the tree browser's search box and filters; `within`:
    only in that organization's subtree (the cockpit's counts by kind drill down here)."""
    qs = organization_list(user, search=search, kind=kind)
    if within is not None:
        qs = qs.filter(path__subtree=within.path)
    if election in ELECTION_FILTERS:
        today = today or timezone.localdate()
        qs = qs.filter(Exists(
            current_terms().filter(election_status_q(election, today),
                                   organization=OuterRef("pk"))
        ))
    if secretary_vacant:
        qs = qs.grassroots().filter(secretary_vacant_q())
    return qs


def organization_ancestors(user, orgs) -> dict[int, list[Organization]]:
    """Each organization's ancestors from the top of the user's scope down, for breadcrumbs.

    One query for all of them: the ancestor paths are prefixes of each path. Ancestors
    outside the user's scope are left out.
    """
    orgs = list(orgs)
    paths = {p for org in orgs for p in org.ancestor_paths()}
    found = {}
    if paths:
        found = {
            o.path: o
            for o in Organization.objects.visible_to(user).filter(path__in=paths)
            .only("id", "path", "depth", "name", "short_name", "kind", "numchild")
        }
    return {org.pk: [found[p] for p in org.ancestor_paths() if p in found] for org in orgs}


def with_member_counts(orgs) -> list[Organization]:
    """The organizations, each with `.member_count` (active members in its subtree)."""
    orgs = list(orgs)
    counts = subtree_member_counts(orgs)
    for org in orgs:
        org.member_count = counts[org.pk]
    return orgs


def organization_children(user, org: Organization, *, page: int = 1,
                          size: int | None = None) -> tuple[list[Organization], bool]:
    """One batch of `org`'s visible children in tree order, with member counts, and whether
    more follow. Fetches one row more than it shows instead of counting."""
    size = size or TREE_BATCH
    start = (max(page, 1) - 1) * size
    rows = list(organization_list(user, parent=org)[start:start + size + 1])
    return with_member_counts(rows[:size]), len(rows) > size


@dataclass
class TreeRoot:
    organization: Organization
    children: list[Organization]
    more: bool


def direct_member_counts(orgs) -> dict[int, int]:
    """Active members whose home is each organization itself: an index look-up per
    organization, cheap where a subtree count would read the whole subtree."""
    rows = (
        Member.objects.active().filter(organization__in=[o.pk for o in orgs]).order_by()
        .values_list("organization_id").annotate(n=Count("*"))
    )
    return dict(rows)


def _sum_member_counts(parents_and_children) -> None:
    """Set each parent's `.member_count` from its children's, which are already counted:
    a subtree is the parent's own members plus its children's subtrees. This spares a second
    pass over every member of the subtree (the district root's is the whole district)."""
    pairs = list(parents_and_children)
    direct = direct_member_counts([parent for parent, _children in pairs]) if pairs else {}
    for parent, children in pairs:
        parent.member_count = direct.get(parent.pk, 0) + sum(c.member_count for c in children)


def organization_tree(user) -> list[TreeRoot]:
    """The tree browser's start: the top organizations of the user's scope, each with its
    first batch of children. Queries grow with the user's roles, not with the data."""
    trees = [TreeRoot(root, *organization_children(user, root))
             for root in organization_roots(user)]
    # A root whose children are all shown is counted from them; the others directly.
    _sum_member_counts((t.organization, t.children) for t in trees if not t.more)
    with_member_counts(t.organization for t in trees if t.more)
    return trees


def organization_search_page(user, *, page=1, per_page: int = 25, **filters):
    """One page of `organization_search`, each result with `.breadcrumb` (its visible
    ancestors) and `.member_count`."""
    page_obj = Paginator(organization_search(user, **filters), per_page).get_page(page)
    orgs = with_member_counts(page_obj.object_list)
    ancestors = organization_ancestors(user, orgs)
    for org in orgs:
        org.breadcrumb = ancestors[org.pk]
    page_obj.object_list = orgs
    return page_obj


@dataclass
class OrganizationPage:
    """Everything the organization page shows, loaded in a fixed number of queries."""

    organization: Organization
    ancestors: list[Organization]
    term: CommitteeTerm | None
    term_status: str
    suborganizations: object  # a Page of Organization
    functional: list[Organization]
    alliances_led: list[Alliance]
    alliances_joined: list[Alliance]
    visible_alliance_leads: frozenset[int]
    centres: list[ServiceCentre]
    members: object  # a Page of Member


SUBORGANIZATIONS_PER_PAGE = 50
MEMBERS_PER_PAGE = 20


def organization_page(user, pk, *, member_page=1, sub_page=1,
                      today: dt.date | None = None) -> OrganizationPage:
    """The organization page of `pk` for `user` (404 outside their scope)."""
    org = access_organization(user, pk)
    today = today or timezone.localdate()
    scope = scope_of(user)
    term = current_term(org)
    children = organization_list(user, parent=org)
    subs = Paginator(children.exclude(kind=OrgKind.FUNCTIONAL), SUBORGANIZATIONS_PER_PAGE)
    sub_page_obj = subs.get_page(sub_page)
    sub_page_obj.object_list = list(sub_page_obj.object_list)
    functional = list(children.filter(kind=OrgKind.FUNCTIONAL))
    # One grouped query for both: they are siblings.
    with_member_counts([*sub_page_obj.object_list, *functional])
    led = list(
        Alliance.objects.filter(lead=org)
        .prefetch_related(Prefetch("members", queryset=Organization.objects.order_by("path")
                                   .only("id", "name", "path", "depth", "kind")))
    )
    joined = list(org.alliances.select_related("lead").order_by("name"))
    if org.kind == OrgKind.FUNCTIONAL:
        # A functional organization has no home members: it lists those who joined it.
        members = (Member.objects.visible_to(user).active()
                   .filter(functional_organizations=org).select_related("organization")
                   .order_by("organization__path", "name", "id"))
    else:
        members = organization_members(org)
    paginator = Paginator(members, MEMBERS_PER_PAGE)
    if org.kind != OrgKind.FUNCTIONAL and not sub_page_obj.has_other_pages():
        # Every child is counted already: the subtree's total follows without a scan.
        _sum_member_counts([(org, [*sub_page_obj.object_list, *functional])])
        paginator.count = org.member_count  # Paginator.count is a cached property
    member_page_obj = paginator.get_page(member_page)
    # Active members of the subtree (or, for a functional organization, those who joined it).
    org.member_count = member_page_obj.paginator.count
    return OrganizationPage(
        organization=org,
        ancestors=organization_ancestors(user, [org])[org.pk],
        term=term,
        term_status=rules.term_status(term.election_due_on, today) if term else "",
        suborganizations=sub_page_obj,
        functional=functional,
        alliances_led=led,
        alliances_joined=joined,
        visible_alliance_leads=frozenset(
            a.lead_id for a in joined if scope.covers_path(a.lead.path)
        ),
        centres=list(service_centres_of(org).order_by("name")),
        members=member_page_obj,
    )
