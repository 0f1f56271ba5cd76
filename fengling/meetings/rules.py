"""Rules of organizational life (三会一课 and 主题党日) as data and pure functions.

Everything here takes plain values (dates, counts, strings) and is table-tested in
tests/test_rules.py. Sources: RULES.md Part A "Organizational life (支部工作条例)" and Part B §2.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengling.core.lib.dates import month_end, month_start  # noqa: F401 (rules.month_start)
from fengling.organizations.kinds import OrgKind


class MeetingKind(models.TextChoices):
    """The kinds of organizational life (三会一课 and the rest, RULES Part A)."""

    GENERAL_ASSEMBLY = "general_assembly", _("Branch general assembly")  # 支部党员大会
    COMMITTEE = "committee", _("Branch committee meeting")  # 支委会
    GROUP = "group", _("Party group meeting")  # 党小组会
    LECTURE = "lecture", _("Party lecture")  # 党课
    PARTY_DAY = "party_day", _("Themed Party Day")  # 主题党日
    LIFE_MEETING = "life_meeting", _("Organizational life meeting")  # 组织生活会
    APPRAISAL = "appraisal", _("Democratic appraisal session")  # 民主评议党员
    HEART_TALK = "heart_talk", _("Heart-to-heart talk")  # 谈心谈话


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTIFIED = "notified", _("Notified")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# --- The state machine (declared in one place) ----------------------------------------------
# planned → notified → held; planned → held (recording a meeting after the fact);
# planned/notified → cancelled. Held and cancelled are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingState.PLANNED: frozenset({MeetingState.NOTIFIED, MeetingState.HELD,
                                     MeetingState.CANCELLED}),
    MeetingState.NOTIFIED: frozenset({MeetingState.HELD, MeetingState.CANCELLED}),
    MeetingState.HELD: frozenset(),
    MeetingState.CANCELLED: frozenset(),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


# States in which the meeting is still open: attendance may be synced and sign-in accepted.
OPEN_STATES = (MeetingState.PLANNED, MeetingState.NOTIFIED)


# --- Required frequencies (支部工作条例; RULES Part A) ------------------------------------


class Period(models.TextChoices):
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    YEAR = "year", _("year")


@dataclass(frozen=True)
class Requirement:
    kind: str
    period: str
    times: int = 1


# What each kind of organization must hold, at least `times` in every `period`.
# RULES Part A: 支部党员大会 once a quarter; 支委会 once a month; 党小组会 once a month; 党课
# once a quarter (customary, Part B §2); 主题党日 once a month on a fixed day; 组织生活会 at least
# once a year; 民主评议党员 once a year; 谈心谈话 at least once a year (RULES: "between each
# pair"; here counted per organization, not per pair — a documented simplification).
_BRANCH_REQUIREMENTS = (
    Requirement(MeetingKind.GENERAL_ASSEMBLY, Period.QUARTER),
    Requirement(MeetingKind.COMMITTEE, Period.MONTH),
    Requirement(MeetingKind.LECTURE, Period.QUARTER),
    Requirement(MeetingKind.PARTY_DAY, Period.MONTH),
    Requirement(MeetingKind.LIFE_MEETING, Period.YEAR),
    Requirement(MeetingKind.APPRAISAL, Period.YEAR),
    Requirement(MeetingKind.HEART_TALK, Period.YEAR),
)
REQUIREMENTS: dict[str, tuple[Requirement, ...]] = {
    OrgKind.BRANCH: _BRANCH_REQUIREMENTS,
    # A general branch (总支) holds its general assembly and committee like a branch.
    OrgKind.GENERAL_BRANCH: _BRANCH_REQUIREMENTS,
    # 党小组会 once a month: the Party group is its own node in the tree.
    OrgKind.PARTY_GROUP: (Requirement(MeetingKind.GROUP, Period.MONTH),),
}

# Organization kinds that hold themed Party Days (the one-click button and pushes reach them).
PARTY_DAY_ORG_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)

# RULES: 主题党日 "on a relatively fixed day" of the month, no number given; the default is the
# 15th (an organization sets its own day, 1–31; short months use their last day).
DEFAULT_PARTY_DAY = 15


def requirements_for(org_kind: str) -> tuple[Requirement, ...]:
    return REQUIREMENTS.get(org_kind, ())


def party_day_date(month: dt.date, day_of_month: int) -> dt.date:
    """The branch's fixed day in `month`; a day past the month's end becomes its last day."""
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(max(day_of_month, 1), last))


def period_of(day: dt.date, period: str) -> dt.date:
    """The first day of the `period` that contains `day` (its key)."""
    if period == Period.MONTH:
        return day.replace(day=1)
    if period == Period.QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return dt.date(day.year, 1, 1)


def _period_end(start: dt.date, period: str) -> dt.date:
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


@functools.lru_cache(maxsize=256)
def due_periods(start: dt.date, end: dt.date, period: str, today: dt.date
                ) -> tuple[dt.date, ...]:
    """The periods (as their first days) that lie wholly inside [start, end] and are over
    by `today`: only those can be judged. A period still running is not yet due. (Cached:
    a district report asks the same question for each of its thousands of branches.)"""
    periods = []
    current = period_of(start, period)
    if current < start:
        current = _period_end(current, period) + dt.timedelta(days=1)
    while True:
        last = _period_end(current, period)
        if last > end or last >= today:
            break
        periods.append(current)
        current = last + dt.timedelta(days=1)
    return tuple(periods)


@dataclass(frozen=True)
class KindCompliance:
    kind: str
    period: str
    required: int  # periods due in the range (× times)
    met: int  # of those, periods in which it was held often enough
    held: int  # meetings held in the whole range

    @property
    def ok(self) -> bool:
        return self.met >= self.required


def compliance_for(org_kind: str, held_by_kind_month: dict[tuple[str, dt.date], int],
                   start: dt.date, end: dt.date, today: dt.date) -> list[KindCompliance]:
    """Compare what RULES requires of `org_kind` with what was held.

    `held_by_kind_month` counts held meetings per (meeting kind, first day of month).
    """
    result = []
    months_of: dict[str, list[tuple[dt.date, int]]] = {}
    for (kind, month), n in held_by_kind_month.items():
        if start <= month <= end:
            months_of.setdefault(kind, []).append((month, n))
    for req in requirements_for(org_kind):
        per_period: dict[dt.date, int] = {}
        held = 0
        for month, n in months_of.get(req.kind, ()):
            held += n
            key = period_of(month, req.period)
            per_period[key] = per_period.get(key, 0) + n
        due = due_periods(start, end, req.period, today)
        met = sum(1 for p in due if per_period.get(p, 0) >= req.times)
        result.append(KindCompliance(req.kind, req.period, len(due), met, held))
    return result


# --- Quorum of a general assembly (RULES Part A; 支部工作条例) ----------------------------


@dataclass(frozen=True)
class VoteResult:
    quorate: bool
    passed: bool


def quorum_reached(full_members: int, full_present: int) -> bool:
    """A 党员大会 vote needs more than half of the voting (full) members present."""
    return full_members > 0 and full_present * 2 > full_members


def vote_outcome(full_members: int, full_present: int, votes_for: int) -> VoteResult:
    """Quorate if more than half of the full members are present; passed if, besides, more
    than half of the full members who should attend vote for it (RULES Part A)."""
    quorate = quorum_reached(full_members, full_present)
    return VoteResult(quorate=quorate, passed=quorate and votes_for * 2 > full_members)


# --- Sign-in window --------------------------------------------------------------------------


def signin_window(starts_at: dt.datetime, ends_at: dt.datetime, *, opens_before_minutes: int,
                  closes_after_minutes: int) -> tuple[dt.datetime, dt.datetime]:
    return (starts_at - dt.timedelta(minutes=opens_before_minutes),
            ends_at + dt.timedelta(minutes=closes_after_minutes))
