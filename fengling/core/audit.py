"""Writing audit entries from services."""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def audit_log(actor, action: str, subject, data: dict | None = None, *,
              organization_path: str = "", ip_address: str | None = None) -> AuditEntry:
    """Record that `actor` did `action` to `subject`. Call inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        organization_path=organization_path,
        data=data or {},
        ip_address=ip_address,
    )
