"""`notifications_unread`: the user's unread count, for templates that show it.

The count is lazy: it costs one indexed query, only on pages whose template uses it, and at
most once per request (cached on the request). The navbar does not use it while rendering:
its badge is filled by HTMX from `notifications:badge`, so that no page's query count moves.
"""

from django.utils.functional import SimpleLazyObject

_ATTR = "_fengling_unread"


def unread_for(request) -> int:
    cached = getattr(request, _ATTR, None)
    if cached is None:
        from .services import unread_count

        cached = unread_count(getattr(request, "user", None))
        setattr(request, _ATTR, cached)
    return cached


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {"notifications_unread": SimpleLazyObject(lambda: unread_for(request))}
