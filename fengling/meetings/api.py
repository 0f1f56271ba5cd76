"""API: meetings, attendance, sign-in, compliance and themed Party Days, through the same
scopes and services as the web pages."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from fengling.core.api import ApiError, Pagination, error_responses
from fengling.members.selectors import access_member
from fengling.organizations.selectors import access_organization

from .models import Meeting, MeetingKind, MeetingState
from .schemas import (
    AttendanceIn,
    AttendanceOut,
    AttendanceSetOut,
    ComplianceOut,
    LibraryItemOut,
    MeetingCreateIn,
    MeetingDetailOut,
    MeetingOut,
    MeetingUpdateIn,
    PartyDayIn,
    PartyDayOut,
    SigninIn,
    SigninOut,
    StateIn,
)
from .selectors import (
    MeetingFilters,
    access_meeting,
    attendance_summary,
    can_write,
    compliance_report,
    meeting_attendance,
    meeting_list,
    template_choices,
    theme_choices,
)
from .services import (
    SigninRefused,
    attendance_set,
    meeting_schedule,
    meeting_signin,
    meeting_transition,
    meeting_update,
    party_day_create_for_month,
)

router = Router(tags=["meetings"])


class MeetingQuery(Schema):
    organization: int | None = None
    kind: MeetingKind | None = None
    state: MeetingState | None = None
    start: dt.date | None = None
    end: dt.date | None = None


def _detail(request, meeting: Meeting) -> dict:
    summary = attendance_summary(meeting)
    writable = can_write(request.auth, meeting.organization)
    data = MeetingDetailOut.from_orm(meeting).model_dump()
    data.update(
        expected_count=summary.expected, present_count=summary.present, can_write=writable,
        signin_url=request.build_absolute_uri(
            reverse("meetings:signin", args=[meeting.signin_token])) if writable else "",
    )
    return data


def _people(request, data: dict) -> dict:
    for name in ("host", "recorder"):
        if data.get(name) is not None:
            data[name] = access_member(request.auth, data[name])
    return data


@router.get("", response={200: list[MeetingOut], **error_responses(401, 404, 422)},
            summary="List meetings")
@paginate(Pagination)
def meeting_index(request: HttpRequest, query: Query[MeetingQuery]):
    """Meetings in your scope, newest first. `organization` keeps its whole subtree (404 if
    it is outside your scope); `start`/`end` bound the start date (inclusive)."""
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    return meeting_list(request.auth, MeetingFilters(
        organization=organization, kind=query.kind or "", state=query.state or "",
        start=query.start, end=query.end))


@router.post("", response={201: MeetingDetailOut, **error_responses(401, 403, 404, 422)},
             summary="Plan a meeting")
def meeting_new(request: HttpRequest, payload: MeetingCreateIn):
    """Plan a meeting of an organization you may change; its attendance list (who should
    attend) is derived at once."""
    data = _people(request, payload.dict())
    organization = access_organization(request.auth, data.pop("organization"), write=True)
    meeting = meeting_schedule(request.auth, organization, **data)
    return Status(201, _detail(request, meeting))


@router.get("/{int:meeting_id}", response={200: MeetingDetailOut, **error_responses(401, 404)},
            summary="Get a meeting")
def meeting_detail(request: HttpRequest, meeting_id: int):
    return _detail(request, access_meeting(request.auth, meeting_id))


@router.patch("/{int:meeting_id}",
              response={200: MeetingDetailOut, **error_responses(401, 403, 404, 422)},
              summary="Change a meeting")
def meeting_change(request: HttpRequest, meeting_id: int, payload: MeetingUpdateIn):
    meeting = access_meeting(request.auth, meeting_id, write=True)
    data = _people(request, payload.dict(exclude_unset=True))
    return _detail(request, meeting_update(request.auth, meeting, **data))


@router.post("/{int:meeting_id}/state",
             response={200: MeetingDetailOut, **error_responses(401, 403, 404, 422)},
             summary="Change a meeting's state")
def meeting_state(request: HttpRequest, meeting_id: int, payload: StateIn):
    """planned → notified (members are notified) → held; planned or notified → cancelled
    (with a reason). Held and cancelled are final."""
    meeting = access_meeting(request.auth, meeting_id, write=True)
    meeting = meeting_transition(request.auth, meeting, payload.state, reason=payload.reason)
    return _detail(request, meeting)


@router.get("/{int:meeting_id}/attendance",
            response={200: list[AttendanceOut], **error_responses(401, 404)},
            summary="A meeting's attendance")
def attendance_index(request: HttpRequest, meeting_id: int):
    """Everyone who should attend, with present / leave (reason) / absent, or
    `expected` while not yet recorded."""
    return list(meeting_attendance(access_meeting(request.auth, meeting_id)))


@router.post("/{int:meeting_id}/attendance",
             response={200: AttendanceSetOut, **error_responses(401, 403, 404, 422)},
             summary="Record attendance")
def attendance_record(request: HttpRequest, meeting_id: int, payload: AttendanceIn):
    """All or nothing: leave needs a reason; members must be on the meeting's list."""
    meeting = access_meeting(request.auth, meeting_id, write=True)
    changes = {i.member: (i.status, i.reason) for i in payload.items}
    return {"changed": attendance_set(request.auth, meeting, changes)}


