"""The REST API under /api/v1/ (django-ninja): one router per app.

Every call but `POST auth/token` needs `Authorization: Bearer <token>` or a signed-in browser
session (which must also send the CSRF token on unsafe methods). Schema: /api/v1/openapi.json;
the interactive docs at /api/v1/docs are served from ninja's bundled files (no CDN).
"""

from ninja import Swagger

from fengling.accounts.api import BearerToken
from fengling.accounts.api import router as accounts_router
from fengling.alerts.api import router as alerts_router
from fengling.birthdays.api import router as birthdays_router
from fengling.core.api import FenglingAPI, SessionWithCsrf
from fengling.development.api import router as development_router
from fengling.dues.api import router as dues_router
from fengling.evaluation.api import router as evaluation_router
from fengling.jobs.api import router as jobs_router
from fengling.meetings.api import router as meetings_router
from fengling.members.api import router as members_router
from fengling.members.lifecycle.api import router as lifecycle_router
from fengling.notifications.api import router as notifications_router
from fengling.organizations.api import router as organizations_router
from fengling.record.api import me_router as record_me_router
from fengling.record.api import members_router as record_members_router
from fengling.reports.api import router as cockpit_router
from fengling.training.api import router as training_router

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
api.add_router("/development", development_router)
api.add_router("/meetings", meetings_router)
api.add_router("/dues", dues_router)
api.add_router("/notifications", notifications_router)
api.add_router("/birthdays", birthdays_router)
api.add_router("/lifecycle", lifecycle_router)
api.add_router("/alerts", alerts_router)
api.add_router("/training", training_router)
api.add_router("/jobs", jobs_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/members", record_members_router)
api.add_router("/me", record_me_router)
api.add_router("/cockpit", cockpit_router)
