"""Rankings, index distributions and the star map (issue 6 item 5), scoped reads.

* Member rankings: the active members of an organization's subtree by their approved index
  points in a year or half-year (optionally one dimension), best first, paginated; ranks
  in the whole list (ties share a rank), also when a search or a band filters it.
* Index distributions: members per band of points (a histogram), per dimension; each band
  drills down to the ranking filtered to it.
* Organization rankings and the star map: `scores.cached_scores` over the subtree of the
  organization chosen (the scoring unit: caps per kind within it), by score; the star map
  counts organizations per street and stars.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from fengling.core.scoping import scope_of
from fengling.members.models import Member
from fengling.organizations.models import Organization

from . import rules
from .models import CreditStatus
from .scores import OrgScore, cached, cached_scores

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=8, decimal_places=2))
# Band widths of the histograms: the whole index, and one dimension.
TOTAL_WIDTH = Decimal(10)
DIMENSION_WIDTH = Decimal(5)


def period(year: int, half: int | None) -> tuple[dt.date, dt.date]:
    """[first month, last month] of a year or a half (1: January–June, 2: July–December)."""
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 1)
    if half == 2:
        return dt.date(year, 7, 1), dt.date(year, 12, 1)
    return dt.date(year, 1, 1), dt.date(year, 12, 1)


def _totals(user, organization: Organization, year: int, half: int | None,
            dimension: str = ""):
    first, last = period(year, half)
    condition = Q(index_credits__month__gte=first, index_credits__month__lte=last,
                  index_credits__status=CreditStatus.APPROVED)
    if dimension:
        condition &= Q(index_credits__item__dimension=dimension)
    return (Member.objects.visible_to(user).active()
            .filter(organization__path__subtree=organization.path)
            .annotate(total=Coalesce(Sum("index_credits__points", filter=condition), ZERO)))


def ranked_totals(user, organization: Organization, year: int, half: int | None = None,
                  dimension: str = "") -> list[tuple[int, Decimal]]:
    """(member id, total) of every member `_totals` counts, best first (-total, name, id):
    one query over the subtree's members and credits, cached like the organization scores
    (`scores.cached_scores`: SCORES_CACHE_SECONDS, stale at once when a credit, rating or
    designation is written). The key holds the user's scope, as `_totals` is scoped."""
    def compute():
        return [(pk, Decimal(total).quantize(rules.TWO)) for pk, total in
                _totals(user, organization, year, half, dimension)
                .order_by("-total", "name", "pk").values_list("pk", "total")]

    return cached("ranking", compute, year, organization.pk, half or 0, dimension,
                  _scope_key(user))


def _scope_key(user) -> str:
    """What the scoped rankings depend on of the user: their scope, not who they are."""
    return scope_of(user).key


class RankedMembers:
    """A ranking as the paginator sees it: counted and sliced from `ranked_totals` (held in
    the cache), the rows of a page read by id (one query), each with its `total` and `rank`
    (1 + the members with more points; ties share a rank)."""

    def __init__(self, ranked: list[tuple[int, Decimal]], all_totals: list[Decimal]):
        self.ranked = ranked
        # The whole list's totals, ascending, for the ranks (a band keeps its ranks).
        self.ascending = sorted(all_totals)

    def count(self) -> int:
        return len(self.ranked)

    def __len__(self) -> int:
        return len(self.ranked)

    def __getitem__(self, item):
        part = self.ranked[item] if isinstance(item, slice) else [self.ranked[item]]
        members = Member.objects.select_related("organization").in_bulk([pk for pk, _t in part])
        rows = []
        for pk, total in part:
            member = members.get(pk)
            if member is None:  # gone since the list was cached
                continue
            member.total = total
            member.rank = len(self.ascending) - bisect.bisect_right(self.ascending, total) + 1
            rows.append(member)
        return rows if isinstance(item, slice) else rows[0]


def member_ranking(user, organization: Organization, year: int, *, half: int | None = None,
                   dimension: str = "", q: str = "", low: Decimal | None = None,
                   high: Decimal | None = None):
    """Members of the subtree by their points, best first (scoped). `q` searches names (the
    member's or the organization's); `low`/`high` keep a band [low, high) of the histogram.
    Without a search: a `RankedMembers` over the cached ranking, its rows ranked already.
    With one: a QuerySet; the ranks of a page's rows in the whole list: `attach_ranks`."""
    if not q:
        ranked = ranked_totals(user, organization, year, half, dimension)
        kept = [(pk, t) for pk, t in ranked
                if (low is None or t >= low) and (high is None or t < high)]
        return RankedMembers(kept, [t for _pk, t in ranked])
    qs = _totals(user, organization, year, half, dimension).select_related("organization")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(organization__name__contains=q))
    if low is not None:
        qs = qs.filter(total__gte=low)
    if high is not None:
        qs = qs.filter(total__lt=high)
    return qs.order_by("-total", "name", "pk")


