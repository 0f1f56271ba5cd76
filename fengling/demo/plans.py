"""The shape of the demo district at each scale: which organizations exist and where.

`district` follows the seed article (PRODUCT §2): 海曙区委; 9 streets with 83 urban communities
(each with a Party-mass service centre); 8 towns with their villages; business districts
(天一商圈综合党委 uniting 16 organizations; 9 built and 4 planned centres); two-new,
institution and industry committees; functional organizations (四室四组) in communities.
`small` has the same shape on a few organizations, for tests and `make demo`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from fengling.organizations.kinds import Domain, FunctionalType, OrgKind
from fengling.organizations.models import AllianceKind, CentreStatus

from . import names
from .names import ordinal
from .tree import BRANCH_SIZE, GENERAL_BRANCH_SIZE, OrgRow, Pool, TreeBuilder

K, D = OrgKind, Domain

FUNCTIONAL_NAMES = [
    (FunctionalType.PUBLIC_WELFARE, "公益"),
    (FunctionalType.CULTURE, "文娱"),
    (FunctionalType.EMERGENCY, "应急"),
    (FunctionalType.HARMONY, "和谐"),
]


@dataclass
class CentreSpec:
    organization: OrgRow
    name: str
    status: str
    area_m2: Decimal | None
    built_year: int | None
    address: str


@dataclass
class AllianceSpec:
    name: str
    kind: str
    lead: OrgRow
    pick: Callable[[], list[OrgRow]]  # called once the tree is complete
    established_on: dt.date
    members: list[OrgRow] = field(default_factory=list)


@dataclass(frozen=True)
class Scale:
    grassroots: int  # exact number of grassroots organizations
    members: int  # exact number of members
    grid_members: int  # one grid Party member per grid (1,587 grids)
    representatives: int
    vacancies: int  # organizations without a current secretary
    # branches of this size or more may divide their members into Party groups (党小组)
    party_group_size: int
    build: Callable[[Planner], None]


class Planner:
    """Builds the skeleton; remembers centres, alliances and the demo accounts' places."""

    def __init__(self, builder: TreeBuilder):
        self.b = builder
        self.rng = builder.rng
        self.as_of = builder.as_of
        self.centres: list[CentreSpec] = []
        self.alliances: list[AllianceSpec] = []
        self.streets: list[OrgRow] = []
        self.communities: dict[OrgRow, list[OrgRow]] = {}  # street → its communities
        self.first_branch_pools: dict[OrgRow, Pool] = {}  # community → its resident branches
        self.forced_party_groups: list[OrgRow] = []
        self._enterprises: set[str] = set()

    # -- small helpers -------------------------------------------------------------------------

    def address(self) -> str:
        return f"{self.rng.choice(names.ROADS)}{self.rng.randint(1, 999)}号"

    def phone(self) -> str:
        return f"0574-{self.rng.choice(('87', '88', '83', '89', '55', '56'))}" \
               f"{self.rng.randrange(10**6):06d}"

    def org(self, parent: OrgRow | None, name: str, kind: str, domain: str = "",
            **fields) -> OrgRow:
        fields.setdefault("address", self.address())
        fields.setdefault("phone", self.phone())
        return self.b.add(parent, name, kind, domain, **fields)

    def branch(self, name: str, profile: str, *, unit: str = "", place: str = "",
               size: tuple[int, int, int] = (8, 22, 45), kind: str = K.BRANCH,
               domain: str = "", units_covered: int = 1) -> OrgRow:
        """A member-holding organization (not yet placed: pools and `attach` place it)."""
        bounds = GENERAL_BRANCH_SIZE if kind == K.GENERAL_BRANCH else BRANCH_SIZE
        return OrgRow(name=name, kind=kind, domain=domain, profile=profile, unit=unit,
                      place=place, size_range=size, size_bounds=bounds,
                      units_covered=units_covered, address=self.address(),
                      phone=self.phone())

    def enterprise(self) -> str:
        while True:
            name = names.enterprise_name(self.rng)
            if name not in self._enterprises:
                self._enterprises.add(name)
                return name

    def date_between(self, first_year: int, last_year: int) -> dt.date:
        start = dt.date(first_year, 1, 1)
        end = min(dt.date(last_year, 12, 31), self.as_of)
        return start + dt.timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def centre(self, org: OrgRow, name: str, status: str, area: float | None = None,
               year: int | None = None) -> None:
        if area is None:
            area = self.rng.randint(60, 300) * 5
        if status == CentreStatus.BUILT and year is None:
            year = self.rng.randint(2009, self.as_of.year - 1)
        self.centres.append(CentreSpec(org, name, status, Decimal(str(area)).quantize(
            Decimal("0.1")), year if status == CentreStatus.BUILT else None, org.address))

    # -- building blocks -----------------------------------------------------------------------

    def street(self, district: OrgRow, stem: str) -> OrgRow:
        street = self.org(district, f"{stem}街道党工委", K.STREET, D.STREET,
                          short_name=f"{stem}街道")
        self.streets.append(street)
        self.communities[street] = []
        return street

    def organs(self, parent: OrgRow, title: str, unit: str, branches: int) -> OrgRow:
        """A 机关党总支: a few in-service branches and one of retired cadres."""
        gb = self.org(parent, f"{title}机关党总支", K.GENERAL_BRANCH)
        self.b.pool(gb, branches, lambda n: self.branch(
            f"{title}机关{ordinal(n)}党支部", "organ", unit=unit, size=(8, 15, 30)))
        self.b.pool(gb, 1, lambda n: self.branch(
            f"{title}退休干部党支部", "retired_staff", unit=unit, size=(10, 22, 45)))
        return gb

    def community(self, street: OrgRow, stem: str, branches: int, low: int, high: int, *,
                  estate_gb: bool, retired_gb: bool) -> OrgRow:
        name = f"{stem}社区"
        community = self.org(street, f"{name}党委", K.COMMUNITY, D.COMMUNITY, short_name=name)
        self.communities[street].append(community)

        def resident(n: int) -> OrgRow:
            profile = "community_retired" if self.rng.random() < 0.12 else "community"
            return self.branch(f"{name}{ordinal(n)}党支部", profile, place=name,
                               size=(10, 27, 48))

        self.first_branch_pools[community] = self.b.pool(community, branches, resident,
                                                         low=low, high=high)
        if estate_gb:
            estate = self.rng.choice(names.ESTATES)
            gb = self.org(community, f"{name}{estate}党总支", K.GENERAL_BRANCH)
            self.b.pool(gb, self.rng.randint(3, 4), lambda n: self.branch(
                f"{name}{estate}{ordinal(n)}党支部", "community", place=name,
                size=(8, 20, 40)))
        if retired_gb:
            self.b.attach(community, self.branch(
                f"{name}退休党员党总支", "community_retired", place=name, size=(50, 62, 95),
                kind=K.GENERAL_BRANCH))
        for functional_type, label in FUNCTIONAL_NAMES:
            self.org(community, f"{name}{label}功能型党组织", K.FUNCTIONAL,
                     functional_type=functional_type)
        self.centre(community, f"{name}党群服务中心", CentreStatus.BUILT)
        return community

    def village(self, town: OrgRow, stem: str, branches: int, low: int, high: int) -> OrgRow:
        name = names.village_name(stem)
        village = self.org(town, f"{name}党委", K.VILLAGE, D.VILLAGE, short_name=name,
                           address=f"{town.short_name}{name}")
        self.b.pool(village, branches, lambda n: self.branch(
            f"{name}{ordinal(n)}党支部", "village", place=name, size=(10, 26, 48)),
            low=low, high=high)
        return village

    def enterprise_committee(self, parent: OrgRow, branches: int) -> OrgRow:
        name = self.enterprise()
        committee = self.org(parent, f"{name}党委", K.TWO_NEW, D.TWO_NEW,
                             short_name=name, registration=name)
        self.b.pool(committee, branches, lambda n: self.branch(
            f"{name}{ordinal(n)}党支部", "enterprise", unit=name, size=(10, 24, 46)),
            low=3, high=6)
        return committee

    def enterprise_branches(self, parent: OrgRow, count: int, *, low: int, high: int,
                            profile: str = "enterprise") -> Pool:
        def make(n: int) -> OrgRow:
            name = self.enterprise()
            return self.branch(f"{name}党支部", profile, unit=name, size=(5, 14, 40),
                               domain=D.TWO_NEW if profile == "enterprise" else "")
        return self.b.pool(parent, count, make, low=low, high=high)

    def joint_branches(self, parent: OrgRow, count: int, title: Callable[[int], str],
                       profile: str = "enterprise") -> Pool:
        """联合支部: small units together, at most 5 (支部工作条例 第五条)."""
        return self.b.pool(parent, count, lambda n: self.branch(
            title(n), profile, size=(3, 7, 16), units_covered=self.rng.randint(2, 5),
            domain=D.TWO_NEW if profile == "enterprise" else ""))

    def two_new_cluster(self, parent: OrgRow, title: str, committees: int, direct: int,
                        joint: int) -> None:
        for _ in range(committees):
            self.enterprise_committee(parent, self.rng.randint(3, 5))
        self.enterprise_branches(parent, direct, low=2, high=max(direct + 6, 14))
        self.joint_branches(parent, joint, lambda n: f"{title}小微企业{ordinal(n)}联合党支部")

    def business_district(self, street: OrgRow, spec: tuple, branches: int, low: int,
                          high: int, committees: int = 0) -> OrgRow:
        name, _street, centre, status, area, year = spec
        short = name.removesuffix("党委").removesuffix("综合").removesuffix("联合")
        bd = self.org(street, name, K.BUSINESS_DISTRICT, D.BUSINESS_DISTRICT, short_name=short)

        def member_unit(n: int) -> OrgRow:
            draw = self.rng.random()
            if draw < 0.6:
                unit = self.enterprise()
                return self.branch(f"{unit}党支部", "business", unit=unit, size=(5, 14, 36))
            if draw < 0.85:
                building = self.rng.choice(names.BUILDINGS)
                return self.branch(f"{short}{building}楼宇联合党支部", "business",
                                   size=(3, 8, 20), units_covered=self.rng.randint(2, 5))
            return self.branch(f"{short}商户{ordinal(n)}联合党支部", "business",
                               size=(3, 8, 20), units_covered=self.rng.randint(2, 5))

        self.b.pool(bd, branches, member_unit, low=low, high=high)
        for _ in range(committees):
            self.enterprise_committee(bd, self.rng.randint(3, 4))
        self.centre(bd, centre, status, area, year)
        return bd

    def subtree(self, row: OrgRow) -> list[OrgRow]:
        out = []
        for child in row.children:
            out.append(child)
            out.extend(self.subtree(child))
        return out

    def alliance(self, name: str, kind: str, lead: OrgRow,
                 pick: Callable[[], list[OrgRow]]) -> None:
        self.alliances.append(AllianceSpec(name, kind, lead, pick,
                                           self.date_between(2014, self.as_of.year - 1)))

    def sample(self, rows: list[OrgRow], count: int) -> list[OrgRow]:
        return self.rng.sample(rows, min(count, len(rows)))


