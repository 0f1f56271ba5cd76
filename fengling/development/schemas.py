"""API schemas of member development: what comes in and what goes out are separate.

The clear ID number never goes out (only `id_number_masked`); lists mask the phone too.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from fengling.members.masking import mask_phone
from fengling.members.models import Education, Gender, Occupation
from fengling.members.schemas import MemberRevealIn

from .models import Progress
from .rules import DueKind, Status


class OrganizationRef(Schema):
    id: int
    name: str


class MemberRef(Schema):
    id: int
    name: str


class CandidateOut(Schema):
    """One candidate in a list."""

    id: int
    name: str
    gender: Gender
    birth_date: dt.date
    organization: OrganizationRef
    stage: int = Field(description="1 application, 2 activist, 3 development target, "
                                   "4 admission, 5 probation; derived from the steps.")
    last_step: int = Field(description="The furthest of the 25 steps recorded.")
    id_number_masked: str
    phone_masked: str
    member_id: int | None = Field(None, description="The member record, once admitted.")

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)


class MilestoneOut(Schema):
    id: int
    step: int
    step_name: str
    stage: int
    date: dt.date
    note: str
    hours: int | None
    sponsors: list[MemberRef]


class RuleResultOut(Schema):
    rule: str = Field(description="The rule's stable id, e.g. `talk_within_one_month`.")
    title: str
    statement: str
    basis: str
    status: Status
    due: dt.date | None
    due_kind: DueKind
    overdue: bool = Field(description="Missed and still open: the step is overdue.")


class StepOut(Schema):
    number: int
    name: str
    stage: int


class ExtensionOut(Schema):
    decided_on: dt.date
    months: int
    reason: str


class CandidateRevealIn(MemberRevealIn):
    """What to reveal of a candidate: as for a member."""


class CandidateRevealOut(Schema):
    """Full values: each request for them is recorded in the audit log."""

    id: int
    id_number: str | None = None
    phone: str | None = None


class CandidateDetailOut(Schema):
    """One candidate's file: record, stage, milestones, rule outcomes, next steps."""

    id: int
    name: str
    gender: Gender
    ethnicity: str
    birth_date: dt.date
    id_number_masked: str
    phone: str = Field(description="Masked (`138****5678`) for everyone, as on the page; the "
                                   "full number comes from `POST …/reveal`, which is "
                                   "audit-logged.")
    education: Education
    occupation: Occupation
    work_unit: str
    organization: OrganizationRef
    stage: int | None
    progress: Progress
    member_id: int | None
    withdrawn_on: dt.date | None
    withdrawal_reason: str
    probation_end: dt.date | None
    extension: ExtensionOut | None
    milestones: list[MilestoneOut]
    rules: list[RuleResultOut]
    next_steps: list[StepOut]
    can_write: bool


Name = Annotated[str, Field(min_length=1, max_length=50)]
IdNumber = Annotated[str, Field(min_length=1, max_length=30,
                                description="GB 11643, 18 characters.")]


class CandidateCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organization: int = Field(description="The branch handling the candidate: its id.")
    id_number: IdNumber
    name: Name
    gender: Gender
    ethnicity: Annotated[str, Field(min_length=1, max_length=20)] = "汉族"
    birth_date: dt.date
    phone: Annotated[str, Field(max_length=20)] = ""
    education: Education
    occupation: Occupation
    work_unit: Annotated[str, Field(max_length=120)] = ""
    applied_on: dt.date = Field(description="Step 1: the date of the written application.")
    note: Annotated[str, Field(max_length=500)] = ""


class CandidateUpdateIn(Schema):
    """Send only the fields to change; the others stay as they are."""

    model_config = ConfigDict(extra="forbid")

    organization: int = None
    id_number: IdNumber = None
    name: Name = None
    gender: Gender = None
    ethnicity: Annotated[str, Field(min_length=1, max_length=20)] = None
    birth_date: dt.date = None
    phone: Annotated[str, Field(max_length=20)] = None
    education: Education = None
    occupation: Occupation = None
    work_unit: Annotated[str, Field(max_length=120)] = None


class ExtensionIn(Schema):
    """延长预备期: once only, 6 to 12 months."""

    model_config = ConfigDict(extra="forbid")

    decided_on: dt.date
    months: int = Field(ge=1, le=24, description="6 to 12.")
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class WithdrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: dt.date
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class MilestoneIn(Schema):
    model_config = ConfigDict(extra="forbid")

    step: int = Field(ge=1, le=25, description="1–25 (steps 17 and 24 admit and convert).")
    date: dt.date
    note: Annotated[str, Field(max_length=500)] = ""
    hours: int | None = Field(None, ge=1, le=1000, description="Step 11: class hours.")
    sponsors: list[int] | None = Field(None, description="Step 9: the two sponsors' member "
                                                         "ids.")


class DecisionIn(Schema):
    """Admission (step 17) or conversion (step 24) approved by the higher committee."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    note: Annotated[str, Field(max_length=500)] = ""


class CandidateRefOut(Schema):
    id: int
    name: str
    organization: OrganizationRef


class DeadlineOut(Schema):
    candidate: CandidateRefOut
    rule: str
    title: str
    step: int
    due: dt.date
    due_kind: DueKind
    overdue: bool
    days: int = Field(description="Days left; negative when overdue.")


class DeadlinesOut(Schema):
    upcoming: list[DeadlineOut]
    missed: list[DeadlineOut]

