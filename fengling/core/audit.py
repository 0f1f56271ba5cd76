"""Writing audit entries from services."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def audit_log(actor, action: str, subject, data: dict | None = None, *,
              organization_path: str = "", ip_address: str | None = None) -> AuditEntry:
    """Record that `actor` did `action` to `subject`. Call inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=_actor(actor),
        action=action,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        organization_path=organization_path,
        data=data or {},
        ip_address=ip_address,
    )


def audit_many(actor, action: str, entries: Iterable[tuple[Any, dict, str]]) -> int:
    """One `action` of `actor` on many subjects, recorded in one insert: `entries` are
    (subject, data, organization path). For a step applied to a whole set (publishing a
    unit's star ratings, escalating overdue cases): one entry per subject, as `audit_log`
    would write, without a query per subject."""
    rows = [AuditEntry(actor=_actor(actor), action=action,
                       content_type=ContentType.objects.get_for_model(subject),
                       object_id=str(subject.pk), organization_path=path, data=data or {})
            for subject, data, path in entries]
    AuditEntry.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None
