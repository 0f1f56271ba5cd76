"""Evaluation pages (考评): democratic appraisal sessions, the member's ballot page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengling.core.scoping import scope_of
from fengling.members.selectors import access_member
from fengling.organizations.kinds import OrgKind
from fengling.organizations.selectors import (
    access_organization,
    access_organization_named,
    organization_roots,
    picker_value,
)

from . import rankings, rules
from .exports import funding_workbook
from .index import award, credit_month, index_items, member_index, review, snapshot_take
from .models import Fund, IndexItem, RatingState, SessionState, SnapshotKind, YearScheme
from .selectors import (
    access_budget_line,
    access_credit,
    access_handling,
    access_rating,
    access_session,
    access_snapshot,
    allocations,
    budget_report,
    can_write,
    counts_visible,
    criteria_of,
    has_voted,
    latest_filed_year,
    pending_awards,
    rating_list,
    rating_points,
    seed_comparison,
    session_for_voter,
    session_list,
    session_tally,
    sessions_of_member,
    snapshot_list,
    street_report,
)
from .services import (
    ballot_cast,
    budget_line_set,
    check_year,
    disburse,
    handling_follow_up,
    rating_score,
    rating_self_review,
    self_assess,
    session_decide,
    session_open,
    session_propose,
    stars_file,
    stars_publish,
    weak_designate,
)

PAGE_SIZE = 25


def _staff_only(user) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def appraisals(request):
    """Appraisal sessions in scope with their counts; `?no_spread=1` lists those flagged
    一团和气 for the level above."""
    _staff_only(request.user)
    year = _int(request.GET.get("year"))
    flagged = request.GET.get("no_spread") == "1"
    page = Paginator(session_list(request.user, year=year, no_spread=True if flagged else None),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/appraisals.html", {
        "page": page, "year": year or "", "flagged": flagged,
        "this_year": timezone.localdate().year,
        "can_write": scope_of(request.user).can_write,
    })


@login_required
@require_POST
def appraisal_open(request):
    year = _int(request.POST.get("year"), 0)
    try:
        organization = access_organization_named(request.user, request.POST.get("organization"))
        if not can_write(request.user, organization.path):
            raise PermissionDenied
        session = session_open(request.user, organization, year)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("evaluation:appraisals")
    messages.success(request, _("The appraisal is open."))
    return redirect("evaluation:session", session.pk)


def _grades_from(post) -> dict[int, str]:
    return {int(k[6:]): v for k, v in post.items() if k.startswith("grade-") and k[6:].isdigit()}


@login_required
@require_GET
def session_detail(request, pk):
    """The secretary's page: participants, self-assessments, ballot counts, proposal and
    decision forms, handlings and their follow-ups."""
    session = access_session(request.user, pk)
    rows = session_tally(session)
    return render(request, "evaluation/session.html", {
        "session": session, "rows": rows,
        "voted": session.receipts.count(),
        "counts_visible": counts_visible(session),
        "graded": sum(1 for r in rows if not r.participant.probationary),
        "excellent_allowed": rules.excellent_allowed(
            sum(1 for r in rows if not r.participant.probationary)),
        "can_write": can_write(request.user, session.organization.path),
        "grades": rules.Grade.choices, "handlings": rules.Handling.choices,
        "States": SessionState,
    })


@login_required
@require_POST
def session_propose_view(request, pk):
    session = access_session(request.user, pk, write=True)
    try:
        session_propose(request.user, session, _grades_from(request.POST))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The committee's proposal is recorded."))
    return redirect("evaluation:session", session.pk)


@login_required
@require_POST
def session_decide_view(request, pk):
    session = access_session(request.user, pk, write=True)
    post = request.POST
    handlings = {}
    for key in post:
        if key.startswith("action-") and key[7:].isdigit():
            pid = int(key[7:])
            due = post.get(f"due-{pid}") or None
            try:
                due = dt.date.fromisoformat(due) if due else None
            except ValueError:
                due = None
            handlings[pid] = {"action": post[key], "reasons": post.get(f"reasons-{pid}", ""),
                              "due_on": due}
    try:
        session_decide(request.user, session, _grades_from(post), handlings)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The meeting's decision is recorded."))
    return redirect("evaluation:session", session.pk)


@login_required
@require_POST
def follow_up(request, pk):
    handling = access_handling(request.user, pk, write=True)
    try:
        on = dt.date.fromisoformat(request.POST.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    try:
        handling_follow_up(request.user, handling, on=on, note=request.POST.get("note", ""),
                           closes=request.POST.get("closes") == "1")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The follow-up is recorded."))
    return redirect("evaluation:session", handling.participant.session_id)


@login_required
@require_GET
def mine(request):
    """A member's appraisals: where to assess themselves and vote."""
    if not request.user.member_id:
        raise PermissionDenied
    return render(request, "evaluation/mine.html", {
        "sessions": sessions_of_member(request.user.member_id)})