def attach_ranks(user, organization: Organization, year: int, rows, *,
                 half: int | None = None, dimension: str = "") -> list:
    """Set `rank` on each row (a page of `member_ranking`): 1 + the members of the whole
    subtree with more points (ties share a rank), whatever the search or band. One query."""
    rows = list(rows)
    if all(hasattr(r, "rank") for r in rows):
        return rows  # a RankedMembers page: ranked already
    totals = sorted({r.total for r in rows})
    if not totals:
        return rows
    counts = _totals(user, organization, year, half, dimension).aggregate(**{
        f"above{i}": Count("pk", filter=Q(total__gt=t)) for i, t in enumerate(totals)})
    above = {t: counts[f"above{i}"] for i, t in enumerate(totals)}
    for r in rows:
        r.rank = above[r.total] + 1
        r.total = Decimal(r.total).quantize(rules.TWO)  # the same on every database
    return rows


@dataclass
class Band:
    low: Decimal
    high: Decimal
    count: int
    last: bool = False
    # The first band also holds the values below 0 (a deduction can make a total negative):
    # its drill-down has no lower bound, so that it lists what the bar counts.
    first: bool = False


@dataclass
class Distribution:
    dimension: str
    label: str
    width: Decimal
    bands: list[Band] = field(default_factory=list)

    @property
    def members(self) -> int:
        return sum(b.count for b in self.bands)


def distributions(user, organization: Organization, year: int, *, half: int | None = None
                  ) -> list[Distribution]:
    """The histogram of the whole index and of each dimension over the subtree's members,
    from the rankings (`ranked_totals`): one query per histogram; the histograms are cached
    with them."""
    return cached("distributions", lambda: _distributions(user, organization, year, half),
                  year, organization.pk, half or 0, _scope_key(user))


def _distributions(user, organization: Organization, year: int, half: int | None
                   ) -> list[Distribution]:
    out = []
    for dimension, label in [("", None), *rules.Dimension.choices]:
        width = DIMENSION_WIDTH if dimension else TOTAL_WIDTH
        values = [t for _pk, t in ranked_totals(user, organization, year, half, dimension)]
        bands = [Band(lo, hi, n) for lo, hi, n in rules.histogram(values, width)]
        if bands:
            bands[0].first = True
            bands[-1].last = True
        out.append(Distribution(dimension, str(label) if label else "", width, bands))
    return out


def organization_ranking(organization: Organization, year: int, *, kind: str = "",
                         stars: int | None = None, street: str = "") -> list[OrgScore]:
    """The rated organizations under `organization` (itself included when rated) by score,
    best first: published ratings as stored, the others computed. `street`: a path prefix
    (the star map's row)."""
    kinds = [kind] if kind else None
    rows = cached_scores(year, unit=organization, kinds=kinds, include_unit=True)
    if stars:
        rows = [r for r in rows if r.stars == stars]
    if street:
        rows = [r for r in rows if r.path.startswith(street)]
    return sorted(rows, key=lambda r: (-r.score, r.path))


@dataclass
class StreetStars:
    organization_id: int | None
    path: str
    name: str
    counts: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[tuple[int, int]]:
        return [(s, self.counts.get(s, 0)) for s in (5, 4, 3, 2, 1)]


def star_map(organization: Organization, year: int, *, kind: str = "") -> list[StreetStars]:
    """Organizations per street/town (two levels below the district root; the organization
    itself when it is deeper) and stars. One query for the streets' names beyond the
    scores'."""
    steplen = Organization.steplen
    depth = max(2, len(organization.path) // steplen)
    by_path: dict[str, StreetStars] = {}
    for r in organization_ranking(organization, year, kind=kind):
        key = r.path[:depth * steplen]
        row = by_path.setdefault(key, StreetStars(None, key, key))
        row.counts[r.stars] = row.counts.get(r.stars, 0) + 1
    for pk, path, name in Organization.objects.filter(path__in=list(by_path)).values_list(
            "pk", "path", "name"):
        by_path[path].organization_id, by_path[path].name = pk, name
    return sorted(by_path.values(), key=lambda r: r.path)
