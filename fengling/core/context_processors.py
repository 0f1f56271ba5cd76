"""What every page's shell needs: the user's scope summary and display preferences."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .scoping import scope_of

LARGE_TEXT_COOKIE = "fengling_large_text"

# Modules of PRODUCT §3 still to come: the navigation shows them, disabled.
COMING_MODULES = (
    _("Projects and funds"),
    _("Volunteer service"),
    _("Grid governance"),
)


def shell(request):
    user = getattr(request, "user", None)
    scope = scope_of(user) if user is not None else None
    return {
        "scope": scope,
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "demo_mode": settings.DEMO,
        "coming_modules": COMING_MODULES,
    }
