"""API schemas for evaluation: appraisal sessions, ballots, stars and funding."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from .models import SessionState
from .rules import Grade, Handling


class Ref(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    organization: Ref
    year: int
    state: SessionState
    no_spread: bool
    decided_on: dt.date | None = None
    participants_count: int = 0
    graded_count: int = 0
    voted_count: int = 0


class SessionOpenIn(Schema):
    organization: int
    year: int


class TallyOut(Schema):
    participant: int
    member: Ref
    probationary: bool
    self_assessment: str
    counts: dict[str, int]
    peer_grade: str
    proposed_grade: str
    grade: str


class SessionDetailOut(SessionOut):
    participants: list[TallyOut]


class GradeIn(Schema):
    participant: int
    grade: Grade


class HandlingIn(Schema):
    participant: int
    action: Handling
    reasons: str
    due_on: dt.date | None = None


class ProposeIn(Schema):
    grades: list[GradeIn]


class DecideIn(Schema):
    grades: list[GradeIn]
    handlings: list[HandlingIn] = []


class BallotIn(Schema):
    grades: list[GradeIn]


class SelfAssessmentIn(Schema):
    text: str


class VotedOut(Schema):
    voted: bool
