"""Member import pages (导入): upload, the job's progress and result, confirm, my imports.

The work runs as background jobs (`import_jobs`); these views only start them and show
them. The progress fragment is polled by htmx once a second and asks the page to reload
when the job has finished.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengling.core.scoping import scope_of
from fengling.jobs.models import JobState
from fengling.jobs.selectors import access_job, jobs_of

from . import import_jobs

ERRORS_PER_PAGE = 50
JOBS_PER_PAGE = 20


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        import_jobs.check_upload(upload)
        return upload


def _require_writer(user) -> None:
    if not scope_of(user).can_write:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """Upload a member file; its preview (every row checked) runs in the background."""
    _require_writer(request.user)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = import_jobs.start_check(request.user, form.cleaned_data["file"],
                                              language=get_language())
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                return redirect("members:import_job", pk=job.pk)
    else:
        form = UploadForm()
    jobs = Paginator(jobs_of(request.user, kinds=import_jobs.KINDS), JOBS_PER_PAGE)
    return render(request, "members/import.html", {
        "form": form,
        "jobs": jobs.get_page(request.GET.get("page")),
        "max_mb": settings.FENGLING_IMPORT_MAX_MB,
    })


def _job_context(request, job) -> dict:
    result = job.result or {}
    errors = Paginator(result.get("errors") or [], ERRORS_PER_PAGE).get_page(
        request.GET.get("page"))
    confirmed = None
    if job.kind == import_jobs.CHECK:
        confirmed = job.children.filter(kind=import_jobs.WRITE).exclude(
            state=JobState.FAILED).order_by("-created_at").first()
    return {
        "job": job,
        "result": result,
        "errors": errors,
        "is_check": job.kind == import_jobs.CHECK,
        "confirmed": confirmed,
        "can_confirm": job.kind == import_jobs.CHECK and job.state == JobState.SUCCEEDED
        and result.get("ok") and confirmed is None and bool(job.input_file),
        "truncated": result.get("error_count", 0) > len(result.get("errors") or []),
    }


@login_required
@require_GET
def job_detail(request, pk):
    """One import job: its progress while it runs, then what it found or wrote."""
    job = access_job(request.user, pk, kinds=import_jobs.KINDS)
    return render(request, "members/import_job.html", _job_context(request, job))


@login_required
@require_GET
def job_progress(request, pk):
    """The progress fragment (htmx, polled every second). When the job has finished it
    asks the page to reload, which then shows the result."""
    job = access_job(request.user, pk, kinds=import_jobs.KINDS)
    response = render(request, "members/import_job.html#progress", {"job": job})
    if job.finished:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_confirm(request, pk):
    """Write a clean preview's rows, all in one transaction (a background job too)."""
    _require_writer(request.user)
    preview = access_job(request.user, pk, kinds=(import_jobs.CHECK,))
    try:
        job = import_jobs.start_write(request.user, preview, language=get_language())
    except ValidationError as exc:
        context = _job_context(request, preview)
        context["confirm_error"] = " ".join(exc.messages)
        return render(request, "members/import_job.html", context, status=400)
    return redirect("members:import_job", pk=job.pk)
