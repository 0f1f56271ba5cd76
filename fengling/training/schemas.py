"""API schemas of the training module: separate input and output shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from .models import CourseKind, PlacementKind, ReportKind, ReportStatus, StudyKind


class Ref(Schema):
    id: int
    name: str


class CourseOut(Schema):
    id: int
    kind: CourseKind
    title: str
    description: str
    organization: Ref
    starts_on: dt.date
    ends_on: dt.date | None
    certifies: bool = Field(description="Passing its exam earns the 红领学院 certificate.")


class CourseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organization: int = Field(description="The organizing organization's id.")
    kind: CourseKind
    title: Annotated[str, Field(min_length=1, max_length=120)]
    description: str = ""
    starts_on: dt.date
    ends_on: dt.date | None = None
    certifies: bool | None = Field(None, description="Default: true for 红领学院 courses.")


class SessionOut(Schema):
    id: int
    course_id: int
    title: str
    starts_at: dt.datetime
    hours: Decimal
    place: str
    speaker: str


class SessionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=120)]
    starts_at: dt.datetime
    hours: Decimal = Field(description="0.5 to 12, in half hours.")
    place: Annotated[str, Field(max_length=120)] = ""
    speaker: Annotated[str, Field(max_length=60)] = ""


class EnrolIn(Schema):
    model_config = ConfigDict(extra="forbid")

    members: list[int] = Field(description="Member ids of the organizing subtree.")


class EnrolOut(Schema):
    added: int


class AttendanceRow(Schema):
    member: Ref
    present: bool | None = Field(description="None: not recorded yet.")


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    present: list[int] = Field(
        description="Enrolled members who were present; every other enrolled member is "
        "recorded absent. Sending it again replaces the marks.")


class AttendanceOut(Schema):
    present: int
    absent: int


def _tenths(value) -> Decimal:
    """Hours always with one decimal place ("3.0"), whatever the database returned."""
    return Decimal(str(value)).quantize(Decimal("0.1"))


class MemberHoursOut(Schema):
    id: int
    name: str
    organization: Ref
    attended: Decimal = Field(description="Hours from sessions attended.")
    studied: Decimal = Field(description="Hours of approved own study.")
    done: Decimal
    required: Decimal = Field(description="32, or 56 for secretaries and committee members "
                              "(data: StudyRequirement).")

    _hours = field_validator("attended", "studied", "done", "required")(_tenths)


class HoursRollupOut(Schema):
    organization: Ref
    members: int
    met: int = Field(description="Members who reached their required hours.")
    hours: Decimal

    _hours = field_validator("hours")(_tenths)


class StudyRecordIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: StudyKind
    title: Annotated[str, Field(min_length=1, max_length=120)]
    studied_on: dt.date
    hours: Decimal


class StudyRecordOut(Schema):
    id: int
    member_id: int
    kind: StudyKind
    title: str
    studied_on: dt.date
    hours: Decimal
    status: str
    review_comment: str


class CertificateOut(Schema):
    id: int
    number: str = Field(description="HL-<year>-<6-digit sequence>, unique.")
    member: Ref
    course: Ref
    title: str
    issued_on: dt.date
    expires_on: dt.date
    revoked: bool

    @staticmethod
    def resolve_course(obj) -> dict:
        return {"id": obj.course_id, "name": obj.course.title}


class RevokeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=200)]


class CertificationOut(Schema):
    member: Ref
    organization: Ref
    status: Literal["certified", "expiring", "expired", "uncertified"]
    valid_until: dt.date | None
    certificate_id: int | None


class PlacementOut(Schema):
    id: int
    member: Ref
    kind: PlacementKind
    counterpart: str
    counterpart_unit: str
    starts_on: dt.date
    ends_on: dt.date | None


class ReportOut(Schema):
    id: int
    member: Ref
    kind: ReportKind
    year: int
    title: str
    body: str
    status: ReportStatus
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_comment: str


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ReportKind
    year: Annotated[int, Field(ge=2000, le=2100)]
    title: Annotated[str, Field(min_length=1, max_length=120)]
    body: Annotated[str, Field(min_length=1)]
    member: int | None = Field(None, description="The author; default: yourself.")


class ReportActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["submit", "accept", "return"]
    comment: str = ""
