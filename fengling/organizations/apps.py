from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "fengling.organizations"
    label = "organizations"
    verbose_name = _("Organizations")

    def ready(self):
        from fengling.core.lookups import KeyPrefixLookup, SubtreeLookup

        from .models import Organization

        Organization._meta.get_field("path").register_lookup(SubtreeLookup)
        for field in ("name_pinyin", "name_initials"):
            Organization._meta.get_field(field).register_lookup(KeyPrefixLookup)
