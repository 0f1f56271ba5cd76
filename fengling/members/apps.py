from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "fengling.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self):
        from django.db.models.signals import post_migrate

        from fengling.core.lookups import KeyPrefixLookup

        from . import (
            import_jobs,  # noqa: F401 (registers the import jobs)
            pinyin_index,
        )
        from .models import Member

        for field in ("name_pinyin", "name_initials"):
            Member._meta.get_field(field).register_lookup(KeyPrefixLookup)

        # A SQLite table rebuild by a later migration drops the pinyin index's triggers.
        post_migrate.connect(pinyin_index.repair_after_migrate, sender=self,
                             dispatch_uid="members.pinyin_index")
