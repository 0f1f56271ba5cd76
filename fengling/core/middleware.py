"""Security headers Django does not set itself; the change history's request context."""

from auditlog.middleware import AuditlogMiddleware

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
