"""API: democratic appraisal, stars and funding, through the same scopes and services as
the pages."""


from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Status
from ninja.pagination import paginate

from fengling.core.api import Pagination, error_responses
from fengling.core.scoping import scope_of
from fengling.members.selectors import access_member
from fengling.organizations.selectors import access_organization, organization_roots

from . import rankings, rules
from .index import member_index
from .schemas import (
    BallotIn,
    CountOut,
    DecideIn,
    DesignationDetailOut,
    DesignationExitIn,
    DesignationIn,
    DesignationOut,
    DistributionsOut,
    FundingOut,
    MemberIndexOut,
    MemberRankingOut,
    OrgScoresOut,
    ProposalOut,
    ProposeIn,
    RatingDetailOut,
    RatingOut,
    ScoreIn,
    SelfAssessmentIn,
    SelfReviewIn,
    SessionDetailOut,
    SessionOpenIn,
    SessionOut,
    StarMapOut,
    UnitIn,
    VotedOut,
)
from .selectors import (
    access_rating,
    access_session,
    allocations,
    budget_report,
    has_voted,
    rating_list,
    rating_points,
    seed_comparison,
    session_for_voter,
    session_list,
    session_tally,
    street_report,
)
from .services import (
    FIRST_YEAR,
    ballot_cast,
    rating_score,
    rating_self_review,
    self_assess,
    session_decide,
    session_open,
    session_propose,
    stars_file,
    stars_publish,
)

# A year in a query: one a scheme can be for (services.check_year checks the upper end
# against today); anything else is a 422 before it reaches the database.
Year = Annotated[int, Field(ge=FIRST_YEAR, le=2100, description="A year, such as 2026.")]

router = Router(tags=["evaluation"])


def _session(request, pk: int) -> dict:
    session = session_list(request.auth).get(pk=pk)
    data = SessionOut.from_orm(session).model_dump()
    data["participants"] = [{
        "participant": r.participant.pk,
        "member": {"id": r.participant.member_id, "name": r.participant.member.name},
        "probationary": r.participant.probationary,
        "self_assessment": r.participant.self_assessment, "counts": r.counts,
        "peer_grade": r.peer_grade, "proposed_grade": r.participant.proposed_grade,
        "grade": r.participant.grade,
    } for r in session_tally(session)]
    return data


@router.get("/appraisals", response={200: list[SessionOut], **error_responses(401)},
            summary="List democratic appraisals")
@paginate(Pagination)
def appraisal_index(request: HttpRequest, year: Year | None = None,
                    no_spread: bool | None = None):
    """Sessions in your scope with participant, graded and voter counts; `no_spread=true`
    lists those flagged 一团和气."""
    return session_list(request.auth, year=year, no_spread=no_spread)


@router.post("/appraisals", response={201: SessionDetailOut,
                                      **error_responses(401, 403, 404, 422)},
             summary="Open a branch's annual appraisal")
def appraisal_open(request: HttpRequest, payload: SessionOpenIn):
    organization = access_organization(request.auth, payload.organization)
    session = session_open(request.auth, organization, payload.year)
    return Status(201, _session(request, session.pk))


@router.get("/appraisals/{int:session_id}",
            response={200: SessionDetailOut, **error_responses(401, 404)},
            summary="An appraisal with its ballot counts")
def appraisal_detail(request: HttpRequest, session_id: int):
    """Each participant's peer ballot counts per grade (never who voted how)."""
    access_session(request.auth, session_id)
    return _session(request, session_id)


@router.post("/appraisals/{int:session_id}/proposal",
             response={200: SessionDetailOut, **error_responses(401, 403, 404, 422)},
             summary="Record the committee's proposal")
def appraisal_propose(request: HttpRequest, session_id: int, payload: ProposeIn):
    """Every full member graded; 优秀 at most 1/3; probationary members not graded."""
    session = access_session(request.auth, session_id, write=True)
    session_propose(request.auth, session, {g.participant: g.grade for g in payload.grades})
    return _session(request, session_id)


@router.post("/appraisals/{int:session_id}/decision",
             response={200: SessionDetailOut, **error_responses(401, 403, 404, 422)},
             summary="Record the meeting's decision")
def appraisal_decide(request: HttpRequest, session_id: int, payload: DecideIn):
    """As the proposal, and every 不合格 needs a handling with reasons."""
    session = access_session(request.auth, session_id, write=True)
    session_decide(request.auth, session, {g.participant: g.grade for g in payload.grades},
                   {h.participant: h.model_dump() for h in payload.handlings})
    return _session(request, session_id)


@router.post("/appraisals/{int:session_id}/ballot",
             response={201: VotedOut, **error_responses(401, 404, 422)},
             summary="Cast my anonymous ballot")
