"""API: the cockpit's figures (`GET /api/v1/cockpit?organization=<id>`), through the same
guard and selector as the page."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router

from fengling.core.api import error_responses
from fengling.core.scoping import scope_of
from fengling.organizations.selectors import access_organization

from .cockpit import cockpit_figures, cockpit_root
from .schemas import CockpitOut

router = Router(tags=["cockpit"])


@router.get("", response={200: CockpitOut, **error_responses(401, 403, 404, 422)},
            summary="The cockpit's figures")
def cockpit(request: HttpRequest, organization: int | None = None):
    """The figures of an organization's whole subtree (default: the top of your scope):
    members, organizations by kind, open warnings by level and rule, meeting compliance, dues
    collection, study hours, rectifications, the grid of the organizations below and 12
    months of trends. Each figure carries the address of the page listing its rows.
    Staff roles only (403 for members); outside your scope 404."""
    user = request.auth
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied
    org = access_organization(user, organization) if organization is not None \
        else cockpit_root(user)
    if org is None:
        raise Http404
    return cockpit_figures(user, org)
