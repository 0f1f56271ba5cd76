"""API schemas of background jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from .models import JobState


class JobOut(Schema):
    id: int
    kind: str = Field(description="e.g. `members.import_check`, `members.import_write`.")
    state: JobState
    phase: str = Field(description="What the job is doing: `read`, `check`, `write`, …")
    progress_done: int
    progress_total: int = Field(description="0 while the total is not known yet.")
    percent: int | None = Field(description="Progress of the current phase; null if unknown.")
    input_name: str
    parent: int | None = Field(None, description="The job this one follows from (an "
                               "import's write follows its checked preview).")
    result: dict[str, Any] | None = Field(
        description="What the job found or did, when finished; see the job's kind.")
    error: str = Field(description="Why it failed, in the language it was started in.")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_parent(obj) -> int | None:
        return obj.parent_id
