"""Scoped reads of member development: the pipeline, a candidate's file, the deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch

from fengling.core.scoping import guard, scope_of
from fengling.members.models import ACTIVE_STATUSES, Member, Membership
from fengling.organizations.models import Organization

from . import rules
from . import steps as S
from .models import Candidate, Milestone, ProbationExtension, Progress

DEADLINE_WINDOW_DAYS = 30


def access_candidate(user, pk, write: bool = False) -> Candidate:
    """The candidate `pk` if `user` may see it (404 otherwise; 403 if write is refused)."""
    return guard(Candidate.objects.select_related("organization", "member"), user, pk,
                 write=write)


def _with_files(qs):
    """Candidates with what their rules need: milestones (with sponsors) and extension."""
    return qs.select_related("organization", "extension").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.order_by("step", "date", "id")
                 .prefetch_related(Prefetch(
                     "sponsors", queryset=Member.objects.only(
                         "id", "name", "organization_id", "membership", "conversion_date",
                         "status")))),
    )


def facts_of(candidate: Candidate) -> rules.Facts:
    """The plain facts the rules read, from a candidate loaded by `_with_files`."""
    milestones = list(candidate.milestones.all())
    dates: dict[int, dt.date] = {}
    reviews = []
    hours = None
    sponsors: tuple[rules.SponsorFact, ...] = ()
    for m in sorted(milestones, key=lambda m: (m.step, m.date)):
        dates.setdefault(m.step, m.date)
        if m.step == S.ACTIVIST_REVIEW:
            reviews.append(m.date)
        elif m.step == S.TRAINING:
            hours = m.hours
        elif m.step == S.SPONSORS:
            sponsors = tuple(
                rules.SponsorFact(
                    full_member=s.membership == Membership.FULL
                    and s.conversion_date is not None and s.conversion_date <= m.date,
                    same_branch=s.organization_id == candidate.organization_id,
                    active=s.status in ACTIVE_STATUSES,
                )
                for s in m.sponsors.all()
            )
    extension = _extension(candidate)
    return rules.Facts(
        birth_date=candidate.birth_date, dates=dates, reviews=tuple(reviews),
        training_hours=hours, sponsors=sponsors,
        extension_months=(extension.months,) if extension else (),
    )


def _extension(candidate: Candidate) -> ProbationExtension | None:
    try:
        return candidate.extension
    except ProbationExtension.DoesNotExist:
        return None


def progress_of(candidate: Candidate, recorded: set[int]) -> Progress:
    if candidate.withdrawn_on:
        return Progress.WITHDRAWN
    if S.ARCHIVED in recorded:
        return Progress.COMPLETED
    return Progress.ACTIVE


# --- The pipeline board -----------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateFilters:
    organization: Organization | None = None  # its whole subtree
    stage: int | None = None
    search: str = ""
    progress: str = Progress.ACTIVE  # "" for every candidate


def candidate_list(user, filters: CandidateFilters | None = None):
    """Candidates in `user`'s scope, annotated with `last_step` and `stage`."""
    f = filters or CandidateFilters()
    qs = Candidate.objects.visible_to(user)
    if f.organization is not None:
        qs = qs.in_subtree(f.organization.path)
    if f.search:
        qs = qs.search(f.search)
    if f.progress == Progress.ACTIVE:
        qs = qs.active()
    elif f.progress == Progress.WITHDRAWN:
        qs = qs.filter(withdrawn_on__isnull=False)
    elif f.progress == Progress.COMPLETED:
        qs = qs.filter(milestones__step=S.ARCHIVED)
    qs = qs.with_stage()
    if f.stage:
        qs = qs.filter(stage=f.stage)
    return qs.select_related("organization").order_by("organization__path", "name", "id")


def stage_counts(user, filters: CandidateFilters | None = None) -> dict[int, int]:
    """{stage: number of candidates} for the board's columns: one grouped query."""
    f = filters or CandidateFilters()
    base = candidate_list(user, CandidateFilters(organization=f.organization, search=f.search,
                                                 progress=f.progress))
    rows = base.order_by().values("stage").annotate(n=Count("pk", distinct=True))
    counts = {stage.value: 0 for stage in S.Stage}
    for row in rows:
        counts[row["stage"]] = row["n"]
    return counts


# --- One candidate's file ---------------------------------------------------------------------


@dataclass(frozen=True)
class StepRow:
    step: S.Step
    records: list[Milestone]
    results: list[rules.RuleResult]
    available: bool  # may be recorded now


