"""API: courses, sessions, attendance, study hours, certificates (with the PDF) and party
workers' reports, through the same scopes, guards and services as the pages."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from fengling.core.api import ApiError, PagedRows, Pagination, error_responses
from fengling.members.models import Member
from fengling.members.selectors import access_member
from fengling.organizations.selectors import access_organization

from . import rules, selectors, services
from .models import CourseKind, ReportKind, ReportStatus
from .pdf import FontMissing, certificate_filename, certificate_pdf
from .schemas import (
    AttendanceIn,
    AttendanceOut,
    AttendanceRow,
    CertificateOut,
    CertificationOut,
    CourseIn,
    CourseOut,
    EnrolIn,
    EnrolOut,
    HoursRollupOut,
    MemberHoursOut,
    PlacementOut,
    ReportActionIn,
    ReportIn,
    ReportOut,
    RevokeIn,
    SessionIn,
    SessionOut,
    StudyRecordIn,
    StudyRecordOut,
)

router = Router(tags=["training"])


class CourseQuery(Schema):
    kind: CourseKind | None = None
    year: int | None = None


@router.get("/courses", response={200: list[CourseOut], **error_responses(401, 422)},
            summary="List courses")
@paginate(Pagination)
def course_index(request: HttpRequest, query: Query[CourseQuery]):
    """Courses and forums organized within your scope (头雁论坛, 红领学院 …)."""
    return selectors.course_list(request.auth, kind=query.kind or "", year=query.year)


@router.post("/courses", response={201: CourseOut, **error_responses(401, 403, 404, 422)},
             summary="Create a course")
def course_new(request: HttpRequest, payload: CourseIn):
    data = payload.dict()
    organization = access_organization(request.auth, data.pop("organization"), write=True)
    return Status(201, services.course_create(request.auth, organization=organization, **data))


@router.get("/courses/{course_id}", response={200: CourseOut, **error_responses(401, 404)},
            summary="Get a course")
def course_detail(request: HttpRequest, course_id: int):
    return selectors.access_course(request.auth, course_id)


@router.get("/courses/{course_id}/sessions",
            response={200: list[SessionOut], **error_responses(401, 404)},
            summary="List a course's sessions")
def session_index(request: HttpRequest, course_id: int):
    course = selectors.access_course(request.auth, course_id)
    return list(course.sessions.order_by("starts_at", "id"))


@router.post("/courses/{course_id}/sessions",
             response={201: SessionOut, **error_responses(401, 403, 404, 422)},
             summary="Add a session")
def session_new(request: HttpRequest, course_id: int, payload: SessionIn):
    course = selectors.access_course(request.auth, course_id, write=True)
    return Status(201, services.session_add(request.auth, course, **payload.dict()))


@router.post("/courses/{course_id}/enrolments",
             response={200: EnrolOut, **error_responses(401, 403, 404, 422)},
             summary="Enrol members")
def enrol(request: HttpRequest, course_id: int, payload: EnrolIn):
    """Members already enrolled are kept; answers how many were added."""
    course = selectors.access_course(request.auth, course_id, write=True)
    return {"added": services.enrol_members(request.auth, course, payload.members)}


@router.get("/sessions/{session_id}/attendance",
            response={200: list[AttendanceRow], **error_responses(401, 404)},
            summary="A session's attendance")
def attendance_get(request: HttpRequest, session_id: int):
    session = selectors.access_session(request.auth, session_id)
    return [{"member": {"id": m.pk, "name": m.name}, "present": mark}
            for m, mark in selectors.session_roll(session)]


@router.put("/sessions/{session_id}/attendance",
            response={200: AttendanceOut, **error_responses(401, 403, 404, 422)},
            summary="Record a session's attendance")
def attendance_put(request: HttpRequest, session_id: int, payload: AttendanceIn):
    session = selectors.access_session(request.auth, session_id, write=True)
    return services.attendance_record(request.auth, session, payload.present)


class HoursQuery(Schema):
    organization: int | None = None
    year: int | None = None
    behind: bool = False


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


@router.get("/hours", response={200: list[MemberHoursOut], **error_responses(401, 404, 422)},
            summary="Study hours per member")
@paginate(Pagination)
def hours_index(request: HttpRequest, query: Query[HoursQuery]):
    """Each member in scope (or in `organization`'s subtree): hours done in `year` (default:
    this year) against the required hours. `behind=true` keeps those below it."""
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    return selectors.member_hours_list(request.auth, organization, _year(query.year),
                                       behind_only=query.behind)


@router.get("/hours/rollup",
            response={200: list[HoursRollupOut], **error_responses(401, 404, 422)},
            summary="Study hours by organization")
def hours_rollup(request: HttpRequest, query: Query[HoursQuery]):
    """The organization (default: the top of your scope) and each child, every row counting
    its whole subtree."""
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    _org, orgs = selectors.report_organizations(request.auth, organization)
    return [{"organization": {"id": r.organization.pk, "name": r.organization.name},
             "members": r.members, "met": r.met, "hours": r.hours}
            for r in selectors.hours_rollup(orgs, _year(query.year))]


@router.get("/hours/members/{member_id}",
            response={200: MemberHoursOut, **error_responses(401, 404, 422)},
            summary="One member's study hours")
def hours_member(request: HttpRequest, member_id: int, year: int | None = None):
    member = access_member(request.auth, member_id)
    year = _year(year)
    row = selectors.with_hours(Member.objects.filter(pk=member.pk).select_related(
        "organization"), year, selectors.required_by_group(year)).get()
    return row


@router.post("/study-records",
             response={201: StudyRecordOut, **error_responses(401, 403, 404, 422)},
             summary="Record own study")
def study_record_new(request: HttpRequest, payload: StudyRecordIn,
                     member: int | None = None):
    """Your own study awaits review; a secretary recording for `member` approves it."""
    if member is None:
        if not request.auth.member_id:
            raise Http404
        member = request.auth.member_id
    target = access_member(request.auth, member)
    return Status(201, services.study_record_add(request.auth, target, **payload.dict()))


@router.get("/certificates", response={200: list[CertificateOut], **error_responses(401)},
            summary="List certificates")
@paginate(Pagination)
def certificate_index(request: HttpRequest):
    return selectors.certificate_list(request.auth)


@router.get("/certificates/{certificate_id}",
            response={200: CertificateOut, **error_responses(401, 404)},
            summary="Get a certificate")
def certificate_detail(request: HttpRequest, certificate_id: int):
    return selectors.access_certificate(request.auth, certificate_id)


@router.get("/certificates/{certificate_id}/pdf",
            response={200: None, **error_responses(401, 404, 503)},
            summary="Download a certificate as PDF",
            openapi_extra={"responses": {"200": {
                "description": "The certificate (application/pdf).",
                "content": {"application/pdf": {"schema": {"type": "string",
                                                           "format": "binary"}}}}}})
def certificate_download(request: HttpRequest, certificate_id: int):
    certificate = selectors.access_certificate(request.auth, certificate_id)
    try:
        content = certificate_pdf(certificate)
    except FontMissing as exc:
        raise ApiError(503, "font_missing", str(exc)) from None
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate_filename(certificate)}"'
    return response


@router.post("/certificates/{certificate_id}/revoke",
             response={200: CertificateOut, **error_responses(401, 403, 404, 422)},
             summary="Revoke a certificate")
def certificate_revoke(request: HttpRequest, certificate_id: int, payload: RevokeIn):
    """Only writers over the issuing course's organization; the holder then counts as
    uncertified. 403 for others who can see it."""
    certificate = selectors.access_certificate(request.auth, certificate_id)
    return services.certificate_revoke(request.auth, certificate, payload.reason)


class CertificationQuery(Schema):
    organization: int | None = None
    status: str = ""


@router.get("/certification",
            response={200: list[CertificationOut], **error_responses(401, 404, 422)},
            summary="Party workers' certification status")
@paginate(Pagination)
def certification_index(request: HttpRequest, query: Query[CertificationQuery]):
    """持证上岗: each party worker in scope with their status (certified, expiring within
    90 days, expired, uncertified)."""
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    today = timezone.localdate()
    qs, _c = selectors.certification_list(request.auth, status=query.status, today=today,
                                          organization=organization)
    return PagedRows.each(qs, lambda m: _certification_row(m, today))


def _certification_row(m, today) -> dict:
    return {"member": {"id": m.pk, "name": m.name},
            "organization": {"id": m.organization_id, "name": m.organization.name},
            "status": rules.certification_status(m.valid_until, today),
            "valid_until": m.valid_until, "certificate_id": m.certificate_id}


@router.get("/placements", response={200: list[PlacementOut], **error_responses(401)},
            summary="List secondments and pairings")
@paginate(Pagination)
def placement_index(request: HttpRequest):
    return selectors.placement_list(request.auth)


class ReportQuery(Schema):
    status: ReportStatus | None = None
    kind: ReportKind | None = None
    year: int | None = None


@router.get("/reports", response={200: list[ReportOut], **error_responses(401, 422)},
            summary="List annual and research reports")
@paginate(Pagination)
def report_index(request: HttpRequest, query: Query[ReportQuery]):
    return selectors.report_list(request.auth, status=query.status or "",
                                 kind=query.kind or "", year=query.year)


@router.post("/reports", response={201: ReportOut, **error_responses(401, 403, 404, 422)},
             summary="Write a report")
def report_new(request: HttpRequest, payload: ReportIn):
    data = payload.dict()
    member_id = data.pop("member") or request.auth.member_id
    if not member_id:
        raise ValidationError({"member": [_("Say whose report this is.")]})
    member = access_member(request.auth, member_id)
    return Status(201, services.report_save(request.auth, member, **data))


@router.get("/reports/{report_id}", response={200: ReportOut, **error_responses(401, 404)},
            summary="Get a report")
def report_detail(request: HttpRequest, report_id: int):
    return selectors.access_report(request.auth, report_id)


@router.post("/reports/{report_id}/actions",
             response={200: ReportOut, **error_responses(401, 403, 404, 422)},
             summary="Submit, accept or return a report")
def report_action(request: HttpRequest, report_id: int, payload: ReportActionIn):
    """`submit` (the author); `accept` or `return` (a reviewer with write scope; returning
    needs a comment)."""
    report = selectors.access_report(request.auth, report_id)
    if payload.action != "submit":
        report = selectors.access_report(request.auth, report_id, write=True)
    return services.report_transition(request.auth, report, payload.action, payload.comment)
