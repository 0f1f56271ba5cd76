"""Housekeeping of background jobs."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import FINISHED_STATES, Job

# Uploaded files hold personal data (ID numbers in clear): keep them no longer than the
# work needs. A checked import waits this long for its confirmation.
INPUT_FILE_HOURS = 24


def release_input_file(job: Job) -> None:
    """Delete the job's input file from storage and forget it on every job that shares it
    (an import's write shares its preview's file)."""
    name = job.input_file.name
    if not name:
        return
    storage = job.input_file.storage
    if storage.exists(name):
        storage.delete(name)
    Job.objects.filter(input_file=name).update(input_file="")
    job.input_file.name = ""


def purge_input_files(*, hours: int = INPUT_FILE_HOURS, now=None) -> int:
    """Delete the input files of jobs finished more than `hours` ago; how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    purged = 0
    old = (Job.objects.filter(state__in=FINISHED_STATES, finished_at__lt=cutoff)
           .exclude(input_file=""))
    for job in old:
        # Not while a later job (a confirmed write) still needs it.
        if Job.objects.filter(input_file=job.input_file.name).unfinished().exists():
            continue
        release_input_file(job)
        purged += 1
    return purged
