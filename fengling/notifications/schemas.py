"""API schemas for the inbox."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from .models import Kind


class NotificationOut(Schema):
    id: int
    kind: Kind
    title: str
    body: str
    url: str
    created_at: dt.datetime
    visible_from: dt.datetime
    read_at: dt.datetime | None
    is_read: bool


class ReadAllOut(Schema):
    marked: int
    unread: int
