from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BirthdaysConfig(AppConfig):
    """Political birthdays (政治生日): no tables of its own; reads members.Member.join_date."""

    name = "fengling.birthdays"
    label = "birthdays"
    verbose_name = _("Political birthdays")