@login_required
@require_http_methods(["GET", "POST"])
def ballot(request, pk):
    """The phone page of a member taking part: self-assessment, then one anonymous ballot."""
    session, me = session_for_voter(request.user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("what") == "self":
                self_assess(request.user, session, request.POST.get("text", ""))
                messages.success(request, _("Your self-assessment is saved."))
            else:
                ballot_cast(request.user, session, _grades_from(request.POST))
                messages.success(request, _("Your ballot is cast. Thank you."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("evaluation:ballot", session.pk)
    others = (session.participants.filter(probationary=False).exclude(pk=me.pk)
              .select_related("member"))
    return render(request, "evaluation/ballot.html", {
        "session": session, "me": me, "others": others,
        "voted": has_voted(session, request.user.member_id),
        "grades": rules.Grade.choices, "is_open": session.state == SessionState.OPEN,
    })


# --- Stars and funding -----------------------------------------------------------------------


def _year(request) -> int:
    """The year asked for; this year when none is, or one out of range (a stale link)."""
    year = _int(request.GET.get("year") or request.POST.get("year"))
    try:
        return check_year(year)
    except ValidationError:
        return timezone.localdate().year


def _date(value, default=None):
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


@login_required
@require_GET
def stars(request):
    """Star ratings in scope, best score first; the flow's forms for those who may write."""
    _staff_only(request.user)
    year = _year(request)
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    page = Paginator(rating_list(request.user, year=year, kind=kind, state=state),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/stars.html", {
        "page": page, "year": year, "kind": kind, "state": state,
        "kinds": [(k, OrgKind(k).label) for k in rules.RATED_KINDS],
        "states": RatingState.choices,
        "can_write": scope_of(request.user).can_write,
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def stars_action(request):
    """The flow's steps from the list page: self-review, publish, file, designate."""
    _staff_only(request.user)
    post = request.POST
    what = post.get("what", "")
    year = _year(request)
    try:
        organization = access_organization_named(request.user, post.get("organization"))
        if what == "self_review":
            try:
                score = Decimal(post.get("self_score", ""))
            except ArithmeticError:
                score = None
            rating = rating_self_review(request.user, organization, year, score,
                                        post.get("note", ""))
            messages.success(request, _("The self-review is recorded."))
            return redirect("evaluation:rating", rating.pk)
        if what == "publish":
            n = stars_publish(request.user, organization, year, post.get("kind", ""),
                              notice_from=_date(post.get("on"), timezone.localdate()))
            messages.success(request, _("%(n)d ratings are on public notice.") % {"n": n})
        elif what == "file":
            n = stars_file(request.user, organization, year, post.get("kind", ""),
                           today=timezone.localdate())
            messages.success(request, _("%(n)d ratings are filed.") % {"n": n})
        elif what == "weak":
            weak_designate(request.user, organization, year, post.get("reason", ""))
            messages.success(request, _("The designation is recorded."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"{reverse('evaluation:stars')}?year={year}")


@login_required
@require_http_methods(["GET", "POST"])
def rating(request, pk):
    """A rating: self-review, each criterion's points with their evidence; the scoring form
    for the level above."""
    obj = access_rating(request.user, pk)
    parent = obj.organization.path[:-obj.organization.steplen]
    may_score = bool(parent) and can_write(request.user, parent)
    criteria = list(criteria_of(obj.year))
    if request.method == "POST":
        if not may_score:
            raise PermissionDenied
        entries = {c.pk: (request.POST.get(f"points-{c.pk}", ""),
                          request.POST.get(f"evidence-{c.pk}", "")) for c in criteria}
        try:
            rating_score(request.user, obj, entries)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The score is recorded."))
        return redirect("evaluation:rating", obj.pk)
    scheme = YearScheme.objects.filter(year=obj.year).first()
    return render(request, "evaluation/rating.html", {
        "rating": obj, "points": list(rating_points(obj)), "criteria": criteria,
        # The year's own weights (70% / 30% by default; each year has its row).
        "basic_percent": round((scheme.basic_share if scheme else Decimal("0.70")) * 100),
        "appraisal_percent": round((scheme.appraisal_share if scheme else Decimal("0.30"))
                                   * 100),
        "may_score": may_score and obj.state in (RatingState.SELF_REVIEW, RatingState.SCORED),
    })


@login_required
@require_GET
def funding(request):
    """The year's budget lines, allocation from the filed stars per street, and the seed
    comparison (subsidy of a plausible star distribution against "700余万元")."""
    _staff_only(request.user)
    # Without ?year=: the latest year with filed stars (its allocation is what there is to
    # show), else this year.
    year = (_int(request.GET.get("year")) or latest_filed_year(request.user)
            or timezone.localdate().year)
    rows = allocations(request.user, year)
    total = sum((r.amount for r in rows), Decimal(0))
    return render(request, "evaluation/funding.html", {
        "year": year, "rows": rows, "total": total,
        "seed_difference": rules.SEED_WORK_FUNDS - total,
        "streets": street_report(rows),
        "budget": budget_report(request.user, year, rows),
        "seed": seed_comparison(request.user, year),
        "can_write": scope_of(request.user).can_write,
        "root": organization_roots(request.user).first(),
        "funds": Fund.choices,
        # The disbursement picker's first offers: who the filed stars subsidize.
        "subsidized": [(picker_value(r.organization_id, r.name), f"{r.stars}★")
                       for r in rows if r.amount],
    })


@login_required
@require_GET
def funding_export(request):
    """The year's allocation as Excel (scoped, audited)."""
    _staff_only(request.user)
    year = _year(request)
    book = funding_workbook(request.user, year)
    response = HttpResponse(book.content, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{book.filename}"'
    return response


# --- Member index ----------------------------------------------------------------------------


@login_required
@require_GET
def my_index(request):
    """A member's own index on the phone: each point and the record behind it."""
    if not request.user.member_id:
        raise PermissionDenied
    year = _year(request)
    credits, latest = member_index(request.user.member_id, year)
    return render(request, "evaluation/my_index.html", {
        "year": year, "credits": credits, "latest": latest,
        "total": sum((c.points for c in credits if c.status == "approved"), Decimal(0)),
    })


@login_required
@require_POST
def funding_budget(request):
    """Set a budget line (work funds / venture fund) of an organization for a year."""
    _staff_only(request.user)
    organization = access_organization(request.user, request.POST.get("organization"))
    year = _year(request)
    try:
        budget_line_set(request.user, organization, year, request.POST.get("fund", ""),
                        request.POST.get("amount", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The budget line is saved."))
    return redirect(f"{reverse('evaluation:funding')}?year={year}")


@login_required
@require_POST
def funding_disburse(request):
    """Record money paid out of a budget line to an organization."""
    line = access_budget_line(request.user, request.POST.get("line"), write=True)
    try:
        organization = access_organization_named(request.user, request.POST.get("organization"))
        disburse(request.user, line, organization, request.POST.get("amount", ""),
                 _date(request.POST.get("paid_on"), timezone.localdate()),
                 request.POST.get("note", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The disbursement is recorded."))
    return redirect(f"{reverse('evaluation:funding')}?year={line.year}")


@login_required
@require_GET
def index_page(request):
    """The member index for staff: credit a month, award items, review awards, publish."""
    _staff_only(request.user)
    year = _year(request)
    pending = Paginator(pending_awards(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "evaluation/index.html", {
        "year": year, "pending": pending, "page": pending,
        "items": [i for i in index_items(year) if i.source == "award"],
        "snapshots": snapshot_list(request.user, year),
        "can_write": scope_of(request.user).can_write,
        "kinds": SnapshotKind.choices,
    })


@login_required
@require_POST
def index_action(request):
    _staff_only(request.user)
    post = request.POST
    what = post.get("what", "")
    year = _year(request)
    try:
        if what == "credit":
            organization = access_organization_named(request.user, post.get("organization"))
            month = _date(f"{post.get('month', '')}-01")
            if month is None:
                raise ValidationError(_("Enter a month."))
            n = credit_month(request.user, organization, month)
            messages.success(request, _("%(n)d credits recorded.") % {"n": n})
        elif what == "award":
            member = access_member(request.user, post.get("member"), write=True)
            month = _date(f"{post.get('month', '')}-01")
            item = IndexItem.objects.filter(year=month.year if month else year,
                                            code=post.get("item", "")).first()
            if month is None or item is None:
                raise ValidationError(_("Choose an item and a month."))
            award(request.user, member, item, month, post.get("evidence", ""))
            messages.success(request, _("The award is recorded and awaits review."))
        elif what in ("approve", "reject"):
            credit = access_credit(request.user, post.get("credit"), write=True)
            review(request.user, credit, what == "approve")
            messages.success(request, _("The award is reviewed."))
        elif what == "publish":
            organization = access_organization_named(request.user, post.get("organization"))
            snapshot_take(request.user, organization, year, post.get("kind", ""))
            messages.success(request, _("The index is published."))
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"{reverse('evaluation:index')}?year={year}")


@login_required
@require_GET
def snapshot_page(request, pk):
    """A frozen publication: members ranked, paginated."""
    snap = access_snapshot(request.user, pk)
    page = Paginator(snap.rows.select_related("member").order_by("rank", "member__name"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/snapshot.html", {"snapshot": snap, "page": page})


# --- The annual 软弱涣散 designation ----------------------------------------------------------


def _designation_unit(request):
    """The unit whose proposal is shown: `?unit=` (the picker's box, in scope), else the
    user's top one (with a message if the box named no organization)."""
    from fengling.organizations.selectors import organization_roots as roots

    text = request.GET.get("unit", "").strip()
    if text:
        try:
            return access_organization_named(request.user, text)
        except ValidationError as exc:
            _errors(request, exc)
    return roots(request.user).order_by("path").first()


@login_required
@require_GET
def weak_list(request):
    """The year's designations in scope, and the proposal for a unit (district or street)."""
    from .designation import designation_list, proposal
    from .models import DesignationState

    _staff_only(request.user)
    year = _year(request)
    state = request.GET.get("state", "")
    page = Paginator(designation_list(request.user, year=year, state=state),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    unit = _designation_unit(request)
    return render(request, "evaluation/weak_list.html", {
        "page": page, "year": year, "state": state, "states": DesignationState.choices,
        "unit": unit, "proposal": proposal(unit, year) if unit else None,
        "unit_picked": picker_value(unit.pk, unit.name) if unit else "",
        "can_confirm": bool(unit) and can_write(request.user, unit.path),
        "units": organization_roots(request.user).order_by("path"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def weak_confirm(request):
    """Entry (认定) of one candidate by the level above: situation, reason, the case's plan
    and deadline."""
    from .designation import designation_confirm, is_level_above, proposal_facts, secretary_of
    from .models import WeakSituation

    source = request.POST if request.method == "POST" else request.GET
    organization = access_organization(request.user, source.get("organization"))
    if not is_level_above(request.user, organization):
        raise PermissionDenied
    year = _int(source.get("year"), timezone.localdate().year)
    if request.method == "POST":
        try:
            row = designation_confirm(
                request.user, organization, year, situation=source.get("situation", ""),
                reason=source.get("reason", ""), plan=source.get("plan", ""),
                deadline=_date(source.get("deadline"), None))
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The designation is entered and its rectification "
                                        "case opened."))
            return redirect("evaluation:weak_detail", row.pk)
    today = timezone.localdate()
    return render(request, "evaluation/weak_confirm.html", {
        "organization": organization, "year": year, "situations": WeakSituation.choices,
        "facts": proposal_facts(organization, year, today),
        "responsible": secretary_of(organization) or request.user,
        "post": request.POST if request.method == "POST" else {},
        "default_deadline": today + dt.timedelta(days=180),
    })


@login_required
@require_GET
def weak_detail(request, pk):
    from .designation import access_designation, can_exit, trigger_label

    _staff_only(request.user)
    row = access_designation(request.user, pk)
    return render(request, "evaluation/weak_detail.html", {
        "row": row, "events": row.events.select_related("actor"),
        "triggers": [trigger_label(t) for t in row.triggers],
        "may_exit": can_exit(request.user, row),
    })


@login_required
@require_POST
def weak_exit(request, pk):
    """Exit (摘帽) by the level above once the case is closed."""
    from .designation import access_designation, designation_exit, is_level_above

    row = access_designation(request.user, pk)
    if not is_level_above(request.user, row.organization):
        raise PermissionDenied
    try:
        designation_exit(request.user, row, text=request.POST.get("text", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The organization has exited the weak and lax list."))
    return redirect("evaluation:weak_detail", row.pk)
# --- Rankings, distributions, star map (issue 6) --------------------------------------------


def _unit(request):
    """The organization chosen (?organization=, scoped: 404 outside) or the top of the
    user's scope."""
    pk = request.GET.get("organization")
    if pk:
        return access_organization(request.user, pk)
    root = organization_roots(request.user).order_by("path").first()
    if root is None:
        raise PermissionDenied
    return root


def _half(request) -> int | None:
    half = _int(request.GET.get("half"))
    return half if half in (1, 2) else None


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except ArithmeticError:
        return None


@login_required
@require_GET
def member_rankings(request):
    """Members ranked by their index in an organization's subtree (year or half-year, one
    dimension, search, a band of the histogram). Paginated; ranks in the whole list."""
    _staff_only(request.user)
    unit, year, half = _unit(request), _year(request), _half(request)
    dimension = request.GET.get("dimension", "")
    if dimension not in rules.Dimension.values:
        dimension = ""
    q = request.GET.get("q", "").strip()
    low, high = _decimal(request.GET.get("low")), _decimal(request.GET.get("high"))
    page = Paginator(rankings.member_ranking(request.user, unit, year, half=half,
                                             dimension=dimension, q=q, low=low, high=high),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = rankings.attach_ranks(request.user, unit, year, page.object_list,
                                             half=half, dimension=dimension)
    query = {"organization": unit.pk, "year": year, "half": half or "",
             "dimension": dimension, "q": q, "low": "" if low is None else low,
             "high": "" if high is None else high}
    return render(request, "evaluation/rankings_members.html", {
        "tab": "rankings", "page": page, "unit": unit, "year": year, "half": half,
        "dimension": dimension, "q": q, "low": low, "high": high,
        "dimensions": rules.Dimension.choices, "query": urlencode(query),
    })


@login_required
@require_GET
def distributions_page(request):
    """Histograms of the members' index (the whole index and each dimension); each bar
    drills down to the ranking filtered to its band (ECharts; data by json_script)."""
    _staff_only(request.user)
    unit, year, half = _unit(request), _year(request), _half(request)
    dists = rankings.distributions(request.user, unit, year, half=half)
    ranking = reverse("evaluation:member_rankings")
    charts = []
    for d in dists:
        bars = []
        for b in d.bands:
            query = {"organization": unit.pk, "year": year, "half": half or "",
                     "dimension": d.dimension}
            if not b.first:
                query["low"] = b.low
            if not b.last:
                query["high"] = b.high
            bars.append({"label": f"{b.low}–{b.high}" if not b.last else f"≥{b.low}",
                         "count": b.count, "url": f"{ranking}?{urlencode(query)}"})
        charts.append({"id": f"dist-{d.dimension or 'total'}",
                       "title": d.label or str(_("Whole index")), "bars": bars})
    return render(request, "evaluation/distributions.html", {
        "tab": "distributions", "unit": unit, "year": year, "half": half,
        "dists": dists, "charts": charts,
        "labels": {"members": str(_("Members")), "points": str(_("Points"))},
    })


def _kind(request) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in rules.RATED_KINDS else ""


@login_required
@require_GET
def organization_rankings(request):
    """Rated organizations by score and stars per kind: published ratings as stored, the
    others computed from the records (scoring unit: the organization chosen)."""
    _staff_only(request.user)
    unit, year, kind = _unit(request), _year(request), _kind(request)
    stars = _int(request.GET.get("stars"))
    street = ""
    if request.GET.get("street"):
        street = access_organization(request.user, request.GET["street"]).path
    rows = rankings.organization_ranking(unit, year, kind=kind,
                                         stars=stars if stars in range(1, 6) else None,
                                         street=street)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"organization": unit.pk, "year": year, "kind": kind,
             "stars": stars or "", "street": request.GET.get("street", "")}
    return render(request, "evaluation/rankings_organizations.html", {
        "tab": "org_rankings", "page": page, "unit": unit, "year": year, "kind": kind,
        "stars": stars, "kinds": [(k, OrgKind(k).label) for k in rules.RATED_KINDS],
        "query": urlencode(query), "states": dict(RatingState.choices),
    })


@login_required
@require_GET
def star_map_page(request):
    """Streets × stars: how many organizations of each street hold each number of stars
    (a heat grid; each cell drills down to the organizations)."""
    _staff_only(request.user)
    unit, year, kind = _unit(request), _year(request), _kind(request)
    rows = rankings.star_map(unit, year, kind=kind)
    base = reverse("evaluation:organization_rankings")
    grid = {"streets": [r.name for r in rows], "stars": [5, 4, 3, 2, 1], "cells": []}
    for y, r in enumerate(rows):
        for x, (s, n) in enumerate(r.cells()):
            query = {"organization": unit.pk, "year": year, "kind": kind, "stars": s,
                     "street": r.organization_id or ""}
            grid["cells"].append({"x": x, "y": y, "count": n, "url": f"{base}?{urlencode(query)}"})
    return render(request, "evaluation/star_map.html", {
        "tab": "star_map", "unit": unit, "year": year, "kind": kind, "rows": rows,
        "grid": grid, "kinds": [(k, OrgKind(k).label) for k in rules.RATED_KINDS],
        "base": base,
        "labels": {"organizations": str(_("Organizations")), "stars": str(_("Stars"))},
    })
