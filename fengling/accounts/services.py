"""Account changes: API tokens.

A token is shown once, when it is issued; the database keeps only its SHA-256 digest, so a
leaked database does not leak usable tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fengling.core.audit import audit_log

from .models import ApiToken, User

# Recording every use would write on every API request; once a minute is enough to see
# which tokens are alive.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(user: User) -> tuple[str, ApiToken]:
    """A new token for `user`: returns the clear token (never stored) and its record."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, digest=_digest(raw), expires_at=timezone.now() + settings.API_TOKEN_TTL
    )
    audit_log(user, "api_token.issue", token, {"expires_at": token.expires_at.isoformat()})
    return raw, token


def api_token_user(raw: str) -> User | None:
    """The active user a live token belongs to, or None (unknown, expired, inactive user)."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
