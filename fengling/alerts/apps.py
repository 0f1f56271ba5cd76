from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "fengling.alerts"
    label = "alerts"
    verbose_name = _("Early warning")

    def ready(self):
        from . import jobs  # noqa: F401 (registers the scan job)
