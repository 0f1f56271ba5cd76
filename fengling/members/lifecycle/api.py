"""API: status history (党籍), transfers (组织关系转接), mobile (流动党员) and lost-contact
(失联党员) records, through the same guards, selectors and services as the pages."""


from django.db.models import Max
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from fengling.core.api import PagedRows, Pagination, error_responses
from fengling.organizations.selectors import access_organization

from ..selectors import access_member
from . import rules, selectors, services
from .rules import TransferAction
from .schemas import (
    EffortIn,
    EffortOut,
    FoundIn,
    LostIn,
    LostOut,
    MobileCloseIn,
    MobileIn,
    MobileOut,
    MobileReportIn,
    MobileReportOut,
    ReasonIn,
    ReceiveIn,
    StatusChangeIn,
    StatusChangeOut,
    TransferIncomingIn,
    TransferIssueIn,
    TransferOut,
)

router = Router(tags=["lifecycle"])
READ = error_responses(401, 404, 422)
WRITE = error_responses(401, 403, 404, 422)


# --- status history ---------------------------------------------------------------------------


@router.get("/members/{member_id}/status-history",
            response={200: list[StatusChangeOut], **READ}, summary="A member's status history")
def history_index(request: HttpRequest, member_id: int):
    """Every change of the member's standing, oldest first. The member's `status` is that
    of the latest row."""
    member = access_member(request.auth, member_id)
    return list(selectors.status_history(request.auth, member))


@router.post("/members/{member_id}/status-history",
             response={201: StatusChangeOut, **WRITE}, summary="Record a change of standing")
def history_add(request: HttpRequest, member_id: int, payload: StatusChangeIn):
    """Record a 党籍 decision, dated (not in the future, not before joining or the latest
    change) and reasoned; only the transitions the rules allow."""
    member = access_member(request.auth, member_id, write=True)
    row = services.status_change_add(request.auth, member, **payload.dict())
    return Status(201, row)


# --- transfers --------------------------------------------------------------------------------


def _transfer_out(user, transfer) -> dict:
    view = selectors.transfer_view(user, transfer)
    t = transfer
    return {
        "id": t.pk, "member": t.member, "direction": t.direction,
        "from_organization": t.from_organization, "to_organization": t.to_organization,
        "outside_unit": t.outside_unit, "letter_number": t.letter_number,
        "issued_on": t.issued_on, "valid_until": t.valid_until, "state": view.state,
        "overdue": view.overdue, "reason": t.reason, "decision_reason": t.decision_reason,
        "received_on": t.received_on,
    }


class TransferQuery(Schema):
    organization: int | None = None
    direction: str = ""
    state: str = ""


@router.get("/transfers", response={200: list[TransferOut], **READ}, summary="List transfers")
@paginate(Pagination)
def transfer_index(request: HttpRequest, query: Query[TransferQuery]):
    """Transfers seen from either end within your scope. `organization` with `direction`
    `in` or `out` keeps those into or out of its subtree; `state` is a state or `overdue`
    (issued letters not received within their validity)."""
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    rows = selectors.transfer_list(request.auth, organization=organization,
                                   direction=query.direction, state=query.state)
    return PagedRows.each(rows, lambda t: _transfer_out(request.auth, t))




# Before /transfers/{transfer_id}: the first matching path wins.
@router.post("/transfers/incoming", response={201: TransferOut, **WRITE},
             summary="Record a transfer from outside the district")
def transfer_incoming(request: HttpRequest, payload: TransferIncomingIn):
    data = payload.dict()
    member = access_member(request.auth, data.pop("member"), write=True)
    to_org = access_organization(request.auth, data.pop("to_organization"), write=True)
    transfer = services.transfer_incoming(request.auth, member, to_organization=to_org,
                                          **data)
    return Status(201, _transfer_out(request.auth, transfer))


@router.get("/transfers/{transfer_id}", response={200: TransferOut, **READ},
            summary="Get a transfer")
def transfer_detail(request: HttpRequest, transfer_id: int):
    return _transfer_out(request.auth, selectors.access_transfer(request.auth, transfer_id))


@router.post("/transfers", response={201: TransferOut, **WRITE},
             summary="Issue a transfer letter")
def transfer_issue(request: HttpRequest, payload: TransferIssueIn):
    """Issued by the member's home branch (its writers). The member stays there until the
    receiving organization receives the letter."""
    data = payload.dict()
    member = access_member(request.auth, data.pop("member"), write=True)
    to_id = data.pop("to_organization")
    to_org = None
    if to_id is not None:
        to_org = selectors.receiving_choices().filter(pk=to_id).first()
        if to_org is None:
            raise Http404
    transfer = services.transfer_issue(request.auth, member, to_organization=to_org, **data)
    return Status(201, _transfer_out(request.auth, transfer))


def _act(request, transfer_id, action, **kw):
    transfer = selectors.access_transfer(request.auth, transfer_id, write=True)
    transfer = services.transfer_act(request.auth, transfer, action, **kw)
    return _transfer_out(request.auth, transfer)


@router.post("/transfers/{transfer_id}/receive", response={200: TransferOut, **WRITE},
             summary="Receive a transfer letter (回执)")
