"""The job runner: queued → running → succeeded / failed, progress, interrupted jobs."""

import os
import socket
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from fengling.jobs import runner
from fengling.jobs.models import Job, JobState
from fengling.jobs.services import purge_input_files, release_input_file

pytestmark = pytest.mark.django_db

seen: dict[str, object] = {}


@runner.handler("test.echo")
def _echo(job, progress):
    # What the job looked like to its own work, read back from the database.
    seen["state"] = Job.objects.get(pk=job.pk).state
    progress("check", 3, 10)
    seen["progress"] = Job.objects.values_list("phase", "progress_done",
                                               "progress_total").get(pk=job.pk)
    data = job.input_file.read() if job.input_file else b""
    return {"echo": job.params.get("say", ""), "bytes": len(data)}


@runner.handler("test.crash")
def _crash(job, progress):
    raise ZeroDivisionError("boom")


@runner.handler("test.refuse")
def _refuse(job, progress):
    raise runner.JobFailed("No, thank you.", result={"why": "refused"})


def test_a_job_runs_from_queued_through_running_to_succeeded(cast):
    job = runner.submit("test.echo", cast.community_secretary, params={"say": "hi"},
                        input_file=ContentFile(b"12345"), input_name="in.txt")
    assert seen["state"] == JobState.RUNNING
    assert seen["progress"] == ("check", 3, 10)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.result == {"echo": "hi", "bytes": 5}
    assert job.error == ""
    assert job.created_at <= job.started_at <= job.finished_at
    assert job.worker.startswith(f"{socket.gethostname()}:{os.getpid()}:")


def test_an_unexpected_error_fails_the_job_with_a_message_naming_it(cast):
    job = runner.submit("test.crash", cast.community_secretary, language="en")
    assert job.state == JobState.FAILED
    assert "ZeroDivisionError" in job.error
    assert job.finished_at is not None


def test_work_may_fail_the_job_with_its_own_message_and_result(cast):
    job = runner.submit("test.refuse", cast.community_secretary)
    assert (job.state, job.error, job.result) == (JobState.FAILED, "No, thank you.",
                                                  {"why": "refused"})


def test_an_unknown_kind_cannot_be_submitted(cast):
    with pytest.raises(ValueError, match="no handler"):
        runner.submit("test.nothing", cast.community_secretary)


def test_in_worker_mode_jobs_wait_for_run_jobs(cast, settings):
    settings.FENGLING_JOBS_MODE = "worker"
    first = runner.submit("test.echo", cast.community_secretary, params={"say": "one"})
    second = runner.submit("test.echo", cast.district_admin, params={"say": "two"})
    assert Job.objects.get(pk=first.pk).state == JobState.QUEUED
    call_command("run_jobs", "--once")
    for job, said in ((first, "one"), (second, "two")):
        job.refresh_from_db()
        assert (job.state, job.result["echo"]) == (JobState.SUCCEEDED, said)


def _running(owner, worker: str, beat_minutes_ago: float = 0) -> Job:
    beat = timezone.now() - timedelta(minutes=beat_minutes_ago)
    return Job.objects.create(kind="test.echo", owner=owner, state=JobState.RUNNING,
                              worker=worker, started_at=beat, heartbeat_at=beat,
                              language="en")


def _dead_pid() -> int:
    pid = 4_000_000  # above Linux's pid_max: no such process
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    return pid


def test_a_job_whose_process_died_is_marked_failed_on_the_next_start(cast):
    host = socket.gethostname()
    dead = _running(cast.community_secretary, f"{host}:{_dead_pid()}:abc")
    # The same pid as ours but another token: an earlier process (e.g. a restarted
    # container's pid 1).
    earlier_self = _running(cast.community_secretary, f"{host}:{os.getpid()}:old")
    mine = _running(cast.community_secretary, runner.worker_id())
    elsewhere_alive = _running(cast.community_secretary, "other-host:12:tok", 1)
    elsewhere_silent = _running(cast.community_secretary, "other-host:13:tok", 10)
    assert runner.fail_interrupted() == 3
    states = dict(Job.objects.values_list("pk", "state"))
    assert states[dead.pk] == states[earlier_self.pk] == JobState.FAILED
    assert states[elsewhere_silent.pk] == JobState.FAILED
    assert states[mine.pk] == states[elsewhere_alive.pk] == JobState.RUNNING
    dead.refresh_from_db()
    assert "interrupted" in dead.error and "nothing was written" in dead.error
    assert dead.finished_at is not None


def test_run_jobs_marks_interrupted_jobs_failed_when_it_starts(cast):
    job = _running(cast.community_secretary, f"{socket.gethostname()}:{_dead_pid()}:x")
    call_command("run_jobs", "--once")
    job.refresh_from_db()
    assert job.state == JobState.FAILED


def test_progress_is_written_in_chunks_not_on_every_call(cast, django_assert_num_queries):
    job = Job.objects.create(kind="test.echo", owner=cast.community_secretary,
                             state=JobState.RUNNING)
    progress = runner.Progress(job, out_of_band=False)
    with django_assert_num_queries(3):
        progress("read", 0, 0)  # a new phase: written
        for done in range(1, 500):
            progress("check", done, 1000)  # the first written, the rest within 0.5 s
        progress("check", 1000, 1000)  # the end of a phase: written
    job.refresh_from_db()
    assert (job.phase, job.progress_done, job.progress_total, job.percent) == (
        "check", 1000, 1000, 100)
    assert job.heartbeat_at is not None


def test_a_job_shows_the_progress_this_process_knows_best(cast):
    job = Job.objects.create(kind="test.echo", owner=cast.community_secretary,
                             state=JobState.RUNNING, phase="check", progress_done=1,
                             progress_total=10)
    runner._live[job.pk] = ("write", 7, 10)
    try:
        assert runner.live_progress(job).progress_done == 7
        assert job.phase == "write"
    finally:
        runner._live.pop(job.pk)


def test_input_files_are_deleted_when_released_and_after_a_day(cast):
    job = runner.submit("test.echo", cast.community_secretary,
                        input_file=ContentFile(b"x"), input_name="a.xlsx")
    name = job.input_file.name
    storage = job.input_file.storage
    assert storage.exists(name)
    assert purge_input_files() == 0  # finished just now
    assert purge_input_files(now=timezone.now() + timedelta(hours=25)) == 1
    assert not storage.exists(name)
    job.refresh_from_db()
    assert job.input_file.name == ""
    other = runner.submit("test.echo", cast.community_secretary,
                          input_file=ContentFile(b"y"), input_name="b.xlsx")
    release_input_file(other)
    assert not Job.objects.get(pk=other.pk).input_file


@pytest.mark.django_db(transaction=True)
def test_in_thread_mode_the_web_process_runs_jobs_in_a_thread_of_its_own(settings):
    import threading
    import time

    from fengling.testing.factories import make_user

    settings.FENGLING_JOBS_MODE = "thread"
    owner = make_user("threaded")
    try:
        job = runner.submit("test.echo", owner, params={"say": "in the background"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.finished:
                break
            time.sleep(0.05)
        assert (job.state, job.result["echo"]) == (JobState.SUCCEEDED, "in the background")
        assert job.worker == runner.worker_id()
        assert "fengling-jobs" in {t.name for t in threading.enumerate()}
    finally:
        runner.stop_thread()
    assert "fengling-jobs" not in {t.name for t in threading.enumerate()}
