"""Member pages: list with filters, the member record, its edit and create forms."""

from __future__ import annotations

import functools
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from fengling.core.audit_trail import record_history, shows_addresses
from fengling.core.net import client_ip, user_agent
from fengling.core.reveal import reveal_answer
from fengling.core.scoping import scope_of
from fengling.organizations.kinds import MEMBER_HOME_KINDS
from fengling.organizations.selectors import access_organization

from .exports import export_refused, member_export
from .exports import import_template as exports_import_template
from .forms import MemberFilterForm, MemberForm
from .lifecycle.selectors import member_lifecycle
from .privacy import access_member_history, access_member_to_reveal, member_reveal
from .selectors import (
    LIST_FIELDS,
    MemberFilters,
    access_member,
    member_filter_organizations,
    member_home_choices,
    member_profile,
    member_results,
)

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The edit form's fragment that follows the chosen home branch (HTMX).
FUNCTIONAL_TARGET = "functional-orgs"


def _is_fragment(request, target: str) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


@login_required
@require_GET
@vary_on_headers("HX-Request")
def index(request):
    """The member list. An HTMX request from the filters gets only the results."""
    organization, form, filters = _filters(request)
    results = member_results(request.user, filters, only=LIST_FIELDS)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    scope = scope_of(request.user)
    query = QueryDict(mutable=True)
    for key in form.fields:
        if request.GET.get(key, "").strip():
            query[key] = request.GET[key].strip()
    if page.number > 1:
        query["page"] = str(page.number)
    context = {
        "form": form,
        "query": query,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                           on_ends=1),
        "organization": organization,
        "can_create": scope.can_write,
        "can_export": scope.everything or bool(scope.read_paths),
        "can_export_unmasked": scope.can_reveal,
        "create_in": organization if organization is not None
        and organization.kind in MEMBER_HOME_KINDS
        and scope.covers_path(organization.path, write=True) else None,
    }
    if not _is_fragment(request, "member-results"):
        return render(request, "members/list.html", context)
    response = render(request, "members/list.html#results", context)
    # The address bar shows only the filters in use, not every empty field of the form.
    query = context["query"].urlencode()
    return push_url(response, f"{request.path}?{query}" if query else request.path)


def _filters(request):
    """The list's filters from the query string: (organization, form, MemberFilters)."""
    raw_org = request.GET.get("organization", "").strip()
    # Out of scope is 404, as for every other way of naming an organization.
    organization = access_organization(request.user, raw_org) if raw_org else None
    form = MemberFilterForm(
        request.GET,
        organization_choices=member_filter_organizations(request.user, selected=organization),
    )
    filters = MemberFilters(
        search=form.value("q"),
        organization=organization,
        status=form.value("status"),
        membership=form.value("membership"),
        gender=form.value("gender"),
        education=form.value("education"),
        occupation=form.value("occupation"),
    )
    return organization, form, filters


def _xlsx_response(workbook) -> FileResponse:
    # FileResponse writes the Chinese file name as RFC 5987 `filename*=utf-8''…`.
    return FileResponse(io.BytesIO(workbook.content), as_attachment=True,
                        filename=workbook.filename, content_type=XLSX)


@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """The filtered list as .xlsx, masked. Staff with an organization scope only: a member
    (whose scope is their own record) has no roster to export.

    POST `unmasked=1` (a form with CSRF: it reveals personal data) exports full ID and
    phone numbers, for those who may reveal them; it is audit-logged with the filters and
    the row count. Others get 403 saying so."""
    scope = scope_of(request.user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied
    unmasked = request.method == "POST" and request.POST.get("unmasked") == "1"
    if request.method == "POST" and not unmasked:
        return HttpResponseBadRequest(_("Choose what to export."))
    if unmasked and not scope.can_reveal:
        raise export_refused()
    _organization, _form, filters = _filters(request)
    return _xlsx_response(member_export(
        request.user, filters, unmasked=unmasked, ip_address=client_ip(request),
        user_agent=user_agent(request),
    ))


@login_required
@require_GET
def import_template(request):
    """The member import template with the allowed values of this user."""
    if not scope_of(request.user).can_write:
        raise PermissionDenied
    return _xlsx_response(exports_import_template(request.user))


@login_required
@require_GET
def detail(request, pk):
    return _detail(request, pk)


def _detail(request, pk, **extra):
    """The member page (with the lifecycle panels), `extra` in its context."""
    profile = member_profile(request.user, pk)
    return render(request, "members/detail.html", {
        "profile": profile,
        "lifecycle": member_lifecycle(request.user, profile.member, profile.can_write),
        **extra,
    })


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def edit(request, pk):
    member = access_member(request.user, pk, write=True)
    return _record_form(request, member=member)


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def create(request):
    if not scope_of(request.user).can_write:
        raise PermissionDenied
    home = None
    raw_org = request.GET.get("organization", "").strip()
    if raw_org:
        org = access_organization(request.user, raw_org, write=True)
        if org.kind in MEMBER_HOME_KINDS:
            home = org
    return _record_form(request, home=home)


def _record_form(request, *, member=None, home=None):
    template = "members/form.html"
    if request.method == "POST":
        form = MemberForm(request.POST, user=request.user, member=member, home=home)
        if form.is_valid():
            saved = form.save()
            if saved is not None:
                if member is None:
                    messages.success(request, _("Added %(name)s to the members.")
                                     % {"name": saved.name})
                else:
                    messages.success(request, _("Saved the record of %(name)s.")
                                     % {"name": saved.name})
                return redirect("members:detail", pk=saved.pk)
    elif _is_fragment(request, FUNCTIONAL_TARGET):
        # The home branch changed: offer the functional organizations that go with it,
        # keeping the boxes already ticked.
        chosen = request.GET.get("organization", "")
        home = member_home_choices(request.user).filter(
            pk=int(chosen) if chosen.isdigit() else None
        ).first()
        form = MemberForm(
            user=request.user, member=member, home=home,
            initial={"functional_organizations": [
                int(v) for v in request.GET.getlist("functional_organizations") if v.isdigit()
            ]},
        )
        template += "#functional"
    else:
        form = MemberForm(user=request.user, member=member, home=home)
    return render(request, template, {"form": form, "member": member})


@login_required
@require_POST
def reveal(request, pk):
    """Reveal one full value (`field`: id_number or phone): permission-checked and audited.
    HTMX gets the value's fragment; a plain form post gets the page with it shown."""
    member = access_member_to_reveal(request.user, pk)
    return reveal_answer(
        request, functools.partial(member_reveal, request.user, member),
        lambda values: _detail(request, pk, revealed=values),
    )


@login_required
@require_GET
def history(request, pk):
    """The change history (变更记录) of a member record, with reveals and other actions."""
    member = access_member_history(request.user, pk)
    return render(request, "members/history.html", {
        "member": member,
        "page": record_history(member, request.GET.get("page"),
                               show_addresses=shows_addresses(request.user,
                                                              member.organization.path)),
    })
