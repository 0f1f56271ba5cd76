"""Evaluation reads, through the scoping layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.http import Http404

from fengling.core.scoping import guard, scope_of
from fengling.organizations.models import Organization

from . import rules
from .models import (
    AppraisalSession,
    BallotMark,
    BudgetLine,
    CreditStatus,
    Criterion,
    Disbursement,
    Fund,
    IndexCredit,
    IndexSnapshot,
    ItemSource,
    Participant,
    RatingState,
    SessionState,
    StarRating,
    SubsidyRate,
    UnqualifiedHandling,
)


def access_session(user, pk, write: bool = False) -> AppraisalSession:
    return guard(AppraisalSession.objects.select_related("organization"), user, pk, write)


def access_handling(user, pk, write: bool = False) -> UnqualifiedHandling:
    return guard(UnqualifiedHandling.objects.select_related(
        "participant__session__organization", "participant__member"), user, pk, write)


def session_for_voter(user, pk) -> tuple[AppraisalSession, Participant]:
    """The session a member takes part in (the ballot page): 404 unless they do."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not user.member_id:
        raise Http404
    participant = (Participant.objects.select_related("session__organization")
                   .filter(session_id=pk, member_id=user.member_id).first())
    if participant is None:
        raise Http404
    return participant.session, participant


def session_list(user, *, year: int | None = None, no_spread: bool | None = None):
    """Sessions in scope with their counts: participants, graded, voters. One query."""
    qs = AppraisalSession.objects.visible_to(user).select_related("organization").annotate(
        participants_count=Count("participants", distinct=True),
        graded_count=Count("participants", filter=Q(participants__probationary=False),
                           distinct=True),
        voted_count=Count("receipts", distinct=True),
    )
    if year:
        qs = qs.filter(year=year)
    if no_spread is not None:
        qs = qs.filter(no_spread=no_spread)
    return qs.order_by("-year", "organization__path", "pk")


def sessions_of_member(member_id: int):
    return (AppraisalSession.objects.filter(participants__member_id=member_id)
            .select_related("organization").order_by("-year"))


@dataclass
class ParticipantRow:
    participant: Participant
    # Per grade; None while the counts are withheld (`counts_visible`).
    counts: dict[str, int | None]
    peer_grade: str

    @property
    def ballots(self) -> int:
        return sum(n or 0 for n in self.counts.values())

    @property
    def peer_grade_label(self) -> str:
        return rules.Grade(self.peer_grade).label if self.peer_grade else ""


def counts_visible(session: AppraisalSession) -> bool:
    """Peer ballot counts are shown once they can no longer change: every participant has
    voted, or the committee has proposed (voting has ended). Counts that moved with each vote
    would let a watcher match a change to the receipt of the member who just voted."""
    if session.state != SessionState.OPEN:
        return True
    return session.receipts.count() >= session.participants.count()


def session_tally(session: AppraisalSession) -> list[ParticipantRow]:
    """Every participant with the peer ballot counts per grade, counted set-based (one grouped
    query for all marks; one for the participants); counts withheld while voting goes on."""
    visible = counts_visible(session)
    counts = {}
    if visible:
        marks = (BallotMark.objects.filter(ballot__session=session).order_by()
                 .values_list("participant_id", "grade").annotate(n=Count("pk")))
        counts = rules.ballot_counts(marks)
    withheld = dict.fromkeys(rules.Grade.values)
    rows = []
    for p in (session.participants.select_related("member", "handling")
              .prefetch_related("handling__follow_ups")):
        if not visible:
            rows.append(ParticipantRow(p, dict(withheld), ""))
            continue
        c = counts.get(p.pk, dict.fromkeys(rules.Grade.values, 0))
        rows.append(ParticipantRow(p, c, rules.peer_grade(c)))
    return rows


def has_voted(session: AppraisalSession, member_id: int) -> bool:
    return session.receipts.filter(voter_id=member_id).exists()


def can_write(user, path: str) -> bool:
    return scope_of(user).covers_path(path, write=True)


# --- Stars -----------------------------------------------------------------------------------


def access_rating(user, pk, write: bool = False) -> StarRating:
    """Write access to a rating means the organization's own write scope (self-review);
    scoring needs the level above (checked by the service)."""
    return guard(StarRating.objects.select_related("organization"), user, pk, write)


def rating_list(user, *, year: int | None = None, kind: str = "", state: str = ""):
    qs = StarRating.objects.visible_to(user).select_related("organization")
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-year", "-score", "organization__path", "pk")


def rating_points(rating: StarRating):
    return rating.points.select_related("criterion").order_by("criterion__position")


def criteria_of(year: int):
    return Criterion.objects.filter(year=year)


# --- Funding ---------------------------------------------------------------------------------


@dataclass
class AllocationRow:
    organization_id: int
    name: str
    path: str
    kind: str
    stars: int
    amount: Decimal


def allocations(user, year: int) -> list[AllocationRow]:
    """The year's work-fund allocation from the filed stars (two queries): each filed rating
    in scope × the year's subsidy for its kind and stars (below 3★: nothing)."""
    rates = {(k, s): a for k, s, a in SubsidyRate.objects.filter(year=year)
             .values_list("kind", "stars", "amount")}
    rows = (StarRating.objects.visible_to(user)
            .filter(year=year, state=RatingState.FILED)
            .order_by("organization__path")
            .values_list("organization_id", "organization__name", "organization__path",
                         "kind", "stars"))
    return [AllocationRow(pk, name, path, kind, stars, rates.get((kind, stars), Decimal(0)))
            for pk, name, path, kind, stars in rows]


