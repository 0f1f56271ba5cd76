"""API of the member's record (锋领e家): a member's timeline and one's own summary.

GET /api/v1/members/{id}/timeline is scoped like the member page (404 outside the scope; a
member may read their own); GET /api/v1/me/record is the signed-in member's own."""

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from fengling.core.api import error_responses

from .timeline import Kind, Summary, Timeline, member_timeline

members_router = Router(tags=["record"])
me_router = Router(tags=["record"])


class TimelineQuery(Schema):
    year: int | None = None
    kind: Kind | None = None


class EntryOut(Schema):
    kind: Kind
    day: dt.date
    title: str
    detail: str
    outcome: str
    amount: Decimal | None
    hours: Decimal | None


class SummaryOut(Schema):
    year: int
    meetings_attended: int
    meetings_required: int
    dues_paid: Decimal
    dues_owed: Decimal
    arrears_months: int
    arrears_level: str | None
    hours_done: Decimal
    hours_required: Decimal
    certificates: int


class TimelineOut(Schema):
    member_id: int
    member_name: str
    year: int
    kind: str
    summary: SummaryOut
    entries: list[EntryOut]


def _summary(s: Summary) -> dict:
    return {name: getattr(s, name) for name in SummaryOut.model_fields}


def _out(t: Timeline) -> dict:
    return {
        "member_id": t.member.pk, "member_name": t.member.name, "year": t.year,
        "kind": t.kind, "summary": _summary(t.summary),
        "entries": [{"kind": e.kind, "day": e.day, "title": e.title, "detail": e.detail,
                     "outcome": e.outcome, "amount": e.amount, "hours": e.hours}
                    for e in t.entries],
    }


@members_router.get(
    "/{member_id}/timeline", response={200: TimelineOut, **error_responses(401, 404, 422)},
    summary="A member's record (timeline of a year)",
)
def member_timeline_api(request: HttpRequest, member_id: int, query: Query[TimelineQuery]):
    """Everything recorded about the member in `year` (default this year), newest first:
    meetings attended and missed, dues owed and paid, study, certificates, status changes,
    transfers, development milestones; `kind` keeps one kind. With this year's summary."""
    return _out(member_timeline(request.auth, member_id, year=query.year,
                                kind=query.kind or ""))


@me_router.get(
    "/record", response={200: TimelineOut, **error_responses(401, 404, 422)},
    summary="My own record",
)
def my_record_api(request: HttpRequest, query: Query[TimelineQuery]):
    """The signed-in member's own record and summary (404 for an account without a member
    record)."""
    if not request.auth.member_id:
        raise Http404
    return _out(member_timeline(request.auth, request.auth.member_id, year=query.year,
                                kind=query.kind or ""))
