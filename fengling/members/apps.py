from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "fengling.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self):
        from fengling.core.lookups import KeyPrefixLookup

        from . import import_jobs  # noqa: F401 (registers the import jobs)
        from .models import Member

        for field in ("name_pinyin", "name_initials"):
            Member._meta.get_field(field).register_lookup(KeyPrefixLookup)