@router.post("/signin", response={200: SigninOut, **error_responses(401, 404, 409, 422)},
             summary="Sign in to a meeting")
def signin(request: HttpRequest, payload: SigninIn):
    """The signed-in member signs in with the token from the QR code: once, within the
    window (from 30 minutes before the start to the end), and only if they should attend.
    A refusal is 409 with `code` one of too_early, too_late, cancelled, no_member,
    not_attendee, twice."""
    meeting = get_object_or_404(Meeting.objects.select_related("organization"),
                                signin_token=payload.token)
    try:
        row = meeting_signin(request.auth, meeting)
    except SigninRefused as exc:
        raise ApiError(409, exc.code, exc.messages[0]) from None
    return {"meeting": meeting.pk, "status": row.status, "signed_in_at": row.signed_in_at}


class ComplianceQuery(Schema):
    organization: int
    start: dt.date
    end: dt.date


def _row(row, kinds):
    return {
        "organization": row.organization, "organizations": row.organizations,
        "cells": [{"kind": k, "required": v[0], "met": v[1], "held": v[2]}
                  for k in kinds if (v := row.kinds.get(k)) is not None],
    }


@router.get("/reports/compliance",
            response={200: ComplianceOut, **error_responses(401, 404, 422)},
            summary="Compliance of an organization's subtree")
def compliance(request: HttpRequest, query: Query[ComplianceQuery]):
    """What RULES requires (三会一课, 主题党日, 组织生活会, 民主评议, 谈心谈话) against what
    was held, for the organization, each of its direct children (rolled up) and the total."""
    organization = access_organization(request.auth, query.organization)
    if query.end < query.start:
        raise ValidationError({"end": [_("The period must end after it starts.")]})
    report = compliance_report(request.auth, organization, query.start, query.end,
                               today=timezone.localdate())
    return {
        "start": report.start, "end": report.end,
        "own": _row(report.own, report.kinds) if report.own else None,
        "children": [_row(r, report.kinds) for r in report.children],
        "total": _row(report.total, report.kinds),
    }


@router.get("/party-day/themes", response={200: list[LibraryItemOut], **error_responses(401)},
            summary="Themes in the library")
def themes(request: HttpRequest):
    return [{"id": t.pk, "name": t.title} for t in theme_choices()]


@router.get("/party-day/templates",
            response={200: list[LibraryItemOut], **error_responses(401)},
            summary="Templates in the library")
def templates(request: HttpRequest):
    return [{"id": t.pk, "name": t.name} for t in template_choices()]


@router.post("/party-day",
             response={200: PartyDayOut, 201: PartyDayOut,
                       **error_responses(401, 403, 404, 422)},
             summary="Create the month's themed Party Day (one click)")
def party_day(request: HttpRequest, payload: PartyDayIn):
    """Create the month's themed Party Day on the branch's fixed day from the template and
    notify its members: 201. If the month already has one, it is returned unchanged: 200."""
    organization = access_organization(request.auth, payload.organization, write=True)
    theme = theme_choices().filter(pk=payload.theme).first()
    template = template_choices().filter(pk=payload.template).first()
    meeting, created = party_day_create_for_month(
        request.auth, organization, month=payload.month, theme=theme, template=template)
    return Status(201 if created else 200,
                  {"created": created, "meeting": _detail(request, meeting)})
