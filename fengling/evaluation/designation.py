"""The annual 软弱涣散 designation (weak and lax organizations): proposal, entry, exit.

RULES Part A "Warnings" (软弱涣散 line) and Part B §5.1: the ten situations plus the
quantified triggers; each year 5–10% of organizations are ranked from the bottom (倒排);
below 3 stars → rectification.

- **Proposal** (`proposal`): for a year and a unit (the district, a street …), every
  grassroots organization under the unit that meets a quantified trigger — an open warning
  of a rule marked `weak_trigger` in `alerts.rules` (secretary vacant > 3 months, required
  meetings not held, no development target for 2 years) or a filed star rating below 3 —
  then, if they are fewer than the year's minimum share, the next organizations ranked from
  the bottom by the weakness score until the share is reached. A handful of grouped queries
  whatever the size of the unit.
- **Weakness score** (`weakness_score`, weights as data in `SCORE_WEIGHTS`): 3 per open red
  warning, 1 per open yellow warning, 5 per overdue rectification case, 10 per star below 3
  of the year's filed rating (2★ → 10, 1★ → 20).
- **Entry** (`designation_confirm`): staff of the level above confirm a candidate with one of
  the §5.1 situations and a reason; the designation and its rectification case
  (`alerts.Case`: responsible the organization's secretary, plan, deadline) are created in
  one transaction, audited. State: rectifying.
- **Exit** (摘帽, `designation_exit`): only once the case is closed — approved by the level
  above after review — by the level above, audited. State: exited. History in
  `DesignationEvent`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fengling.accounts.models import RoleAssignment
from fengling.alerts import rules as alert_rules
from fengling.alerts.models import Alert, Case, CaseState, Level
from fengling.alerts.services import SECRETARY_ROLES, case_open
from fengling.core.audit import audit_log
from fengling.core.scoping import guard, scope_of
from fengling.organizations.kinds import GRASSROOTS_KINDS

from .models import (
    DesignationEvent,
    DesignationState,
    RatingState,
    StarRating,
    WeakDesignation,
    WeakQuota,
    WeakSituation,
)

# RULES Part B §5.1: "each year 5%–10% of organizations are ranked from the bottom".
DEFAULT_BAND = (5, 10)
# RULES Part A / Part B §5.1 (Zhejiang): below 3 stars → rectification.
STAR_FLOOR = 3
STARS_TRIGGER = "stars_below_3"
# The weakness score's weights (documented in docs/evaluation.md).
SCORE_WEIGHTS = {"red": 3, "yellow": 1, "overdue_case": 5, "star_below_floor": 10}
TRIGGER, RANKING = "trigger", "ranking"


# --- pure rules ----------------------------------------------------------------------------


def quota_for(rows: list[tuple[int, int, int]], year: int) -> tuple[int, int]:
    """(min %, max %) in force for `year`: the row (effective year, min, max) with the latest
    effective year not after it; the default 5–10% without one."""
    best = None
    for effective, lo, hi in rows:
        if effective <= year and (best is None or effective > best[0]):
            best = (effective, lo, hi)
    return (best[1], best[2]) if best else DEFAULT_BAND


def band(total: int, min_percent: int, max_percent: int) -> tuple[int, int]:
    """How many of `total` organizations the year's share means: (at least, at most).
    The minimum rounds up (a unit of 10 at 5% ranks one), the maximum down but never below
    the minimum."""
    if total <= 0:
        return 0, 0
    lo = math.ceil(total * min_percent / 100)
    hi = max(math.floor(total * max_percent / 100), lo)
    return lo, hi


def weakness_score(*, red: int = 0, yellow: int = 0, overdue_cases: int = 0,
                   stars: int | None = None) -> int:
    """The higher, the weaker (RULES Part B §5.1 ranking from the bottom)."""
    w = SCORE_WEIGHTS
    below = max(STAR_FLOOR - stars, 0) if stars is not None else 0
    return (w["red"] * red + w["yellow"] * yellow + w["overdue_case"] * overdue_cases
            + w["star_below_floor"] * below)


def select_candidates(rows: list[tuple[object, bool, int, str]], lo: int
                      ) -> dict[object, tuple[str, int]]:
    """`rows` are (key, triggered, score, tie-break). Every triggered organization is a
    candidate; if fewer than `lo`, the next ones ranked from the bottom (highest score
    first, then the tie-break) fill the band. Returns {key: (basis, rank)} where rank is the
    position from the bottom among all the rows."""
    ordered = sorted(rows, key=lambda r: (-r[2], r[3]))
    rank = {r[0]: i + 1 for i, r in enumerate(ordered)}
    chosen = {r[0]: (TRIGGER, rank[r[0]]) for r in ordered if r[1]}
    for r in ordered:
        if len(chosen) >= lo:
            break
        if r[0] not in chosen:
            chosen[r[0]] = (RANKING, rank[r[0]])
    return chosen


# --- the proposal -------------------------------------------------------------------------


@dataclass
class ProposalRow:
    organization: dict  # id, name, path, kind
    basis: str  # TRIGGER or RANKING
    rank: int
    score: int
    triggers: list[str]
    red: int = 0
    yellow: int = 0
    overdue_cases: int = 0
    stars: int | None = None
    designation: WeakDesignation | None = None

    @property
    def trigger_labels(self) -> list[str]:
        return [trigger_label(t) for t in self.triggers]


@dataclass
class Proposal:
    unit: object
    year: int
    total: int
    min_percent: int
    max_percent: int
    lo: int
    hi: int
    rows: list[ProposalRow] = field(default_factory=list)

    @property
    def triggered(self) -> int:
        return sum(1 for r in self.rows if r.basis == TRIGGER)

    @property
    def over_band(self) -> bool:
        return self.triggered > self.hi


def weak_rule_ids() -> list[str]:
    return [r.id for r in alert_rules.RULES if r.weak_trigger]


def trigger_label(trigger: str) -> str:
    if trigger == STARS_TRIGGER:
        return _("Below 3 stars")
    rule = alert_rules.RULE_BY_ID.get(trigger)
    return str(rule.title) if rule else trigger


def proposal(unit, year: int, today: dt.date | None = None) -> Proposal:
    """The candidates under `unit` for `year` (the caller checks that the user sees the
    unit). Seven queries whatever the number of organizations."""
    today = today or timezone.localdate()
    under = {"organization__path__subtree": unit.path}
    orgs = list(unit.__class__.objects.filter(path__subtree=unit.path,
                                              kind__in=GRASSROOTS_KINDS)
                .exclude(pk=unit.pk).order_by("path").values("id", "name", "path", "kind"))
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    for org_id, level, n in (Alert.objects.open().filter(**under).order_by()
                             .values_list("organization_id", "level").annotate(n=Count("id"))):
        levels[org_id][level] = n
    triggers: dict[int, list[str]] = defaultdict(list)
    for org_id, rule in (Alert.objects.open().filter(rule__in=weak_rule_ids(), **under)
                         .order_by("organization_id", "rule").values_list("organization_id",
                                                                          "rule").distinct()):
        triggers[org_id].append(rule)
    overdue = dict(Case.objects.active().filter(deadline__lt=today, **under).order_by()
                   .values_list("organization_id").annotate(n=Count("id")))
    stars = dict(StarRating.objects.filter(year=year, state=RatingState.FILED,
                                           stars__isnull=False, **under)
                 .values_list("organization_id", "stars"))
    designations = {d.organization_id: d for d in WeakDesignation.objects.filter(
        year=year, **under)}
    quota = quota_for(list(WeakQuota.objects.values_list(
        "effective_year", "min_percent", "max_percent")), year)
    lo, hi = band(len(orgs), *quota)
    facts = {}
    for org in orgs:
        pk = org["id"]
        found = list(triggers.get(pk, []))
        if pk in stars and stars[pk] < STAR_FLOOR:
            found.append(STARS_TRIGGER)
        counts = levels.get(pk, {})
        facts[pk] = {"triggers": found, "red": counts.get(Level.RED, 0),
                     "yellow": counts.get(Level.YELLOW, 0),
                     "overdue_cases": overdue.get(pk, 0), "stars": stars.get(pk)}
        facts[pk]["score"] = weakness_score(
            red=facts[pk]["red"], yellow=facts[pk]["yellow"],
            overdue_cases=facts[pk]["overdue_cases"], stars=facts[pk]["stars"])
    chosen = select_candidates(
        [(o["id"], bool(facts[o["id"]]["triggers"]), facts[o["id"]]["score"], o["path"])
         for o in orgs], lo)
    by_id = {o["id"]: o for o in orgs}
    rows = [ProposalRow(organization=by_id[pk], basis=basis, rank=rank,
                        designation=designations.get(pk), **facts[pk])
            for pk, (basis, rank) in chosen.items()]
    rows.sort(key=lambda r: (r.basis != TRIGGER, r.rank))
    return Proposal(unit=unit, year=year, total=len(orgs), min_percent=quota[0],
                    max_percent=quota[1], lo=lo, hi=hi, rows=rows)


# --- reads ----------------------------------------------------------------------------------


def designation_list(user, *, year: int | None = None, state: str = ""):
    qs = WeakDesignation.objects.visible_to(user).select_related("organization", "case")
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("organization__path", "id")


def access_designation(user, pk) -> WeakDesignation:
    return guard(WeakDesignation.objects.select_related("organization", "case",
                                                        "case__responsible"), user, pk)


def is_level_above(user, organization) -> bool:
    """A writer over the organization's parent (the level above); the root has none."""
    parent = organization.path[:-organization.steplen]
    return bool(parent) and scope_of(user).covers_path(parent, write=True)


