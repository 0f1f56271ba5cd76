"""Reads of a user's own inbox. Notifications belong to one user: no organization scope."""

from __future__ import annotations

from django.db import models

from .models import Notification


def inbox(user, *, unread_only: bool = False):
    """`user`'s due notifications: unread first, then newest first."""
    qs = Notification.objects.for_user(user)
    if unread_only:
        qs = qs.unread()
    return qs.annotate(
        read_rank=models.Case(models.When(read_at__isnull=True, then=0), default=1,
                              output_field=models.IntegerField())
    ).order_by("read_rank", "-visible_from", "-pk")


def may_watch_outbox(user) -> bool:
    """The outbox holds messages to anyone in the district: district administrators only
    (and superusers). Roles: core/roles.py."""
    from fengling.core.roles import Role
    from fengling.core.scoping import scope_of

    scope = scope_of(user)
    return scope.everything or Role.DISTRICT_ADMIN in scope.roles


# How many recent failures the outbox page lists.
RECENT_FAILURES = 50


def outbox_summary() -> dict:
    """Counts by channel and status (one grouped query) and the latest failures."""
    from .models import Channel, Delivery, DeliveryStatus

    counts: dict[str, dict[str, int]] = {}
    for channel, status, n in (Delivery.objects.order_by().values_list("channel", "status")
                               .annotate(n=models.Count("pk"))):
        counts.setdefault(channel, {})[status] = n
    labels = dict(Channel.choices)
    rows = [(labels.get(channel, channel), [by_status.get(s, 0) for s in DeliveryStatus.values])
            for channel, by_status in sorted(counts.items())]
    failures = list(
        Delivery.objects.filter(status=DeliveryStatus.FAILED)
        .select_related("notification__recipient").order_by("-pk")[:RECENT_FAILURES]
    )
    return {"rows": rows, "failures": failures, "statuses": DeliveryStatus.labels}
