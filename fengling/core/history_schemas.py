"""API schemas of a record's change history (core.audit_trail), shared by the apps' routers."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ActorOut(Schema):
    id: int
    name: str


class FieldChangeOut(Schema):
    field: str = Field(description="The field's name in the request's language.")
    old: str
    new: str
    hidden: bool = Field(description="Only that it changed is recorded, not the value.")


class DetailOut(Schema):
    label: str
    value: str


class HistoryEntryOut(Schema):
    at: dt.datetime
    actor: ActorOut | None
    ip_address: str | None
    kind: str = Field(description="create, update, delete (field changes) or action "
                                  "(reveal, export, import …).")
    title: str
    changes: list[FieldChangeOut]
    details: list[DetailOut]

    @staticmethod
    def resolve_actor(obj):
        user = obj.actor
        if user is None:
            return None
        return {"id": user.pk, "name": user.display_name or user.username}

    @staticmethod
    def resolve_changes(obj):
        return [{"field": c.label, "old": c.old, "new": c.new, "hidden": c.hidden}
                for c in obj.changes]

    @staticmethod
    def resolve_details(obj):
        return [{"label": label, "value": value} for label, value in obj.details]