def latest_filed_year(user) -> int | None:
    """The latest year with filed star ratings in scope (the funding page's default). One
    query."""
    return (StarRating.objects.visible_to(user).filter(state=RatingState.FILED)
            .aggregate(latest=Max("year"))["latest"])


@dataclass
class BudgetRow:
    line: BudgetLine
    allocated: Decimal
    disbursed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.line.amount - self.allocated

    @property
    def undisbursed(self) -> Decimal:
        return self.allocated - self.disbursed


def budget_report(user, year: int, rows: list[AllocationRow]) -> list[BudgetRow]:
    """Budget lines in scope: allocated (work funds: the filed stars' subsidies of the
    organizations under the line's organization, from `allocations`; venture fund: what was
    paid to projects), disbursed, remaining. Two queries."""
    lines = list(BudgetLine.objects.visible_to(user).filter(year=year)
                 .select_related("organization"))
    paid = dict(Disbursement.objects.filter(line__in=lines).order_by()
                .values_list("line_id").annotate(total=Sum("amount")))
    out = []
    for line in lines:
        disbursed = paid.get(line.pk) or Decimal(0)
        if line.fund == Fund.WORK:
            allocated = sum((r.amount for r in rows
                             if r.path.startswith(line.organization.path)), Decimal(0))
        else:
            allocated = disbursed
        out.append(BudgetRow(line, allocated, disbursed))
    return out


@dataclass
class StreetRow:
    path: str
    name: str
    organizations: int = 0
    stars: dict[int, int] = field(default_factory=dict)
    amount: Decimal = Decimal(0)


def street_report(rows: list[AllocationRow]) -> list[StreetRow]:
    """The allocation rolled up per street/town (the organizations two levels down from the
    district root). One query for the streets' names."""
    steplen = Organization.steplen
    by_path: dict[str, StreetRow] = {}
    for r in rows:
        key = r.path[:2 * steplen]
        row = by_path.setdefault(key, StreetRow(key, ""))
        row.organizations += 1
        row.stars[r.stars] = row.stars.get(r.stars, 0) + 1
        row.amount += r.amount
    names = dict(Organization.objects.filter(path__in=list(by_path))
                 .values_list("path", "name"))
    for key, row in by_path.items():
        row.name = names.get(key, key)
    return sorted(by_path.values(), key=lambda r: r.path)


@dataclass
class SeedComparison:
    counts: dict[str, int]
    distribution: dict[str, dict[int, int]]
    by_kind: dict[str, Decimal]
    total: Decimal
    ceiling: Decimal
    seed: Decimal

    @property
    def lines(self) -> list[tuple[str, dict[int, int], Decimal]]:
        return [(k, self.distribution[k], self.by_kind[k]) for k in self.counts]

    @property
    def difference(self) -> Decimal:
        return self.seed - self.total


def seed_comparison(user, year: int) -> SeedComparison:
    """The subsidy a plausible star distribution (rules.PLAUSIBLE_SHARES) of the communities
    and business districts in scope would cost under the year's table, its ceiling (all 5★),
    and the seed's "700余万元". One query for the counts, one for the table."""
    counts = dict(Organization.objects.visible_to(user)
                  .filter(kind__in=list(rules.DEFAULT_SUBSIDIES)).order_by()
                  .values_list("kind").annotate(n=Count("pk")))
    table: dict[str, dict[int, Decimal]] = {}
    for kind, stars, amount in SubsidyRate.objects.filter(year=year).values_list(
            "kind", "stars", "amount"):
        table.setdefault(kind, {})[stars] = amount
    if not table:
        table = rules.DEFAULT_SUBSIDIES
    counts = {k: counts.get(k, 0) for k in rules.DEFAULT_SUBSIDIES}
    distribution = {k: rules.plausible_distribution(n) for k, n in counts.items()}
    by_kind = {k: rules.subsidy_total({k: d}, table) for k, d in distribution.items()}
    ceiling = rules.subsidy_total({k: {5: n} for k, n in counts.items()}, table)
    return SeedComparison(counts, distribution, by_kind, sum(by_kind.values(), Decimal(0)),
                          ceiling, rules.SEED_WORK_FUNDS)


def access_budget_line(user, pk, write: bool = False) -> BudgetLine:
    return guard(BudgetLine.objects.select_related("organization"), user, pk, write)


# --- Member index ----------------------------------------------------------------------------


def pending_awards(user):
    return (IndexCredit.objects.visible_to(user, write=False)
            .filter(status=CreditStatus.PENDING, item__source=ItemSource.AWARD)
            .exclude(member_id__in=scope_of(user).member_ids)
            .select_related("member", "item", "awarded_by").order_by("month", "pk"))


def access_credit(user, pk, write: bool = False) -> IndexCredit:
    return guard(IndexCredit.objects.select_related("member__organization", "item"),
                 user, pk, write)


def snapshot_list(user, year: int):
    return (IndexSnapshot.objects.visible_to(user).filter(year=year)
            .select_related("organization").order_by("organization__path", "kind"))


def access_snapshot(user, pk) -> IndexSnapshot:
    return guard(IndexSnapshot.objects.select_related("organization"), user, pk)
