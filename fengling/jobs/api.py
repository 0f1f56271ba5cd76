"""API: background jobs, each visible to the user who started it only."""

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from fengling.core.api import Pagination, error_responses

from .schemas import JobOut
from .selectors import access_job, jobs_of

router = Router(tags=["jobs"])


@router.get("", response={200: list[JobOut], **error_responses(401, 422)},
            summary="List my jobs")
@paginate(Pagination)
def job_index(request: HttpRequest):
    """The jobs you started, newest first."""
    return jobs_of(request.auth)


@router.get("/{job_id}", response={200: JobOut, **error_responses(401, 404, 422)},
            summary="Get a job")
def job_detail(request: HttpRequest, job_id: int):
    """A job you started: its state, progress and, when finished, its result. Poll it
    (once a second is plenty) until `state` is `succeeded` or `failed`. Another user's
    job is 404."""
    return access_job(request.auth, job_id)
