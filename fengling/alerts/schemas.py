"""API schemas of warnings, rectification cases and scans."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from .models import CaseState, EventKind, Level, WarningState


class Ref(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    username: str


class EvidenceOut(Schema):
    text: str
    url: str = Field(description="A page of the row behind the warning (may be empty).")


class WarningOut(Schema):
    id: int
    rule: str = Field(description="The rule's id (see docs/alerts.md).")
    level: Level = Field(description="`upcoming` is a look-ahead, before the breach.")
    title: str
    message: str = Field(description="In the request's language.")
    organization: Ref
    member: Ref | None = None
    state: WarningState
    first_seen: dt.date
    last_seen: dt.date
    resolved_on: dt.date | None = None


class WarningDetailOut(WarningOut):
    evidence: list[EvidenceOut]
    source: str = Field(description="The regulation or local rule it encodes.")
    cases: list[int] = Field(description="Ids of the rectification cases opened from it.")


class CaseOut(Schema):
    id: int
    title: str
    organization: Ref
    warning: int | None = Field(None, description="The warning it came from.")
    responsible: UserRef
    plan: str
    deadline: dt.date
    state: CaseState
    escalation: int = Field(description="Levels above the reviewing level it was escalated.")
    closed_on: dt.date | None = None


class CaseEventOut(Schema):
    id: int
    kind: EventKind
    text: str
    actor: UserRef | None = None
    created_at: dt.datetime


class CaseDetailOut(CaseOut):
    events: list[CaseEventOut]


Text = Annotated[str, Field(max_length=4000)]


class CaseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    warning: int | None = Field(None, description="Open the case from this warning.")
    organization: int | None = Field(
        None, description="Without a warning: the organization to rectify.")
    responsible: int = Field(description="A user who may work on the organization.")
    title: Annotated[str, Field(max_length=200)] = ""
    plan: Text
    deadline: dt.date


class CaseUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    responsible: int | None = None
    plan: Text | None = None
    deadline: dt.date | None = None


class ProgressIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: Text
    submit: bool = Field(False, description="Ask the level above to review and close.")


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "reopen"]
    text: Text = ""
    deadline: dt.date | None = Field(None, description="Reopening: a new deadline.")


class ScanOut(Schema):
    day: dt.date | None = Field(None, description="The date of the latest scan.")
    finished_at: dt.datetime | None = None
    opened: int | None = Field(None, description="Warnings the latest scan opened in the "
                               "district; for a scope that is the whole district only.")
    resolved: int | None = Field(None, description="Warnings it resolved (whole district "
                                 "only).")
    escalated: int | None = Field(None, description="Cases it escalated (whole district "
                                  "only).")
    by_rule: dict[str, int] = Field(default_factory=dict,
                                    description="Open warnings in your scope, by rule.")
    open_by_level: dict[str, int] = Field(description="Open warnings in your scope.")
