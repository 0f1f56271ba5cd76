"""Evaluation rules as data and pure functions (RULES.md Part A "Democratic appraisal",
"Index and stars"; Part B §6).

Nothing here touches the database: the services feed these functions and store the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Democratic appraisal (民主评议党员) -------------------------------------------------------


class Grade(models.TextChoices):
    """RULES Part A "Democratic appraisal": 优秀 / 合格 / 基本合格 / 不合格."""

    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASIC = "basic", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class Handling(models.TextChoices):
    """RULES Part A: 不合格 leads to 限期改正, 劝退 or 除名, with reasons."""

    RECTIFY = "rectify", _("Correct within a time limit")
    PERSUADE = "persuade", _("Persuade to leave")
    EXPEL = "expel", _("Expel")


# RULES Part A: "优秀 at most 1/3 of those graded".
EXCELLENT_SHARE = (1, 3)


def excellent_allowed(graded: int) -> int:
    """How many 优秀 a branch may give when `graded` members are graded (1/3, rounded down)."""
    num, den = EXCELLENT_SHARE
    return graded * num // den


def excellent_ok(grades: Iterable[str]) -> bool:
    grades = list(grades)
    return sum(1 for g in grades if g == Grade.EXCELLENT) <= excellent_allowed(len(grades))


def no_spread(grades: Iterable[str]) -> bool:
    """一团和气: every graded member got the same grade (everyone 优秀 included). A branch
    grading fewer than two members cannot show a spread, so it is not flagged."""
    grades = list(grades)
    return len(grades) >= 2 and len(set(grades)) == 1


def ballot_counts(marks: Iterable[tuple[int, str, int]]) -> dict[int, dict[str, int]]:
    """(participant, grade, n) rows of a grouped query → {participant: {grade: n}}."""
    out: dict[int, dict[str, int]] = {}
    for participant, grade, n in marks:
        out.setdefault(participant, dict.fromkeys(Grade.values, 0))[grade] = n
    return out


def peer_grade(counts: Mapping[str, int]) -> str:
    """The grade most peers gave (ties go to the lower grade: the stricter reading)."""
    if not counts or not any(counts.values()):
        return ""
    order = list(Grade.values)
    return max(order, key=lambda g: (counts.get(g, 0), order.index(g)))


# --- Organization score and stars (RULES Part A "Index and stars", Part B §6.1 example B) ---

BASIC_SHARE = Decimal("0.70")  # (基础项 − 减分项) × 70%
APPRAISAL_SHARE = Decimal("0.30")  # + 评议项 × 30%
# ≥90 → 5★, 80–89 → 4★, 70–79 → 3★, 60–69 → 2★, <60 → 1★.
STAR_BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal(90), 5), (Decimal(80), 4), (Decimal(70), 3), (Decimal(60), 2),
)
FIVE_STAR_SHARE = Decimal("0.30")  # 5★ at most 30% of organizations of a kind in a year
WEAK_CAP = 2  # a 软弱涣散 designation caps at 2★
FUNDED_MIN_STARS = 3  # below 3★: no subsidy, rectification
TWO = Decimal("0.01")


def organization_score(basic: Decimal, deductions: Decimal, appraisal: Decimal,
                       basic_share: Decimal = BASIC_SHARE,
                       appraisal_share: Decimal = APPRAISAL_SHARE) -> Decimal:
    """(basic − deductions) × 70% + appraisal × 30%, to 0.01 half up, never below 0."""
    raw = (basic - deductions) * basic_share + appraisal * appraisal_share
    return max(Decimal(0), raw).quantize(TWO, rounding=ROUND_HALF_UP)


def stars_for(score: Decimal) -> int:
    for floor, stars in STAR_BANDS:
        if score >= floor:
            return stars
    return 1


@dataclass(frozen=True)
class Capped:
    key: object
    proposed: int
    stars: int
    reason: str  # "" | "weak" | "five_star_share"


def apply_caps(rows: Iterable[tuple[object, Decimal, bool]],
               share: Decimal = FIVE_STAR_SHARE) -> list[Capped]:
    """Final stars for one scoring unit (the organizations of one kind rated together in a
    year): `rows` are (key, score, designated 软弱涣散).

    First a designation caps at 2★; then at most `share` of the unit (rounded down) keep 5★,
    the highest scores first (ties by the order given); the others drop to 4★.
    """
    rows = list(rows)
    allowed = int((share * len(rows)).to_integral_value(rounding="ROUND_FLOOR"))
    out: list[Capped] = []
    interim = []
    for key, score, weak in rows:
        proposed = stars_for(score)
        if weak and proposed > WEAK_CAP:
            interim.append((key, score, proposed, WEAK_CAP, "weak"))
        else:
            interim.append((key, score, proposed, proposed, ""))
    fives = sorted((i for i, r in enumerate(interim) if r[3] == 5),
                   key=lambda i: -interim[i][1])
    demoted = set(fives[allowed:])
    for i, (key, _score, proposed, stars, reason) in enumerate(interim):
        if i in demoted:
            stars, reason = 4, "five_star_share"
        out.append(Capped(key, proposed, stars, reason))
    return out


# --- Funding (the seed: 五星级6万元、四星级5万元、三星级4万元; 商圈 4/3/2 万元) ----------------

DEFAULT_SUBSIDIES: dict[str, dict[int, Decimal]] = {
    "community": {5: Decimal("60000"), 4: Decimal("50000"), 3: Decimal("40000")},
    "business_district": {5: Decimal("40000"), 4: Decimal("30000"), 3: Decimal("20000")},
}
# The seed: "社区商圈党组织工作经费则年投入700余万元"; "创投基金，年投入400余万元".
SEED_WORK_FUNDS = Decimal("7000000")
SEED_VENTURE_FUND = Decimal("4000000")
# A plausible distribution (RULES Part B §6.1 example C: 5★/4★/3★ about 10%/40%/30%).
PLAUSIBLE_SHARES: dict[int, Decimal] = {5: Decimal("0.10"), 4: Decimal("0.40"),
                                        3: Decimal("0.30")}


def subsidy_total(counts: Mapping[str, Mapping[int, int]],
                  table: Mapping[str, Mapping[int, Decimal]]) -> Decimal:
    """Σ organizations × subsidy, for {kind: {stars: count}}; stars without a rate get 0."""
    return sum((table.get(kind, {}).get(stars, Decimal(0)) * n
                for kind, per in counts.items() for stars, n in per.items()), Decimal(0))


def plausible_distribution(total: int, shares: Mapping[int, Decimal] = PLAUSIBLE_SHARES
                           ) -> dict[int, int]:
    """Split `total` organizations by star shares (rounded half up); the rest below 3★."""
    out = {s: int((share * total).to_integral_value(rounding=ROUND_HALF_UP))
           for s, share in shares.items()}
    out[0] = total - sum(out.values())
    return out


def counter(values: Iterable) -> dict:
    return dict(Counter(values))


# The default criteria of a year, copied into the year's rows when the year is first used
# (RULES Part B §6.1, example A's indicators and example B's formula). Basic items total 100;
# deductions up to 20; the appraisal item is scored out of 100.
# (code, English name, part, max points, source)
DEFAULT_CRITERIA: tuple[tuple[str, str, str, Decimal, str], ...] = (
    ("org_life", "Organizational life held as required (三会一课, 主题党日)", "basic",
     Decimal(30), "meetings_compliance"),
    ("leadership", "Leadership team (领导班子)", "basic", Decimal(15), "manual"),
    ("core_team", "Core team (骨干队伍)", "basic", Decimal(10), "manual"),
    ("venue", "Activity venue (活动阵地)", "basic", Decimal(10), "manual"),
    ("rules", "Working rules (工作制度)", "basic", Decimal(10), "manual"),
    ("support", "Support mechanisms (保障机制)", "basic", Decimal(10), "manual"),
    ("results", "Work results (工作业绩)", "basic", Decimal(15), "manual"),
    ("deductions", "Deductions: warnings and violations (减分项)", "deduction", Decimal(20),
     "manual"),
    ("appraisal", "Appraisal by members and the public (评议项)", "appraisal", Decimal(100),
     "manual"),
)
# Kinds rated with stars and funded (the seed: communities and business districts); other
# grassroots kinds may be rated too (no subsidy row: no money).
RATED_KINDS = ("community", "business_district", "village", "two_new", "institution",
               "industry", "general_branch", "branch")


def criterion_points(max_points: Decimal, rate: float | None) -> Decimal:
    """A computed criterion: its maximum × the compliance rate (none required → full)."""
    if rate is None:
        return max_points
    return (max_points * Decimal(str(rate))).quantize(TWO, rounding=ROUND_HALF_UP)


# --- Member index (锋领指数) ------------------------------------------------------------------


class Dimension(models.TextChoices):
    """RULES Part A / Part B §6.2: the four dimensions of 锋领指数."""

    PARTY_LIFE = "party_life", _("Party life (党内生活)")
    DUTY = "duty", _("Performance at one's post (岗位履职)")
    CONDUCT = "conduct", _("Moral conduct (道德品行)")
    CONTRIBUTION = "contribution", _("Role and contribution (作用贡献)")


class ItemSource(models.TextChoices):
    """Where an item's points come from: a kind of record Fengling keeps (credited monthly),
    or a secretary's award with evidence (reviewed)."""

    PARTY_DAY = "party_day", _("Themed Party Day attended")
    ORG_LIFE = "org_life", _("Other organizational life attended")
    DUES_ON_TIME = "dues_on_time", _("Dues paid on time")
    STUDY_HOURS = "study_hours", _("Approved study hours")
    AWARD = "award", _("Awarded by the secretary with evidence")