def _near_lead(planner: Planner, lead: OrgRow) -> list[OrgRow]:
    """Organizations a joint committee may unite: its own units and the street's two-new
    organizations (those directly under the street, not the branches of their committees)."""
    street = lead.parent
    own = [row for row in lead.children if row.is_grassroots]
    nearby = [row for row in street.children
              if row.is_grassroots and row.domain == D.TWO_NEW]
    return own + nearby


# -- district ------------------------------------------------------------------------------


def build_district(p: Planner) -> None:
    rng = p.rng
    district = p.org(None, names.DISTRICT, K.DISTRICT, D.DISTRICT, short_name="海曙区",
                     address="海曙区行政中心")
    bds_by_street: dict[str, list[tuple]] = {}
    for spec in names.BUSINESS_DISTRICTS:
        bds_by_street.setdefault(spec[1], []).append(spec)
    leads: dict[str, OrgRow] = {}
    for stem, communities in names.STREETS:
        street = p.street(district, stem)
        p.organs(street, f"{stem}街道", f"海曙区{stem}街道办事处", rng.randint(2, 3))
        for community in communities:
            p.community(street, community, rng.randint(6, 10), 4, 16,
                        estate_gb=rng.random() < 0.3, retired_gb=rng.random() < 0.1)
        for spec in bds_by_street.get(stem, []):
            if spec[0] == "天一商圈综合党委":
                bd = p.business_district(street, spec, 11, 10, 14, committees=2)
            else:
                bd = p.business_district(street, spec, rng.randint(4, 7), 3, 10,
                                         committees=int(rng.random() < 0.3))
            leads[spec[0]] = bd
        p.two_new_cluster(street, f"{stem}街道", committees=3 if stem == "江厦" else
                          rng.randint(2, 3), direct=rng.randint(6, 10), joint=rng.randint(1, 2))

    for stem, suffix, villages in names.TOWNS:
        full = f"{stem}{suffix}"
        town = p.org(district, f"{full}党委", K.TOWN, D.TOWN, short_name=full)
        p.organs(town, full, f"海曙区{full}人民政府", rng.randint(2, 3))
        for village in villages:
            p.village(town, village, rng.randint(4, 6), 3, 8)
        for unit, profile in rng.sample([("中心小学", "school"), ("初级中学", "school"),
                                         ("卫生院", "hospital"), ("中心幼儿园", "school"),
                                         ("成人文化技术学校", "school")], rng.randint(2, 4)):
            p.b.attach(town, p.branch(f"{full}{unit}党支部", profile,
                                      unit=f"海曙区{full}{unit}", size=(8, 20, 40),
                                      domain=D.INSTITUTION))
        p.two_new_cluster(town, full, committees=rng.randint(2, 3), direct=rng.randint(6, 10),
                          joint=1)

    _district_institutions(p, district)
    industries = _industries(p, district)

    # Joint committees and alliances beside the tree (PRODUCT §3.1).
    tianyi = leads["天一商圈综合党委"]
    p.alliance("天一商圈综合党委", AllianceKind.JOINT_COMMITTEE, tianyi,
               lambda: p.sample(_near_lead(p, tianyi), 16))
    xinxing = leads["新星商圈联合党委"]
    p.alliance("新星商圈联合党委", AllianceKind.JOINT_COMMITTEE, xinxing,
               lambda: p.sample(_near_lead(p, xinxing), rng.randint(8, 10)))
    p.alliance("新星电商服务联盟", AllianceKind.ALLIANCE, xinxing,
               lambda: p.sample(_near_lead(p, xinxing), rng.randint(5, 7)))
    station = leads["宁波站区域综合商圈党委"]
    p.alliance("宁波站区域综合商圈联合党委", AllianceKind.JOINT_COMMITTEE, station,
               lambda: p.sample(_near_lead(p, station), rng.randint(6, 8)))
    park = leads["望春工业园区综合党委"]
    p.alliance("望春工业园区党建共同体", AllianceKind.ALLIANCE, park,
               lambda: p.sample(_near_lead(p, park), rng.randint(5, 8)))
    markets = industries[0]
    p.alliance("海曙区专业市场党建联盟", AllianceKind.ALLIANCE, markets,
               lambda: p.sample([row for row in markets.children if "市场" in row.name],
                                rng.randint(8, 12)))
    nanmen = p.streets[1]
    p.alliance("南门志愿服务党建联盟", AllianceKind.ALLIANCE, nanmen,
               lambda: p.communities[nanmen] + p.sample(
                   [c for street in p.streets if street is not nanmen
                    for c in p.communities[street]], 16 - len(p.communities[nanmen])))
    # "正在打造区级党建服务中心" (the seed): the district's own centre, planned.
    p.centre(district, "海曙区党建服务中心", CentreStatus.PLANNED, 3000)


