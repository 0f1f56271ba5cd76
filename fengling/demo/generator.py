"""Generate the demo district as plain rows (no database): `generate(scale, seed, as_of)`.

Deterministic: everything is drawn from one `random.Random(seed)` in a fixed order and every
date is anchored on `as_of`, so the same seed and date give the same district. The figures
that must be exact (2,159 grassroots organizations, 45,618 members) are fitted, not hoped for.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from fengling.core.roles import Role
from fengling.members.models import MemberRoleKind, MemberStatus
from fengling.organizations import rules
from fengling.organizations.kinds import COMMITTEE_KINDS, Domain, OrgKind
from fengling.organizations.models import Post

from . import names
from .names import ordinal
from .people import MemberRow, People
from .plans import SCALES, AllianceSpec, CentreSpec, Planner
from .tree import OrgRow, TreeBuilder

DEFAULT_SEED = 2026
# Share of members registered as volunteers (the seed: 10,000+ of 45,618).
VOLUNTEER_SHARE = 0.22
# Share of terms past their end without an election (or with an approved postponement).
OVERDUE_SHARE = 0.02
BRANCH_COMMITTEE_SEATS = {
    3: [Post.SECRETARY, Post.ORGANIZATION, Post.PROPAGANDA],
    4: [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.ORGANIZATION, Post.PROPAGANDA],
    5: [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.ORGANIZATION, Post.PROPAGANDA,
        Post.DISCIPLINE],
}
COMMITTEE_SEATS = [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.ORGANIZATION, Post.PROPAGANDA,
                   Post.DISCIPLINE, Post.MEMBER, Post.MEMBER]
APPROVED_POSTS = (Post.SECRETARY, Post.DEPUTY_SECRETARY)
# 党小组 (支部工作条例 第十三条: set up where a branch is large or its members dispersed): this
# share of the branches of at least `Scale.party_group_size` members divide all their
# members into groups of about PARTY_GROUP_MEMBERS (at least two groups). At district
# scale that is about 2,700 groups holding about 33,000 members, whose monthly 党小组会
# (meetings.demo) bring the year to about 90k meetings.
PARTY_GROUP_SHARE = 0.9
PARTY_GROUP_MEMBERS = 12


@dataclass
class TermRow:
    organization: OrgRow
    started_on: dt.date
    years: int
    postponed_until: dt.date | None = None
    pk: int | None = None


@dataclass
class PostRow:
    term: TermRow
    post: str
    started_on: dt.date
    member: int | None = None  # index into District.members
    external_name: str = ""
    external_unit: str = ""
    external_title: str = ""
    approved_on: dt.date | None = None


@dataclass
class AccountRow:
    username: str
    role: str
    organization: OrgRow
    display_name: str
    member: int | None = None


@dataclass
class District:
    scale: str
    seed: int
    as_of: dt.date
    organizations: list[OrgRow]  # depth-first, i.e. in path order
    members: list[MemberRow]
    functional: list[tuple[int, OrgRow]] = field(default_factory=list)
    terms: list[TermRow] = field(default_factory=list)
    posts: list[PostRow] = field(default_factory=list)
    member_roles: list[tuple[int, str]] = field(default_factory=list)
    alliances: list[AllianceSpec] = field(default_factory=list)
    centres: list[CentreSpec] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)

    @property
    def grassroots(self) -> int:
        return sum(1 for row in self.organizations if row.is_grassroots)


def generate(scale: str, seed: int = DEFAULT_SEED, as_of: dt.date | None = None) -> District:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}")
    plan = SCALES[scale]
    as_of = as_of or dt.date.today()
    rng = random.Random(seed)
    builder = TreeBuilder(rng, as_of)
    planner = Planner(builder)
    plan.build(planner)
    builder.fit_grassroots(plan.grassroots)
    builder.materialize()

    # The demo accounts' places: street 1, its first community and that community's first
    # branch (big enough for a committee), and a community in another street.
    street = planner.streets[0]
    community = planner.communities[street][0]
    branch = planner.first_branch_pools[community].rows[0]
    branch.profile, branch.size_bounds = "community", (15, 50)
    outsider = planner.communities[planner.streets[1]][0]

    units = [row for row in builder.depth_first() if row.holds_members]
    builder.fit_sizes(units, plan.members)
    # Drawn from a generator of their own, so the rest of the district does not change when
    # the groups' share or size does.
    groups_rng = random.Random(f"{seed}:party-groups")
    for row in units:
        big = row.kind == OrgKind.BRANCH and row.size >= plan.party_group_size
        if row is branch or (big and groups_rng.random() < PARTY_GROUP_SHARE):
            for n in range(1, max(2, round(row.size / PARTY_GROUP_MEMBERS)) + 1):
                builder.add(row, f"{row.name}{ordinal(n)}党小组", OrgKind.PARTY_GROUP)
    organizations = builder.number()

    district = District(scale=scale, seed=seed, as_of=as_of, organizations=organizations,
                        members=[])
    _members(district, builder.roots, People(rng, as_of))
    _party_groups(district, units)
    _functional(district, planner, rng)
    vacant = _vacancies(organizations, plan.vacancies, {community, branch, outsider}, rng)
    _terms(district, vacant, rng)
    _member_roles(district, planner, plan, rng)
    for spec in planner.alliances:
        spec.members = sorted(spec.pick(), key=lambda row: row.path)
    district.alliances = planner.alliances
    district.centres = planner.centres
    district.accounts = _accounts(district, planner, community, branch, outsider, rng)
    return district


def _members(district: District, roots: list[OrgRow], people: People) -> None:
    """Members depth-first, so each subtree's members are one contiguous slice."""
    members = district.members

    def visit(row: OrgRow) -> None:
        row.first_member = len(members)
        for _ in range(row.size):
            members.append(people.member(row, row.profile, row.unit, row.place))
        for child in row.children:
            visit(child)
        row.end_member = len(members)

    for root in roots:
        visit(root)


