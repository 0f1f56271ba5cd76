"""API schemas for member records: what comes in and what goes out are separate.

The clear ID number never goes out (only `id_number_masked`); lists mask the phone too.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from .masking import mask_phone
from .models import Education, Gender, MemberRoleKind, Membership, MemberStatus, Occupation


class OrganizationRef(Schema):
    id: int
    name: str


class MemberOut(Schema):
    """One member in a list."""

    id: int
    name: str
    gender: Gender
    birth_date: dt.date
    organization: OrganizationRef
    membership: Membership
    status: MemberStatus
    join_date: dt.date
    id_number_masked: str
    phone_masked: str

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)


class MemberDetailOut(Schema):
    """One member's record."""

    id: int
    name: str
    gender: Gender
    ethnicity: str
    birth_date: dt.date
    id_number_masked: str
    phone: str = Field(
        description="Masked (`138****5678`) for everyone, as on the member page; the full "
        "number comes from `POST /members/{id}/reveal`, which is audit-logged."
    )
    education: Education
    occupation: Occupation
    work_unit: str
    join_date: dt.date
    membership: Membership
    conversion_date: dt.date | None
    status: MemberStatus
    organization: OrganizationRef
    party_group: OrganizationRef | None = Field(
        None, description="The Party group (党小组) of the home branch the member is placed in."
    )
    functional_organizations: list[OrganizationRef]
    roles: list[MemberRoleKind]
    can_write: bool = Field(True, description="Whether you may change this record.")
    updated_at: dt.datetime

    @staticmethod
    def resolve_phone(obj) -> str:
        # Masked in every answer: a read, a create, a change (even one that sends nothing).
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_functional_organizations(obj) -> list:
        return list(obj.functional_organizations.all())

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return [r.role for r in obj.roles.all()]


Name = Annotated[str, Field(min_length=1, max_length=50)]
IdNumber = Annotated[
    str, Field(min_length=1, max_length=30, description="GB 11643, 18 characters.")
]
Ethnicity = Annotated[str, Field(min_length=1, max_length=20)]
Phone = Annotated[str, Field(max_length=20)]
WorkUnit = Annotated[str, Field(max_length=120)]


class MemberCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organization: int = Field(description="The home branch (or committee): its id.")
    id_number: IdNumber
    name: Name
    gender: Gender
    ethnicity: Ethnicity = "汉族"
    birth_date: dt.date
    phone: Phone = ""
    education: Education
    occupation: Occupation
    work_unit: WorkUnit = ""
    join_date: dt.date
    membership: Membership = Membership.FULL
    conversion_date: dt.date | None = None
    party_group: int | None = Field(
        None, description="One of the home branch's Party groups (党小组): its id."
    )
    roles: list[MemberRoleKind] = []


class MemberUpdateIn(Schema):
    """Send only the fields to change; the others stay as they are."""

    model_config = ConfigDict(extra="forbid")

    organization: int = None
    id_number: IdNumber = None
    name: Name = None
    gender: Gender = None
    ethnicity: Ethnicity = None
    birth_date: dt.date = None
    phone: Phone = None
    education: Education = None
    occupation: Occupation = None
    work_unit: WorkUnit = None
    join_date: dt.date = None
    membership: Membership = None
    conversion_date: dt.date | None = None
    party_group: int | None = Field(
        None, description="One of the home branch's Party groups (党小组): its id; null takes "
        "the member out of their group. Changing `organization` without it clears it."
    )
    roles: list[MemberRoleKind] = None


class MemberRevealIn(Schema):
    model_config = ConfigDict(extra="forbid")

    fields: list[Literal["id_number", "phone"]] = Field(
        default=["id_number", "phone"], description="What to reveal (both by default)."
    )


class MemberRevealOut(Schema):
    """Full values: each request for them is recorded in the audit log."""

    id: int
    id_number: str | None = None
    phone: str | None = None
