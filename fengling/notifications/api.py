"""API: the caller's own notifications (never anyone else's), and their read state."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from fengling.core.api import Pagination, error_responses

from . import selectors, services
from .schemas import NotificationOut, ReadAllOut

router = Router(tags=["notifications"])


class InboxQuery(Schema):
    unread: bool = False


@router.get("", response={200: list[NotificationOut], **error_responses(401, 422)},
            summary="List my notifications")
@paginate(Pagination)
def notification_index(request: HttpRequest, query: Query[InboxQuery]):
    """Your notifications, unread first, then newest first. `unread=true` keeps only the
    unread ones."""
    return selectors.inbox(request.auth, unread_only=query.unread)


@router.post("/read-all", response={200: ReadAllOut, **error_responses(401)},
             summary="Mark all my notifications read")
def notification_read_all(request: HttpRequest):
    marked = services.mark_all_read(request.auth)
    return {"marked": marked, "unread": services.unread_count(request.auth)}


@router.post("/{notification_id}/read",
             response={200: NotificationOut, **error_responses(401, 404, 422)},
             summary="Mark one notification read")
def notification_read(request: HttpRequest, notification_id: int):
    """Mark one of your notifications read (404 if it is not yours). Repeating it is
    harmless."""
    return services.mark_read(request.auth, notification_id)