def appraisal_ballot(request: HttpRequest, session_id: int, payload: BallotIn):
    """Once per voter; the ballot stores no voter."""
    session, _me = session_for_voter(request.auth, session_id)
    ballot_cast(request.auth, session, {g.participant: g.grade for g in payload.grades})
    return Status(201, {"voted": True})


@router.get("/appraisals/{int:session_id}/ballot",
            response={200: VotedOut, **error_responses(401, 404)},
            summary="Have I voted?")
def appraisal_voted(request: HttpRequest, session_id: int):
    """Only whether you have voted: a ballot cannot be read back."""
    session, _me = session_for_voter(request.auth, session_id)
    return {"voted": has_voted(session, request.auth.member_id)}


@router.put("/appraisals/{int:session_id}/self-assessment",
            response={200: VotedOut, **error_responses(401, 404, 422)},
            summary="Write my self-assessment")
def appraisal_self(request: HttpRequest, session_id: int, payload: SelfAssessmentIn):
    session, _me = session_for_voter(request.auth, session_id)
    self_assess(request.auth, session, payload.text)
    return {"voted": has_voted(session, request.auth.member_id)}


# --- Stars -----------------------------------------------------------------------------------


def _rating(rating) -> dict:
    data = RatingOut.from_orm(rating).model_dump()
    data.update(basic=rating.basic, deductions=rating.deductions, appraisal=rating.appraisal,
                points=[{"criterion": p.criterion.code, "part": p.criterion.part,
                         "max_points": p.criterion.max_points, "points": p.points,
                         "evidence": p.evidence, "computed": p.computed}
                        for p in rating_points(rating)])
    return data


@router.get("/stars", response={200: list[RatingOut], **error_responses(401)},
            summary="List star ratings")
@paginate(Pagination)
def rating_index(request: HttpRequest, year: Year | None = None, kind: str = "",
                 state: str = ""):
    """Ratings in your scope, best score first."""
    return rating_list(request.auth, year=year, kind=kind, state=state)


@router.post("/stars", response={201: RatingDetailOut, **error_responses(401, 403, 404, 422)},
             summary="Record an organization's self-review")
def rating_self(request: HttpRequest, payload: SelfReviewIn):
    organization = access_organization(request.auth, payload.organization)
    rating = rating_self_review(request.auth, organization, payload.year, payload.self_score,
                                payload.note)
    return Status(201, _rating(rating))


@router.get("/stars/{int:rating_id}",
            response={200: RatingDetailOut, **error_responses(401, 404)},
            summary="A rating with each criterion's points and evidence")
def rating_detail(request: HttpRequest, rating_id: int):
    return _rating(access_rating(request.auth, rating_id))


@router.post("/stars/{int:rating_id}/score",
             response={200: RatingDetailOut, **error_responses(401, 403, 404, 422)},
             summary="Score a rating (the level above)")
def rating_scoring(request: HttpRequest, rating_id: int, payload: ScoreIn):
    """Manual criteria need points within their maximum and evidence; computed ones come
    from the records."""
    rating = access_rating(request.auth, rating_id)
    rating = rating_score(request.auth, rating,
                          {e.criterion: (e.points, e.evidence) for e in payload.entries})
    return _rating(rating)


@router.post("/stars/notice", response={200: CountOut, **error_responses(401, 403, 404, 422)},
             summary="Put a unit's ratings of a kind on public notice")
def rating_notice(request: HttpRequest, payload: UnitIn):
    """Applies the caps (软弱涣散 → 2★; 5★ at most 30% of the unit's kind)."""
    unit = access_organization(request.auth, payload.unit)
    return {"count": stars_publish(request.auth, unit, payload.year, payload.kind,
                                   notice_from=payload.notice_from or timezone.localdate())}


@router.post("/stars/file", response={200: CountOut, **error_responses(401, 403, 404, 422)},
             summary="File a unit's ratings of a kind after the notice")
def rating_file(request: HttpRequest, payload: UnitIn):
    unit = access_organization(request.auth, payload.unit)
    return {"count": stars_file(request.auth, unit, payload.year, payload.kind,
                                today=timezone.localdate())}


@router.get("/funding", response={200: FundingOut, **error_responses(401, 403)},
            summary="The year's allocation, per street, budget lines")
def funding(request: HttpRequest, year: Year):
    """Money as decimal strings (yuan)."""
    if not scope_of(request.auth).read_paths and not scope_of(request.auth).everything:
        raise PermissionDenied
    rows = allocations(request.auth, year)
    total = sum((r.amount for r in rows), Decimal(0))
    return {
        "year": year, "total": total,
        "allocations": [vars(r) for r in rows],
        "streets": [{"name": s.name, "organizations": s.organizations, "amount": s.amount}
                    for s in street_report(rows)],
        "budget": [{"fund": b.line.fund, "amount": b.line.amount, "allocated": b.allocated,
                    "disbursed": b.disbursed, "remaining": b.remaining}
                   for b in budget_report(request.auth, year, rows)],
        "seed_total": seed_comparison(request.auth, year).total,
        "seed_figure": rules.SEED_WORK_FUNDS,
    }


