from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "fengling.organizations"
    label = "organizations"
    verbose_name = _("Organizations")

    def ready(self):
        from fengling.core.lookups import SubtreeLookup

        from .models import Organization

        Organization._meta.get_field("path").register_lookup(SubtreeLookup)