def _district_institutions(p: Planner, district: OrgRow) -> None:
    rng = p.rng
    organs = p.org(district, "海曙区级机关工委", K.INSTITUTION, D.INSTITUTION,
                   short_name="区级机关工委")
    departments = list(names.DISTRICT_DEPARTMENTS)
    p.b.pool(organs, 30, lambda n: p.branch(
        f"{departments[n - 1]}机关党支部", "organ", unit=f"海曙{departments[n - 1]}",
        size=(6, 14, 32)), low=22, high=len(departments))
    p.b.attach(organs, p.branch("区级机关退休干部党总支", "retired_staff",
                                unit="海曙区级机关", size=(50, 70, 95), kind=K.GENERAL_BRANCH))

    education = p.org(district, "海曙区教育局党委", K.INSTITUTION, D.INSTITUTION,
                      supervising_department="海曙区教育局")
    schools = [f"宁波市海曙区{stem}{level}" for level in ("小学", "中学", "幼儿园")
               for stem in names.SCHOOL_STEMS]
    rng.shuffle(schools)
    p.b.pool(education, 32, lambda n: p.branch(
        f"{schools[n - 1]}党支部", "school", unit=schools[n - 1], size=(8, 22, 45)),
        low=24, high=48)
    retired = p.org(education, "海曙区教育系统退休教师党总支", K.GENERAL_BRANCH)
    p.b.pool(retired, 3, lambda n: p.branch(
        f"海曙区退休教师{ordinal(n)}党支部", "retired_staff", unit="海曙区教育系统",
        size=(15, 32, 50)))

    health = p.org(district, "海曙区卫生健康局党委", K.INSTITUTION, D.INSTITUTION,
                   supervising_department="海曙区卫生健康局")
    hospital = p.org(health, "海曙区第二医院党总支", K.GENERAL_BRANCH)
    for department in ("内科", "外科", "医技", "行政后勤"):
        p.b.attach(hospital, p.branch(f"海曙区第二医院{department}党支部", "hospital",
                                      unit="海曙区第二医院", size=(12, 25, 45)))
    others = names.HOSPITALS[1:]
    p.b.pool(health, len(others), lambda n: p.branch(
        f"{others[n - 1]}党支部", "hospital", unit=others[n - 1], size=(8, 20, 40)))

    police = p.org(district, "宁波市公安局海曙分局党委", K.INSTITUTION, D.INSTITUTION,
                   short_name="海曙公安分局党委")
    stations = names.POLICE_STATIONS
    p.b.pool(police, len(stations), lambda n: p.branch(
        f"海曙分局{stations[n - 1]}党支部", "police", unit=f"海曙公安分局{stations[n - 1]}",
        size=(10, 22, 42)))


