"""Organization scores computed from the records (组织评分): the year's computed criteria
(organizational life, the members' index, deductions from warnings) and the scores and
proposed stars of every rated organization of the district, set-based.

RULES Part A "Index and stars": score = (basic − deductions) × 70% + appraisal × 30%; the
bands; 5★ at most 30% of a kind in a year; a 软弱涣散 designation caps at 2★. The criteria and
their parameters are the year's `Criterion` rows (data per year). Published figures (ratings
on public notice or filed) are never recomputed: their stored score and stars are reported
as they are.

A fixed number of queries whatever the district's size (`district_scores`: about ten):
organizations, members per organization, index points per organization, held meetings per
organization × kind × month, the year's warnings, the ratings and their entered points, the
designations. Figures are rolled up the tree in Python (each organization's figures are added
to its ancestors by path prefix).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from fengling.members.models import Member
from fengling.organizations.models import Organization

from . import rules
from .models import (
    CreditStatus,
    Criterion,
    CriterionPart,
    CriterionScore,
    CriterionSource,
    IndexCredit,
    RatingState,
    StarRating,
    WeakDesignation,
)

COMPUTED_SOURCES = (CriterionSource.MEETINGS, CriterionSource.MEMBER_INDEX,
                    CriterionSource.WARNINGS)
PUBLISHED = (RatingState.NOTICE, RatingState.FILED)
# At most this many warnings are kept as the evidence links of a deduction.
EVIDENCE_LINKS = 20


def as_of_for(year: int, today: dt.date | None = None) -> dt.date:
    """The day a year's figures are computed to: its last day once over, else today."""
    today = today or timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def _ancestors(path: str, steplen: int) -> Iterable[str]:
    for n in range(steplen, len(path) + 1, steplen):
        yield path[:n]


@dataclass
class Computed:
    """One computed criterion's points for one organization, with its evidence."""

    points: Decimal
    evidence: str
    records: list[str] = field(default_factory=list)


@dataclass
class _Figures:
    """Subtree figures of one organization (its own plus every descendant's)."""

    required: int = 0
    met: int = 0
    members: int = 0
    index_points: Decimal = Decimal(0)
    warnings: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)


_LEVEL_RANK = {"red": 2, "yellow": 1}


