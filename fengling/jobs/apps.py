from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "fengling.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from django.core.signals import request_started

        from fengling.core.lookups import SubtreeLookup

        from . import runner
        from .models import Job

        Job._meta.get_field("organization_path").register_lookup(SubtreeLookup)
        # In the default mode the web process runs the jobs in a thread of its own, started
        # with the first request (no database access while apps load).
        request_started.connect(runner.start_thread_on_request, dispatch_uid="fengling-jobs")