@dataclass(frozen=True)
class StageBlock:
    stage: S.Stage
    rows: list[StepRow]
    current: bool


@dataclass(frozen=True)
class CandidateFile:
    candidate: Candidate
    stage: S.Stage | None
    progress: Progress
    timeline: list[StageBlock]
    results: list[rules.RuleResult]
    next_steps: list[S.Step]
    extension: ProbationExtension | None
    probation_end: dt.date | None
    can_write: bool
    # May reveal the full ID and phone numbers (audited: `development.privacy`).
    can_reveal: bool


def candidate_file(user, pk, today: dt.date) -> CandidateFile:
    """The candidate page of `pk` for `user` (404 outside their scope)."""
    access_candidate(user, pk)
    candidate = _with_files(Candidate.objects.select_related("member")).get(pk=pk)
    milestones = list(candidate.milestones.all())
    recorded = {m.step for m in milestones}
    results = rules.evaluate(facts_of(candidate), today)
    by_rule = {r.rule.id: r for r in results}
    stage = S.stage_of(recorded)
    progress = progress_of(candidate, recorded)
    open_steps = S.next_steps(recorded) if progress == Progress.ACTIVE else []
    available = {s.number for s in open_steps}
    timeline = []
    for block_stage in S.Stage:
        rows = [
            StepRow(step=step, records=[m for m in milestones if m.step == step.number],
                    results=[by_rule[rid] for rid in step.rules],
                    available=step.number in available)
            for step in S.STEPS if step.stage == block_stage
        ]
        timeline.append(StageBlock(block_stage, rows, current=block_stage == stage))
    extension = _extension(candidate)
    meeting = next((m.date for m in milestones if m.step == S.BRANCH_MEETING), None)
    scope = scope_of(user)
    can_write = scope.covers_path(candidate.organization.path, write=True)
    return CandidateFile(
        candidate=candidate, stage=stage, progress=progress, timeline=timeline,
        results=results, next_steps=open_steps, extension=extension,
        probation_end=rules.probation_end(meeting, extension.months if extension else 0)
        if meeting and S.ADMISSION_APPROVAL in recorded else None,
        can_write=can_write, can_reveal=scope.may_reveal(candidate.organization.path),
    )


def sponsor_choices(candidate: Candidate):
    """Who may sponsor the candidate: full members in good standing of their branch."""
    return (Member.objects.filter(organization=candidate.organization_id,
                                  membership=Membership.FULL, status__in=ACTIVE_STATUSES)
            .exclude(pk=candidate.member_id or 0).order_by("name", "id"))


# --- Deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    candidate: Candidate
    rule: rules.Rule
    due: dt.date
    overdue: bool
    days: int  # days left (negative: days overdue)

    @property
    def days_overdue(self) -> int:
        return max(-self.days, 0)

    @property
    def step(self) -> S.Step:
        return S.STEP_BY_NUMBER[self.rule.step]


@dataclass(frozen=True)
class Deadlines:
    upcoming: list[Deadline]
    missed: list[Deadline]


def deadlines(user, *, organization: Organization | None = None, today: dt.date,
              days: int = DEADLINE_WINDOW_DAYS) -> Deadlines:
    """Deadlines of the active candidates in scope (under `organization`): pending ones due
    within `days` (or, for the activist year, possible from then), and the missed ones still
    open. Three queries whatever the number of candidates."""
    qs = Candidate.objects.visible_to(user).active()
    if organization is not None:
        qs = qs.in_subtree(organization.path)
    horizon = today + dt.timedelta(days=days)
    upcoming, missed = [], []
    for candidate in _with_files(qs.order_by("organization__path", "name", "id")):
        for result in rules.evaluate(facts_of(candidate), today):
            due = result.due
            if due is None:
                continue
            item = Deadline(candidate, result.rule, due, result.overdue, (due - today).days)
            if result.overdue:
                missed.append(item)
            elif result.status == rules.Status.PENDING and today <= due <= horizon:
                upcoming.append(item)
    upcoming.sort(key=lambda d: (d.due, d.candidate.name, d.candidate.pk))
    missed.sort(key=lambda d: (d.due, d.candidate.name, d.candidate.pk))
    return Deadlines(upcoming=upcoming, missed=missed)


# --- one member's record (锋领e家) ------------------------------------------------------------


def member_milestones_in(member_id: int, year: int):
    """Development milestones (发展党员 steps) of `year` of the candidate file that became
    this member, newest first."""
    return (Milestone.objects.filter(candidate__member_id=member_id, date__year=year)
            .order_by("-date", "-step", "-id"))
