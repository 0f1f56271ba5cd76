from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevelopmentConfig(AppConfig):
    """Member development (发展党员): applicants, activists and development targets on
    their way to becoming members, with the 25 steps and their time rules."""

    name = "fengling.development"
    label = "development"
    verbose_name = _("Member development")

    def ready(self):
        from fengling.core.lookups import KeyPrefixLookup

        from .models import Candidate

        for field in ("name_pinyin", "name_initials"):
            Candidate._meta.get_field(field).register_lookup(KeyPrefixLookup)
