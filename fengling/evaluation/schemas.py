"""API schemas for evaluation: appraisal sessions, ballots, stars and funding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .models import RatingState, SessionState
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
    counts: dict[str, int | None] = Field(
        description="Peer ballots per grade; null while voting goes on and not everyone has "
                    "voted (live counts would reveal how the latest voter voted).")
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


class RatingOut(Schema):
    id: int
    organization: Ref
    year: int
    kind: str
    state: RatingState
    self_score: Decimal
    score: Decimal | None = None
    proposed_stars: int | None = None
    stars: int | None = None
    cap_reason: str
    notice_from: dt.date | None = None
    notice_until: dt.date | None = None
    filed_on: dt.date | None = None


class PointOut(Schema):
    criterion: str
    part: str
    max_points: Decimal
    points: Decimal
    evidence: str
    computed: bool


class RatingDetailOut(RatingOut):
    basic: Decimal | None = None
    deductions: Decimal | None = None
    appraisal: Decimal | None = None
    points: list[PointOut]


class SelfReviewIn(Schema):
    organization: int
    year: int
    self_score: Decimal
    note: str = ""


class EntryIn(Schema):
    criterion: int
    points: Decimal
    evidence: str


class ScoreIn(Schema):
    entries: list[EntryIn]


class UnitIn(Schema):
    unit: int
    year: int
    kind: str
    notice_from: dt.date | None = None


class CountOut(Schema):
    count: int


class AllocationOut(Schema):
    organization_id: int
    name: str
    kind: str
    stars: int
    amount: Decimal


class StreetOut(Schema):
    name: str
    organizations: int
    amount: Decimal


class BudgetOut(Schema):
    fund: str
    amount: Decimal
    allocated: Decimal
    disbursed: Decimal
    remaining: Decimal


class FundingOut(Schema):
    year: int
    total: Decimal
    allocations: list[AllocationOut]
    streets: list[StreetOut]
    budget: list[BudgetOut]
    seed_total: Decimal
    seed_figure: Decimal


class CreditOut(Schema):
    month: dt.date
    item: str
    dimension: str
    points: Decimal
    record: str
    evidence: str
    status: str


class MemberIndexOut(Schema):
    member: int
    year: int
    total: Decimal
    rank: int | None = None
    credits: list[CreditOut]


# --- The annual 软弱涣散 designation --------------------------------------------------------


class DesignationEventOut(Schema):
    state: str
    text: str
    on: dt.date
    actor: str | None = None


class DesignationOut(Schema):
    id: int
    organization: Ref
    year: int
    situation: str
    reason: str
    state: str
    triggers: list[str]
    score: int | None = None
    case: int | None = None
    case_state: str | None = None
    case_deadline: dt.date | None = None
    entered_on: dt.date | None = None
    exited_on: dt.date | None = None


class DesignationDetailOut(DesignationOut):
    events: list[DesignationEventOut]


class DesignationIn(Schema):
    organization: int
    year: int
    situation: str
    reason: str
    plan: str
    deadline: dt.date


class DesignationExitIn(Schema):
    text: str = ""


class ProposalRowOut(Schema):
    organization: Ref
    basis: str
    rank: int
    score: int
    triggers: list[str]
    red: int
    yellow: int
    overdue_cases: int
    stars: int | None = None
    designation: int | None = None


class ProposalOut(Schema):
    unit: Ref
    year: int
    total: int
    min_percent: int
    max_percent: int
    lo: int
    hi: int
    over_band: bool
    rows: list[ProposalRowOut]
# --- Rankings, distributions, org scores, star map (issue 6) --------------------------------


class MemberRankOut(Schema):
    rank: int
    member: Ref
    organization: Ref
    total: Decimal


class MemberRankingOut(Schema):
    """A page of members ranked by their index: `rank` is held in the whole list (ties
    share a rank), also under a search or a band."""

    organization: Ref
    year: int
    half: int | None = None
    dimension: str
    count: int
    items: list[MemberRankOut]


class BandOut(Schema):
    low: Decimal
    high: Decimal | None = None  # None: the last band is open-ended
    count: int


class DistributionOut(Schema):
    dimension: str  # "" for the whole index
    width: Decimal
    members: int
    bands: list[BandOut]


class DistributionsOut(Schema):
    organization: Ref
    year: int
    half: int | None = None
    distributions: list[DistributionOut]


class OrgScoreOut(Schema):
    """An organization's score: published ratings as filed (`published`), the others
    computed from the records (`missing`: manual criteria not entered, counted 0;
    `carried`: manual criteria not entered this year, counted with last year's filed
    points)."""

    organization: Ref
    kind: str
    score: Decimal
    basic: Decimal
    deductions: Decimal
    appraisal: Decimal
    proposed_stars: int
    stars: int
    cap_reason: str
    state: str
    published: bool
    rating: int | None = None
    points: dict[str, Decimal]
    missing: list[str]
    carried: list[str] = []


class OrgScoresOut(Schema):
    organization: Ref
    year: int
    count: int
    items: list[OrgScoreOut]


class StreetStarsOut(Schema):
    street: Ref | None = None
    path: str
    counts: dict[int, int]
    total: int


class StarMapOut(Schema):
    organization: Ref
    year: int
    kind: str
    streets: list[StreetStarsOut]