def can_exit(user, designation: WeakDesignation) -> bool:
    return (designation.state == DesignationState.RECTIFYING
            and designation.case is not None and designation.case.state == CaseState.CLOSED
            and is_level_above(user, designation.organization))


def secretary_of(organization):
    """The organization's secretary account (branch or organization secretary role), or
    None."""
    assignment = (RoleAssignment.objects.active()
                  .filter(organization=organization, role__in=SECRETARY_ROLES,
                          user__is_active=True)
                  .select_related("user").order_by("id").first())
    return assignment.user if assignment else None


# --- writes ---------------------------------------------------------------------------------


@transaction.atomic
def designation_confirm(actor, organization, year: int, *, situation: str, reason: str,
                        plan: str, deadline: dt.date | None, today: dt.date | None = None,
                        responsible=None) -> WeakDesignation:
    """Entry (认定) by the level above: the designation with its §5.1 situation and reason,
    and its rectification case (responsible: the organization's secretary, else the
    confirming person). A designation already entered without a case (from the stars page)
    is completed; one already rectifying or exited is refused."""
    if not is_level_above(actor, organization):
        raise PermissionDenied
    today = today or timezone.localdate()
    errors = {}
    if situation not in WeakSituation.values:
        errors["situation"] = _("Choose one of the situations.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the designation.")
    existing = (WeakDesignation.objects.select_for_update()
                .filter(organization=organization, year=year).first())
    if existing is not None and existing.state != DesignationState.ENTERED:
        errors["organization"] = _("This organization is already designated for that year.")
    if errors:
        raise ValidationError(errors)
    responsible = responsible or secretary_of(organization) or actor
    title = _("Weak and lax rectification %(year)s: %(name)s") % {
        "year": year, "name": organization.name}
    case = case_open(actor, organization, responsible=responsible, plan=plan,
                     deadline=deadline, title=title, today=today)
    info = proposal_facts(organization, year, today)
    row = existing or WeakDesignation(organization=organization, year=year)
    row.reason, row.situation = reason, situation
    row.state, row.case, row.entered_on = DesignationState.RECTIFYING, case, today
    row.triggers, row.score = info["triggers"], info["score"]
    row.created_by = row.created_by or actor
    row.save()
    DesignationEvent.objects.bulk_create([
        DesignationEvent(designation=row, state=DesignationState.ENTERED, text=reason,
                         actor=actor, on=today),
        DesignationEvent(designation=row, state=DesignationState.RECTIFYING,
                         text=case.title, actor=actor, on=today),
    ])
    audit_log(actor, "weak.enter", row,
              {"year": year, "situation": situation, "case": case.pk,
               "triggers": row.triggers, "score": row.score},
              organization_path=organization.path)
    return row


