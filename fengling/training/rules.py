"""Study and training rules as plain values and pure functions (tested with tables).

Sources: RULES.md Part A "Study" (党员教育管理工作条例 2019): every member ≥32 学时 a year,
branch secretaries and committee members (基层党组织书记和班子成员) ≥56. The numbers live in
`StudyRequirement` rows with an effective year; `DEFAULT_REQUIREMENTS` seeds them.
红领学院 (the seed): party workers pass the academy's course and get a qualification
certificate, 持证上岗. Validity and the warning window are local choices [local].
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# 党员教育管理工作条例 (2019) 第十四条: ≥32 学时 for members; ≥56 for secretaries and
# committee members. (effective_year, group, hours)
DEFAULT_REQUIREMENTS: tuple[tuple[int, str, Decimal], ...] = (
    (2019, "member", Decimal("32")),
    (2019, "leader", Decimal("56")),
)

# [local] a 红领学院 certificate is valid for 3 years; "expiring" 90 days before the end.
CERTIFICATE_VALID_YEARS = 3
EXPIRING_WITHIN_DAYS = 90

CERTIFICATE_PREFIX = "HL"
CERTIFICATE_RE = re.compile(r"^HL-(\d{4})-(\d{6})$")


@dataclass(frozen=True)
class Requirement:
    effective_year: int
    group: str
    hours: Decimal


def required_hours(rows: Iterable[Requirement], year: int, group: str) -> Decimal | None:
    """The hours `group` must study in `year`: the latest row effective by then (None if
    no row applies yet)."""
    best: Requirement | None = None
    for row in rows:
        if row.group == group and row.effective_year <= year and (
            best is None or row.effective_year > best.effective_year
        ):
            best = row
    return best.hours if best is not None else None


def requirement_group(is_leader: bool) -> str:
    """Secretaries and committee members (班子成员) are 'leader'; everyone else 'member'."""
    return "leader" if is_leader else "member"


class ScoreError(ValueError):
    """A score outside 0 … full marks."""


def exam_passed(score: Decimal, pass_mark: Decimal, max_score: Decimal) -> bool:
    """A score at or above the pass mark passes. Raises ScoreError outside 0 … full marks."""
    if score < 0 or score > max_score:
        raise ScoreError(score)
    return score >= pass_mark


def certificate_number(year: int, sequence: int) -> str:
    """`HL-2026-000123`: prefix, year of issue, the year's sequence (6 digits, from 1)."""
    if not 1 <= sequence <= 999_999:
        raise ValueError("certificate sequence out of range")
    return f"{CERTIFICATE_PREFIX}-{year:04d}-{sequence:06d}"


def parse_certificate_number(number: str) -> tuple[int, int] | None:
    match = CERTIFICATE_RE.match(number)
    return (int(match[1]), int(match[2])) if match else None


def certificate_expiry(issued_on: dt.date, years: int = CERTIFICATE_VALID_YEARS) -> dt.date:
    """The last day a certificate is valid: the day before the anniversary of issue."""
    try:
        anniversary = issued_on.replace(year=issued_on.year + years)
    except ValueError:  # issued on 29 February: the anniversary is 1 March
        anniversary = dt.date(issued_on.year + years, 3, 1)
    return anniversary - dt.timedelta(days=1)


CERTIFIED = "certified"
EXPIRING = "expiring"
EXPIRED = "expired"
UNCERTIFIED = "uncertified"


def certification_status(expires_on: dt.date | None, today: dt.date,
                         within_days: int = EXPIRING_WITHIN_DAYS) -> str:
    """持证上岗 status from the latest valid-until date of a worker's certificates."""
    if expires_on is None:
        return UNCERTIFIED
    if expires_on < today:
        return EXPIRED
    if (expires_on - today).days < within_days:
        return EXPIRING
    return CERTIFIED


# Report workflow (述职 / 调研报告), declared once: (state, action) → new state.
REPORT_TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("submitted", "accept"): "reviewed",
    ("submitted", "return"): "returned",
}
# Who acts: the author submits; a reviewer (write scope, not the author) accepts or returns.
AUTHOR_ACTIONS = frozenset({"submit"})
REVIEWER_ACTIONS = frozenset({"accept", "return"})


def report_next_state(state: str, action: str) -> str | None:
    return REPORT_TRANSITIONS.get((state, action))
