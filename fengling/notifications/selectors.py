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
