from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Dashboards and reports: reads other apps' selectors, writes nothing (STYLE.md)."""

    name = "fengling.reports"
    label = "reports"
    verbose_name = _("Reports")
