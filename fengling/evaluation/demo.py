"""Demo evaluation data (`fengling seed`): the previous year's star ratings (锋领党组织星级考评),
filed, with their criterion points, 软弱涣散 designations and audit trail, and the budget
lines (work funds, venture fund) of that year and this one with disbursements.

Set-based and deterministic from the seed: every rated organization's rating is planned in
Python and written with a handful of bulk inserts (never `services.rating_score` per row).

The previous year (`as_of.year − 1`) went through the whole flow in its December (so it is
filed whatever `as_of` is): self-review 1–5 December, scoring by the level above 8–15,
public notice (公示) from the 18th for the year's notice days, filing on the 28th. The
district is the scoring unit of every kind (the 30% cap on 5★ is counted per kind over the
district, RULES Part A "Index and stars"); organizations designated 软弱涣散 that year (5% from
the bottom, RULES Part B §5.1) are capped at 2★ (`rules.apply_caps`).

Scores come from one quality per organization (Beta(4, 2): most organizations do well, a
tail does not) that drives every criterion with some noise, giving by the bands about 23% 5★
(the cap allows 30%), 37% 4★, 24% 3★, 13% 2★ and 3% 1★: a spread like RULES Part B §6.1's
examples. The computed criteria of that year (organizational life, the members' index,
warnings) are written as they were frozen at scoring: the demo's records cover only this
year.

Money (the seed: 社区商圈党组织工作经费 "年投入700余万元", 创投基金 "年投入400余万元"): the
district's budget lines scale with the number of communities and business districts (96 in
the seed's district: ¥7.2M and ¥4.1M last year, ¥7.4M and ¥4.2M this year). Last year's star
subsidies (`SubsidyRate` × filed stars) are paid on 30 December; venture-fund projects are
paid through each year up to `as_of`. This year's work funds wait for this year's ratings.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from fengling.accounts.models import RoleAssignment
from fengling.core.models import AuditEntry
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import Organization

from . import rules
from .models import (
    BudgetLine,
    Criterion,
    CriterionPart,
    CriterionScore,
    CriterionSource,
    DesignationEvent,
    DesignationState,
    Disbursement,
    Fund,
    RatingState,
    StarRating,
    SubsidyRate,
    WeakDesignation,
    WeakSituation,
)
from .scores import forget
from .services import year_defaults

# The seed's district: 83 communities and 13 business districts share the seed's budgets.
SEED_FUNDED = 96
# (work funds, venture fund) of the district: last year, this year.
BUDGETS = ((Decimal("7200000"), Decimal("4100000")), (Decimal("7400000"), Decimal("4200000")))
# RULES Part B §5.1: 5%–10% ranked from the bottom; the demo designates the minimum.
WEAK_SHARE = Decimal("0.05")
HALF = Decimal("0.5")

# Evidence of the criteria entered by the level above (data, in Chinese like the criteria).
EVIDENCE = {
    "leadership": "查阅班子会议记录、述职评议材料，现场访谈班子成员",
    "core_team": "核查党员骨干、后备干部名册及培养记录",
    "venue": "实地查看党群服务中心（阵地）使用台账",
    "rules": "抽查“三会一课”、党务公开等制度执行台账",
    "support": "核对工作经费使用和报酬待遇落实情况",
    "results": "对照年度党建项目和重点任务完成情况",
    "appraisal": "党员群众测评表汇总（发放、回收、满意率）",
}
SELF_NOTES = ("对照考评细则逐项自评，台账齐全。", "按标准自评，阵地建设仍有短板。",
              "逐项对照自评，党员教育管理有待加强。", "自评如实，已列出整改清单。")
WEAK_REASONS = {
    WeakSituation.NO_ACTIVITY: "组织生活不经常、不规范，“三会一课”落实不到位",
    WeakSituation.TEAM_INCOMPLETE: "班子不健全，书记长期缺职，工作处于停滞状态",
    WeakSituation.POOR_SERVICE: "服务意识和能力不强，群众意见较大",
}
PROJECTS = ("红色物业联盟", "老年食堂助餐", "楼宇党建服务驿站", "青少年四点半课堂",
            "社区微治理", "商圈党群议事厅", "邻里帮帮团", "志愿服务积分超市", "垃圾分类督导",
            "新就业群体暖心驿站", "小巷管家", "老旧小区加装电梯协调")


@dataclass
class _Planned:
    organization_id: int
    path: str
    kind: str
    quality: float
    weak: bool = False
    points: dict | None = None  # criterion code → (points, evidence, computed)
    score: Decimal = Decimal(0)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _share(rng: random.Random, quality: float, low: float = 0.3) -> Decimal:
    """A criterion's share of its maximum for an organization of this quality."""
    return Decimal(str(max(low, min(1.0, 0.5 + 0.5 * quality + rng.uniform(-0.06, 0.06)))))