def subtree_figures(path: str, year: int, as_of: dt.date,
                    needs: set[str]) -> dict[str, _Figures]:
    """The subtree figures of every organization under `path` (inclusive), keyed by path.
    One query per kind of figure needed ("meetings", "member_index", "warnings"), plus one
    for the organizations."""
    from fengling.meetings import rules as meeting_rules
    from fengling.meetings.models import Meeting

    steplen = Organization.steplen
    orgs = list(Organization.objects.filter(path__subtree=path)
                .values_list("pk", "path", "kind"))
    by_pk = {pk: p for pk, p, _k in orgs}
    figures: dict[str, _Figures] = {p: _Figures() for _pk, p, _k in orgs}
    base = len(path)

    def up(p: str):
        for a in _ancestors(p, steplen):
            if len(a) >= base and a in figures:
                yield figures[a]

    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if CriterionSource.MEETINGS in needs:
        held: dict[int, dict[tuple[str, dt.date], int]] = defaultdict(dict)
        rows = (Meeting.objects.held().in_subtree(path)
                .filter(starts_at__gte=_midnight(start),
                        starts_at__lt=_midnight(end + dt.timedelta(days=1)))
                .annotate(month=TruncMonth("starts_at"))
                .order_by().values_list("organization_id", "kind", "month")
                .annotate(n=Count("pk")))
        for org_id, kind, month, n in rows:
            if isinstance(month, dt.datetime):
                month = (timezone.localtime(month).date() if timezone.is_aware(month)
                         else month.date())
            per = held[org_id]
            per[(kind, month)] = per.get((kind, month), 0) + n
        for pk, p, kind in orgs:
            if kind not in meeting_rules.REQUIREMENTS:
                continue
            results = meeting_rules.compliance_for(kind, held.get(pk, {}), start, end, as_of)
            required = sum(r.required for r in results)
            met = sum(r.met for r in results)
            for f in up(p):
                f.required += required
                f.met += met
    if CriterionSource.MEMBER_INDEX in needs:
        for org_id, n in (Member.objects.active().filter(organization__path__subtree=path)
                          .order_by().values_list("organization_id").annotate(n=Count("pk"))):
            for f in up(by_pk.get(org_id, "")):
                f.members += n
        for org_id, total in (IndexCredit.objects.filter(
                month__year=year, month__lte=as_of, status=CreditStatus.APPROVED,
                member__organization__path__subtree=path)
                .order_by().values_list("member__organization_id")
                .annotate(total=Sum("points"))):
            for f in up(by_pk.get(org_id, "")):
                f.index_points += Decimal(total or 0)
    if CriterionSource.WARNINGS in needs:
        from fengling.alerts.models import Alert

        rows = (Alert.objects.filter(organization__path__subtree=path,
                                     first_seen__lte=min(end, as_of), last_seen__gte=start,
                                     level__in=rules.DEDUCTING_LEVELS)
                .order_by("pk").values_list("pk", "rule", "subject", "level",
                                            "organization_id"))
        for pk, rule, subject, level, org_id in rows:
            for f in up(by_pk.get(org_id, "")):
                seen = f.warnings.get((rule, subject))
                if seen is None or _LEVEL_RANK[level] > _LEVEL_RANK[seen[0]]:
                    f.warnings[(rule, subject)] = (level, pk)
    return figures


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def compute_criterion(criterion: Criterion, figures: _Figures, year: int,
                      as_of: dt.date) -> Computed:
    """The points of one computed criterion from an organization's subtree figures."""
    if criterion.source == CriterionSource.MEETINGS:
        rate = figures.met / figures.required if figures.required else None
        return Computed(
            rules.criterion_points(criterion.max_points, rate),
            _("Organizational life: %(met)s of %(required)s required periods met in "
              "%(year)s.") % {"met": figures.met, "required": figures.required, "year": year})
    if criterion.source == CriterionSource.MEMBER_INDEX:
        full_at = Decimal(str((criterion.params or {}).get("full_at", "36")))
        months = as_of.month if as_of.year == year else 12
        average = (figures.index_points / figures.members).quantize(rules.TWO) \
            if figures.members else None
        points = rules.index_criterion_points(criterion.max_points, average, full_at, months)
        return Computed(points, _(
            "Members' index: %(members)s members, %(points)s points in %(year)s, an average of "
            "%(average)s against %(target)s for full points.") % {
                "members": figures.members, "points": figures.index_points.quantize(rules.TWO),
                "year": year, "average": average if average is not None else "—",
                "target": (full_at * months / 12).quantize(rules.TWO)})
    if criterion.source == CriterionSource.WARNINGS:
        fired = sorted(figures.warnings.items(), key=lambda kv: kv[1][1])
        points = rules.warning_deduction(criterion.max_points,
                                         [(rule, level) for (rule, _s), (level, _pk) in fired],
                                         criterion.params or {})
        red = sum(1 for _k, (level, _pk) in fired if level == "red")
        yellow = len(fired) - red
        return Computed(points, _(
            "Warnings in %(year)s: %(red)s red, %(yellow)s yellow (each subject and rule "
            "counted once).") % {"year": year, "red": red, "yellow": yellow},
            [f"alerts.alert:{pk}" for _k, (_level, pk) in fired[:EVIDENCE_LINKS]])
    raise ValueError(criterion.source)


def computed_for(organization, year: int, criteria, as_of: dt.date | None = None
                 ) -> dict[int, Computed]:
    """The computed criteria of one organization's rating ({criterion id: Computed}): the
    same figures `district_scores` computes, for one subtree."""
    as_of = as_of or dt.date(year, 12, 31)
    needs = {c.source for c in criteria if c.source in COMPUTED_SOURCES}
    if not needs:
        return {}
    figures = subtree_figures(organization.path, year, as_of, needs)[organization.path]
    return {c.pk: compute_criterion(c, figures, year, as_of)
            for c in criteria if c.source in COMPUTED_SOURCES}


@dataclass
class OrgScore:
    """An organization's score for a year: published (from its rating) or computed."""

    organization_id: int
    name: str
    path: str
    kind: str
    points: dict[str, Decimal]
    basic: Decimal
    deductions: Decimal
    appraisal: Decimal
    score: Decimal
    proposed_stars: int
    stars: int
    cap_reason: str = ""
    state: str = ""  # the rating's state, "" when there is no rating yet
    rating_id: int | None = None
    missing: list[str] = field(default_factory=list)  # manual criteria not entered yet
    weak: bool = False
    # Manual criteria not entered yet this year, counted with last year's filed points.
    carried: list[str] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.state in PUBLISHED

    @property
    def complete(self) -> bool:
        return not self.missing


