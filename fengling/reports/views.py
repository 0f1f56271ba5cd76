"""The home page of each role: its dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fengling.record.timeline import my_home

from .selectors import home_dashboard


@require_GET
@login_required
def home(request):
    """The home page of the user's role: who they are, where, and the numbers they watch."""
    dash = home_dashboard(request.user)
    # The member's own phone-first block (我的锋领e家, fengling.record).
    mine = my_home(request.user) if dash.layout == "member" else None
    return render(request, "reports/home.html", {"dash": dash, "mine": mine})
