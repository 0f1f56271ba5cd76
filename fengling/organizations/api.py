"""API: the organization tree, read through the same scopes as the web."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from fengling.core.api import Pagination, error_responses
from fengling.core.audit_trail import RecordHistory, check_history_access
from fengling.core.history_schemas import HistoryEntryOut
from fengling.core.scoping import scope_of

from .kinds import OrgKind
from .models import Organization
from .schemas import OrganizationDetailOut, OrganizationOut, ServiceCentreOut, TermOut
from .selectors import (
    access_organization,
    current_term,
    organization_list,
    service_centres_of,
    subtree_member_counts,
    subtree_org_counts,
)

router = Router(tags=["organizations"])


class OrganizationFilters(Schema):
    parent: int | None = None
    search: str = ""
    kind: OrgKind | None = None


@router.get(
    "", response={200: list[OrganizationOut], **error_responses(401, 404, 422)},
    summary="List organizations",
)
@paginate(Pagination)
def organization_index(request: HttpRequest, filters: Query[OrganizationFilters]):
    """Organizations in your scope, in tree order. `parent` lists its direct children
    (404 if it is outside your scope); `search` matches names, short names, pinyin,
    initials and codes; `kind` filters."""
    parent = (
        access_organization(request.auth, filters.parent) if filters.parent is not None else None
    )
    return organization_list(
        request.auth, parent=parent, search=filters.search.strip(), kind=filters.kind or ""
    )


@router.get(
    "/{organization_id}", response={200: OrganizationDetailOut, **error_responses(401, 404, 422)},
    summary="Get an organization",
)
def organization_detail(request: HttpRequest, organization_id: int):
    """One organization: kind, place in the tree, counts, current committee term and posts,
    service centres."""
    org = access_organization(request.auth, organization_id)
    term = current_term(org)
    return OrganizationDetailOut.from_orm(org).model_copy(
        update={
            "parent_id": _parent_id_in_scope(request.auth, org),
            "member_count": subtree_member_counts([org])[org.pk],
            "subtree_counts": subtree_org_counts(org),
            "term": TermOut.from_orm(term) if term is not None else None,
            "service_centres": [ServiceCentreOut.from_orm(c) for c in service_centres_of(org)],
        }
    )


def _parent_id_in_scope(user, org: Organization) -> int | None:
    # A parent outside the user's scope is not revealed (out of scope is as if absent).
    if org.depth <= 1:
        return None
    parent_path = org.path[: -Organization.steplen]
    if not scope_of(user).covers_path(parent_path):
        return None
    return Organization.objects.get_parent(org).pk


@router.get(
    "/{organization_id}/history",
    response={200: list[HistoryEntryOut], **error_responses(401, 403, 404, 422)},
    summary="An organization's change history",
)
@paginate(Pagination)
def organization_history(request: HttpRequest, organization_id: int):
    """Who changed what (field: old → new) and when, merged with exports and imports made
    from the organization, newest first. For secretaries, administrators and auditors in
    scope (404 outside it, 403 for other roles)."""
    org = access_organization(request.auth, organization_id)
    check_history_access(request.auth, org.path)
    return RecordHistory(org)