@router.get("/index/members/{int:member_id}",
            response={200: MemberIndexOut, **error_responses(401, 404)},
            summary="A member's index with the record behind each point")
def member_index_detail(request: HttpRequest, member_id: int, year: Year):
    """Yours, or a member's in your scope (404 outside it)."""
    member = access_member(request.auth, member_id)
    credits, latest = member_index(member.pk, year)
    return {
        "member": member.pk, "year": year, "rank": latest.rank if latest else None,
        "total": sum((c.points for c in credits if c.status == "approved"), Decimal(0)),
        "credits": [{"month": c.month, "item": c.item.code, "dimension": c.item.dimension,
                     "points": c.points, "record": c.record, "evidence": c.evidence,
                     "status": c.status} for c in credits],
    }


# --- The annual 软弱涣散 designation --------------------------------------------------------


def _designation(row, events: bool = False) -> dict:
    data = {
        "id": row.pk, "organization": {"id": row.organization_id, "name": row.organization.name},
        "year": row.year, "situation": row.situation, "reason": row.reason, "state": row.state,
        "triggers": list(row.triggers), "score": row.score, "case": row.case_id,
        "case_state": row.case.state if row.case else None,
        "case_deadline": row.case.deadline if row.case else None,
        "entered_on": row.entered_on, "exited_on": row.exited_on,
    }
    if events:
        data["events"] = [{"state": e.state, "text": e.text, "on": e.on,
                           "actor": e.actor.username if e.actor else None}
                          for e in row.events.select_related("actor")]
    return data


def _staff(user) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


@router.get("/weak-designations",
            response={200: list[DesignationOut], **error_responses(401, 403)},
            summary="List 软弱涣散 designations")
@paginate(Pagination)
def designation_index(request: HttpRequest, year: Year | None = None, state: str = ""):
    """Designations in your scope (entered, rectifying, exited), by organization."""
    from .designation import designation_list

    _staff(request.auth)
    return [_designation(r) for r in designation_list(request.auth, year=year, state=state)]


@router.get("/weak-designations/proposal",
            response={200: ProposalOut, **error_responses(401, 403, 404)},
            summary="The year's proposed 软弱涣散 candidates under a unit")
def designation_proposal(request: HttpRequest, year: Year, unit: int):
    """Every organization meeting a quantified trigger, then the bottom of the ranking by
    weakness score to reach the year's 5–10% band."""
    from .designation import proposal

    _staff(request.auth)
    found = proposal(access_organization(request.auth, unit), year)
    return {
        "unit": {"id": found.unit.pk, "name": found.unit.name}, "year": year,
        "total": found.total, "min_percent": found.min_percent,
        "max_percent": found.max_percent, "lo": found.lo, "hi": found.hi,
        "over_band": found.over_band,
        "rows": [{"organization": {"id": r.organization["id"], "name": r.organization["name"]},
                  "basis": r.basis, "rank": r.rank, "score": r.score, "triggers": r.triggers,
                  "red": r.red, "yellow": r.yellow, "overdue_cases": r.overdue_cases,
                  "stars": r.stars, "designation": r.designation.pk if r.designation else None}
                 for r in found.rows],
    }


@router.post("/weak-designations",
             response={201: DesignationDetailOut, **error_responses(401, 403, 404, 422)},
             summary="Enter a 软弱涣散 designation (the level above) and open its case")
def designation_create(request: HttpRequest, payload: DesignationIn):
    from .designation import designation_confirm

    organization = access_organization(request.auth, payload.organization)
    row = designation_confirm(request.auth, organization, payload.year,
                              situation=payload.situation, reason=payload.reason,
                              plan=payload.plan, deadline=payload.deadline)
    return Status(201, _designation(row, events=True))


@router.get("/weak-designations/{int:designation_id}",
            response={200: DesignationDetailOut, **error_responses(401, 403, 404)},
            summary="A designation with its history")
def designation_detail(request: HttpRequest, designation_id: int):
    from .designation import access_designation

    _staff(request.auth)
    return _designation(access_designation(request.auth, designation_id), events=True)


@router.post("/weak-designations/{int:designation_id}/exit",
             response={200: DesignationDetailOut, **error_responses(401, 403, 404, 422)},
             summary="Exit the list (摘帽) once the case is closed (the level above)")
def designation_leave(request: HttpRequest, designation_id: int, payload: DesignationExitIn):
    from .designation import access_designation, designation_exit

    row = access_designation(request.auth, designation_id)
    row = designation_exit(request.auth, row, text=payload.text)
    return _designation(row, events=True)
