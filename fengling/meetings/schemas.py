"""API schemas for meetings, attendance, sign-in, compliance and themed Party Days."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from .models import AttendanceStatus, MeetingKind, MeetingState


class Ref(Schema):
    id: int
    name: str


class MeetingOut(Schema):
    """One meeting in a list."""

    id: int
    organization: Ref
    kind: MeetingKind
    state: MeetingState
    topic: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online: bool
    expected_count: int = Field(0, description="Members who should attend.")
    present_count: int = Field(0, description="Members present.")


class MeetingDetailOut(MeetingOut):
    host: Ref | None
    recorder: Ref | None
    agenda: str
    minutes: str
    resolutions: str
    cancel_reason: str
    theme_id: int | None
    template_id: int | None
    closed_at: dt.datetime | None
    signin_url: str = Field("", description="The sign-in link behind the QR code; only for "
                                            "those who may change the meeting.")
    can_write: bool = True


Topic = Annotated[str, Field(min_length=1, max_length=200)]
Place = Annotated[str, Field(max_length=200)]


class MeetingCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organization: int
    kind: MeetingKind
    topic: Topic
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: Place = ""
    online: bool = False
    host: int | None = Field(None, description="A member id.")
    recorder: int | None = Field(None, description="A member id.")
    agenda: str = ""
    minutes: str = ""
    resolutions: str = ""


class MeetingUpdateIn(Schema):
    """Send only the fields to change."""

    model_config = ConfigDict(extra="forbid")

    kind: MeetingKind = None
    topic: Topic = None
    starts_at: dt.datetime = None
    ends_at: dt.datetime = None
    place: Place = None
    online: bool = None
    host: int | None = None
    recorder: int | None = None
    agenda: str = None
    minutes: str = None
    resolutions: str = None


class StateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    state: MeetingState
    reason: str = Field("", max_length=200, description="Required to cancel.")


class AttendanceOut(Schema):
    member: Ref
    status: AttendanceStatus
    reason: str
    signed_in_at: dt.datetime | None


class AttendanceItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    member: int
    status: AttendanceStatus
    reason: str = Field("", max_length=200, description="Required for leave.")


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    items: list[AttendanceItemIn]


class AttendanceSetOut(Schema):
    changed: int


class SigninIn(Schema):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=64, description="The meeting's sign-in token "
                                                                "(from its QR code).")


class SigninOut(Schema):
    meeting: int
    status: AttendanceStatus
    signed_in_at: dt.datetime


class ComplianceCell(Schema):
    kind: MeetingKind
    required: int = Field(description="Periods due in the range (whole periods that are over).")
    met: int = Field(description="Of those, periods in which it was held as required.")
    held: int = Field(description="Meetings of this kind held in the range.")


class ComplianceRowOut(Schema):
    organization: Ref
    organizations: int = Field(description="Organizations counted (those RULES asks of).")
    cells: list[ComplianceCell]


class ComplianceOut(Schema):
    start: dt.date
    end: dt.date
    own: ComplianceRowOut | None
    children: list[ComplianceRowOut]
    total: ComplianceRowOut


class PartyDayIn(Schema):
    model_config = ConfigDict(extra="forbid")

    organization: int = Field(description="A branch or general branch.")
    month: dt.date = Field(description="Any day of the month.")
    theme: int
    template: int


class PartyDayOut(Schema):
    created: bool
    meeting: MeetingDetailOut


class LibraryItemOut(Schema):
    id: int
    name: str
