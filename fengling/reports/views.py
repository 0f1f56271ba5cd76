"""The home page of each role (its dashboard) and the cockpit (驾驶舱)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fengling.core.scoping import scope_of
from fengling.organizations.selectors import access_organization
from fengling.record.timeline import my_home

from .cockpit import cockpit_figures, cockpit_root
from .selectors import home_dashboard


@require_GET
@login_required
def home(request):
    """The home page of the user's role: who they are, where, and the numbers they watch."""
    dash = home_dashboard(request.user)
    # The member's own phone-first block (我的锋领e家, fengling.record).
    mine = my_home(request.user) if dash.layout == "member" else None
    return render(request, "reports/home.html", {"dash": dash, "mine": mine})


@require_GET
@login_required
def cockpit(request, pk=None):
    """The cockpit of an organization's subtree (the top of the user's scope by default).
    Staff roles only; out of scope 404. `?print=1` is the printable version; an htmx
    request gets the figures fragment (the auto-refresh)."""
    scope = scope_of(request.user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied
    organization = (access_organization(request.user, pk) if pk is not None
                    else cockpit_root(request.user))
    if organization is None:
        raise Http404
    figures = cockpit_figures(request.user, organization)
    printing = request.GET.get("print") == "1"
    context = {
        "organization": organization,
        "figures": figures,
        "printing": printing,
        "base_template": "reports/cockpit_print_base.html" if printing else "base.html",
        "refresh_seconds": settings.COCKPIT_REFRESH_SECONDS,
        # Ancestors the user may see, for the way back up (each to its own cockpit).
        "ancestors": [a for a in organization.ancestors()
                      if scope.covers_path(a.path)] if organization.depth > 1 else [],
    }
    template = "reports/cockpit.html"
    if request.htmx:
        template += "#figures"
    return render(request, template, context)
