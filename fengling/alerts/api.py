"""API: warnings, rectification cases and the scan summary, through the same guards,
selectors and services as the pages."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from fengling.accounts.models import User
from fengling.core.api import PagedRows, Pagination, error_responses
from fengling.core.scoping import scope_of
from fengling.organizations.selectors import access_organization

from . import selectors, services
from .models import Alert, Case
from .rules import RULE_BY_ID
from .schemas import (
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CaseUpdateIn,
    ProgressIn,
    ReviewIn,
    ScanOut,
    WarningDetailOut,
    WarningOut,
)

router = Router(tags=["alerts"])
READ = error_responses(401, 403, 404, 422)
WRITE = error_responses(401, 403, 404, 422)


def _require_staff(user) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


def _warning(a: Alert, detail: bool = False) -> dict:
    out = {
        "id": a.pk, "rule": a.rule, "level": a.level, "title": a.title, "message": a.message,
        "organization": {"id": a.organization_id, "name": a.organization.name},
        "member": {"id": a.member_id, "name": a.member.name} if a.member_id else None,
        "state": a.state, "first_seen": a.first_seen, "last_seen": a.last_seen,
        "resolved_on": a.resolved_on,
    }
    if detail:
        rule = RULE_BY_ID.get(a.rule)
        out.update(evidence=a.evidence, source=rule.source if rule else "",
                   cases=list(a.cases.values_list("pk", flat=True)))
    return out


def _case(c: Case, detail: bool = False) -> dict:
    out = {
        "id": c.pk, "title": c.title,
        "organization": {"id": c.organization_id, "name": c.organization.name},
        "warning": c.warning_id,
        "responsible": {"id": c.responsible_id, "username": c.responsible.username},
        "plan": c.plan, "deadline": c.deadline, "state": c.state, "escalation": c.escalation,
        "closed_on": c.closed_on,
    }
    if detail:
        out["events"] = [
            {"id": e.pk, "kind": e.kind, "text": e.text, "created_at": e.created_at,
             "actor": {"id": e.actor_id, "username": e.actor.username} if e.actor_id else None}
            for e in c.events.select_related("actor")]
    return out


class WarningQuery(Schema):
    level: str = ""
    rule: str = ""
    state: str = "open"
    organization: int | None = None


@router.get("/warnings", response={200: list[WarningOut], **READ}, summary="Warnings")
@paginate(Pagination)
def warning_index(request: HttpRequest, filters: Query[WarningQuery]):
    """Warnings in your scope: `state` open (default), resolved or empty for all; `level`
    red, yellow or upcoming; `rule`; `organization` (its subtree)."""
    _require_staff(request.auth)
    org = (access_organization(request.auth, filters.organization)
           if filters.organization else None)
    qs = selectors.alert_list(request.auth, selectors.AlertFilters(
        level=filters.level, rule=filters.rule, state=filters.state, organization=org))
    return PagedRows.each(qs, _warning)


@router.get("/warnings/{warning_id}", response={200: WarningDetailOut, **READ},
            summary="A warning with its evidence")
def warning_detail(request: HttpRequest, warning_id: int):
    return _warning(selectors.access_alert(request.auth, warning_id), detail=True)


class CaseQuery(Schema):
    state: str = ""
    overdue: bool = False
    organization: int | None = None
    mine: bool = False


@router.get("/cases", response={200: list[CaseOut], **READ}, summary="Rectification cases")
@paginate(Pagination)
def case_index(request: HttpRequest, filters: Query[CaseQuery]):
    """Cases in your scope; `mine=true`: the unclosed cases you are responsible for."""
    if filters.mine:
        return PagedRows.each(selectors.my_todo(request.auth), _case)
    _require_staff(request.auth)
    org = (access_organization(request.auth, filters.organization)
           if filters.organization else None)
    qs = selectors.case_list(request.auth, selectors.CaseFilters(
        state=filters.state, overdue=filters.overdue, organization=org),
        today=timezone.localdate())
    return PagedRows.each(qs, _case)


def _user(pk: int) -> User | None:
    return User.objects.filter(pk=pk).first()


@router.post("/cases", response={201: CaseDetailOut, **WRITE},
             summary="Open a rectification case")
def case_new(request: HttpRequest, payload: CaseIn):
    """From a warning (`warning`) or for an organization (`organization`) you may change."""
    alert = None
    if payload.warning is not None:
        alert = selectors.access_alert(request.auth, payload.warning, write=True)
        organization = alert.organization
    elif payload.organization is not None:
        organization = access_organization(request.auth, payload.organization, write=True)
    else:
        raise ValidationError({"warning": _("Give a warning or an organization.")})
    case = services.case_open(request.auth, organization, responsible=_user(
        payload.responsible), plan=payload.plan, deadline=payload.deadline,
        title=payload.title, alert=alert)
    return Status(201, _case(case, detail=True))


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **READ},
            summary="A rectification case with its steps")
def case_detail(request: HttpRequest, case_id: int):
    return _case(selectors.access_case(request.auth, case_id), detail=True)


@router.patch("/cases/{case_id}", response={200: CaseDetailOut, **WRITE},
              summary="Change a case")
def case_change(request: HttpRequest, case_id: int, payload: CaseUpdateIn):
    """The responsible person, the plan or the deadline (the fields sent)."""
    case = selectors.access_case(request.auth, case_id, write=True)
    data = payload.dict(exclude_unset=True)
    responsible = _user(data["responsible"]) if data.get("responsible") else None
    if data.get("responsible") and responsible is None:
        raise ValidationError({"responsible": _("Unknown user.")})
    services.case_update(request.auth, case, responsible=responsible, plan=data.get("plan"),
                         deadline=data.get("deadline"))
    return _case(case, detail=True)


@router.post("/cases/{case_id}/progress", response={201: CaseDetailOut, **WRITE},
             summary="Record progress")
def case_progress(request: HttpRequest, case_id: int, payload: ProgressIn):
    """Progress with its evidence text; `submit` asks the level above to review."""
    case = selectors.access_case(request.auth, case_id, write=True)
    services.case_progress(request.auth, case, text=payload.text, submit=payload.submit)
    case.refresh_from_db()
    return Status(201, _case(case, detail=True))


@router.post("/cases/{case_id}/review", response={200: CaseDetailOut, **WRITE},
             summary="Review a case (the level above)")
def case_review(request: HttpRequest, case_id: int, payload: ReviewIn):
    """Approve (close) a submitted case, or reopen it with a reason. Only the level above
    the case's organization may (403 otherwise)."""
    case = selectors.access_case(request.auth, case_id)
    services.case_review(request.auth, case, decision=payload.decision, text=payload.text,
                         deadline=payload.deadline)
    return _case(case, detail=True)


@router.get("/scan", response={200: ScanOut, **READ}, summary="The latest scan")
def scan_summary(request: HttpRequest):
    """When the latest scan ran, and the open warnings in your scope by level and by rule.
    The scan's own district-wide figures (opened, resolved, escalated) are given to those
    whose scope is the whole district only."""
    _require_staff(request.auth)
    run = selectors.latest_scan()
    out = {"open_by_level": selectors.level_counts(request.auth),
           "by_rule": selectors.rule_counts(request.auth)}
    if run is not None:
        out.update(day=run.day, finished_at=run.finished_at)
        if selectors.sees_whole_district(request.auth):
            out.update(opened=run.opened, resolved=run.resolved, escalated=run.escalated)
    return out
