"""Organization pages: the tree browser (lazy, searchable) and the organization page."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fengling.core.audit_trail import check_history_access, record_history
from fengling.core.scoping import scope_of

from .exports import organization_export, organization_import_template
from .kinds import OrgKind
from .models import Organization
from .selectors import (
    ELECTION_FILTERS,
    PICKED,
    access_organization,
    organization_children,
    organization_page,
    organization_search_page,
    organization_suggestions,
    organization_tree,
    picker_value,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page_number(request, name="page") -> int:
    try:
        return max(int(request.GET.get(name, 1)), 1)
    except ValueError:
        return 1


def _choice(request, name, allowed) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else ""


def _within(request) -> Organization | None:
    """`?within=<id>`: an organization's subtree (404 outside the user's scope)."""
    raw = request.GET.get("within", "").strip()
    return access_organization(request.user, raw) if raw else None


@require_GET
@login_required
def tree(request):
    """The tree from the top of the user's scope; with ?q= or a filter, a search."""
    filters = {
        "search": request.GET.get("q", "").strip()[:60],
        "kind": _choice(request, "kind", OrgKind.values),
        "election": _choice(request, "election", ELECTION_FILTERS),
        "secretary_vacant": request.GET.get("vacancy") == "secretary",
        "within": _within(request),
    }
    scope = scope_of(request.user)
    context = {"filters": filters, "kinds": OrgKind.choices,
               "searching": any(filters.values()),
               "can_export": scope.everything or bool(scope.read_paths),
               "can_import": scope.can_write}
    if context["searching"]:
        context["results"] = organization_search_page(
            request.user, page=request.GET.get("page"), **filters
        )
    else:
        context["roots"] = organization_tree(request.user)
    template = "organizations/tree.html"
    if request.htmx and request.htmx.target == "tree-body":
        template += "#body"
    return render(request, template, context)


@require_GET
@login_required
def export(request):
    """The organizations in scope (?q= and ?kind= as on the tree page) as .xlsx."""
    scope = scope_of(request.user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied
    workbook = organization_export(
        request.user,
        search=request.GET.get("q", "").strip()[:60],
        kind=_choice(request, "kind", OrgKind.values),
    )
    # FileResponse writes the Chinese file name as RFC 5987 `filename*=utf-8''…`.
    return FileResponse(io.BytesIO(workbook.content), as_attachment=True,
                        filename=workbook.filename, content_type=XLSX)


@require_GET
@login_required
def children(request, pk):
    """HTMX partial: one batch of an organization's children, as tree nodes."""
    org = access_organization(request.user, pk)
    page = _page_number(request)
    nodes, more = organization_children(request.user, org, page=page)
    return render(request, "organizations/tree.html#children", {
        "parent": org, "nodes": nodes, "more": more, "next_page": page + 1,
    })


@require_GET
@login_required
def detail(request, pk):
    """The organization page: committee and term, sub-organizations, members, centres."""
    page = organization_page(request.user, pk, member_page=request.GET.get("page"),
                             sub_page=request.GET.get("sub_page"))
    template = "organizations/detail.html"
    if request.htmx and request.htmx.target == "org-members":
        template += "#members"
    return render(request, template, {
        "page": page, "org": page.organization,
        "can_read_history": scope_of(request.user).may_read_history(page.organization.path),
    })


@login_required
@require_GET
def history(request, pk):
    """The change history (变更记录) of an organization, with exports and imports made from it."""
    org = access_organization(request.user, pk)
    check_history_access(request.user, org.path)
    return render(request, "organizations/history.html",
                  {"org": org, "page": record_history(org, request.GET.get("page"))})


@require_GET
@login_required
def suggest(request):
    """The organization picker's suggestions (HTMX): `<option>`s for its datalist, from
    what is typed in the box named by `field`. Scoped like every list."""
    field = request.GET.get("field", "organization")
    # A suggestion just chosen (`name #id`) is looked up by its name again.
    text = PICKED.sub("", request.GET.get(field, "")).strip()
    if not text:
        # Nothing typed: keep what the list offers already (HTMX swaps nothing on 204).
        return HttpResponse(status=204)
    rows = organization_suggestions(request.user, text)
    return render(request, "organizations/partials/suggestions.html",
                  {"suggestions": [(picker_value(o.pk, o.name), parent) for o, parent in rows]})


@require_GET
@login_required
def import_template(request):
    """The organization import template: Chinese headers and a sheet of allowed values."""
    if not scope_of(request.user).can_write:
        raise PermissionDenied
    workbook = organization_import_template(request.user)
    return FileResponse(io.BytesIO(workbook.content), as_attachment=True,
                        filename=workbook.filename, content_type=XLSX)
