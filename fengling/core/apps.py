from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fengling.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # django-auditlog (installed before core) has registered every model by now.
        from .audit_trail import tighten_registry

        tighten_registry()

        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_session_fresh

        user_logged_in.connect(mark_session_fresh, dispatch_uid="fengling.session_fresh")
