"""The member's record page (锋领e家) and the shortcut to one's own."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .timeline import Kind, member_timeline


def _year(request) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if 1921 <= year <= 2100 else None


@require_GET
@login_required
def member_record(request, pk):
    """One member's timeline of a year, newest first, with this year's cards."""
    timeline = member_timeline(request.user, pk, year=_year(request),
                               kind=request.GET.get("kind", ""))
    return render(request, "record/member.html", {
        "t": timeline, "kinds": Kind.choices,
        "own": request.user.member_id == timeline.member.pk,
    })


@require_GET
@login_required
def mine(request):
    """The signed-in member's own record."""
    if not request.user.member_id:
        raise Http404
    query = request.GET.urlencode()
    url = reverse("record:member", args=[request.user.member_id])
    return redirect(f"{url}?{query}" if query else url)