def _industries(p: Planner, district: OrgRow) -> list[OrgRow]:
    """行业党委 under their supervising departments ("谁主管谁负责")."""
    rng = p.rng
    out = []
    for name, department, profile in names.INDUSTRIES:
        industry = p.org(district, name, K.INDUSTRY, D.INDUSTRY,
                         supervising_department=department, registration=department)
        out.append(industry)
        if profile == "self_employed":
            markets = list(names.MARKETS)
            p.b.pool(industry, 18, lambda n, markets=markets: p.branch(
                f"{markets[n - 1]}党支部", "self_employed", unit=markets[n - 1],
                size=(6, 18, 42)), low=12, high=len(markets))
            p.joint_branches(industry, 3, lambda n: f"个体劳动者{ordinal(n)}联合党支部",
                             profile="self_employed")
        elif profile == "lawyer":
            words = list(names.LAW_FIRM_WORDS)
            rng.shuffle(words)
            p.b.pool(industry, 9, lambda n, words=words: p.branch(
                f"浙江{words[n - 1]}律师事务所党支部", "lawyer",
                unit=f"浙江{words[n - 1]}律师事务所", size=(3, 8, 22)),
                low=6, high=len(words))
            p.joint_branches(industry, 2, lambda n: f"律师行业{ordinal(n)}联合党支部",
                             profile="lawyer")
        else:
            socials = list(names.SOCIAL_ORGS)
            p.b.pool(industry, 10, lambda n, socials=socials: p.branch(
                f"{socials[n - 1]}党支部", "social", unit=socials[n - 1], size=(3, 7, 18)),
                low=6, high=len(socials))
            p.joint_branches(industry, 2, lambda n: f"社会组织{ordinal(n)}联合党支部",
                             profile="social")
    return out