# --- Rankings, distributions, org scores, star map (issue 6) --------------------------------


def _staff_unit(request, organization: int | None):
    scope = scope_of(request.auth)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied
    if organization is not None:
        return access_organization(request.auth, organization)
    root = organization_roots(request.auth).order_by("path").first()
    if root is None:
        raise PermissionDenied
    return root


def _page(items, page: int, page_size: int):
    page_size = max(1, min(100, page_size))
    return Paginator(items, page_size).get_page(page)


def _ref(obj) -> dict:
    return {"id": obj.pk, "name": obj.name}


@router.get("/rankings/members",
            response={200: MemberRankingOut, **error_responses(401, 403, 404, 422)},
            summary="Members ranked by their index")
def member_rankings(request: HttpRequest, year: Year, organization: int | None = None,
                    half: int | None = None, dimension: str = "", q: str = "",
                    low: Decimal | None = None, high: Decimal | None = None,
                    page: int = 1, page_size: int = 50):
    """The active members of an organization's subtree (default: the top of your scope) by
    their approved index points in the year or half (1, 2), optionally one dimension, a
    name search or a band [low, high); paginated."""
    unit = _staff_unit(request, organization)
    half = half if half in (1, 2) else None
    dimension = dimension if dimension in rules.Dimension.values else ""
    got = _page(rankings.member_ranking(request.auth, unit, year, half=half,
                                        dimension=dimension, q=q.strip(), low=low,
                                        high=high), page, page_size)
    rows = rankings.attach_ranks(request.auth, unit, year, got.object_list, half=half,
                                 dimension=dimension)
    return {"organization": _ref(unit), "year": year, "half": half, "dimension": dimension,
            "count": got.paginator.count,
            "items": [{"rank": m.rank, "member": _ref(m), "organization": _ref(m.organization),
                       "total": m.total} for m in rows]}


@router.get("/distributions",
            response={200: DistributionsOut, **error_responses(401, 403, 404, 422)},
            summary="Histograms of the members' index")
def index_distributions(request: HttpRequest, year: Year, organization: int | None = None,
                        half: int | None = None):
    """Members per band of points: the whole index (bands of 10) and each dimension (5)."""
    unit = _staff_unit(request, organization)
    half = half if half in (1, 2) else None
    return {"organization": _ref(unit), "year": year, "half": half, "distributions": [
        {"dimension": d.dimension, "width": d.width, "members": d.members,
         "bands": [{"low": b.low, "high": None if b.last else b.high, "count": b.count}
                   for b in d.bands]}
        for d in rankings.distributions(request.auth, unit, year, half=half)]}


@router.get("/rankings/organizations",
            response={200: OrgScoresOut, **error_responses(401, 403, 404, 422)},
            summary="Organization scores and stars, ranked")
def organization_scores(request: HttpRequest, year: Year, organization: int | None = None,
                        kind: str = "", stars: int | None = None, street: int | None = None,
                        page: int = 1, page_size: int = 50):
    """The rated organizations under an organization (the scoring unit: caps per kind
    within it) by score, with each criterion's points: published ratings as filed, the
    others computed from meetings, the members' index and warnings."""
    unit = _staff_unit(request, organization)
    street_path = access_organization(request.auth, street).path if street else ""
    rows = rankings.organization_ranking(
        unit, year, kind=kind if kind in rules.RATED_KINDS else "",
        stars=stars if stars in range(1, 6) else None, street=street_path)
    got = _page(rows, page, page_size)
    return {"organization": _ref(unit), "year": year, "count": got.paginator.count,
            "items": [{"organization": {"id": r.organization_id, "name": r.name},
                       "kind": r.kind, "score": r.score, "basic": r.basic,
                       "deductions": r.deductions, "appraisal": r.appraisal,
                       "proposed_stars": r.proposed_stars, "stars": r.stars,
                       "cap_reason": r.cap_reason, "state": r.state,
                       "published": r.published, "rating": r.rating_id,
                       "points": r.points, "missing": r.missing, "carried": r.carried}
                      for r in got.object_list]}


@router.get("/star-map", response={200: StarMapOut, **error_responses(401, 403, 404, 422)},
            summary="Organizations per street and stars")
def star_map(request: HttpRequest, year: Year, organization: int | None = None,
             kind: str = ""):
    unit = _staff_unit(request, organization)
    kind = kind if kind in rules.RATED_KINDS else ""
    return {"organization": _ref(unit), "year": year, "kind": kind, "streets": [
        {"street": {"id": r.organization_id, "name": r.name} if r.organization_id else None,
         "path": r.path, "counts": r.counts, "total": r.total}
        for r in rankings.star_map(unit, year, kind=kind)]}