# Bump when OrgScore's shape changes, so a cache never serves the old shape.
SCORES_VERSION = 1
_GENERATION_KEY = "evaluation:scores:generation"


def cached_scores(year: int, *, unit: Organization | None = None,
                  kinds: Iterable[str] | None = None,
                  include_unit: bool = False) -> list[OrgScore]:
    """`district_scores` as the pages show it, cached for `SCORES_CACHE_SECONDS` (0: computed
    on every call), like the cockpit's figures: computing a district's year takes a second or
    two. A rating, designation or criterion written anywhere (`forget`) makes every cached
    year stale at once; changes in the records behind the computed criteria (meetings, the
    index, warnings) show within the cache's time. Scoping is the caller's: the rows are
    those of `unit`'s subtree, whoever asks."""
    return cached("scores", lambda: district_scores(year, unit=unit, kinds=kinds,
                                                    include_unit=include_unit),
                  year, as_of_for(year), unit.pk if unit is not None else 0,
                  ",".join(sorted(kinds or ())), int(include_unit))


# This process's copies of the latest values (by key, generation included), so that a page
# does not unpickle a district's scores (700 KiB, ~40 ms) from the shared cache each time.
_LOCAL_SIZE = 16
_local: OrderedDict[str, tuple[float, object]] = OrderedDict()
_local_lock = threading.Lock()


