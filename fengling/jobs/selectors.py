"""Reads of background jobs: a job is its owner's alone."""

from __future__ import annotations

from django.http import Http404

from .models import Job
from .runner import live_progress


def access_job(user, pk, *, kinds: tuple[str, ...] | None = None) -> Job:
    """The job `pk` if `user` started it (404 otherwise: another user's job does not exist
    for them), with the freshest progress this process knows."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    jobs = Job.objects.owned_by(user).filter(pk=pk)
    if kinds is not None:
        jobs = jobs.filter(kind__in=kinds)
    job = jobs.first()
    if job is None:
        raise Http404
    return live_progress(job)


def jobs_of(user, *, kinds: tuple[str, ...] | None = None):
    """The jobs `user` started, newest first."""
    jobs = Job.objects.owned_by(user)
    if kinds is not None:
        jobs = jobs.filter(kind__in=kinds)
    return jobs.order_by("-created_at", "-id")
