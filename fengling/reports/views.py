"""The home page of each role: its dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import home_dashboard


@require_GET
@login_required
def home(request):
    """The home page of the user's role: who they are, where, and the numbers they watch."""
    return render(request, "reports/home.html", {"dash": home_dashboard(request.user)})