def proposal_facts(organization, year: int, today: dt.date) -> dict:
    """The triggers and score of one organization, as the proposal computes them."""
    under = {"organization": organization}
    counts = dict(Alert.objects.open().filter(**under).order_by().values_list("level")
                  .annotate(n=Count("id")))
    triggers = sorted(set(Alert.objects.open().filter(rule__in=weak_rule_ids(), **under)
                          .values_list("rule", flat=True)))
    stars = (StarRating.objects.filter(year=year, state=RatingState.FILED,
                                       stars__isnull=False, **under)
             .values_list("stars", flat=True).first())
    if stars is not None and stars < STAR_FLOOR:
        triggers.append(STARS_TRIGGER)
    overdue = Case.objects.active().filter(deadline__lt=today, **under).count()
    score = weakness_score(red=counts.get(Level.RED, 0), yellow=counts.get(Level.YELLOW, 0),
                           overdue_cases=overdue, stars=stars)
    return {"triggers": triggers, "score": score}


@transaction.atomic
def designation_exit(actor, designation: WeakDesignation, *, text: str = "",
                     today: dt.date | None = None) -> WeakDesignation:
    """Exit (摘帽) by the level above, once the rectification case is closed after review."""
    if not is_level_above(actor, designation.organization):
        raise PermissionDenied
    today = today or timezone.localdate()
    # Locked alone: PostgreSQL refuses FOR UPDATE on the nullable side of a join (the case).
    designation = (WeakDesignation.objects.select_for_update(of=("self",))
                   .select_related("case", "organization").get(pk=designation.pk))
    if designation.state != DesignationState.RECTIFYING or designation.case is None:
        raise ValidationError({"state": _("Only a designation under rectification can exit.")})
    if designation.case.state != CaseState.CLOSED:
        raise ValidationError({"state": _(
            "The rectification case must be reviewed and closed by the level above first.")})
    designation.state, designation.exited_on = DesignationState.EXITED, today
    designation.save(update_fields=["state", "exited_on", "updated_at"])
    DesignationEvent.objects.create(designation=designation, state=DesignationState.EXITED,
                                    text=(text or "").strip(), actor=actor, on=today)
    audit_log(actor, "weak.exit", designation,
              {"year": designation.year, "case": designation.case_id},
              organization_path=designation.organization.path)
    return designation
