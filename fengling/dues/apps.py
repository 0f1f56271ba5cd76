from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    """Party dues (党费): rates, profiles, monthly bills, payments, arrears, remittances."""

    name = "fengling.dues"
    label = "dues"
    verbose_name = _("Party dues")
