"""API schemas of the cockpit (驾驶舱): the same figures as the page, each with its link."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

LINK = "The page listing the rows behind this figure (scoped like every page)."


class CockpitOrganization(Schema):
    id: int
    name: str
    kind: str
    kind_label: str


class MemberFigures(Schema):
    active: int = Field(description="Active members (not stopped, deceased or transferred out).")
    full: int
    probationary: int
    url: str = Field(description=LINK)
    full_url: str
    probationary_url: str


class KindCount(Schema):
    kind: str
    label: str
    count: int
    url: str = Field(description=LINK)


class OrganizationFigures(Schema):
    total: int = Field(description="Organizations in the subtree, the organization included.")
    by_kind: list[KindCount]


class LevelCount(Schema):
    level: str = Field(description="red, yellow or upcoming (a look-ahead).")
    label: str
    count: int
    url: str = Field(description=LINK)


class RuleCount(Schema):
    rule: str = Field(description="The rule's id (docs/alerts.md).")
    title: str
    level: str
    count: int
    url: str = Field(description=LINK)


class WarningFigures(Schema):
    open: int
    url: str
    by_level: list[LevelCount]
    by_rule: list[RuleCount]


class MeetingFigures(Schema):
    required: int = Field(description="Meeting periods due this year (三会一课 and the rest).")
    met: int
    rate: float | None = Field(description="met / required in percent; null when none due.")
    url: str = Field(description=LINK)


class DuesFigures(Schema):
    amount_due: str = Field(description="Yuan due from January to this month (decimal).")
    amount_paid: str
    rate: float | None = Field(description="Paid share of the amount due, in percent.")
    url: str = Field(description=LINK)


class StudyFigures(Schema):
    members: int
    met: int = Field(description="Members whose study hours this year reach the requirement.")
    rate: int | None
    average_hours: float | None
    required_member: float
    required_leader: float
    url: str = Field(description=LINK)
    behind_url: str


class CaseFigures(Schema):
    open: int = Field(description="Rectification cases not closed.")
    overdue: int = Field(description="Not closed and past the deadline.")
    url: str = Field(description=LINK)
    overdue_url: str


class Indicator(Schema):
    key: str
    label: str
    better: str | None = Field(description="higher, lower, or null (not coloured).")


class Cell(Schema):
    key: str
    value: float | None
    score: float | None = Field(description="0 (needs attention) to 1 (good): the colour.")


class GridOrganization(Schema):
    id: int
    name: str
    url: str = Field(description="That organization's cockpit.")


class GridRow(Schema):
    organization: GridOrganization
    cells: list[Cell]


class Grid(Schema):
    indicators: list[Indicator]
    rows: list[GridRow] = Field(description="One row per organization directly below.")


class Series(Schema):
    key: str
    label: str
    unit: str = Field(description="count, percent or hours.")
    values: list[float | None]
    urls: list[str] = Field(description="For each month, the rows behind the point.")


class TrendRow(Schema):
    month: str
    values: list[float | None]


class Trends(Schema):
    months: list[str] = Field(description="The last 12 months, YYYY-MM, this month last.")
    series: list[Series]
    rows: list[TrendRow]


class CockpitOut(Schema):
    organization: CockpitOrganization
    as_of: dt.date
    year: int
    members: MemberFigures
    organizations: OrganizationFigures
    warnings: WarningFigures
    meetings: MeetingFigures
    dues: DuesFigures
    study: StudyFigures
    cases: CaseFigures
    grid: Grid
    trends: Trends
    compute_ms: float = Field(description="Time taken to compute the figures (before caching).")
