"""API: member development, through the same scopes, selectors and services as the web."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from fengling.core.api import Pagination, error_responses
from fengling.core.net import client_ip, user_agent
from fengling.core.reveal import REVEALABLE
from fengling.core.scoping import scope_of
from fengling.members.masking import mask_phone
from fengling.organizations.selectors import access_organization

from . import services
from . import steps as S
from .models import Progress
from .privacy import access_candidate_to_reveal, candidate_reveal
from .schemas import (
    CandidateCreateIn,
    CandidateDetailOut,
    CandidateOut,
    CandidateRevealIn,
    CandidateRevealOut,
    CandidateUpdateIn,
    DeadlinesOut,
    DecisionIn,
    ExtensionIn,
    MilestoneIn,
    WithdrawIn,
)
from .selectors import (
    DEADLINE_WINDOW_DAYS,
    CandidateFilters,
    access_candidate,
    candidate_file,
    candidate_list,
    deadlines,
    sponsor_choices,
)

router = Router(tags=["development"])


def _require_staff(user) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


class CandidateQuery(Schema):
    search: str = ""
    organization: int | None = None
    stage: S.Stage | None = None
    progress: Progress | None = Progress.ACTIVE


@router.get(
    "/candidates", response={200: list[CandidateOut], **error_responses(401, 403, 404, 422)},
    summary="List development candidates",
)
@paginate(Pagination)
def candidate_index(request: HttpRequest, query: Query[CandidateQuery]):
    """Candidates in your scope with their derived stage. `organization` keeps its whole
    subtree (404 if it is outside your scope); `progress` defaults to those in progress."""
    _require_staff(request.auth)
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    return candidate_list(request.auth, CandidateFilters(
        organization=organization, stage=query.stage, search=query.search,
        progress=query.progress or ""))


def _detail(user, pk) -> dict:
    file = candidate_file(user, pk, timezone.localdate())
    c = file.candidate
    milestones = [
        {"id": m.id, "step": m.step, "step_name": str(S.STEP_BY_NUMBER[m.step].name),
         "stage": S.STEP_BY_NUMBER[m.step].stage.value, "date": m.date, "note": m.note,
         "hours": m.hours, "sponsors": [{"id": s.id, "name": s.name} for s in m.sponsors.all()]}
        for block in file.timeline for row in block.rows for m in row.records
    ]
    return {
        "id": c.id, "name": c.name, "gender": c.gender, "ethnicity": c.ethnicity,
        "birth_date": c.birth_date, "id_number_masked": c.id_number_masked,
        "phone": mask_phone(c.phone),
        "education": c.education, "occupation": c.occupation, "work_unit": c.work_unit,
        "organization": {"id": c.organization.id, "name": c.organization.name},
        "stage": file.stage.value if file.stage else None, "progress": file.progress,
        "member_id": c.member_id, "withdrawn_on": c.withdrawn_on,
        "withdrawal_reason": c.withdrawal_reason, "probation_end": file.probation_end,
        "extension": {"decided_on": file.extension.decided_on, "months": file.extension.months,
                      "reason": file.extension.reason} if file.extension else None,
        "milestones": milestones,
        "rules": [
            {"rule": r.rule.id, "title": str(r.rule.title), "statement": str(r.rule.statement),
             "basis": r.rule.basis, "status": r.status, "due": r.due,
             "due_kind": r.rule.due_kind, "overdue": r.overdue}
            for r in file.results
        ],
        "next_steps": [{"number": s.number, "name": str(s.name), "stage": s.stage.value}
                       for s in file.next_steps],
        "can_write": file.can_write,
    }


@router.get(
    "/candidates/{candidate_id}",
    response={200: CandidateDetailOut, **error_responses(401, 404, 422)},
    summary="Get a development candidate",
)
def candidate_detail(request: HttpRequest, candidate_id: int):
    """One candidate's file: the record (ID number masked), the derived stage, every
    milestone, each time rule's outcome and the steps that may be recorded next."""
    return _detail(request.auth, candidate_id)


