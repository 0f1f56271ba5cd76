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


def five_star_places(n: int, share: Decimal = FIVE_STAR_SHARE) -> int:
    """How many of `n` organizations of a kind may keep 5★ (the share, rounded down)."""
    return int((share * n).to_integral_value(rounding="ROUND_FLOOR"))


def apply_caps(rows: Iterable[tuple[object, Decimal, bool]],
               share: Decimal = FIVE_STAR_SHARE, *, allowed: int | None = None
               ) -> list[Capped]:
    """Final stars for one scoring unit (the organizations of one kind rated together in a
    year): `rows` are (key, score, designated 软弱涣散).

    First a designation caps at 2★; then at most `share` of the unit (rounded down) keep 5★,
    the highest scores first (ties by the order given); the others drop to 4★. `allowed`
    overrides the number of 5★ places (when some are already taken by published ratings).
    """
    rows = list(rows)
    if allowed is None:
        allowed = five_star_places(len(rows), share)
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
# (RULES Part B §6.1, example A's indicators and example B's formula; the 吉林 e支部 design
# combines the members' average points with the higher level's). Basic items total 100;
# deductions up to 20; the appraisal item is scored out of 100.
# (code, name (data, in Chinese), part, max points, source, params)
DEFAULT_CRITERIA: tuple[tuple[str, str, str, Decimal, str, dict], ...] = (
    ("org_life", "组织生活落实（三会一课、主题党日）", "basic",
     Decimal(30), "meetings_compliance", {}),
    ("member_index", "党员锋领指数（党员平均指数）", "basic", Decimal(10),
     "member_index", {"full_at": "36"}),
    ("leadership", "领导班子", "basic", Decimal(15), "manual", {}),
    ("core_team", "骨干队伍", "basic", Decimal(10), "manual", {}),
    ("venue", "活动阵地", "basic", Decimal(10), "manual", {}),
    ("rules", "工作制度", "basic", Decimal(10), "manual", {}),
    ("support", "保障机制", "basic", Decimal(5), "manual", {}),
    ("results", "工作业绩", "basic", Decimal(10), "manual", {}),
    ("deductions", "减分项（监测预警）", "deduction", Decimal(20),
     "warnings", {"red": "4", "yellow": "2"}),
    ("appraisal", "评议项（党员群众评议）", "appraisal", Decimal(100),
     "manual", {}),
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


def index_criterion_points(max_points: Decimal, average: Decimal | None,
                           full_at: Decimal, months: int = 12) -> Decimal:
    """The members' index criterion (issue 6; RULES Part A "Index and stars": the
    organization's score uses its members' index): maximum × the subtree's average annual
    index ÷ the average that earns full points (`full_at`, per year, pro rata for the
    `months` of the year elapsed), never above the maximum. No members: 0."""
    if average is None or full_at <= 0 or months <= 0:
        return Decimal(0)
    target = full_at * months / 12
    share = min(Decimal(1), max(Decimal(0), Decimal(average) / target))
    return (max_points * share).quantize(TWO, rounding=ROUND_HALF_UP)


# Warning levels that deduct (a look-ahead "upcoming" does not).
DEDUCTING_LEVELS = ("red", "yellow")


def warning_deduction(max_points: Decimal, fired: Iterable[tuple[str, str]],
                      params: Mapping) -> Decimal:
    """Deductions from the year's warnings (RULES Part A: score = (basic − deductions) × 70%
    + …; the deductions include the warnings of 监测预警). `fired` is one (rule, level) per
    warned subject and rule in the year (a warning re-opened for the same subject counts
    once, at its most severe level). Each deducts `params["rules"][rule]` if set, else
    `params[level]` (red 4, yellow 2 by default); the total is capped at the maximum."""
    per_rule = params.get("rules") or {}
    total = Decimal(0)
    for rule, level in fired:
        if level not in DEDUCTING_LEVELS:
            continue
        value = per_rule.get(rule, params.get(level, 0))
        total += Decimal(str(value))
    return min(max_points, total).quantize(TWO, rounding=ROUND_HALF_UP)


def histogram(values: Iterable[Decimal], width: Decimal, *, bands: int | None = None
              ) -> list[tuple[Decimal, Decimal, int]]:
    """(low, high, count) bands of `width` from 0 (values below 0 fall in the first band,
    the last band is open-ended when `bands` is given). Pure: the distribution pages."""
    values = list(values)
    if width <= 0:
        raise ValueError("width must be positive")
    top = max(values, default=Decimal(0))
    n = bands or max(1, int(top // width) + 1)
    counts = [0] * n
    for v in values:
        i = 0 if v < 0 else min(n - 1, int(Decimal(v) // width))
        counts[i] += 1
    return [(width * i, width * (i + 1), c) for i, c in enumerate(counts)]


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


# The default 33 items of a year (names are data, in Chinese; English in docs/evaluation.md):
# (code, dimension, name, points, monthly cap or None,
# source). RULES Part B §6.2: a 党日 = 1, a volunteer service day = 2, a charity donation = 1,
# 党员大会 study = 1; the rest are documented in docs/evaluation.md. Items whose records do not
# exist in Fengling yet (volunteering, projects, grid work) are secretary awards until then.
A = "award"
DEFAULT_INDEX_ITEMS: tuple[tuple[str, str, str, Decimal, Decimal | None, str], ...] = (
    ("party_day", "party_life", "参加主题党日", Decimal(1), Decimal(1),
     "party_day"),
    ("org_life", "party_life", "参加其他组织生活（三会一课）", Decimal(1),
     Decimal(4), "org_life"),
    ("dues", "party_life", "按月按时交纳党费", Decimal(1), Decimal(1),
     "dues_on_time"),
    ("study", "party_life", "学习（每审核学时）", Decimal("0.5"), Decimal(4),
     "study_hours"),
    ("speech", "party_life", "会上发言或汇报", Decimal(1), Decimal(2), A),
    ("talk", "party_life", "开展谈心谈话", Decimal(1), Decimal(1), A),
    ("criticism", "party_life", "组织生活会开展批评与自我批评",
     Decimal(1), None, A),
    ("report", "party_life", "流动党员向支部报告", Decimal(1), Decimal(1), A),
    ("post_duty", "duty", "履行岗位承诺（一人一岗）", Decimal(1), Decimal(2), A),
    ("task", "duty", "完成支部交办任务", Decimal(1), Decimal(3), A),
    ("grid", "duty", "网格党员工作", Decimal(1), Decimal(2), A),
    ("work_award", "duty", "获单位工作表彰", Decimal(3), None, A),
    ("innovation", "duty", "创新或改进被采纳", Decimal(2), None, A),
    ("skills", "duty", "通过技能或资格考试", Decimal(2), None, A),
    ("service_window", "duty", "党员示范岗或窗口服务", Decimal(1),
     Decimal(2), A),
    ("mentoring", "duty", "培养联系入党积极分子或新党员", Decimal(1), Decimal(1), A),
    ("family", "conduct", "家庭美德受到表彰", Decimal(2), None, A),
    ("neighbour", "conduct", "帮助邻里或调解纠纷", Decimal(1), Decimal(2),
     A),
    ("civility", "conduct", "文明行为受到表扬", Decimal(1), Decimal(1), A),
    ("integrity", "conduct", "践行廉洁承诺", Decimal(1), None, A),
    ("deduction_discipline", "conduct", "违反纪律（扣分）", Decimal(-5), None,
     A),
    ("deduction_absence", "conduct", "无故缺席组织生活（扣分）", Decimal(-1), None, A),
    ("deduction_complaint", "conduct", "群众投诉属实（扣分）",
     Decimal(-2), None, A),
    ("volunteer", "contribution", "志愿服务（每日）", Decimal(2), Decimal(4), A),
    ("donation", "contribution", "慈善捐款", Decimal(1), Decimal(1), A),
    ("project", "contribution", "领办或参与党建项目", Decimal(2),
     Decimal(2), A),
    ("emergency", "contribution", "应急或防汛值守", Decimal(2), Decimal(4), A),
    ("blood", "contribution", "无偿献血", Decimal(2), None, A),
    ("pairing", "contribution", "结对帮扶困难家庭",
     Decimal(1), Decimal(1), A),
    ("governance", "contribution", "参与社区治理或业委会工作",
     Decimal(1), Decimal(2), A),
    ("propaganda", "contribution", "宣传报道或文章发表", Decimal(1), Decimal(2), A),
    ("honour", "contribution", "获区级以上荣誉", Decimal(5), None, A),
    ("development", "contribution", "推荐入党积极分子", Decimal(1), None, A),
)
# The year-end coefficient (年底考评): the annual report = total × coefficient.
DEFAULT_COEFFICIENT = Decimal("1.00")
