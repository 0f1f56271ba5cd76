from django.urls import include, path
from django.views.i18n import set_language

from .api import api

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("accounts/", include("fengling.accounts.urls")),
    path("organizations/", include("fengling.organizations.urls")),
    path("members/", include("fengling.members.urls")),
    path("development/", include("fengling.development.urls")),
    path("meetings/", include("fengling.meetings.urls")),
    path("dues/", include("fengling.dues.urls")),
    path("notifications/", include("fengling.notifications.urls")),
    path("birthdays/", include("fengling.birthdays.urls")),
    path("lifecycle/", include("fengling.members.lifecycle.urls")),
    path("alerts/", include("fengling.alerts.urls")),
    path("training/", include("fengling.training.urls")),
    path("evaluation/", include("fengling.evaluation.urls")),
    path("record/", include("fengling.record.urls")),
    path("", include("fengling.reports.urls")),
    path("", include("fengling.core.urls")),
]