@router.post(
    "/candidates",
    response={201: CandidateDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Create a development candidate",
)
def candidate_new(request: HttpRequest, payload: CandidateCreateIn):
    """Record an applicant and their written application (step 1) in a branch you may
    change (404 if it is outside your scope, 403 if you may only read it)."""
    data = payload.dict()
    organization = access_organization(request.auth, data.pop("organization"), write=True)
    candidate = services.candidate_create(request.auth, organization=organization, **data)
    return Status(201, _detail(request.auth, candidate.pk))


@router.patch(
    "/candidates/{candidate_id}",
    response={200: CandidateDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Update a development candidate",
)
def candidate_change(request: HttpRequest, candidate_id: int, payload: CandidateUpdateIn):
    """Change the fields sent; the others stay as they are. Refused once the candidate is
    admitted (their member record is then the one to change)."""
    candidate = access_candidate(request.auth, candidate_id, write=True)
    data = payload.dict(exclude_unset=True)
    if "organization" in data:
        data["organization"] = access_organization(request.auth, data["organization"],
                                                   write=True)
    services.candidate_update(request.auth, candidate, **data)
    return _detail(request.auth, candidate.pk)


@router.post(
    "/candidates/{candidate_id}/reveal",
    response={200: CandidateRevealOut, **error_responses(401, 403, 404, 422)},
    summary="Reveal a candidate's full ID and phone numbers",
)
def candidate_reveal_values(request: HttpRequest, candidate_id: int,
                            payload: CandidateRevealIn | None = None):
    """The full values of `fields` (both by default), as for a member: allowed to the
    secretaries and administrators of the candidate's branch, and recorded in the audit log
    (who, whose, which fields, when, from which address). 404 if the candidate is outside
    your scope, 403 if your role may not reveal."""
    candidate = access_candidate_to_reveal(request.auth, candidate_id)
    fields = payload.fields if payload is not None and payload.fields else REVEALABLE
    values = candidate_reveal(request.auth, candidate, fields, ip_address=client_ip(request),
                              user_agent=user_agent(request))
    return {"id": candidate.pk, **values}


@router.post(
    "/candidates/{candidate_id}/extension",
    response={200: CandidateDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Extend probation",
)
def candidate_extend(request: HttpRequest, candidate_id: int, payload: ExtensionIn):
    """延长预备期: once only, by 6 to 12 months, before the conversion vote."""
    candidate = access_candidate(request.auth, candidate_id, write=True)
    services.probation_extend(request.auth, candidate, **payload.dict())
    return _detail(request.auth, candidate.pk)


@router.post(
    "/candidates/{candidate_id}/withdraw",
    response={200: CandidateDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Close a candidate's file",
)
def candidate_withdraw(request: HttpRequest, candidate_id: int, payload: WithdrawIn):
    """The candidate withdraws or is not taken further (before admission)."""
    candidate = access_candidate(request.auth, candidate_id, write=True)
    services.candidate_withdraw(request.auth, candidate, **payload.dict())
    return _detail(request.auth, candidate.pk)


@router.post(
    "/candidates/{candidate_id}/milestones",
    response={201: CandidateDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Record a step",
)
def milestone_new(request: HttpRequest, candidate_id: int, payload: MilestoneIn):
    """Record one of the 25 steps on a date. Refused (422, with the reason) when a rule
    forbids it: a step before the ones it follows, a development target named before a
    year as activist, sponsors who are not two full members of the branch, …"""
    candidate = access_candidate(request.auth, candidate_id, write=True)
    sponsors = None
    if payload.sponsors is not None:
        choices = {m.pk: m for m in sponsor_choices(candidate).filter(pk__in=payload.sponsors)}
        unknown = [pk for pk in payload.sponsors if pk not in choices]
        if unknown:
            raise ValidationError({"sponsors": [
                _("Sponsors must be full members of the candidate's branch.")]})
        sponsors = [choices[pk] for pk in payload.sponsors]
    services.milestone_record(request.auth, candidate, step=payload.step, date=payload.date,
                              note=payload.note, hours=payload.hours, sponsors=sponsors)
    return Status(201, _detail(request.auth, candidate.pk))


@router.post(
    "/candidates/{candidate_id}/admit",
    response={200: CandidateDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Admit as a probationary member",
)
def candidate_admit(request: HttpRequest, candidate_id: int, payload: DecisionIn):
    """Step 17, the higher committee approves the admission: creates the probationary
    member record (joined on the day of the branch meeting, step 15); `member_id` links it."""
    candidate = access_candidate(request.auth, candidate_id, write=True)
    services.candidate_admit(request.auth, candidate, date=payload.date, note=payload.note)
    return _detail(request.auth, candidate.pk)


@router.post(
    "/candidates/{candidate_id}/convert",
    response={200: CandidateDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Convert to a full member",
)
def candidate_convert(request: HttpRequest, candidate_id: int, payload: DecisionIn):
    """Step 24, the higher committee approves the conversion: the member becomes a full
    member, converted on the day probation was complete."""
    candidate = access_candidate(request.auth, candidate_id, write=True)
    services.candidate_convert(request.auth, candidate, date=payload.date, note=payload.note)
    return _detail(request.auth, candidate.pk)


class DeadlineQuery(Schema):
    organization: int | None = None
    days: int = DEADLINE_WINDOW_DAYS


@router.get(
    "/deadlines", response={200: DeadlinesOut, **error_responses(401, 403, 404, 422)},
    summary="Development deadlines",
)
def deadline_index(request: HttpRequest, query: Query[DeadlineQuery]):
    """Deadlines of the candidates in progress in your scope (under `organization`):
    pending ones falling within `days` (default 30), and missed ones still open."""
    _require_staff(request.auth)
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    days = max(0, min(query.days, 366))
    result = deadlines(request.auth, organization=organization, today=timezone.localdate(),
                       days=days)

    def out(items):
        return [{
            "candidate": {"id": d.candidate.id, "name": d.candidate.name,
                          "organization": {"id": d.candidate.organization.id,
                                           "name": d.candidate.organization.name}},
            "rule": d.rule.id, "title": str(d.rule.title), "step": d.rule.step,
            "due": d.due, "due_kind": d.rule.due_kind, "overdue": d.overdue, "days": d.days,
        } for d in items]

    return {"upcoming": out(result.upcoming), "missed": out(result.missed)}
