"""API: democratic appraisal, stars and funding, through the same scopes and services as
the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from fengling.core.api import Pagination, error_responses
from fengling.organizations.selectors import access_organization

from .schemas import (
    BallotIn,
    DecideIn,
    ProposeIn,
    SelfAssessmentIn,
    SessionDetailOut,
    SessionOpenIn,
    SessionOut,
    VotedOut,
)
from .selectors import access_session, has_voted, session_for_voter, session_list, session_tally
from .services import ballot_cast, self_assess, session_decide, session_open, session_propose

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
def appraisal_index(request: HttpRequest, year: int | None = None,
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
