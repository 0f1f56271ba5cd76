"""Background jobs (后台任务): long work a user starts and may leave and come back to.

A job belongs to the user who started it (only they see it) and records the organization
scope it was started in. The runner (`jobs.runner`) moves it queued → running → succeeded or
failed, and the work reports its progress (`progress_done` of `progress_total` in the named
`phase`) in chunks. Its input file, if any, is kept in Django's default storage.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengling.core.scoping import ScopedQuerySet


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", pgettext_lazy("job", "Failed")


FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED)


class JobQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization_path"

    def owned_by(self, user):
        """A user's own jobs: nobody else sees a job, whatever their scope."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def unfinished(self):
        return self.exclude(state__in=FINISHED_STATES)


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=64)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.CASCADE, related_name="jobs")
    # The top of the owner's scope when the job was started (for the record and the audit).
    organization_path = models.CharField(max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=JobState.choices,
                             default=JobState.QUEUED)
    phase = models.CharField(_("phase"), max_length=32, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    input_file = models.FileField(upload_to="jobs/%Y/%m/%d/", blank=True)
    input_name = models.CharField(_("file name"), max_length=255, blank=True)
    # The language the job reports in: that of the request that started it.
    language = models.CharField(max_length=16, default=settings.LANGUAGE_CODE)
    # The job this one follows from (an import's write follows its checked preview).
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    # host:pid:token of the process running it; the heartbeat moves with the progress.
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="job_state_created_idx"),
            models.Index(fields=["owner", "kind", "created_at"], name="job_owner_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total"))
                | models.Q(progress_total=0),
                name="job_progress_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int | None:
        """Progress of the current phase in whole percent; None when the total is unknown."""
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
