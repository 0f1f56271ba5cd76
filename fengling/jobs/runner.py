"""Running background jobs: one service function, three ways to drive it.

* `thread` (the default): the web process runs jobs in a daemon thread of its own, started
  with its first request. `make demo` with runserver needs no extra process.
* `worker`: the web process only queues jobs; `fengling run_jobs` (a separate, supervised
  process) runs them. For deployments with several web processes or restarts.
* `inline`: `submit` runs the job at once, in the caller's thread (tests).

Set with `FENGLING_JOBS` (settings `FENGLING_JOBS_MODE`). Either way a job is claimed with
one conditional UPDATE (queued → running), so two runners never run the same job, and
`run_job` is the one place that calls the work and records how it ended.

A job whose process dies (killed, restarted) stays `running` in the table. The next runner
to start (`fail_interrupted`) marks it failed: on the same host when its process is gone (or
is a new process with the same pid), on any host when its heartbeat is older than
`STALE_AFTER`. Work that writes does so in one transaction, so an interrupted job wrote
nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Job, JobState

logger = logging.getLogger(__name__)

MODES = ("thread", "worker", "inline")
# A running job whose heartbeat is older than this is taken for dead on any host.
STALE_AFTER = timedelta(minutes=5)
# How often the thread and the worker look for queued jobs when nobody wakes them.
POLL_SECONDS = 5.0
# Progress is written to the job's row at most this often (and on each change of phase).
PROGRESS_INTERVAL = 0.5

Work = Callable[[Job, "Progress"], dict | None]
HANDLERS: dict[str, Work] = {}


class JobFailed(Exception):
    """Raised by a job's work to end it as failed with a message (and a result to show)."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.result = result


def handler(kind: str) -> Callable[[Work], Work]:
    """Register the work of a kind of job: `work(job, progress) -> result (JSON)`."""

    def register(work: Work) -> Work:
        HANDLERS[kind] = work
        return work

    return register


def jobs_mode() -> str:
    mode = getattr(settings, "FENGLING_JOBS_MODE", "thread")
    return mode if mode in MODES else "thread"


# --- who is running -----------------------------------------------------------------------

_identity: dict[str, Any] = {}


def worker_id() -> str:
    """host:pid:token of this process; a new token after a fork or a restart."""
    pid = os.getpid()
    if _identity.get("pid") != pid:
        _identity.update(pid=pid, id=f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:12]}")
    return _identity["id"]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    except OSError:
        return False
    return True


def _is_interrupted(job: Job, now) -> bool:
    host, _sep, rest = (job.worker or "").partition(":")
    pid_text, _sep, _token = rest.partition(":")
    if job.worker and host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        if pid == os.getpid():
            return job.worker != worker_id()  # an earlier process that had our pid
        if not _pid_alive(pid):
            return True
    beat = job.heartbeat_at or job.started_at or job.created_at
    return beat < now - STALE_AFTER


def fail_interrupted() -> int:
    """Mark failed the running jobs whose process has gone; how many. Runners call this
    when they start."""
    now = timezone.now()
    failed = 0
    for job in Job.objects.filter(state=JobState.RUNNING):
        if not _is_interrupted(job, now):
            continue
        with translation.override(job.language):
            message = _("The job was interrupted: the process running it stopped. Whatever "
                        "it was writing was rolled back; nothing was written.")
        failed += Job.objects.filter(pk=job.pk, state=JobState.RUNNING,
                                     worker=job.worker).update(
            state=JobState.FAILED, error=message, finished_at=now)
        logger.warning("job %s (%s) was interrupted; marked failed", job.pk, job.kind)
    return failed


# --- progress -----------------------------------------------------------------------------

# Progress of the jobs this process runs, by job id: (phase, done, total).
_live: dict[int, tuple[str, int, int]] = {}


def live_progress(job: Job) -> Job:
    """`job` with the freshest progress this process knows (see `Progress`)."""
    live = _live.get(job.pk)
    if live is not None and job.state == JobState.RUNNING:
        job.phase, job.progress_done, job.progress_total = live
    return job


class Progress:
    """What a job's work calls to report: `progress(phase, done, total)`.

    Written to the job's row at most every PROGRESS_INTERVAL seconds and on each change of
    phase, so a 45,618-row import costs a few dozen small UPDATEs; each also moves the
    heartbeat. Inside a transaction (an import's write) the job's own connection would
    show the update only at commit, so PostgreSQL gets it through a second connection;
    SQLite, which has one writer at a time, keeps it in this process's memory, where the
    pages this process serves read it (`live_progress`).
    """

    def __init__(self, job: Job, *, out_of_band: bool = True):
        self.job = job
        self.out_of_band = out_of_band
        self._last_write = 0.0
        self._last_phase = None
        self._side = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        total = max(int(total or 0), 0)
        done = max(int(done or 0), 0)
        if total:
            done = min(done, total)
        _live[self.job.pk] = (phase, done, total)
        now = time.monotonic()
        if (phase == self._last_phase and done != total
                and now - self._last_write < PROGRESS_INTERVAL):
            return
        self._last_write = now
        self._last_phase = phase
        self._write(phase, done, total)

    def _write(self, phase: str, done: int, total: int) -> None:
        now = timezone.now()
        if not (self.out_of_band and connection.in_atomic_block):
            Job.objects.filter(pk=self.job.pk).update(
                phase=phase, progress_done=done, progress_total=total, heartbeat_at=now)
            return
        if connection.vendor != "postgresql":
            return  # SQLite: memory only until the transaction ends
        try:
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            table = connection.ops.quote_name(Job._meta.db_table)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET phase = %s, progress_done = %s, "  # noqa: S608
                    "progress_total = %s, heartbeat_at = %s WHERE id = %s",
                    [phase, done, total, now, self.job.pk],
                )
        except Exception:  # progress is a courtesy: never fail the work for it
            logger.exception("could not report the progress of job %s", self.job.pk)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