def transfer_receive(request: HttpRequest, transfer_id: int, payload: ReceiveIn):
    """By the receiving organization (out of the district: by the sender, recording the
    receipt). The member moves in the same transaction. An expired letter is refused."""
    return _act(request, transfer_id, TransferAction.RECEIVE, on=payload.received_on)


@router.post("/transfers/{transfer_id}/reject", response={200: TransferOut, **WRITE},
             summary="Reject a transfer letter")
def transfer_reject(request: HttpRequest, transfer_id: int, payload: ReasonIn):
    return _act(request, transfer_id, TransferAction.REJECT, reason=payload.reason)


@router.post("/transfers/{transfer_id}/suspend", response={200: TransferOut, **WRITE},
             summary="Suspend a transfer letter")
def transfer_suspend(request: HttpRequest, transfer_id: int, payload: ReasonIn):
    """By the sending organization."""
    return _act(request, transfer_id, TransferAction.SUSPEND, reason=payload.reason)


@router.post("/transfers/{transfer_id}/resume", response={200: TransferOut, **WRITE},
             summary="Resume a suspended letter")
def transfer_resume(request: HttpRequest, transfer_id: int):
    return _act(request, transfer_id, TransferAction.RESUME)


# --- 流动党员 ----------------------------------------------------------------------------------


def _mobile_out(record) -> dict:
    last = getattr(record, "last_report_on", None)
    if last is None and not hasattr(record, "last_report_on"):
        last = record.reports.aggregate(m=Max("reported_on"))["m"]
    return {"id": record.pk, "member": record.member, "destination": record.destination,
            "since": record.since, "contact": record.contact,
            "certificate_number": record.certificate_number, "ended_on": record.ended_on,
            "last_report_on": last, "report_due": rules.mobile_report_due(record.since, last)}


class ListQuery(Schema):
    organization: int | None = None
    open: bool = True


@router.get("/mobile", response={200: list[MobileOut], **READ}, summary="List mobile members")
@paginate(Pagination)
def mobile_index(request: HttpRequest, query: Query[ListQuery]):
    """Mobile members of the home branches in your scope (open periods unless `open` is
    false), with their last annual report and when the next is due."""
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    return PagedRows.each(selectors.mobile_list(request.auth, organization=organization,
                                          open_only=query.open), _mobile_out)


@router.post("/mobile", response={201: MobileOut, **WRITE}, summary="Record a mobile member")
def mobile_open(request: HttpRequest, payload: MobileIn):
    data = payload.dict()
    member = access_member(request.auth, data.pop("member"), write=True)
    record = services.mobile_open(request.auth, member, **data)
    return Status(201, _mobile_out(record))


@router.post("/mobile/{record_id}/reports", response={201: MobileReportOut, **WRITE},
             summary="Record an annual report")
def mobile_report(request: HttpRequest, record_id: int, payload: MobileReportIn):
    record = selectors.access_mobile_record(request.auth, record_id, write=True)
    return Status(201, services.mobile_report_add(request.auth, record, **payload.dict()))


@router.post("/mobile/{record_id}/close", response={200: MobileOut, **WRITE},
             summary="End a mobile period")
def mobile_close(request: HttpRequest, record_id: int, payload: MobileCloseIn):
    record = selectors.access_mobile_record(request.auth, record_id, write=True)
    return _mobile_out(services.mobile_close(request.auth, record, **payload.dict()))


# --- 失联党员 ----------------------------------------------------------------------------------


def _lost_out(record) -> dict:
    if hasattr(record, "effort_count"):
        count, last = record.effort_count, record.last_effort_on
    else:
        dates = list(record.efforts.values_list("made_on", flat=True))
        count, last = len(dates), max(dates, default=None)
    return {"id": record.pk, "member": record.member, "since": record.since,
            "circumstances": record.circumstances, "found_on": record.found_on,
            "found_note": record.found_note, "effort_count": count, "last_effort_on": last,
            "stop_due": rules.lost_stop_due(record.since)}


@router.get("/lost-contact", response={200: list[LostOut], **READ},
            summary="List lost-contact members")
@paginate(Pagination)
def lost_index(request: HttpRequest, query: Query[ListQuery]):
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    return PagedRows.each(selectors.lost_list(request.auth, organization=organization,
                                        open_only=query.open), _lost_out)


@router.post("/lost-contact", response={201: LostOut, **WRITE}, summary="Record lost contact")
def lost_open(request: HttpRequest, payload: LostIn):
    data = payload.dict()
    member = access_member(request.auth, data.pop("member"), write=True)
    return Status(201, _lost_out(services.lost_open(request.auth, member, **data)))


@router.post("/lost-contact/{record_id}/efforts", response={201: EffortOut, **WRITE},
             summary="Record a search effort")
def lost_effort(request: HttpRequest, record_id: int, payload: EffortIn):
    record = selectors.access_lost_record(request.auth, record_id, write=True)
    return Status(201, services.lost_effort_add(request.auth, record, **payload.dict()))


@router.post("/lost-contact/{record_id}/found", response={200: LostOut, **WRITE},
             summary="Found again")
def lost_found(request: HttpRequest, record_id: int, payload: FoundIn):
    record = selectors.access_lost_record(request.auth, record_id, write=True)
    return _lost_out(services.lost_found(request.auth, record, **payload.dict()))
