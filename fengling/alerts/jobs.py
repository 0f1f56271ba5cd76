"""The scan as a background job (`fengling.jobs`): `runner.submit(SCAN, user)` queues it;
the job's result is the scan's summary. Same service as the command and the cron line."""

from __future__ import annotations

import datetime as dt

from fengling.jobs import runner
from fengling.jobs.models import Job

from .services import run_scan

SCAN = "alerts.scan"


@runner.handler(SCAN)
def run_scan_job(job: Job, progress) -> dict:
    """params: `date` (YYYY-MM-DD, optional), `notify` (default true)."""
    day = job.params.get("date")
    run = run_scan(dt.date.fromisoformat(day) if day else None,
                   send=job.params.get("notify", True))
    return {"day": run.day.isoformat(), "open": run.open_total, "opened": run.opened,
            "resolved": run.resolved, "escalated": run.escalated}
