"""Member imports as background jobs (后台导入): the web page and the API start them.

Two kinds of job over the same stored file:

* `members.import_check` — the preview: reads and checks every row (`imports.check_file`),
  writes nothing; its result lists the bad rows (line, column, reason) or, for a clean
  file, the rows per home organization.
* `members.import_write` — the confirmation of a clean preview: checks every row again
  (the database may have changed since) and writes them all in one transaction
  (`imports.member_import`). A crash or a kill mid-write leaves the database as it was.

The uploaded file holds ID numbers in clear: it is deleted as soon as no job needs it
(a preview with bad rows, a finished write), and after a day otherwise (`jobs.services`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengling.core.scoping import scope_of
from fengling.jobs import runner
from fengling.jobs.models import Job, JobState
from fengling.jobs.services import release_input_file

from .imports import ImportResult, check_file, member_import

CHECK = "members.import_check"
WRITE = "members.import_write"
KINDS = (CHECK, WRITE)
# Bad rows kept in a job's result (the count of all of them is kept too).
ERROR_LIMIT = 10000
XLSX_MAGIC = b"PK\x03\x04"


def report(result: ImportResult) -> dict:
    """An import's result as JSON for the job (messages in the job's language)."""
    return {
        "ok": result.ok,
        "rows": result.rows,
        "written": result.written,
        "error_count": len(result.errors),
        "bad_lines": len({e.line for e in result.errors}),
        "errors": [{"line": e.line, "column": e.column, "message": e.message}
                   for e in result.errors[:ERROR_LIMIT]],
        "organizations": [{"code": code, "name": name, "rows": rows}
                          for code, name, rows in result.organizations],
    }


@runner.handler(CHECK)
def run_check(job: Job, progress) -> dict:
    with job.input_file.open("rb") as handle:
        result, _rows = check_file(job.owner, handle, progress=progress)
    if not result.ok:
        release_input_file(job)  # nothing more can be done with this file
    return report(result)


@runner.handler(WRITE)
def run_write(job: Job, progress) -> dict:
    try:
        with job.input_file.open("rb") as handle:
            result = member_import(job.owner, handle, source=job.input_name,
                                   progress=progress)
    finally:
        release_input_file(job)
    if not result.ok:
        raise runner.JobFailed(
            _("Some rows are no longer valid (the database changed since the preview). "
              "Nothing was written."), result=report(result))
    return report(result)


def _scope_root(user) -> str:
    scope = scope_of(user)
    return min(scope.write_paths, key=len, default="")


def check_upload(upload) -> None:
    """Refuse what is not an .xlsx file of an acceptable size, with a clear message."""
    limit_mb = settings.FENGLING_IMPORT_MAX_MB
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".xlsx"):
        raise ValidationError(_("Upload an Excel workbook (.xlsx). Save older .xls files "
                                "as .xlsx first."), code="type")
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(_("The file is larger than %(limit)d MB.") % {"limit": limit_mb},
                              code="size")
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    head = upload.read(4)
    upload.seek(0)
    if head != XLSX_MAGIC:
        raise ValidationError(_("This file is not an Excel workbook (.xlsx)."), code="type")


def start_check(user, upload, *, language: str | None = None) -> Job:
    """Queue the preview of an uploaded member file. Only staff who may change members in
    some organization may import (403 otherwise); bad files raise ValidationError."""
    if not scope_of(user).can_write:
        raise PermissionDenied
    check_upload(upload)
    return runner.submit(CHECK, user, input_file=upload, input_name=upload.name,
                         organization_path=_scope_root(user), language=language)


def start_write(user, preview: Job, *, language: str | None = None) -> Job:
    """Confirm a clean preview: queue the write. A preview is confirmed once; confirming
    again returns the write already started (unless it failed)."""
    if not scope_of(user).can_write:
        raise PermissionDenied
    if preview.owner_id != user.pk or preview.kind != CHECK:
        raise ValidationError(_("Only a checked import can be confirmed."), code="kind")
    if preview.state != JobState.SUCCEEDED or not (preview.result or {}).get("ok"):
        raise ValidationError(_("Only a file whose rows are all good can be imported."),
                              code="not_clean")
    with transaction.atomic():
        earlier = (Job.objects.select_for_update().filter(parent=preview, kind=WRITE)
                   .exclude(state=JobState.FAILED).first())
        if earlier is not None:
            return earlier
        if not preview.input_file:
            raise ValidationError(_("This preview has expired; upload the file again."),
                                  code="expired")
        # Inside the transaction: two clicks on "confirm" queue one write.
        return runner.submit(WRITE, user, parent=preview,
                             organization_path=_scope_root(user), language=language)
