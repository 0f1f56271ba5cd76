"""The inbox (通知): a user's own notifications, read state, and the links they carry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from . import selectors, services
from .context_processors import unread_for

PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/inbox.html", {
        "page": page,
        "unread_only": unread_only,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                           on_ends=1),
    })


@login_required
@require_POST
@vary_on_headers("HX-Request")
def read(request, pk):
    """Mark one notification read. HTMX gets the row back and the badge, out of band."""
    notification = services.mark_read(request.user, pk)
    if request.htmx:
        return render(request, "notifications/partials/read.html", {
            "n": notification, "notifications_unread": unread_for(request), "oob_badge": True,
        })
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, _("Marked %(count)s notifications read.") % {"count": count})
    return redirect("notifications:inbox")


@login_required
@require_GET
def open_notification(request, pk):
    """Follow a notification's link, marking it read. Only local links are followed."""
    notification = services.mark_read(request.user, pk)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return redirect(url)
    return redirect("notifications:inbox")


@require_GET
def badge(request):
    """The navbar's unread count (an HTMX fragment). Signed out: nothing to swap (204)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notifications/partials/badge_count.html",
                  {"notifications_unread": unread_for(request)})
