"""Security headers Django does not set itself; the change history's request context."""

import time

from auditlog.middleware import AuditlogMiddleware
from django.contrib.auth import SESSION_KEY

# Everything is served from this origin: no CDN, no inline scripts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"
        )
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with personal data are never cached by browsers or proxies.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class _RequestAuditContext(dict):
    """django-auditlog's per-request context, with the actor read when a change is logged.

    Read late, so that an API call authenticated by a bearer token (which sets
    `request.user` inside the view) is attributed to the token's user, and so that requests
    that change nothing do not load the user for it.
    """

    def __init__(self, request, **values):
        super().__init__(actor=None, **values)
        self._request = request

    def get(self, key, default=None):
        if key == "actor":
            user = getattr(self._request, "user", None)
            return user if user is not None and user.is_authenticated else None
        return super().get(key, default)


class AuditTrailMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware with our client address (`core.net.client_ip`: the
    trusted-proxy setting decides whether X-Forwarded-For counts) and no forwarded port."""

    def get_extra_data(self, request):
        from .net import client_ip

        return _RequestAuditContext(request, remote_addr=client_ip(request), remote_port=None)


# The idle timeout (SESSION_COOKIE_AGE) slides forward at most this often. Saving the session
# on every request would write to the database on every page view, a write transaction per
# GET; once a minute keeps the 30-minute idle rule to within a minute.
SESSION_REFRESH_SECONDS = 60
SESSION_REFRESHED_KEY = "_fengling_refreshed"


def mark_session_fresh(sender, request, user, **kwargs):
    """A log-in saves the session anyway: count it as the latest refresh (user_logged_in)."""
    if hasattr(request, "session"):
        request.session[SESSION_REFRESHED_KEY] = int(time.time())


class SlidingSessionMiddleware:
    """Push a signed-in session's expiry forward, at most once a minute (等保: idle timeout).

    Placed right after Django's SessionMiddleware, which saves the session (with a fresh
    expiry) when this marks it modified. Anonymous visitors get no session from it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Signed-in sessions only: a stale or made-up cookie, or an anonymous session, is
        # never saved (nor its life prolonged) by this.
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(SESSION_REFRESHED_KEY, 0) >= SESSION_REFRESH_SECONDS:
                session[SESSION_REFRESHED_KEY] = now
        return response
