"""API: member records, read and changed through the same scopes and services as the web."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from fengling.core.api import ApiError, Code, Pagination, error_responses
from fengling.core.audit_trail import RecordHistory, shows_addresses
from fengling.core.history_schemas import HistoryEntryOut
from fengling.core.net import client_ip, user_agent
from fengling.core.reveal import REVEALABLE
from fengling.core.scoping import scope_of
from fengling.jobs.schemas import JobOut
from fengling.jobs.selectors import access_job
from fengling.organizations.selectors import access_organization

from .import_jobs import CHECK as IMPORT_CHECK
from .import_jobs import start_check, start_write
from .models import Education, Gender, Membership, MemberStatus, Occupation
from .privacy import access_member_history, access_member_to_reveal, member_reveal
from .schemas import (
    MemberCreateIn,
    MemberDetailOut,
    MemberOut,
    MemberRevealIn,
    MemberRevealOut,
    MemberUpdateIn,
)
from .selectors import MemberFilters, access_member, member_profile, member_results
from .services import member_create, member_update

router = Router(tags=["members"])


class MemberQuery(Schema):
    search: str = ""
    organization: int | None = None
    status: MemberStatus | None = None
    membership: Membership | None = None
    gender: Gender | None = None
    education: Education | None = None
    occupation: Occupation | None = None


@router.get(
    "", response={200: list[MemberOut], **error_responses(401, 404, 422)},
    summary="List members",
)
@paginate(Pagination)
def member_index(request: HttpRequest, query: Query[MemberQuery]):
    """Members in your scope. `search` matches a name, its full pinyin or initials
    (`zs` finds 张三), the last four digits of a phone or ID number, or an ID number's area
    code; best matches first. `organization` keeps its whole subtree (404 if it is outside
    your scope)."""
    organization = (
        access_organization(request.auth, query.organization)
        if query.organization is not None
        else None
    )
    filters = MemberFilters(
        search=query.search,
        organization=organization,
        status=query.status or "",
        membership=query.membership or "",
        gender=query.gender or "",
        education=query.education or "",
        occupation=query.occupation or "",
    )
    return member_results(request.auth, filters)


# --- Excel import as a background job (before /{member_id}, which would match "import") ---


@router.post(
    "/import",
    response={202: JobOut, **error_responses(400, 401, 403, 422)},
    summary="Import members from Excel (a background job)",
)
def member_import_start(request: HttpRequest, file: File[UploadedFile]):
    """Upload an .xlsx file with the columns of the import template. This starts a job that
    checks every row and writes nothing: poll `GET /api/v1/jobs/{id}` until it is finished;
    its `result` lists the bad rows (`line`, `column`, `message`) or, when `ok`, the rows
    per home organization. Then confirm with `POST /api/v1/members/import/{id}/confirm`,
    which writes all rows in one transaction (another job). Only staff who may change
    members may import (403)."""
    try:
        job = start_check(request.auth, file, language=get_language())
    except ValidationError as exc:
        raise ApiError(400, Code.BAD_REQUEST, " ".join(exc.messages)) from exc
    return Status(202, job)


@router.post(
    "/import/{job_id}/confirm",
    response={202: JobOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Confirm a checked import (a background job)",
)
def member_import_confirm(request: HttpRequest, job_id: int):
    """Write the rows of a checked file whose rows are all good, in one transaction. A
    preview is confirmed once: confirming again returns the same write job."""
    if not scope_of(request.auth).can_write:
        raise PermissionDenied
    preview = access_job(request.auth, job_id, kinds=(IMPORT_CHECK,))
    try:
        job = start_write(request.auth, preview, language=get_language())
    except ValidationError as exc:
        raise ApiError(400, Code.BAD_REQUEST, " ".join(exc.messages)) from exc
    return Status(202, job)


@router.get(
    "/{member_id}", response={200: MemberDetailOut, **error_responses(401, 404, 422)},
    summary="Get a member",
)
def member_detail(request: HttpRequest, member_id: int):
    """One member's record. The ID and phone numbers are shown masked, as on the member
    page, to everyone; their full values come from `POST …/reveal`, which is
    permission-checked and audit-logged (PRODUCT §5: every view of unmasked data is)."""
    profile = member_profile(request.auth, member_id)
    member = profile.member
    return MemberDetailOut.from_orm(member).model_copy(update={"can_write": profile.can_write})


@router.post(
    "", response={201: MemberDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Create a member",
)
def member_new(request: HttpRequest, payload: MemberCreateIn):
    """Record a new member in an organization you may change (404 if it is outside your
    scope, 403 if you may only read it)."""
    data = payload.dict()
    organization = access_organization(request.auth, data.pop("organization"), write=True)
    data["party_group"] = _party_group(request, data.get("party_group"))
    member = member_create(request.auth, organization=organization, **data)
    return Status(201, member)


@router.patch(
    "/{member_id}", response={200: MemberDetailOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Update a member",
)
def member_change(request: HttpRequest, member_id: int, payload: MemberUpdateIn):
    """Change the fields sent; the others stay as they are."""
    member = access_member(request.auth, member_id, write=True)
    data = payload.dict(exclude_unset=True)
    if "organization" in data:
        data["organization"] = access_organization(
            request.auth, data["organization"], write=True
        )
    if "party_group" in data:
        data["party_group"] = _party_group(request, data["party_group"])
    return member_update(request.auth, member, **data)


def _party_group(request: HttpRequest, pk: int | None):
    """The Party group named by id (404 outside the scope); the service checks that it is
    one of the home branch's."""
    return access_organization(request.auth, pk) if pk is not None else None


@router.post(
    "/{member_id}/reveal",
    response={200: MemberRevealOut, **error_responses(401, 403, 404, 422)},
    summary="Reveal a member's full ID and phone numbers",
)
def member_reveal_values(request: HttpRequest, member_id: int,
                         payload: MemberRevealIn | None = None):
    """The full values of `fields` (both by default). Allowed to the secretaries and
    administrators of the member's organizations, and to the member themself; every call
    is recorded in the audit log (who, whose, which fields, when, from which address).
    404 if the member is outside your scope, 403 if your role may not reveal."""
    member = access_member_to_reveal(request.auth, member_id)
    fields = payload.fields if payload is not None and payload.fields else REVEALABLE
    values = member_reveal(request.auth, member, fields, ip_address=client_ip(request),
                           user_agent=user_agent(request))
    return {"id": member.pk, **values}


@router.get(
    "/{member_id}/history",
    response={200: list[HistoryEntryOut], **error_responses(401, 403, 404, 422)},
    summary="A member's change history",
)
@paginate(Pagination)
def member_history(request: HttpRequest, member_id: int):
    """Who changed what (field: old → new) and when, merged with reveals and other actions
    on the record, newest first. For secretaries, administrators and auditors in scope;
    a member, their own record only."""
    member = access_member_history(request.auth, member_id)
    return RecordHistory(member, show_addresses=shows_addresses(request.auth,
                                                                member.organization.path))