# The default 33 items of a year: (code, dimension, English name, points, monthly cap or None,
# source). RULES Part B §6.2: a 党日 = 1, a volunteer service day = 2, a charity donation = 1,
# 党员大会 study = 1; the rest are documented in docs/evaluation.md. Items whose records do not
# exist in Fengling yet (volunteering, projects, grid work) are secretary awards until then.
A = "award"
DEFAULT_INDEX_ITEMS: tuple[tuple[str, str, str, Decimal, Decimal | None, str], ...] = (
    ("party_day", "party_life", "Attended the themed Party Day", Decimal(1), Decimal(1),
     "party_day"),
    ("org_life", "party_life", "Attended other organizational life (三会一课)", Decimal(1),
     Decimal(4), "org_life"),
    ("dues", "party_life", "Paid the month's dues on time", Decimal(1), Decimal(1),
     "dues_on_time"),
    ("study", "party_life", "Study, per approved hour", Decimal("0.5"), Decimal(4),
     "study_hours"),
    ("speech", "party_life", "Spoke or reported at a meeting", Decimal(1), Decimal(2), A),
    ("talk", "party_life", "Heart-to-heart talk held", Decimal(1), Decimal(1), A),
    ("criticism", "party_life", "Criticism and self-criticism at the life meeting",
     Decimal(1), None, A),
    ("report", "party_life", "Mobile member reported to the branch", Decimal(1), Decimal(1), A),
    ("post_duty", "duty", "Fulfilled a post commitment (一人一岗)", Decimal(1), Decimal(2), A),
    ("task", "duty", "Completed a task assigned by the branch", Decimal(1), Decimal(3), A),
    ("grid", "duty", "Grid Party member work (网格)", Decimal(1), Decimal(2), A),
    ("work_award", "duty", "Commended for work by the employer", Decimal(3), None, A),
    ("innovation", "duty", "Innovation or improvement adopted", Decimal(2), None, A),
    ("skills", "duty", "Passed a skills or qualification exam", Decimal(2), None, A),
    ("service_window", "duty", "Party member service post or window duty", Decimal(1),
     Decimal(2), A),
    ("mentoring", "duty", "Mentored an activist or new member", Decimal(1), Decimal(1), A),
    ("family", "conduct", "Family virtue recognised (家庭美德)", Decimal(2), None, A),
    ("neighbour", "conduct", "Helped neighbours or settled a dispute", Decimal(1), Decimal(2),
     A),
    ("civility", "conduct", "Civic conduct commended", Decimal(1), Decimal(1), A),
    ("integrity", "conduct", "Integrity pledge kept (廉洁)", Decimal(1), None, A),
    ("deduction_discipline", "conduct", "Breach of discipline (deduction)", Decimal(-5), None,
     A),
    ("deduction_absence", "conduct", "Absent from organizational life without reason "
     "(deduction)", Decimal(-1), None, A),
    ("deduction_complaint", "conduct", "Justified complaint by the public (deduction)",
     Decimal(-2), None, A),
    ("volunteer", "contribution", "Volunteer service day", Decimal(2), Decimal(4), A),
    ("donation", "contribution", "Charity donation", Decimal(1), Decimal(1), A),
    ("project", "contribution", "Led or joined a Party-building project", Decimal(2),
     Decimal(2), A),
    ("emergency", "contribution", "Emergency or flood-season duty", Decimal(2), Decimal(4), A),
    ("blood", "contribution", "Blood donation", Decimal(2), None, A),
    ("pairing", "contribution", "Paired help for a household in difficulty (结对帮扶)",
     Decimal(1), Decimal(1), A),
    ("governance", "contribution", "Community governance or owners' committee work",
     Decimal(1), Decimal(2), A),
    ("propaganda", "contribution", "Publicity or writing published", Decimal(1), Decimal(2), A),
    ("honour", "contribution", "Honour at district level or above", Decimal(5), None, A),
    ("development", "contribution", "Recommended a new activist", Decimal(1), None, A),
)
# The year-end coefficient (年底考评): the annual report = total × coefficient.
DEFAULT_COEFFICIENT = Decimal("1.00")
