"""Pages every user sees whatever their role: preferences and the health check."""

from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .context_processors import LARGE_TEXT_COOKIE


@require_GET
def healthz(request):
    """Liveness check, and the benchmark's floor: a minimal Django view."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for on their own wherever a response names no icon
    (downloads, the health check): the site's icon, not a rendered 404 page. Not a permanent
    redirect: the icon's address carries a hash of its content, which a new icon changes."""
    return HttpResponseRedirect(static("favicon.svg"))


@require_POST
def large_text(request):
    """Switch the elderly-friendly large-text mode (适老化) on or off; a cookie keeps it."""
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("on") == "1":
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE)
    return response
