"""What every page's shell needs: the user's scope summary and display preferences."""

from django.conf import settings

from .scoping import scope_of

LARGE_TEXT_COOKIE = "fengling_large_text"


def shell(request):
    user = getattr(request, "user", None)
    scope = scope_of(user) if user is not None else None
    return {
        "scope": scope,
        "large_text": request.COOKIES.get(LARGE_TEXT_COOKIE) == "1",
        "demo_mode": settings.DEMO,
    }
