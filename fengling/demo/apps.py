from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and scale data (`fengling seed`, `fengling stats`, `fengling demo_accounts`)."""

    name = "fengling.demo"
    label = "demo"
    verbose_name = _("Demo data")
