"""Time rules of member development (发展党员), as pure functions over plain values.

RULES Part A "Member development" and Part B §4.2 [reg: 发展党员工作细则 (2014), 党章]. Each
rule has a stable id, a translated statement and a check that takes the candidate's facts
and today's date and answers: not applicable yet, satisfied, pending (with the date it is
due, or the earliest date it can be met), or missed (and whether it is still open, i.e. the
step is overdue rather than recorded late).

Rules that describe what may not happen at all (too young, too early, untrained, sponsors
who are not full members, a second extension) are also enforced by the services, which
refuse such records; deadlines (talk, reviews, approvals) cannot be refused after the fact,
so a late record is kept and shown as missed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengling.core.lib.dates import add_months, add_years  # noqa: F401 (rules.add_months)

from . import steps as S

# 党章 第一条: at least 18 years old to apply.
MIN_AGE = 18
# 细则: the branch talks with the applicant within 1 month of receiving the application.
TALK_MONTHS = 1
# 细则: at least 1 year as an activist, counted from the committee naming them, before
# becoming a development target.
ACTIVIST_YEARS = 1
# 细则 + [local]: the branch reviews each activist every 6 months.
REVIEW_MONTHS = 6
# 细则: development targets trained at least 3 days or 24 学时 (recorded in 学时).
TRAINING_HOURS = 24
# 党章 第五条: two full members as sponsors (介绍人).
SPONSOR_COUNT = 2
# Political review valid 1 year [local, unconfirmed in RULES Part B §4.2].
POLITICAL_REVIEW_YEARS = 1
# 基层党委 approves an admission within 3 months of the branch meeting, 6 at most.
APPROVAL_MONTHS = 3
APPROVAL_MAX_MONTHS = 6
# 党章 第七条: probation 1 year from the branch meeting; 细则 第三十二条: extended once only,
# by 6 to 12 months.
PROBATION_YEARS = 1
EXTENSION_MIN_MONTHS = 6
EXTENSION_MAX_MONTHS = 12
MAX_EXTENSIONS = 1
# The 转正 approval within 3 months of the branch meeting that votes on it.
CONVERSION_APPROVAL_MONTHS = 3


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from `start` to `end` (an anniversary counts on its day)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def probation_end(branch_meeting: dt.date, extension_months: int = 0) -> dt.date:
    """The day probation is complete: 1 year after the branch meeting, plus any extension."""
    return add_months(add_years(branch_meeting, PROBATION_YEARS), extension_months)


class Status(models.TextChoices):
    NOT_APPLICABLE = "not_applicable", _("Not yet applicable")
    SATISFIED = "satisfied", _("Satisfied")
    PENDING = "pending", pgettext_lazy("deadline", "Pending")
    MISSED = "missed", _("Missed")


class DueKind(models.TextChoices):
    DEADLINE = "deadline", _("Due by")
    EARLIEST = "earliest", _("Possible from")


@dataclass(frozen=True)
class SponsorFact:
    """One sponsor as the rule needs them."""

    full_member: bool  # a full member (not probationary) on the day they were named
    same_branch: bool  # a member of the candidate's branch
    active: bool  # in good standing (normal, mobile or lost-contact status)


@dataclass(frozen=True)
class Facts:
    """What the rules look at: dates per step, and the extra data of some steps."""

    birth_date: dt.date
    dates: dict[int, dt.date]  # step → date (the first record of a repeatable step)
    reviews: tuple[dt.date, ...] = ()  # every record of step 6
    training_hours: int | None = None
    sponsors: tuple[SponsorFact, ...] = ()
    extension_months: tuple[int, ...] = ()

    def on(self, step: int) -> dt.date | None:
        return self.dates.get(step)

    @property
    def extension_total(self) -> int:
        return sum(self.extension_months)


@dataclass(frozen=True)
class Outcome:
    status: Status
    due: dt.date | None = None
    # Missed and still open: the step is overdue (as opposed to recorded late).
    overdue: bool = False


NA = Outcome(Status.NOT_APPLICABLE)


@dataclass(frozen=True)
class Rule:
    id: str
    title: Promise
    statement: Promise
    basis: str
    check: Callable[[Facts, dt.date], Outcome] = field(repr=False)
    # The step whose record meets the rule (its deadline names that step).
    step: int
    due_kind: DueKind = DueKind.DEADLINE


def _deadline(start: dt.date | None, done: dt.date | None, due: dt.date | None,
              today: dt.date) -> Outcome:
    """The common shape: from `start`, the step is due by `due`; recorded on `done`."""
    if start is None or due is None:
        return NA
    if done is not None:
        return Outcome(Status.SATISFIED if done <= due else Status.MISSED, due)
    if today <= due:
        return Outcome(Status.PENDING, due)
    return Outcome(Status.MISSED, due, overdue=True)


def check_age_at_application(f: Facts, today: dt.date) -> Outcome:
    applied = f.on(S.APPLICATION)
    if applied is None:
        return NA
    ok = years_between(f.birth_date, applied) >= MIN_AGE
    return Outcome(Status.SATISFIED if ok else Status.MISSED)


def check_talk(f: Facts, today: dt.date) -> Outcome:
    applied = f.on(S.APPLICATION)
    due = add_months(applied, TALK_MONTHS) if applied else None
    return _deadline(applied, f.on(S.TALK), due, today)


def check_activist_year(f: Facts, today: dt.date) -> Outcome:
    named = f.on(S.ACTIVIST)
    if named is None:
        return NA
    earliest = add_years(named, ACTIVIST_YEARS)
    target = f.on(S.TARGET)
    if target is not None:
        return Outcome(Status.SATISFIED if target >= earliest else Status.MISSED, earliest)
    return Outcome(Status.SATISFIED if today >= earliest else Status.PENDING, earliest)


def check_reviews(f: Facts, today: dt.date) -> Outcome:
    """Every 6 months from being named an activist until named a development target."""
    named = f.on(S.ACTIVIST)
    if named is None:
        return NA
    chain = sorted([named, *f.reviews])
    end = f.on(S.TARGET)
    points = [d for d in chain if end is None or d <= end]
    late = any(add_months(a, REVIEW_MONTHS) < b for a, b in zip(points, points[1:], strict=False))
    if end is not None:
        if add_months(points[-1], REVIEW_MONTHS) < end:
            late = True
        return Outcome(Status.MISSED if late else Status.SATISFIED)
    due = add_months(points[-1], REVIEW_MONTHS)
    if today > due:
        return Outcome(Status.MISSED, due, overdue=True)
    return Outcome(Status.MISSED if late else Status.PENDING, due)


def check_training(f: Facts, today: dt.date) -> Outcome:
    if f.on(S.TARGET) is None:
        return NA
    if f.on(S.TRAINING) is None:
        return Outcome(Status.PENDING)
    hours = f.training_hours or 0
    return Outcome(Status.SATISFIED if hours >= TRAINING_HOURS else Status.MISSED)


def sponsors_ok(sponsors: tuple[SponsorFact, ...]) -> bool:
    return len(sponsors) == SPONSOR_COUNT and all(
        s.full_member and s.same_branch and s.active for s in sponsors
    )


def check_sponsors(f: Facts, today: dt.date) -> Outcome:
    if f.on(S.TARGET) is None:
        return NA
    if f.on(S.SPONSORS) is None:
        return Outcome(Status.PENDING)
    return Outcome(Status.SATISFIED if sponsors_ok(f.sponsors) else Status.MISSED)


def check_political_review(f: Facts, today: dt.date) -> Outcome:
    reviewed = f.on(S.POLITICAL_REVIEW)
    due = add_years(reviewed, POLITICAL_REVIEW_YEARS) if reviewed else None
    return _deadline(reviewed, f.on(S.BRANCH_MEETING), due, today)


def check_admission_approval(f: Facts, today: dt.date) -> Outcome:
    meeting = f.on(S.BRANCH_MEETING)
    due = add_months(meeting, APPROVAL_MONTHS) if meeting else None
    return _deadline(meeting, f.on(S.ADMISSION_APPROVAL), due, today)


def check_probation(f: Facts, today: dt.date) -> Outcome:
    """The conversion vote comes when probation is complete, not before; after it the
    branch owes the vote (RULES warnings: probation ended without a conversion vote)."""
    meeting = f.on(S.BRANCH_MEETING)
    if meeting is None or f.on(S.ADMISSION_APPROVAL) is None:
        return NA
    end = probation_end(meeting, f.extension_total)
    vote = f.on(S.CONVERSION_MEETING)
    if vote is not None:
        return Outcome(Status.SATISFIED if vote >= end else Status.MISSED, end)
    if today <= end:
        return Outcome(Status.PENDING, end)
    return Outcome(Status.MISSED, end, overdue=True)


def extensions_ok(months: tuple[int, ...]) -> bool:
    return len(months) <= MAX_EXTENSIONS and all(
        EXTENSION_MIN_MONTHS <= m <= EXTENSION_MAX_MONTHS for m in months
    )


def check_extension(f: Facts, today: dt.date) -> Outcome:
    if not f.extension_months:
        return NA
    return Outcome(Status.SATISFIED if extensions_ok(f.extension_months) else Status.MISSED)


def check_conversion_approval(f: Facts, today: dt.date) -> Outcome:
    vote = f.on(S.CONVERSION_MEETING)
    due = add_months(vote, CONVERSION_APPROVAL_MONTHS) if vote else None
    return _deadline(vote, f.on(S.CONVERSION_APPROVAL), due, today)


RULES: tuple[Rule, ...] = (
    Rule("age_at_application", _("Age 18 or over"),
         _("The applicant is at least 18 years old on the day of the application."),
         "党章 第一条", check_age_at_application, S.APPLICATION),
    Rule("talk_within_one_month", _("Talk within 1 month"),
         _("The branch talks with the applicant within 1 month of the application."),
         "发展党员工作细则", check_talk, S.TALK),
    Rule("activist_review_every_six_months", _("Review every 6 months"),
         _("The branch reviews each activist at least every 6 months."),
         "发展党员工作细则", check_reviews, S.ACTIVIST_REVIEW),
    Rule("activist_one_year", _("Activist for 1 year"),
         _("An activist becomes a development target no earlier than 1 year after being "
           "named an activist."),
         "发展党员工作细则", check_activist_year, S.TARGET, DueKind.EARLIEST),
    Rule("two_full_member_sponsors", _("Two full-member sponsors"),
         _("Two sponsors, both full members (not probationary) of the candidate's branch."),
         "党章 第五条", check_sponsors, S.SPONSORS),
    Rule("training_hours", _("24 hours of training"),
         _("The development target is trained for at least 3 days or 24 class hours "
           "before admission."),
         "发展党员工作细则", check_training, S.TRAINING),
    Rule("political_review_valid", _("Political review within 1 year"),
         _("The branch meeting admits the candidate within 1 year of the political review "
           "(local practice)."),
         "[local]", check_political_review, S.BRANCH_MEETING),
    Rule("approval_within_three_months", _("Approval within 3 months"),
         _("The higher committee approves the admission within 3 months of the branch "
           "meeting (6 months at most in special cases)."),
         "发展党员工作细则", check_admission_approval, S.ADMISSION_APPROVAL),
    Rule("probation_one_year", _("Probation of 1 year"),
         _("Probation lasts 1 year from the branch meeting that admitted the member (plus "
           "any extension); the conversion vote comes when it ends."),
         "党章 第七条", check_probation, S.CONVERSION_MEETING),
    Rule("extension_once", _("At most one extension"),
         _("Probation may be extended once only, by 6 to 12 months."),
         "发展党员工作细则 第三十二条", check_extension, S.CONVERSION_MEETING),
    Rule("conversion_approval_within_three_months", _("Conversion approved within 3 months"),
         _("The higher committee approves the conversion within 3 months of the branch "
           "meeting's vote."),
         "发展党员工作细则", check_conversion_approval, S.CONVERSION_APPROVAL),
)

RULE_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
assert all(rid in RULE_BY_ID for step in S.STEPS for rid in step.rules)


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    outcome: Outcome

    @property
    def status(self) -> Status:
        return self.outcome.status

    @property
    def due(self) -> dt.date | None:
        return self.outcome.due

    @property
    def overdue(self) -> bool:
        return self.outcome.overdue


def evaluate(facts: Facts, today: dt.date) -> list[RuleResult]:
    """Every rule's outcome for one candidate, in the order of the table."""
    return [RuleResult(rule, rule.check(facts, today)) for rule in RULES]
