"""API schemas of the member lifecycle: status history, transfers, mobile and lost contact."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from ..models import MemberStatus
from .rules import ChangeKind, TransferDirection, TransferState


class Ref(Schema):
    id: int
    name: str


class StatusChangeOut(Schema):
    id: int
    kind: ChangeKind
    status: MemberStatus = Field(description="The member's status after this change.")
    effective_on: dt.date
    reason: str
    document: str
    transfer_id: int | None = None
    recorded_at: dt.datetime


ManualKind = Annotated[ChangeKind, Field(
    description="One of: reserved (保留党籍), stopped (停止党籍), restored (恢复党籍), withdrew "
    "(出党), removed (除名), expelled (开除党籍), deceased. Mobile, lost-contact and transfer "
    "changes come from their own records.")]
Text = Annotated[str, Field(max_length=2000)]


class StatusChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ManualKind
    effective_on: dt.date
    reason: Text = Field(description="Required.")
    document: Annotated[str, Field(max_length=120)] = ""


class TransferOut(Schema):
    id: int
    member: Ref
    direction: TransferDirection
    from_organization: Ref | None
    to_organization: Ref | None
    outside_unit: str
    letter_number: str
    issued_on: dt.date
    valid_until: dt.date
    state: TransferState = Field(
        description="`expired` is an issued letter past its validity (never stored).")
    overdue: bool
    reason: str
    decision_reason: str
    received_on: dt.date | None


LetterNumber = Annotated[str, Field(min_length=1, max_length=40)]
Unit = Annotated[str, Field(max_length=200)]


class TransferIssueIn(Schema):
    model_config = ConfigDict(extra="forbid")

    member: int
    to_organization: int | None = Field(
        None, description="Within the district: the receiving organization's id.")
    outside_unit: Unit = Field("", description="Out of the district: the receiving unit.")
    letter_number: LetterNumber
    issued_on: dt.date
    valid_until: dt.date | None = Field(
        None, description="Default 30 days after issue; at most 3 months.")
    reason: Text = ""


class TransferIncomingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    member: int = Field(description="A new record, or a member transferred out earlier.")
    to_organization: int
    outside_unit: Annotated[str, Field(min_length=1, max_length=200)]
    letter_number: LetterNumber
    issued_on: dt.date
    received_on: dt.date | None = None
    reason: Text = ""


class ReceiveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    received_on: dt.date | None = Field(None, description="Default today.")


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class MobileReportOut(Schema):
    year: int
    reported_on: dt.date
    summary: str


class MobileOut(Schema):
    id: int
    member: Ref
    destination: str
    since: dt.date
    contact: str
    certificate_number: str
    ended_on: dt.date | None
    last_report_on: dt.date | None = None
    report_due: dt.date


class MobileIn(Schema):
    model_config = ConfigDict(extra="forbid")

    member: int
    destination: Annotated[str, Field(min_length=1, max_length=200)]
    since: dt.date
    contact: Unit = ""
    certificate_number: Annotated[str, Field(max_length=40)] = ""


class MobileReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    year: int
    reported_on: dt.date
    summary: Text = ""


class MobileCloseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ended_on: dt.date


class LostOut(Schema):
    id: int
    member: Ref
    since: dt.date
    circumstances: str
    found_on: dt.date | None
    found_note: str
    effort_count: int = 0
    last_effort_on: dt.date | None = None
    stop_due: dt.date = Field(description="From this day the membership is to be stopped "
                              "(停止党籍, lost contact ≥6 months).")


class LostIn(Schema):
    model_config = ConfigDict(extra="forbid")

    member: int
    since: dt.date
    circumstances: Text = ""


class EffortIn(Schema):
    model_config = ConfigDict(extra="forbid")

    made_on: dt.date
    method: Annotated[str, Field(min_length=1, max_length=120)]
    outcome: Text = ""


class EffortOut(Schema):
    id: int
    made_on: dt.date
    method: str
    outcome: str


class FoundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    found_on: dt.date
    note: Text = ""