def _party_groups(district: District, units: list[OrgRow]) -> None:
    """编入党小组 (RULES Part B §4.1 step 19): the members of a branch with Party groups are
    divided among them in order, in contiguous slices of (nearly) equal size."""
    for row in units:
        groups = [child for child in row.children if child.kind == OrgKind.PARTY_GROUP]
        if not groups or not row.size:
            continue
        for offset in range(row.size):
            member = district.members[row.first_member + offset]
            member.party_group = groups[offset * len(groups) // row.size]


def _functional(district: District, planner: Planner, rng: random.Random) -> None:
    """四室四组: residents join a functional organization beside their home branch."""
    for communities in planner.communities.values():
        for community in communities:
            pool = range(community.first_member, community.end_member)
            for child in community.children:
                if child.kind == OrgKind.FUNCTIONAL:
                    count = min(len(pool), rng.randint(6, 14))
                    for index in sorted(rng.sample(pool, count)):
                        district.functional.append((index, child))


def _vacancies(organizations: list[OrgRow], count: int, keep: set, rng) -> set[int]:
    candidates = [n for n, row in enumerate(organizations)
                  if row.is_grassroots and row not in keep]
    return set(rng.sample(candidates, count))


class _Picker:
    """Picks committee members from an organization's members (a contiguous slice)."""

    def __init__(self, district: District, rng: random.Random):
        self.members = district.members
        self.as_of = district.as_of
        self.rng = rng
        self.full_before = [0]
        for member in self.members:
            self.full_before.append(self.full_before[-1] + member.is_full)

    def full_count(self, row: OrgRow) -> int:
        return self.full_before[row.end_member] - self.full_before[row.first_member]

    def pick(self, row: OrgRow, taken: set[int]) -> int | None:
        first, end = row.first_member, row.end_member
        if end <= first:
            return None
        for _ in range(40):
            index = self.rng.randrange(first, end)
            member = self.members[index]
            if (index not in taken and member.is_full and member.status == MemberStatus.NORMAL
                    and 25 <= member.age_on(self.as_of) <= 68):
                return index
        for index in range(first, end):
            if index not in taken and self.members[index].is_full:
                return index
        return None


def _terms(district: District, vacant: set[int], rng: random.Random) -> None:
    """Every grassroots organization has a current term (任期意见: 5 or 3 years) and its
    committee: secretary, deputies and members (支部工作条例: ≥7 full members → 3–5 seats)."""
    as_of, picker = district.as_of, _Picker(district, rng)
    for n, row in enumerate(district.organizations):
        if not row.is_grassroots:
            continue
        years = rules.term_years(row.kind, row.domain)
        term = TermRow(row, as_of, years)
        if rng.random() < OVERDUE_SHARE:
            term.started_on = rules.add_years(as_of, -years) - dt.timedelta(
                days=rng.randint(1, 300))
            if rng.random() < 0.3:
                term.postponed_until = rules.term_end(term.started_on, years) + dt.timedelta(
                    days=rng.randint(180, 365))
        else:
            span = (as_of - rules.add_years(as_of, -years)).days
            term.started_on = as_of - dt.timedelta(days=rng.randint(20, span - 1))
        district.terms.append(term)

        full = picker.full_count(row)
        if row.kind in COMMITTEE_KINDS:
            seats = COMMITTEE_SEATS[: rng.randint(5, 7)]
        elif full >= rules.BRANCH_COMMITTEE_MIN_FULL_MEMBERS:
            seats = BRANCH_COMMITTEE_SEATS[rng.randint(3, 5)]
        else:
            seats = [Post.SECRETARY] + (
                [Post.DEPUTY_SECRETARY] if full >= 3 and rng.random() < 0.2 else [])
        if n in vacant:
            seats = [seat for seat in seats if seat != Post.SECRETARY]
        taken: set[int] = set()
        for seat in seats:
            index = picker.pick(row, taken)
            if index is None:
                break
            taken.add(index)
            approved = None
            if seat in APPROVED_POSTS:
                approved = min(as_of, term.started_on + dt.timedelta(days=rng.randint(3, 40)))
            district.posts.append(PostRow(term, seat, term.started_on, member=index,
                                          approved_on=approved))
        if row.kind == OrgKind.COMMUNITY:
            _part_time_members(district, term, rng)


def _part_time_members(district: District, term: TermRow, rng: random.Random) -> None:
    """大党委兼职委员: the community police officer, the owners' committee chair, the
    property manager sit on the community committee."""
    community = term.organization
    station = community.parent.short_name.removesuffix("街道")
    for title, key in rng.sample(names.PART_TIME_TITLES, rng.randint(2, 3)):
        gender = "F" if rng.random() < 0.3 else "M"
        unit = {
            "police": f"宁波市公安局海曙分局{station}派出所",
            "owners": f"{rng.choice(names.ESTATES)}业主委员会",
            "property": f"宁波{rng.choice(names.BRAND_WORDS)}物业服务有限公司",
        }[key]
        district.posts.append(PostRow(
            term, Post.MEMBER, term.started_on,
            external_name=names.person_name(rng, gender, rng.randint(1965, 1992)),
            external_unit=unit, external_title=title))


def _member_roles(district: District, planner: Planner, plan, rng: random.Random) -> None:
    roles: dict[tuple[int, str], None] = {}
    for post in district.posts:
        if post.post == Post.SECRETARY and post.member is not None:
            roles[(post.member, MemberRoleKind.SECRETARY)] = None
    picker = _Picker(district, rng)
    # 专职党务工作者: one or two per community, one for each business district and street.
    workplaces = []
    for street in planner.streets:
        organs = [row for row in street.children if row.kind == OrgKind.GENERAL_BRANCH]
        workplaces += [(row, 1) for row in organs[:1]]
        for row in street.children:
            if row.kind == OrgKind.COMMUNITY:
                workplaces.append((row, rng.randint(1, 2)))
            elif row.kind == OrgKind.BUSINESS_DISTRICT:
                workplaces.append((row, 1))
    for row, count in workplaces:
        taken: set[int] = set()
        for _ in range(count):
            index = picker.pick(row, taken)
            if index is not None:
                taken.add(index)
                roles[(index, MemberRoleKind.PARTY_WORKER)] = None
    total = len(district.members)
    for index in sorted(rng.sample(range(total), round(total * VOLUNTEER_SHARE))):
        roles[(index, MemberRoleKind.VOLUNTEER)] = None
    # One grid Party member per grid; grids are in communities and villages.
    residents = [n for n, member in enumerate(district.members)
                 if member.organization.domain in (Domain.COMMUNITY, Domain.VILLAGE)]
    for index in sorted(rng.sample(residents, min(plan.grid_members, len(residents)))):
        roles[(index, MemberRoleKind.GRID_MEMBER)] = None
    full = [n for n, member in enumerate(district.members) if member.is_full]
    for index in sorted(rng.sample(full, plan.representatives)):
        roles[(index, MemberRoleKind.REPRESENTATIVE)] = None
    district.member_roles = sorted(roles)


def _accounts(district: District, planner: Planner, community: OrgRow, branch: OrgRow,
              outsider: OrgRow, rng: random.Random) -> list[AccountRow]:
    secretaries = {post.term.organization: post.member for post in district.posts
                   if post.post == Post.SECRETARY}
    members = district.members
    branch_secretary = secretaries[branch]
    member = next(
        n for n in range(branch.first_member, branch.end_member)
        if n != branch_secretary and members[n].is_full
        and members[n].status == MemberStatus.NORMAL
    )
    street = planner.streets[0]
    district_root = district.organizations[0]

    def name_of(row: OrgRow) -> str:
        index = secretaries.get(row)
        if index is not None:
            return members[index].name
        return names.person_name(rng, "M", 1975)

    return [
        AccountRow("district_admin", Role.DISTRICT_ADMIN, district_root,
                   names.person_name(rng, "F", 1978)),
        AccountRow("street_admin", Role.STREET_ADMIN, street,
                   names.person_name(rng, "M", 1980)),
        AccountRow("community_secretary", Role.ORG_SECRETARY, community, name_of(community)),
        AccountRow("branch_secretary", Role.BRANCH_SECRETARY, branch,
                   members[branch_secretary].name, member=branch_secretary),
        AccountRow("member", Role.MEMBER, branch, members[member].name, member=member),
        AccountRow("auditor", Role.AUDITOR, street, names.person_name(rng, "F", 1985)),
        AccountRow("outsider_secretary", Role.ORG_SECRETARY, outsider, name_of(outsider)),
    ]


DEMO_USERNAMES = ["district_admin", "street_admin", "community_secretary", "branch_secretary",
                  "member", "auditor", "outsider_secretary"]
