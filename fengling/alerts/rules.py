"""The warning rules (预警规则), evaluated set-based over the whole district.

Each rule is an object with an id, a level, a title and a plain-language message (English
msgid, translated), the regulation it encodes, its default thresholds (overridable per year by
`models.Threshold` rows) and a function that reads the district through a shared
`ScanContext` and returns its findings. A finding names a subject (an organization, or a
member of it), the values of the message and the evidence rows (text and link).

Sources: RULES.md Part A "Warnings" and Part B §5.2. Every rule issues a few queries for the
whole district (the context shares the common ones), never one per organization or member.

Rules whose records do not exist yet (dues, study hours, appraisal grades) are listed in
`WAITING`: the engine runs without them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fengling.meetings import rules as meeting_rules
from fengling.meetings.rules import MeetingKind, MeetingState, Period
from fengling.organizations import rules as org_rules
from fengling.organizations.kinds import GRASSROOTS_KINDS, OrgKind

from .models import Level

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)


@dataclass(frozen=True)
class Finding:
    organization_id: int
    subject: str
    params: dict = field(default_factory=dict)
    evidence: list = field(default_factory=list)
    member_id: int | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    title: Promise
    message: Promise  # %(name)s placeholders filled from Finding.params
    source: str
    evaluate: Callable[[ScanContext], Iterable[Finding]]
    defaults: dict[str, int] = field(default_factory=dict)
    # A 软弱涣散 trigger (RULES Part B §5.1 quantified versions).
    weak_trigger: bool = False


def ev(text: str, url: str = "") -> dict:
    """One evidence row."""
    return {"text": text, "url": url}


def org_url(pk: int) -> str:
    return reverse("organizations:detail", args=[pk])


def member_url(pk: int) -> str:
    return reverse("members:detail", args=[pk])


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_end(day: dt.date) -> dt.date:
    return meeting_rules.month_end(day)


class ScanContext:
    """What one scan reads, shared by the rules: each property is one query, made once."""

    def __init__(self, today: dt.date):
        self.today = today
        self.queries_by_rule: dict[str, int] = {}

    @cached_property
    def thresholds(self) -> dict[tuple[str, str], int]:
        """The value in force this year of each (rule, parameter): the latest row whose
        effective year is not after the year evaluated."""
        from .models import Threshold

        values: dict[tuple[str, str], int] = {}
        for row in Threshold.objects.filter(effective_year__lte=self.today.year).order_by(
                "effective_year"):
            values[(row.rule, row.name)] = row.value
        return values

    def t(self, rule: Rule, name: str) -> int:
        return self.thresholds.get((rule.id, name), rule.defaults[name])

    @cached_property
    def organizations(self) -> dict[int, dict]:
        """Grassroots organizations and Party groups (the subjects of organization rules)."""
        from fengling.organizations.models import Organization

        kinds = set(GRASSROOTS_KINDS) | set(meeting_rules.REQUIREMENTS)
        return {o["id"]: o for o in Organization.objects.filter(kind__in=kinds).order_by()
                .values("id", "name", "kind", "path", "established_on", "created_at")}

    def orgs_of(self, kinds) -> list[dict]:
        return [o for o in self.organizations.values() if o["kind"] in kinds]

    def existed_since(self, org: dict, day: dt.date) -> bool:
        """Did the organization exist on `day`? (the founding date, else the record's)."""
        founded = org["established_on"] or timezone.localdate(org["created_at"])
        return founded <= day

    @cached_property
    def latest_terms(self) -> dict[int, dict]:
        """The latest committee term of each organization."""
        from fengling.organizations.models import CommitteeTerm

        latest: dict[int, dict] = {}
        for t in CommitteeTerm.objects.order_by("organization_id", "-started_on").values(
                "id", "organization_id", "started_on", "years", "postponed_until"):
            latest.setdefault(t["organization_id"], t)
        return latest

    @cached_property
    def secretary_posts(self) -> dict[int, list[dict]]:
        """Secretary posts by term."""
        from fengling.organizations.models import CommitteePost, Post

        posts: dict[int, list[dict]] = defaultdict(list)
        for p in CommitteePost.objects.filter(post=Post.SECRETARY).order_by().values(
                "term_id", "started_on", "ended_on"):
            posts[p["term_id"]].append(p)
        return posts

    @cached_property
    def current_posts(self) -> dict[int, int]:
        """Seats currently held, by term."""
        from fengling.organizations.models import CommitteePost

        return dict(CommitteePost.objects.filter(ended_on__isnull=True).order_by()
                    .values_list("term_id").annotate(n=Count("id")))

    @cached_property
    def member_counts(self) -> dict[int, tuple[int, int]]:
        """(full members, all members) of each organization, active members only."""
        from fengling.members.models import Member, Membership

        rows = (Member.objects.active().order_by().values("organization_id")
                .annotate(full=Count("id", filter=Q(membership=Membership.FULL)),
                          total=Count("id")))
        return {r["organization_id"]: (r["full"], r["total"]) for r in rows}

    @cached_property
    def arrears(self) -> dict[int, dict]:
        """Months owed by each member up to this month (one grouped query): payments settle
        the oldest month first, so the count is the age of the arrears (dues module)."""
        from fengling.dues.models import BillStatus, DuesBill

        rows = (DuesBill.objects.filter(status=BillStatus.OPEN,
                                        month__lte=self.today.replace(day=1))
                .order_by().values("member_id", "member__name", "member__organization_id")
                .annotate(months=Count("id"), oldest=Min("month")))
        return {r["member_id"]: r for r in rows}

    def held_orgs(self, kind: str, start: dt.date, end: dt.date) -> dict[int, int]:
        """Organizations that held a meeting of `kind` on days start..end, with the count."""
        from fengling.meetings.models import Meeting

        return dict(Meeting.objects.filter(
            kind=kind, state=MeetingState.HELD, starts_at__gte=_midnight(start),
            starts_at__lt=_midnight(end + dt.timedelta(days=1)),
        ).order_by().values_list("organization_id").annotate(n=Count("id")))


# --- Organizational life (三会一课) ------------------------------------------------------------


def silent_branch(ctx: ScanContext) -> Iterable[Finding]:
    """No held meeting of any kind for more than N days (RULES Part B §5.2 "静默支部"); the
    meetings of the branch's Party groups count."""
    from fengling.meetings.models import Meeting
    from fengling.organizations.models import Organization

    days = ctx.t(SILENT_BRANCH, "days")
    since = ctx.today - dt.timedelta(days=days)
    last = dict(Meeting.objects.filter(state=MeetingState.HELD).order_by()
                .values_list("organization_id").annotate(last=Max("starts_at")))
    # A Party group is part of its branch (支部工作条例 第十三条): its 党小组会 is the branch's
    # activity too, so a branch whose groups meet is not silent.
    branch_by_path = {o["path"]: o["id"] for o in ctx.orgs_of(BRANCH_KINDS)}
    for group in ctx.orgs_of((OrgKind.PARTY_GROUP,)):
        branch_id = branch_by_path.get(group["path"][:-Organization.steplen])
        held = last.get(group["id"])
        if branch_id is not None and held is not None:
            last[branch_id] = max(held, last.get(branch_id, held))
    for org in ctx.orgs_of(BRANCH_KINDS):
        if not ctx.existed_since(org, since):
            continue
        held = last.get(org["id"])
        held_on = timezone.localdate(held) if held else None
        if held_on is None or held_on < since:
            yield Finding(org["id"], f"o{org['id']}", {
                "days": days, "last": held_on.isoformat() if held_on else "—"},
                [ev(org["name"], org_url(org["id"]))]
                + ([ev(str(held_on), reverse("meetings:list") + f"?organization={org['id']}")]
                   if held_on else []))


def _previous_period(today: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The last period of this kind that is over by `today` (first and last day)."""
    current = meeting_rules.period_of(today, period)
    last = current - dt.timedelta(days=1)
    return meeting_rules.period_of(last, period), last


def _current_period(today: dt.date, period: str) -> tuple[dt.date, dt.date]:
    start = meeting_rules.period_of(today, period)
    return start, meeting_rules._period_end(start, period)


def _meeting_findings(ctx: ScanContext, start_end: Callable, only_ending_by=None,
                      ) -> Iterable[Finding]:
    kinds_by_req: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for org in ctx.organizations.values():
        for req in meeting_rules.requirements_for(org["kind"]):
            kinds_by_req[(req.kind, req.period)].append((org, req))
    for (kind, period), pairs in kinds_by_req.items():
        start, end = start_end(ctx.today, period)
        if only_ending_by is not None and end > only_ending_by:
            continue
        held = ctx.held_orgs(kind, start, end)
        for org, req in pairs:
            if not ctx.existed_since(org, start) or held.get(org["id"], 0) >= req.times:
                continue
            yield Finding(org["id"], f"o{org['id']}:{kind}:{start.isoformat()}", {
                "kind": kind, "start": start.isoformat(), "end": end.isoformat()},
                [ev(org["name"], org_url(org["id"])),
                 ev(f"{start.isoformat()} – {end.isoformat()}",
                    reverse("meetings:compliance") + f"?organization={org['id']}")])


def meeting_missed(ctx: ScanContext) -> Iterable[Finding]:
    """A required meeting not held in its last completed period (支部工作条例; Part B §5.2:
    monthly 支委会 / 党小组会 / 主题党日, quarterly 党员大会 and 党课, yearly 组织生活会,
    民主评议 and 谈心谈话). One query per requirement, for every organization at once."""
    # Only the latest completed period is judged: an older miss stays a fact of the
    # compliance report, not an open warning.
    return _meeting_findings(ctx, _previous_period)


def meeting_due(ctx: ScanContext) -> Iterable[Finding]:
    """Look-ahead: a required meeting not yet held in a period that ends this month (a
    branch with no 支委会 yet this month, no 党课 in the quarter's last month …)."""
    return _meeting_findings(ctx, _current_period, only_ending_by=month_end(ctx.today))


# --- Committee terms and posts (任期意见, 选举条例, 支部工作条例) -----------------------------


def _term_findings(ctx: ScanContext, wanted: str) -> Iterable[Finding]:
    for org_id, term in ctx.latest_terms.items():
        org = ctx.organizations.get(org_id)
        if org is None:
            continue
        due = org_rules.election_due(term["started_on"], term["years"], term["postponed_until"])
        if org_rules.term_status(due, ctx.today) == wanted:
            yield Finding(org_id, f"o{org_id}", {"due": due.isoformat()},
                          [ev(f"{org['name']} · {term['started_on'].isoformat()} – "
                              f"{due.isoformat()}", org_url(org_id))])


def term_due_soon(ctx):
    """Election due within 6 months (RULES Part A: remind 6 months before expiry)."""
    return _term_findings(ctx, org_rules.TERM_DUE_SOON)


def term_overdue(ctx):
    """Election overdue (RULES Part A: overdue at expiry)."""
    return _term_findings(ctx, org_rules.TERM_OVERDUE)


def term_long_overdue(ctx):
    """More than a year overdue: a violation (postponement is capped at 1 year)."""
    return _term_findings(ctx, org_rules.TERM_LONG_OVERDUE)


def _vacancies(ctx: ScanContext) -> Iterable[tuple[dict, dt.date | None]]:
    """Organizations with a committee term but no secretary in office, and since when."""
    for org_id, term in ctx.latest_terms.items():
        org = ctx.organizations.get(org_id)
        if org is None or org["kind"] == OrgKind.PARTY_GROUP:
            continue
        posts = ctx.secretary_posts.get(term["id"], [])
        if any(p["ended_on"] is None for p in posts):
            continue
        ended = [p["ended_on"] for p in posts if p["ended_on"]]
        yield org, max(ended) if ended else term["started_on"]


def secretary_vacant(ctx):
    """A secretary post vacant (RULES Part A: any vacancy → yellow; filled promptly)."""
    months = ctx.t(SECRETARY_VACANT_LONG, "months")
    for org, since in _vacancies(ctx):
        if since and since < org_rules.add_months(ctx.today, -months):
            continue  # the red rule has it
        yield Finding(org["id"], f"o{org['id']}", {"since": since.isoformat()},
                      [ev(org["name"], org_url(org["id"]))])


def secretary_vacant_long(ctx):
    """Secretary vacant more than 3 months: red, a 软弱涣散 candidate (Part B §5.1)."""
    months = ctx.t(SECRETARY_VACANT_LONG, "months")
    for org, since in _vacancies(ctx):
        if since < org_rules.add_months(ctx.today, -months):
            yield Finding(org["id"], f"o{org['id']}", {"since": since.isoformat(),
                                                       "months": months},
                          [ev(org["name"], org_url(org["id"]))])


def committee_setup(ctx):
    """Committee not matching the size (支部工作条例: ≥7 full members → a committee of 3–7;
    fewer → a secretary, maybe a deputy). Judges branches with a recorded term."""
    lo, hi = org_rules.BRANCH_COMMITTEE_SIZE
    need = ctx.t(COMMITTEE_SETUP, "full_members")
    for org in ctx.orgs_of(BRANCH_KINDS):
        term = ctx.latest_terms.get(org["id"])
        if term is None:
            continue
        full, _total = ctx.member_counts.get(org["id"], (0, 0))
        seats = ctx.current_posts.get(term["id"], 0)
        if (full >= need and seats < lo) or seats > hi:
            yield Finding(org["id"], f"o{org['id']}", {"full": full, "seats": seats},
                          [ev(org["name"], org_url(org["id"]))])


def branch_size(ctx):
    """A branch under 3 full members or over 50 members, a general branch of 100 or more
    (支部工作条例; RULES Part A)."""
    low = ctx.t(BRANCH_SIZE, "min_full")
    high = ctx.t(BRANCH_SIZE, "max_branch")
    general_high = ctx.t(BRANCH_SIZE, "max_general")
    for org in ctx.orgs_of(BRANCH_KINDS):
        full, total = ctx.member_counts.get(org["id"], (0, 0))
        bad = (full < low or total > high) if org["kind"] == OrgKind.BRANCH \
            else total >= general_high
        if bad:
            yield Finding(org["id"], f"o{org['id']}", {"full": full, "total": total},
                          [ev(org["name"], reverse("members:list")
                              + f"?organization={org['id']}")])


# --- Members: lost contact, mobile, transfers ---------------------------------------------------


def lost_contact(ctx):
    """Lost contact for 6 months or more and membership not yet stopped (教育管理条例;
    RULES Part A: lost contact ≥6 months → 停止党籍)."""
    from fengling.members.lifecycle.models import LostContactRecord
    from fengling.members.models import MemberStatus

    months = ctx.t(LOST_CONTACT, "months")
    cutoff = org_rules.add_months(ctx.today, -months)
    rows = (LostContactRecord.objects.filter(found_on__isnull=True, since__lte=cutoff,
                                             member__status=MemberStatus.LOST_CONTACT)
            .order_by().values("member_id", "member__name", "member__organization_id", "since"))
    for r in rows:
        yield Finding(r["member__organization_id"], f"m{r['member_id']}",
                      {"name": r["member__name"], "since": r["since"].isoformat()},
                      [ev(r["member__name"], member_url(r["member_id"])),
                       ev(r["since"].isoformat(), reverse("lifecycle:lost"))],
                      member_id=r["member_id"])


def mobile_no_report(ctx):
    """A mobile member without the annual report to the sending branch (Part A; §4.4)."""
    from fengling.members.lifecycle.models import MobileRecord
    from fengling.members.lifecycle.rules import mobile_report_due

    rows = (MobileRecord.objects.filter(ended_on__isnull=True).order_by()
            .annotate(last=Max("reports__reported_on"))
            .values("member_id", "member__name", "member__organization_id", "since", "last"))
    for r in rows:
        due = mobile_report_due(r["since"], r["last"])
        if due < ctx.today:
            yield Finding(r["member__organization_id"], f"m{r['member_id']}",
                          {"name": r["member__name"], "due": due.isoformat()},
                          [ev(r["member__name"], member_url(r["member_id"])),
                           ev(due.isoformat(), reverse("lifecycle:mobile"))],
                          member_id=r["member_id"])


def transfer_overdue(ctx):
    """A transfer letter not received within its validity (中组发〔2004〕10号; Part B §4.3).
    The sending branch stays responsible until the new one receives."""
    from fengling.members.lifecycle.models import Transfer

    rows = (Transfer.objects.overdue(ctx.today).order_by()
            .values("id", "member_id", "member__name", "from_organization_id",
                    "to_organization_id", "letter_number", "valid_until"))
    for r in rows:
        org_id = r["from_organization_id"] or r["to_organization_id"]
        if org_id is None:
            continue
        yield Finding(org_id, f"m{r['member_id']}:t{r['id']}",
                      {"name": r["member__name"], "letter": r["letter_number"],
                       "valid_until": r["valid_until"].isoformat()},
                      [ev(r["member__name"], member_url(r["member_id"])),
                       ev(r["letter_number"], reverse("lifecycle:transfer", args=[r["id"]]))],
                      member_id=r["member_id"])


# --- Member development (发展党员工作细则) -----------------------------------------------------

# RULES Part A warnings: activist unreviewed >6 months, probation ended without conversion
# vote, approval >3 months (and its conversion counterpart).
DEVELOPMENT_RULE_IDS = ("activist_review_every_six_months", "probation_one_year",
                        "approval_within_three_months",
                        "conversion_approval_within_three_months")


def development_overdue(ctx):
    """Development deadlines missed, per branch, with the candidates as evidence. Three
    queries for the whole district (the development module's loader)."""
    from fengling.development import rules as dev_rules
    from fengling.development.models import Candidate
    from fengling.development.selectors import _with_files, facts_of

    by_org: dict[int, list[dict]] = defaultdict(list)
    for c in _with_files(Candidate.objects.active().order_by("organization_id", "name", "id")):
        for result in dev_rules.evaluate(facts_of(c), ctx.today):
            if result.rule.id in DEVELOPMENT_RULE_IDS and result.overdue:
                by_org[c.organization_id].append(ev(
                    f"{c.name} · {result.rule.title} · {result.due.isoformat()}",
                    reverse("development:detail", args=[c.pk])))
    for org_id, rows in by_org.items():
        yield Finding(org_id, f"o{org_id}", {"count": len(rows)}, rows)


def no_development_target(ctx):
    """No development target (发展对象, step 7) named for 2 years: a 软弱涣散 trigger
    (Part B §5.1 "no 发展对象 for ≥2 consecutive years"; §5.2 怀宁 colours)."""
    from fengling.development.models import Milestone
    from fengling.development.steps import TARGET

    years = ctx.t(NO_DEVELOPMENT_TARGET, "years")
    since = org_rules.add_years(ctx.today, -years)
    last = dict(Milestone.objects.filter(step=TARGET).order_by()
                .values_list("candidate__organization_id").annotate(last=Max("date")))
    for org in ctx.orgs_of(BRANCH_KINDS):
        if not ctx.existed_since(org, since):
            continue
        day = last.get(org["id"])
        if day is None or day < since:
            yield Finding(org["id"], f"o{org['id']}",
                          {"years": years, "last": day.isoformat() if day else "—"},
                          [ev(org["name"], reverse("development:board")
                              + f"?organization={org['id']}")])


# --- Party dues (党费; 党章 第九条) ----------------------------------------------------------


def _arrears(ctx: ScanContext) -> dict[int, dict]:
    return ctx.arrears


def _dues_findings(ctx, lo: int, hi: int | None, extra: dict | None = None):
    for r in _arrears(ctx).values():
        if r["months"] >= lo and (hi is None or r["months"] < hi):
            yield Finding(r["member__organization_id"], f"m{r['member_id']}",
                          {"name": r["member__name"], "months": r["months"],
                           "oldest": r["oldest"].isoformat(), **(extra or {})},
                          [ev(r["member__name"], member_url(r["member_id"])),
                           ev(f"{r['oldest'].isoformat()} · {r['months']}",
                              reverse("dues:member", args=[r["member_id"]]))],
                          member_id=r["member_id"])


def dues_arrears(ctx):
    """3 months unpaid: yellow (党章 第九条 education; dues module's arrears levels)."""
    return _dues_findings(ctx, ctx.t(DUES_ARREARS, "months"), ctx.t(DUES_ARREARS_RED, "months"))


def dues_arrears_red(ctx):
    """5 months unpaid: red."""
    return _dues_findings(ctx, ctx.t(DUES_ARREARS_RED, "months"),
                          ctx.t(DUES_LAPSE_REVIEW, "months"))


def dues_lapse_review(ctx):
    """6 months unpaid: review for 自行脱党 (党章 第九条)."""
    return _dues_findings(ctx, ctx.t(DUES_LAPSE_REVIEW, "months"), None)


def dues_upcoming(ctx):
    """Look-ahead: one month short of red or of the lapse review — unpaid at the end of the
    month, next month's bill crosses the line."""
    red = ctx.t(DUES_ARREARS_RED, "months")
    review = ctx.t(DUES_LAPSE_REVIEW, "months")
    for months in sorted({red - 1, review - 1}):
        yield from _dues_findings(ctx, months, months + 1, {"next": months + 1})


# --- Study hours (党员教育管理工作条例 第十四条) ----------------------------------------------


def study_hours_behind(ctx):
    """From the fourth quarter, a member whose hours at the current pace stay below the
    year's requirement (32, 56 for secretaries and committee members, 班子成员; the training
    module's `StudyRequirement` rows) by the year's end.

    Set-based: hours attended and hours studied summed per member by one grouped query
    each, the leaders (a current committee post or the secretary role, as
    `training.selectors.leader_q`) by two, the members by one — no subquery per member."""
    from decimal import Decimal

    from fengling.members.models import Member, MemberRole, MemberRoleKind
    from fengling.organizations.models import CommitteePost
    from fengling.training.models import Attendance, ReviewStatus, StudyRecord
    from fengling.training.selectors import required_by_group, year_bounds

    start_month = ctx.t(STUDY_HOURS_BEHIND, "from_month")
    if ctx.today.month < start_month:
        return
    year = ctx.today.year
    elapsed = (ctx.today - dt.date(year, 1, 1)).days + 1
    length = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
    required = required_by_group(year)
    start, end = year_bounds(year)
    done: dict[int, Decimal] = defaultdict(Decimal)
    for member_id, hours in (Attendance.objects.filter(
            present=True, session__starts_at__gte=start, session__starts_at__lt=end)
            .order_by().values_list("member_id").annotate(s=Sum("session__hours"))):
        done[member_id] += Decimal(hours or 0)
    for member_id, hours in (StudyRecord.objects.filter(
            status=ReviewStatus.APPROVED, studied_on__year=year)
            .order_by().values_list("member_id").annotate(s=Sum("hours"))):
        done[member_id] += Decimal(hours or 0)
    leaders = set(CommitteePost.objects.current().filter(member__isnull=False).order_by()
                  .values_list("member_id", flat=True))
    leaders |= set(MemberRole.objects.filter(role=MemberRoleKind.SECRETARY).order_by()
                   .values_list("member_id", flat=True))
    rows = Member.objects.active().order_by().values_list("id", "name", "organization_id")
    for member_id, name, org_id in rows.iterator(chunk_size=5000):
        hours = done.get(member_id, Decimal(0))
        need = required["leader"] if member_id in leaders else required["member"]
        if need and hours * length / elapsed < need:
            yield Finding(org_id, f"m{member_id}",
                          {"name": name, "done": str(hours.quantize(Decimal("0.1"))),
                           "required": str(need.quantize(Decimal("1")))},
                          [ev(name, member_url(member_id))], member_id=member_id)


# --- The table -----------------------------------------------------------------------------

SILENT_BRANCH = Rule(
    "silent_branch", Level.YELLOW, _("Silent branch"),
    _("No meeting held for more than %(days)s days (last: %(last)s)."),
    "RULES Part B §5.2 (彭山 e支部)", silent_branch, {"days": 30})
MEETING_MISSED = Rule(
    "meeting_missed", Level.YELLOW, _("Required meeting not held"),
    _("A required meeting (%(kind)s) was not held from %(start)s to %(end)s."),
    "支部工作条例; RULES Part A", meeting_missed, weak_trigger=True)
MEETING_DUE = Rule(
    "meeting_due", Level.UPCOMING, _("Required meeting not yet held"),
    _("A required meeting (%(kind)s) has not been held yet; the period ends on %(end)s."),
    "支部工作条例; look-ahead", meeting_due)
TERM_DUE_SOON = Rule(
    "term_due_soon", Level.YELLOW, _("Election due within 6 months"),
    _("The committee's election is due on %(due)s."),
    "任期意见; 选举条例; RULES Part A", term_due_soon)
TERM_OVERDUE = Rule(
    "term_overdue", Level.RED, _("Election overdue"),
    _("The committee's election was due on %(due)s."),
    "任期意见; 选举条例; RULES Part A", term_overdue)
TERM_LONG_OVERDUE = Rule(
    "term_long_overdue", Level.RED, _("Election more than a year overdue"),
    _("The committee's election was due on %(due)s, more than a year ago: a violation."),
    "选举条例 第三条; RULES Part A", term_long_overdue)
SECRETARY_VACANT = Rule(
    "secretary_vacant", Level.YELLOW, _("Secretary vacant"),
    _("No secretary in office since %(since)s; fill the post promptly."),
    "支部工作条例; RULES Part A", secretary_vacant)
SECRETARY_VACANT_LONG = Rule(
    "secretary_vacant_long", Level.RED, _("Secretary vacant for long"),
    _("No secretary in office since %(since)s, more than %(months)s months: a candidate "
      "for the weak and lax list."),
    "支部工作条例; RULES Part B §5.1", secretary_vacant_long, {"months": 3},
    weak_trigger=True)
COMMITTEE_SETUP = Rule(
    "committee_setup", Level.YELLOW, _("Committee does not match the size"),
    _("%(full)s full members and %(seats)s committee seats held: 7 or more full members "
      "need a committee of 3 to 7."),
    "支部工作条例; RULES Part A", committee_setup, {"full_members": 7})
BRANCH_SIZE = Rule(
    "branch_size", Level.YELLOW, _("Branch size out of range"),
    _("%(full)s full members, %(total)s members: a branch needs 3 full members and at "
      "most 50 members; a general branch under 100."),
    "支部工作条例; RULES Part A", branch_size,
    {"min_full": 3, "max_branch": 50, "max_general": 100})
LOST_CONTACT = Rule(
    "lost_contact", Level.RED, _("Member lost contact"),
    _("%(name)s has been out of contact since %(since)s: stop the membership "
      "(停止党籍) or record that contact is regained."),
    "教育管理条例; RULES Part A", lost_contact, {"months": 6})
MOBILE_NO_REPORT = Rule(
    "mobile_no_report", Level.YELLOW, _("Mobile member without annual report"),
    _("%(name)s has not reported to the branch; the report was due on %(due)s."),
    "流动党员 rules; RULES Part A", mobile_no_report)
TRANSFER_OVERDUE = Rule(
    "transfer_overdue", Level.YELLOW, _("Transfer not received in time"),
    _("The transfer letter %(letter)s of %(name)s was valid until %(valid_until)s and has "
      "not been received."),
    "中组发〔2004〕10号; RULES Part A", transfer_overdue)
DEVELOPMENT_OVERDUE = Rule(
    "development_overdue", Level.YELLOW, _("Development deadlines missed"),
    _("%(count)s development deadlines missed (activist reviews, conversion votes, "
      "approvals)."),
    "发展党员工作细则; RULES Part A", development_overdue)
NO_DEVELOPMENT_TARGET = Rule(
    "no_development_target", Level.YELLOW, _("No development target"),
    _("No development target named for %(years)s years (last: %(last)s)."),
    "RULES Part A; Part B §5.1", no_development_target, {"years": 2}, weak_trigger=True)

DUES_ARREARS = Rule(
    "dues_arrears", Level.YELLOW, _("Dues unpaid for 3 months"),
    _("%(name)s owes %(months)s months of dues (since %(oldest)s)."),
    "党章 第九条; 党费规定; RULES Part A", dues_arrears, {"months": 3})
DUES_ARREARS_RED = Rule(
    "dues_arrears_red", Level.RED, _("Dues unpaid for 5 months"),
    _("%(name)s owes %(months)s months of dues (since %(oldest)s)."),
    "党章 第九条; RULES Part A", dues_arrears_red, {"months": 5})
DUES_LAPSE_REVIEW = Rule(
    "dues_lapse_review", Level.RED, _("Dues unpaid for 6 months: review"),
    _("%(name)s owes %(months)s months of dues (since %(oldest)s): review whether the "
      "member has left the Party of their own accord (自行脱党)."),
    "党章 第九条; RULES Part A", dues_lapse_review, {"months": 6})
DUES_UPCOMING = Rule(
    "dues_upcoming", Level.UPCOMING, _("Dues arrears about to worsen"),
    _("%(name)s owes %(months)s months of dues: unpaid this month, it becomes %(next)s."),
    "党章 第九条; look-ahead", dues_upcoming)
STUDY_HOURS_BEHIND = Rule(
    "study_hours_behind", Level.YELLOW, _("Study hours behind"),
    _("%(name)s has %(done)s study hours; at this pace the year ends below %(required)s."),
    "党员教育管理工作条例 第十四条; RULES Part A", study_hours_behind, {"from_month": 10})

RULES: tuple[Rule, ...] = (
    SILENT_BRANCH, MEETING_MISSED, MEETING_DUE, TERM_DUE_SOON, TERM_OVERDUE,
    TERM_LONG_OVERDUE, SECRETARY_VACANT, SECRETARY_VACANT_LONG, COMMITTEE_SETUP, BRANCH_SIZE,
    LOST_CONTACT, MOBILE_NO_REPORT, TRANSFER_OVERDUE, DEVELOPMENT_OVERDUE,
    NO_DEVELOPMENT_TARGET, DUES_ARREARS, DUES_ARREARS_RED, DUES_LAPSE_REVIEW, DUES_UPCOMING,
    STUDY_HOURS_BEHIND,
)


def register(rule: Rule) -> None:
    """Add a rule from a module whose records arrived later (dues, training)."""
    global RULES
    if rule.id not in RULE_BY_ID:
        RULES = (*RULES, rule)
        RULE_BY_ID[rule.id] = rule


RULE_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

# Criteria of RULES Part A "Warnings" whose records do not exist yet.
WAITING: tuple[tuple[str, Promise], ...] = (
    ("appraisal_excellent_share", _("Excellent share over 1/3 in the appraisal")),
)

MEETING_KIND_LABELS = dict(MeetingKind.choices)
PERIOD_LABELS = dict(Period.choices)