# -- small -----------------------------------------------------------------------------------


def build_small(p: Planner) -> None:
    """One street with three communities and a business district, another street with one
    community, one town with two villages: every kind the district has, on ~24 organizations."""
    district = p.org(None, names.DISTRICT, K.DISTRICT, D.DISTRICT, short_name="海曙区",
                     address="海曙区行政中心")
    gulou = p.street(district, "鼓楼")
    p.community(gulou, "孝闻", 3, 3, 3, estate_gb=False, retired_gb=False)
    p.community(gulou, "中山", 2, 1, 3, estate_gb=False, retired_gb=False)
    p.community(gulou, "秀水", 2, 1, 3, estate_gb=False, retired_gb=False)
    bd = p.business_district(gulou, ("鼓楼商圈党委", "鼓楼", "鼓楼商圈党群服务中心",
                                     CentreStatus.BUILT, 1200.0, 2016), 2, 2, 2)
    p.enterprise_branches(gulou, 1, low=1, high=1)
    nanmen = p.street(district, "南门")
    p.community(nanmen, "尹江", 2, 1, 3, estate_gb=False, retired_gb=False)
    town = p.org(district, "集士港镇党委", K.TOWN, D.TOWN, short_name="集士港镇")
    p.village(town, "卖面桥", 2, 2, 2)
    p.village(town, "丁家", 2, 2, 2)
    p.alliance("鼓楼商圈联合党委", AllianceKind.JOINT_COMMITTEE, bd,
               lambda: _near_lead(p, bd))
    p.centre(district, "海曙区党建服务中心", CentreStatus.PLANNED, 3000)


SCALES: dict[str, Scale] = {
    "district": Scale(grassroots=2159, members=45618, grid_members=1587, representatives=300,
                      vacancies=11, party_group_size=20, build=build_district),
    "small": Scale(grassroots=24, members=300, grid_members=12, representatives=5,
                   vacancies=1, party_group_size=20, build=build_small),
}