def cached(kind: str, compute, *key_parts):
    """`compute()` kept in Django's cache under `kind` and `key_parts` for
    SCORES_CACHE_SECONDS (0: computed on every call), until `forget` (the organization scores,
    the members' rankings and histograms), and in this process's memory for as long. The
    generation read from the shared cache on every call is what makes a `forget` in any
    process reach every process. Callers must not change what they get."""
    seconds = getattr(settings, "SCORES_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    generation = cache.get_or_set(_GENERATION_KEY, 1, None)
    key = ":".join(str(part) for part in (f"evaluation:{kind}", SCORES_VERSION, generation,
                                          *key_parts))
    now = time.monotonic()
    with _local_lock:
        hit = _local.get(key)
        if hit is not None and hit[0] > now:
            _local.move_to_end(key)
            return hit[1]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    with _local_lock:
        _local[key] = (now + seconds, value)
        while len(_local) > _LOCAL_SIZE:
            _local.popitem(last=False)
    return value


def forget() -> None:
    """Make every cached year's scores stale (after the transaction that changed them)."""
    def bump():
        try:
            cache.incr(_GENERATION_KEY)
        except ValueError:  # not set yet, or evicted
            cache.set(_GENERATION_KEY, 2, None)
    transaction.on_commit(bump)


def district_scores(year: int, *, unit: Organization | None = None,
                    as_of: dt.date | None = None, kinds: Iterable[str] | None = None,
                    include_unit: bool = False) -> list[OrgScore]:
    """The year's scores and stars of every rated organization under `unit` (default: the
    whole tree). Published ratings keep their stored figures. For the others: computed
    criteria from the records; manual criteria from the rating's entered points, else last
    year's filed points (listed in `carried`), else 0 (listed in `missing`); stars by the
    bands; then the caps per kind over all organizations of that kind here (软弱涣散 → at
    most 2★; 5★ at most the year's share).
    `unit` itself is left out (as in `services.stars_publish`) unless `include_unit`.
    Read-only: nothing is written."""
    from .services import year_defaults

    as_of = as_of or as_of_for(year)
    scheme = year_defaults(year)
    criteria = list(Criterion.objects.filter(year=year))
    kinds = tuple(kinds or rules.RATED_KINDS)
    path = unit.path if unit is not None else ""
    orgs = Organization.objects.filter(path__subtree=path, kind__in=kinds)
    if not include_unit:
        orgs = orgs.exclude(path=path)
    orgs = list(orgs.order_by("path").values_list("pk", "name", "path", "kind"))
    ratings = {r.organization_id: r for r in StarRating.objects.filter(
        year=year, organization__path__subtree=path)}
    weak = set(WeakDesignation.objects.filter(year=year, organization__path__subtree=path)
               .values_list("organization_id", flat=True))
    entered: dict[int, dict[int, Decimal]] = defaultdict(dict)
    figures: dict[str, _Figures] = {}
    last_year: dict[int, dict[str, Decimal]] = {}
    if any(pk not in ratings or ratings[pk].state not in PUBLISHED for pk, *_r in orgs):
        # The records are read only when some score is still to be computed: a year whose
        # ratings are all published (last year's star map) costs five queries.
        needs = {c.source for c in criteria if c.source in COMPUTED_SOURCES}
        figures = subtree_figures(path, year, as_of, needs)
        for rating_id, criterion_id, points in CriterionScore.objects.filter(
                rating__year=year, rating__organization__path__subtree=path,
                computed=False).values_list("rating_id", "criterion_id", "points"):
            entered[rating_id][criterion_id] = points
        last_year = _last_years_entries(year, path)
    out: list[OrgScore] = []
    for pk, name, opath, kind in orgs:
        rating = ratings.get(pk)
        if rating is not None and rating.state in PUBLISHED:
            out.append(OrgScore(pk, name, opath, kind, {}, rating.basic, rating.deductions,
                                rating.appraisal, rating.score, rating.proposed_stars,
                                rating.stars, rating.cap_reason, rating.state, rating.pk,
                                weak=pk in weak))
            continue
        f = figures.get(opath) or _Figures()
        own = entered.get(rating.pk, {}) if rating is not None else {}
        before = last_year.get(pk, {})
        sums = {p: Decimal(0) for p in CriterionPart.values}
        points, missing, carried = {}, [], []
        for c in criteria:
            if c.source in COMPUTED_SOURCES:
                value = compute_criterion(c, f, year, as_of).points
            elif c.pk in own:
                value = own[c.pk]
            elif c.code in before:
                # Not scored yet this year: last year's filed points stand in (provisional).
                value = min(before[c.code], c.max_points)
                carried.append(c.code)
            else:
                value = Decimal(0)
                missing.append(c.code)
            points[c.code] = value
            sums[c.part] += value
        score = rules.organization_score(sums["basic"], sums["deduction"], sums["appraisal"],
                                         scheme.basic_share, scheme.appraisal_share)
        out.append(OrgScore(pk, name, opath, kind, points, sums["basic"], sums["deduction"],
                            sums["appraisal"], score, rules.stars_for(score),
                            rules.stars_for(score), "",
                            rating.state if rating is not None else "",
                            rating.pk if rating is not None else None, missing,
                            weak=pk in weak, carried=carried))
    _cap(out, scheme.five_star_share)
    return out


def _last_years_entries(year: int, path: str) -> dict[int, dict[str, Decimal]]:
    """{organization: {criterion code: points}} of the manual criteria of last year's filed
    ratings under `path`. One query.

    Until the level above scores an organization this year, its manual criteria (team,
    venue, rules, results, the appraisal: 60 of the 100 basic points and the whole appraisal
    share) would count 0, so every provisional score would fall below 60 and every star
    would be 1★. They change slowly; last year's filed points are the best estimate, shown
    as carried (`OrgScore.carried`), and only criteria no one ever entered are `missing`."""
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for org_id, code, points in CriterionScore.objects.filter(
            rating__year=year - 1, rating__state=RatingState.FILED, computed=False,
            rating__organization__path__subtree=path).values_list(
            "rating__organization_id", "criterion__code", "points"):
        out[org_id][code] = points
    return out


def _cap(rows: list[OrgScore], share: Decimal) -> None:
    """The caps per kind (RULES Part A). The 5★ share counts every organization of the kind
    here; published rows keep their stars and take their 5★ places first; the computed rows
    share the places left, best scores first."""
    by_kind: dict[str, list[OrgScore]] = defaultdict(list)
    for r in rows:
        by_kind[r.kind].append(r)
    for group in by_kind.values():
        allowed = rules.five_star_places(len(group), share)
        taken = sum(1 for r in group if r.published and r.stars == 5)
        pending = [r for r in group if not r.published]
        for c in rules.apply_caps([(i, r.score, r.weak) for i, r in enumerate(pending)],
                                  allowed=max(0, allowed - taken)):
            pending[c.key].stars, pending[c.key].cap_reason = c.stars, c.reason


def scores_summary(rows: list[OrgScore]) -> dict[str, dict[int, int]]:
    """{kind: {stars: organizations}} of a year's rows."""
    out: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        out[r.kind][r.stars] += 1
    return {k: dict(v) for k, v in out.items()}


__all__ = ["Computed", "OrgScore", "as_of_for", "computed_for", "district_scores",
           "scores_summary", "subtree_figures"]
