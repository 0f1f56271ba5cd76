"""The fixed cast every view and API test uses.

    区委 district
    ├── street 1
    │   ├── community A ── branch A (member A, secretary A) · branch A2
    │   └── community A2 ── branch A3
    └── street 2
        └── community B ── branch B (member B)

Users: district_admin, street_admin (street 1), community_secretary (community A),
branch_secretary (branch A), member (member A), auditor (read-only, street 1),
outsider_secretary (community B, another street).
"""

from __future__ import annotations

from dataclasses import dataclass

from fengling.core.roles import Role
from fengling.organizations.kinds import Domain, OrgKind

from .factories import MemberFactory, make_org, make_user

PASSWORD = "Correct-Horse-42"


@dataclass
class Cast:
    district: object
    street1: object
    street2: object
    community_a: object
    community_a2: object
    community_b: object
    branch_a: object
    branch_a2: object
    branch_a3: object
    branch_b: object
    member_a: object
    member_a2: object
    member_b: object
    secretary_a_member: object
    district_admin: object
    street_admin: object
    community_secretary: object
    branch_secretary: object
    member: object
    auditor: object
    outsider_secretary: object


def build_cast() -> Cast:
    district = make_org(None, "海曙区委", OrgKind.DISTRICT, Domain.DISTRICT)
    street1 = make_org(district, "望春街道党工委", OrgKind.STREET, Domain.STREET)
    street2 = make_org(district, "南门街道党工委", OrgKind.STREET, Domain.STREET)
    community_a = make_org(street1, "望春社区党委", OrgKind.COMMUNITY, Domain.COMMUNITY)
    community_a2 = make_org(street1, "五江口社区党委", OrgKind.COMMUNITY, Domain.COMMUNITY)
    community_b = make_org(street2, "南门社区党委", OrgKind.COMMUNITY, Domain.COMMUNITY)
    branch_a = make_org(community_a, "望春社区第一支部", OrgKind.BRANCH)
    branch_a2 = make_org(community_a, "望春社区第二支部", OrgKind.BRANCH)
    branch_a3 = make_org(community_a2, "五江口社区第一支部", OrgKind.BRANCH)
    branch_b = make_org(community_b, "南门社区第一支部", OrgKind.BRANCH)

    member_a = MemberFactory(organization=branch_a, name="张三")
    secretary_a_member = MemberFactory(organization=branch_a, name="李四", gender="F",
                                       birth_date=member_a.birth_date.replace(year=1975))
    member_a2 = MemberFactory(organization=branch_a2, name="王五")
    member_b = MemberFactory(organization=branch_b, name="赵六")

    return Cast(
        district=district, street1=street1, street2=street2, community_a=community_a,
        community_a2=community_a2, community_b=community_b, branch_a=branch_a,
        branch_a2=branch_a2, branch_a3=branch_a3, branch_b=branch_b, member_a=member_a,
        member_a2=member_a2, member_b=member_b, secretary_a_member=secretary_a_member,
        district_admin=make_user("district_admin", Role.DISTRICT_ADMIN, district),
        street_admin=make_user("street_admin", Role.STREET_ADMIN, street1),
        community_secretary=make_user("community_secretary", Role.ORG_SECRETARY, community_a),
        branch_secretary=make_user("branch_secretary", Role.BRANCH_SECRETARY, branch_a,
                                   member=secretary_a_member),
        member=make_user("member", Role.MEMBER, branch_a, member=member_a),
        auditor=make_user("auditor", Role.AUDITOR, street1),
        outsider_secretary=make_user("outsider_secretary", Role.ORG_SECRETARY, community_b),
    )