def _points(rng: random.Random, criterion: Criterion, quality: float
            ) -> tuple[Decimal, str, bool]:
    """(points, evidence, computed) of one criterion, the way scoring froze it."""
    mx = criterion.max_points
    if criterion.source == CriterionSource.MEETINGS:
        required = 24
        met = min(required, round(required * float(_share(rng, quality, 0.4))))
        points = rules.criterion_points(mx, met / required)
        return points, f"组织生活：{criterion.year}年应落实{required}期，按期落实{met}期。", True
    if criterion.source == CriterionSource.MEMBER_INDEX:
        full_at = Decimal(str((criterion.params or {}).get("full_at", "36")))
        average = (full_at * _share(rng, quality, 0.4)).quantize(rules.TWO)
        points = rules.index_criterion_points(mx, average, full_at)
        evidence = f"党员锋领指数：{criterion.year}年人均{average}分，满分基准{full_at}分。"
        return points, evidence, True
    if criterion.source == CriterionSource.WARNINGS:
        # Weaker organizations had more warnings (red 4, yellow 2 by default).
        worst = max(0, round((1 - quality) * 6))
        red, yellow = rng.randint(0, worst // 3), rng.randint(0, worst)
        points = rules.warning_deduction(mx, [("demo", "red")] * red
                                         + [("demo", "yellow")] * yellow, criterion.params or {})
        return points, f"监测预警：{criterion.year}年红色预警{red}条，黄色预警{yellow}条。", True
    # Manual points are entered in half points.
    raw = mx * _share(rng, quality)
    points = min(mx, (raw / HALF).to_integral_value(rounding=ROUND_HALF_UP) * HALF)
    return points, EVIDENCE.get(criterion.code, "查阅台账、现场核查"), False


def _scaled(amount: Decimal, funded: int) -> Decimal:
    """The seed's district figure for `funded` communities and business districts, in
    ten-thousands of yuan."""
    scaled = amount * funded / SEED_FUNDED
    return max(Decimal(10000), (scaled / 10000).to_integral_value(ROUND_HALF_UP) * 10000)


def seed_evaluation(as_of: dt.date, seed: int) -> dict[str, int]:
    """Write the previous year's filed ratings and the two years' budgets. Call inside the
    seed's transaction, after the tree and the accounts."""
    rng = random.Random(seed * 7919 + 6)
    year = as_of.year - 1
    scheme = year_defaults(year)
    year_defaults(as_of.year)
    criteria = list(Criterion.objects.filter(year=year).order_by("position", "pk"))
    year_end = dt.date(year, 12, 31)
    orgs = list(Organization.objects.filter(kind__in=rules.RATED_KINDS, depth__gt=1)
                .exclude(established_on__gt=year_end)
                .order_by("path").values_list("pk", "path", "kind"))
    planned = [_Planned(pk, path, kind, rng.betavariate(4, 2)) for pk, path, kind in orgs]
    # 软弱涣散 of the year: the weakest 5% (at least one), entered in March.
    weak_n = max(1, int((WEAK_SHARE * len(planned)).to_integral_value(ROUND_HALF_UP))) \
        if planned else 0
    for p in sorted(planned, key=lambda p: (p.quality, p.path))[:weak_n]:
        p.weak = True
        p.quality = min(p.quality, 0.35)
    sums: dict[int, dict[str, Decimal]] = {}
    for p in planned:
        p.points = {c.code: _points(rng, c, p.quality) for c in criteria}
        part = {v: Decimal(0) for v in CriterionPart.values}
        for c in criteria:
            part[c.part] += p.points[c.code][0]
        sums[p.organization_id] = part
        p.score = rules.organization_score(part["basic"], part["deduction"], part["appraisal"],
                                           scheme.basic_share, scheme.appraisal_share)
    # Caps per kind over the district (the scoring unit of the demo).
    capped = {}
    by_kind: dict[str, list[_Planned]] = defaultdict(list)
    for p in planned:
        by_kind[p.kind].append(p)
    for group in by_kind.values():
        for c in rules.apply_caps([(p.organization_id, p.score, p.weak) for p in group],
                                  share=scheme.five_star_share):
            capped[c.key] = c
    notice_from = dt.date(year, 12, 18)
    notice_until = notice_from + dt.timedelta(days=scheme.notice_days)
    filed_on = dt.date(year, 12, 28)
    self_days, scored_days = {}, {}
    ratings = []
    for p in planned:
        c, part = capped[p.organization_id], sums[p.organization_id]
        self_days[p.organization_id] = dt.date(year, 12, rng.randint(1, 5))
        scored_days[p.organization_id] = dt.date(year, 12, rng.randint(8, 15))
        ratings.append(StarRating(
            organization_id=p.organization_id, year=year, kind=p.kind, state=RatingState.FILED,
            self_score=min(Decimal(100), p.score + Decimal(rng.randint(0, 50)) / 10),
            self_note=rng.choice(SELF_NOTES), basic=part["basic"],
            deductions=part["deduction"], appraisal=part["appraisal"], score=p.score,
            proposed_stars=c.proposed, stars=c.stars, cap_reason=c.reason,
            notice_from=notice_from, notice_until=notice_until, filed_on=filed_on))
    ratings = StarRating.objects.bulk_create(ratings, batch_size=2000)
    CriterionScore.objects.bulk_create([
        CriterionScore(rating_id=r.pk, criterion=c, points=p.points[c.code][0],
                       evidence=p.points[c.code][1], computed=p.points[c.code][2])
        for p, r in zip(planned, ratings, strict=True) for c in criteria
    ], batch_size=5000)
    weak = _designations(rng, [p for p in planned if p.weak], year)

    # Who did each step: an account holding a role at the organization (self-review) or at
    # the level above (scoring), else the district's; notice and filing by the district.
    holders = dict(RoleAssignment.objects.order_by("-pk").values_list("organization__path",
                                                                      "user_id"))
    root_paths = [p for p in holders if len(p) == Organization.steplen]
    district_user = holders[root_paths[0]] if root_paths else None
    steplen = Organization.steplen
    stars_type = ContentType.objects.get_for_model(StarRating)
    entries: list[tuple[dt.datetime, AuditEntry]] = []
    for p, r in zip(planned, ratings, strict=True):
        parent = p.path[:-steplen]
        common = {"content_type": stars_type, "object_id": str(r.pk),
                  "organization_path": p.path}
        entries += [
            (_at(self_days[p.organization_id]), AuditEntry(
                actor_id=holders.get(p.path), action="stars.self_review",
                data={"self_score": str(r.self_score)}, **common)),
            (_at(scored_days[p.organization_id]), AuditEntry(
                actor_id=holders.get(parent, district_user), action="stars.score",
                data={"score": str(r.score), "stars": r.proposed_stars}, **common)),
            (_at(notice_from, 9), AuditEntry(
                actor_id=district_user, action="stars.notice",
                data={"stars": r.stars, "capped": r.cap_reason}, **common)),
            (_at(filed_on, 9), AuditEntry(actor_id=district_user, action="stars.file",
                                          data={"stars": r.stars}, **common)),
        ]
    weak_type = ContentType.objects.get_for_model(WeakDesignation)
    path_of = {p.organization_id: p.path for p in planned}
    for d in weak:
        entries.append((_at(d.entered_on), AuditEntry(
            actor_id=district_user, action="stars.weak", content_type=weak_type,
            object_id=str(d.pk), organization_path=path_of[d.organization_id],
            data={"year": year})))
    money = _funding(rng, as_of, ratings, district_user)
    entries += money.pop("entries")
    _write_audit(entries)
    forget()  # bulk inserts send no signals: the cached scores go stale here
    counts = rules.counter(r.stars for r in ratings)
    return {"star_ratings": len(ratings), "weak_designations": len(weak),
            **{f"stars_{s}": counts.get(s, 0) for s in range(1, 6)}, **money}


def _designations(rng: random.Random, weak: list[_Planned], year: int
                  ) -> list[WeakDesignation]:
    entered_on = dt.date(year, 3, 20)
    situations = list(WEAK_REASONS)
    rows = WeakDesignation.objects.bulk_create([
        WeakDesignation(organization_id=p.organization_id, year=year,
                        situation=(s := situations[n % len(situations)]),
                        reason=WEAK_REASONS[s], state=DesignationState.ENTERED,
                        triggers=["demo_bottom_ranked"], entered_on=entered_on)
        for n, p in enumerate(weak)])
    DesignationEvent.objects.bulk_create([
        DesignationEvent(designation_id=d.pk, state=DesignationState.ENTERED, text=d.reason,
                         on=entered_on) for d in rows])
    return rows


def _funding(rng: random.Random, as_of: dt.date, ratings: list[StarRating],
             actor_id: int | None) -> dict:
    """Budget lines of last year and this year at the district, last year's star subsidies
    paid, venture-fund projects paid up to `as_of`."""
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return {"entries": []}
    funded_kinds = list(rules.DEFAULT_SUBSIDIES)
    candidates = list(Organization.objects.filter(
        kind__in=[*funded_kinds, OrgKind.TWO_NEW]).order_by("path").values_list("pk", "path"))
    funded = sum(1 for r in ratings if r.kind in funded_kinds) or 1
    year = as_of.year - 1
    rates = {(k, s): a for k, s, a in SubsidyRate.objects.filter(year=year)
             .values_list("kind", "stars", "amount")}
    lines, entries = [], []
    for y, (work, venture) in zip((year, as_of.year), BUDGETS, strict=True):
        for fund, amount in ((Fund.WORK, work), (Fund.VENTURE, venture)):
            lines.append(BudgetLine(organization=root, year=y, fund=fund,
                                    amount=_scaled(amount, funded)))
    lines = BudgetLine.objects.bulk_create(lines)
    line = {(b.year, b.fund): b for b in lines}
    paths = dict(Organization.objects.filter(
        pk__in=[r.organization_id for r in ratings]).values_list("pk", "path"))
    paths.update(dict(candidates))
    payments: list[Disbursement] = []
    # Last year's star subsidies, paid once filed (below 3★: nothing, RULES Part A).
    for r in ratings:
        amount = rates.get((r.kind, r.stars))
        if amount:
            payments.append(Disbursement(line=line[(year, Fund.WORK)],
                                         organization_id=r.organization_id, amount=amount,
                                         paid_on=dt.date(year, 12, 30),
                                         note=f"{year}年度星级考评补助（{r.stars}星）"))
    # Venture-fund projects: about 85% of the budget over the year (up to `as_of`).
    for y in (year, as_of.year):
        budget = line[(y, Fund.VENTURE)].amount
        spent = Decimal(0)
        while candidates and spent < budget * Decimal("0.85"):
            pk, _path = rng.choice(candidates)
            amount = min(Decimal(rng.randrange(3, 16) * 10000), budget - spent)
            paid_on = dt.date(y, rng.randint(3, 11), rng.randint(1, 28))
            spent += amount
            if paid_on > as_of:
                continue
            payments.append(Disbursement(line=line[(y, Fund.VENTURE)], organization_id=pk,
                                         amount=amount, paid_on=paid_on,
                                         note=f"创投基金项目：{rng.choice(PROJECTS)}"))
    payments = Disbursement.objects.bulk_create(payments, batch_size=2000)
    line_type = ContentType.objects.get_for_model(BudgetLine)
    paid_type = ContentType.objects.get_for_model(Disbursement)
    for b in lines:
        entries.append((_at(dt.date(b.year, 1, 10)), AuditEntry(
            actor_id=actor_id, action="funding.budget", content_type=line_type,
            object_id=str(b.pk), organization_path=root.path,
            data={"amount": str(b.amount)})))
    for d in payments:
        entries.append((_at(d.paid_on, 15), AuditEntry(
            actor_id=actor_id, action="funding.disburse", content_type=paid_type,
            object_id=str(d.pk), organization_path=paths.get(d.organization_id, root.path),
            data={"amount": str(d.amount)})))
    return {"entries": entries, "budget_lines": len(lines), "disbursements": len(payments)}


def _write_audit(entries: list[tuple[dt.datetime, AuditEntry]]) -> None:
    """Insert the audit entries, then date them (`created_at` is set on insert): one UPDATE
    per distinct time (a few dozen)."""
    created = AuditEntry.objects.bulk_create([e for _t, e in entries], batch_size=2000)
    by_time: dict[dt.datetime, list[int]] = defaultdict(list)
    for (when, _e), row in zip(entries, created, strict=True):
        by_time[when].append(row.pk)
    for when, pks in by_time.items():
        for start in range(0, len(pks), 5000):
            AuditEntry.objects.filter(pk__in=pks[start:start + 5000]).update(created_at=when)
