"""The REST API under /api/v1/ (django-ninja): one router per app.

Every call but `POST auth/token` needs `Authorization: Bearer <token>` or a signed-in browser
session (which must also send the CSRF token on unsafe methods). Schema: /api/v1/openapi.json;
the interactive docs at /api/v1/docs are served from ninja's bundled files (no CDN).
"""

from ninja import Swagger

from fengling.accounts.api import BearerToken
from fengling.accounts.api import router as accounts_router
from fengling.core.api import FenglingAPI, SessionWithCsrf
from fengling.jobs.api import router as jobs_router
from fengling.members.api import router as members_router
from fengling.organizations.api import router as organizations_router

api = FenglingAPI(
    title="Fengling API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), SessionWithCsrf()],
    # validatorUrl None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/auth", accounts_router)
api.add_router("/organizations", organizations_router)
api.add_router("/members", members_router)
api.add_router("/jobs", jobs_router)