# --- running ------------------------------------------------------------------------------


def _claim(queryset) -> Job | None:
    """Take the oldest queued job of `queryset` for this process, or None."""
    for _attempt in range(5):
        job = queryset.filter(state=JobState.QUEUED).order_by("created_at", "pk").first()
        if job is None:
            return None
        now = timezone.now()
        taken = Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
            state=JobState.RUNNING, worker=worker_id(), started_at=now, heartbeat_at=now)
        if taken:
            job.refresh_from_db()
            return job
    return None  # others keep taking them first; the next round will try again


def run_job(job: Job, *, out_of_band: bool = True) -> Job:
    """Run a claimed (running) job's work and record how it ended. Never raises."""
    work = HANDLERS.get(job.kind)
    progress = Progress(job, out_of_band=out_of_band)
    state, result, error = JobState.SUCCEEDED, None, ""
    with translation.override(job.language):
        try:
            if work is None:
                raise JobFailed(_("This kind of job is not known: %(kind)s.")
                                % {"kind": job.kind})
            result = work(job, progress)
        except JobFailed as exc:
            state, result, error = JobState.FAILED, exc.result, exc.message
        except Exception as exc:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            state = JobState.FAILED
            error = _("The job stopped on an unexpected error (%(error)s).") % {
                "error": type(exc).__name__}
        finally:
            progress.close()
            _live.pop(job.pk, None)
    Job.objects.filter(pk=job.pk).update(state=state, result=result, error=error,
                                         finished_at=timezone.now(),
                                         heartbeat_at=timezone.now())
    job.refresh_from_db()
    return job


def run_pending(limit: int | None = None) -> int:
    """Claim and run queued jobs until none is left (or `limit` ran); how many ran."""
    ran = 0
    while limit is None or ran < limit:
        job = _claim(Job.objects.all())
        if job is None:
            break
        run_job(job)
        ran += 1
    return ran


def submit(kind: str, owner, *, input_file=None, input_name: str = "",
           params: dict | None = None, parent: Job | None = None,
           organization_path: str = "", language: str | None = None) -> Job:
    """Queue a job of `kind` for `owner` (its input file saved to storage) and start it
    the configured way. Returns the job (finished already in inline mode)."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, owner=owner, params=params or {}, parent=parent,
              organization_path=organization_path, input_name=input_name[:255],
              language=language or translation.get_language() or settings.LANGUAGE_CODE)
    if input_file is not None:
        job.input_file.save(input_name or "input", input_file, save=False)
    elif parent is not None and parent.input_file:
        job.input_file.name = parent.input_file.name
        job.input_name = job.input_name or parent.input_name
    job.save()
    mode = jobs_mode()
    if mode == "inline":
        claimed = _claim(Job.objects.filter(pk=job.pk))
        return run_job(claimed, out_of_band=False) if claimed else job
    if mode == "thread":
        transaction.on_commit(wake)
    return job


# --- the thread in the web process --------------------------------------------------------

_thread_state: dict[str, Any] = {"pid": None, "thread": None}
_thread_lock = threading.Lock()
_wake = threading.Event()
_stop = threading.Event()


def _thread_main() -> None:
    from .services import purge_input_files

    try:
        fail_interrupted()
    except Exception:
        logger.exception("could not look for interrupted jobs")
    last_purge = 0.0
    while not _stop.is_set():
        _wake.clear()
        try:
            run_pending()
            if time.monotonic() - last_purge > 3600:
                purge_input_files()
                last_purge = time.monotonic()
        except Exception:
            logger.exception("the job runner thread hit an error")
        finally:
            connections.close_all()  # this thread's connections only
        _wake.wait(POLL_SECONDS)


def ensure_thread() -> None:
    """Start this process's job thread unless it runs already."""
    pid = os.getpid()
    thread = _thread_state["thread"]
    if _thread_state["pid"] == pid and thread is not None and thread.is_alive():
        return
    with _thread_lock:
        thread = _thread_state["thread"]
        if _thread_state["pid"] == pid and thread is not None and thread.is_alive():
            return
        _stop.clear()
        thread = threading.Thread(target=_thread_main, name="fengling-jobs", daemon=True)
        _thread_state.update(pid=pid, thread=thread)
        thread.start()


def stop_thread(timeout: float = 10.0) -> None:
    """Stop this process's job thread after its current job (tests, shutdown hooks)."""
    thread = _thread_state["thread"]
    _stop.set()
    _wake.set()
    if thread is not None and thread.is_alive():
        thread.join(timeout)
    _thread_state.update(pid=None, thread=None)


def wake() -> None:
    """A job was queued: start the thread if needed and let it look now."""
    if jobs_mode() == "thread":
        ensure_thread()
        _wake.set()


def start_thread_on_request(sender, **kwargs) -> None:
    """`request_started` receiver: the thread starts with the web process's first request,
    and then finds the jobs left queued or interrupted by an earlier process."""
    if jobs_mode() == "thread":
        ensure_thread()
