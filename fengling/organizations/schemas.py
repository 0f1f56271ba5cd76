"""API output schemas for organizations (read-only in this version)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .kinds import Domain, OrgKind
from .models import CentreStatus, Post


class OrganizationOut(Schema):
    """One organization in a list."""

    id: int
    name: str
    short_name: str
    kind: OrgKind
    kind_label: str
    domain: Domain
    code: str
    depth: int
    children_count: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_children_count(obj) -> int:
        return obj.numchild


class PostOut(Schema):
    post: Post
    post_label: str
    holder_name: str
    member_id: int | None
    # A part-time member from an outside unit (大党委兼职委员) has no member record here.
    is_part_time: bool
    external_unit: str
    external_title: str
    started_on: dt.date

    @staticmethod
    def resolve_post_label(obj) -> str:
        return str(obj.get_post_display())


class TermOut(Schema):
    started_on: dt.date
    years: int
    ends_on: dt.date
    postponed_until: dt.date | None
    election_due_on: dt.date
    posts: list[PostOut]

    @staticmethod
    def resolve_posts(obj) -> list:
        return list(obj.posts.all())


class ServiceCentreOut(Schema):
    id: int
    name: str
    status: CentreStatus
    area_m2: Decimal | None
    built_year: int | None
    address: str


class OrganizationDetailOut(OrganizationOut):
    """One organization with its committee, counts and service centres."""

    parent_id: int | None = Field(
        None, description="Null for a root, or when the parent lies outside your scope."
    )
    functional_type: str
    supervising_department: str
    established_on: dt.date | None
    address: str
    phone: str
    units_covered: int
    member_count: int = Field(0, description="Active members in the whole subtree.")
    subtree_counts: dict[str, int] = Field(
        {}, description="Organizations below this one, by kind."
    )
    term: TermOut | None = None
    service_centres: list[ServiceCentreOut] = []
