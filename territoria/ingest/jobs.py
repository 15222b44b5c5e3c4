"""Background jobs: create, run with progress, cancel, retry with back-off, recover.

A job is a ``Job`` row (``models.py``) plus, when queued, one message on the queue
(``tasks.py``). Its *kind* names a runner registered with ``job_kind``; the runner gets the
job and a ``datastore.progress.Progress`` and returns the job's result (JSON).

- Progress: the runner's ``Progress`` polls DuckDB and writes the row about once a second
  (stage, bytes and rows done, time left); that write is the worker's heartbeat.
- Cancellation: ``do_cancel_job`` cancels a queued job at once; a running one gets
  ``cancel_requested``, which its worker reads within a second and turns into a DuckDB
  interrupt. Nothing is published: a version appears only by a rename at the very end of
  staging (``datastore/versions.py``), and publishing is one transaction.
- Retries: a kind registered with ``retry_on`` (network errors of URL sources) is queued
  again after ``JOB_RETRY_SECONDS * 2**(attempt - 1)`` seconds (``retry_delay``), up to its
  ``max_attempts``; each failed attempt is kept in ``Job.attempt_log``.
- A dead worker: its running jobs stop beating; ``job_recovery.recover_stale_jobs`` (every
  minute, and when a worker starts) fails them, or queues them again when they may be retried.

The kinds: ``file_jobs.py`` (``ingest``: a file read into a version), ``source_jobs.py``
(``refresh_source``: a URL source fetched); they are registered when the app is ready
(``apps.py``). Who sees and cancels a job: ``job_access.py``.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from territoria.catalog.models import Dataset, Organisation
from territoria.datastore.progress import Cancelled, Progress, Snapshot
from territoria.ingest.models import FINISHED, Job, JobStatus
from territoria.ingest.services import IngestionFailed

logger = logging.getLogger(__name__)

WAIT_POLL_SECONDS = 0.2


class JobFailed(Exception):
    """One-line reason a job failed, shown to its author as is."""


@dataclass(frozen=True)
class JobKind:
    run: Callable[[Job, Progress], dict[str, Any]]
    retry_on: tuple[type[BaseException], ...] = ()
    # A number, or a function reading it from the settings when a job is created (settings
    # are never read at import time, and tests change them).
    max_attempts: int | Callable[[], int] = 1

    def attempts_allowed(self) -> int:
        attempts = self.max_attempts() if callable(self.max_attempts) else self.max_attempts
        return max(1, int(attempts))


KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str,
    *,
    retry_on: tuple[type[BaseException], ...] = (),
    max_attempts: int | Callable[[], int] = 1,
):
    """Register the decorated ``run(job, progress) -> result`` as the runner of ``name``.

    ``retry_on``: exceptions after which the job is tried again, with back-off, up to
    ``max_attempts`` attempts in all (network sources); any other exception fails it.
    The runner may read ``job.attempts`` and ``job.max_attempts`` (e.g. to act only on the
    last attempt).
    """

    def register(run: Callable[[Job, Progress], dict[str, Any]]):
        KINDS[name] = JobKind(run, retry_on, max_attempts)
        return run

    return register


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_directory(job: Job) -> Path:
    """Where a job keeps the files it owns (an upload until it is read)."""
    return settings.HOME / "jobs" / str(job.pk)


def retry_delay(attempt: int) -> float:
    """Seconds to wait after the failed attempt number ``attempt`` (1-based): 30, 60, 120…"""
    return settings.JOB_RETRY_SECONDS * 2 ** max(0, attempt - 1)


# --- creating and queueing ---------------------------------------------------------------


def do_create_job(
    kind: str,
    *,
    params: dict[str, Any],
    user=None,
    dataset: Dataset | None = None,
    organisation: Organisation | None = None,
    queued: bool = True,
) -> Job:
    """A new job row (not yet on the queue: see ``submit_job``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.create(
        kind=kind,
        params=params,
        created_by=user if user is not None and user.is_authenticated else None,
        dataset=dataset,
        organisation=organisation or (dataset.organisation if dataset else None),
        queued=queued,
        max_attempts=KINDS[kind].attempts_allowed(),
    )


def submit_job(job: Job, *, delay: float | None = None) -> None:
    """Put ``job`` on the queue (after ``delay`` seconds). With an immediate queue (tests),
    it runs now, in this thread.

    When called inside a transaction, the message is sent once it commits, so that no worker
    looks for a row it cannot see yet.
    """
    from territoria.ingest.tasks import huey, run_job_task

    if huey.immediate:
        run_job_task(job.pk)
        return

    def send() -> None:
        if delay:
            run_job_task.schedule((job.pk,), delay=delay)
        else:
            run_job_task(job.pk)

    transaction.on_commit(send)


def wait_for_job(job: Job, seconds: float) -> Job:
    """``job`` as it is once finished, or after ``seconds``, whichever comes first."""
    deadline = time.monotonic() + max(0.0, seconds)
    job.refresh_from_db()
    while not job.finished and time.monotonic() < deadline:
        time.sleep(WAIT_POLL_SECONDS)
        job.refresh_from_db()
    return job


# --- running -------------------------------------------------------------------------------


def run_job(job_id: int, *, on_progress: Callable[[Snapshot], None] | None = None) -> Job | None:
    """Run the job ``job_id`` in this thread, if it is still queued; returns it as it ended
    (None: no such job, or another worker has it, or it was cancelled meanwhile).

    ``on_progress`` also receives each snapshot (the CLI draws its progress bar with it).
    """
    started = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, cancel_requested=False)
    if not claimed.update(
        status=JobStatus.RUNNING,
        worker=worker_name(),
        attempts=F("attempts") + 1,
        started_at=started,
        heartbeat_at=started,
        next_attempt_at=None,
        error="",
    ):
        return None
    job = Job.objects.select_related("created_by").get(pk=job_id)
    kind = KINDS.get(job.kind)
    if connection.in_atomic_block:
        # Run inside the caller's transaction (an immediate queue): no other connection can
        # see the row, so the progress thread writes nothing and reads no cancellation.
        progress = Progress(on_update=on_progress)
    else:
        progress = Progress(
            on_update=lambda snapshot: _on_update(job_id, snapshot, on_progress),
            is_cancelled=lambda: _cancel_requested(job_id),
            on_thread_exit=lambda: connection.close(),  # the progress thread's own connection
        )
    try:
        if kind is None:
            raise JobFailed(f"unknown job kind {job.kind!r}")
        progress.start()
        try:
            result = kind.run(job, progress)
        finally:
            progress.stop()
    except BaseException as error:  # noqa: BLE001 - every outcome is written to the row
        return _finish_after_error(job, kind, progress, error)
    return _finish(job, JobStatus.SUCCEEDED, result=result, snapshot=progress.snapshot())


def _on_update(job_id: int, snapshot: Snapshot, also: Callable[[Snapshot], None] | None) -> None:
    """Write the snapshot (the heartbeat too). Runs in the progress thread."""
    try:
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            heartbeat_at=timezone.now(), **_progress_fields(snapshot)
        )
    except Exception:  # a busy database must not stop the work: the next second retries
        logger.warning("job %s: progress not written", job_id, exc_info=True)
    if also is not None:
        also(snapshot)


def _cancel_requested(job_id: int) -> bool:
    try:
        return Job.objects.filter(pk=job_id, cancel_requested=True).exists()
    except Exception:
        logger.warning("job %s: cancellation flag not read", job_id, exc_info=True)
        return False


def _progress_fields(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "stage": snapshot.stage[:30],
        "bytes_done": snapshot.bytes_done,
        "bytes_total": snapshot.bytes_total,
        "rows_done": snapshot.rows_done,
        "rows_estimated": snapshot.rows_estimated,
        "fraction": snapshot.fraction,
        "eta_seconds": snapshot.eta_seconds,
    }


def _finish_after_error(
    job: Job, kind: JobKind | None, progress: Progress, error: BaseException
) -> Job:
    """Record how ``job`` ended on ``error``: cancelled, queued again, or failed. A
    KeyboardInterrupt or SystemExit is recorded, then raised again."""
    snapshot = progress.snapshot()
    retry_on = kind.retry_on if kind is not None else ()
    if (
        progress.cancelled
        or isinstance(error, Cancelled | KeyboardInterrupt)
        or _cancel_requested(job.pk)
    ):
        finished = _finish(job, JobStatus.CANCELLED, error="cancelled", snapshot=snapshot)
    elif isinstance(error, retry_on) and job.attempts < job.max_attempts:
        finished = _queue_again(job, str(error))
    else:
        if isinstance(error, (IngestionFailed, JobFailed, *retry_on)):
            reason = str(error)
        else:
            logger.error("job %s (%s) crashed", job.pk, job.kind, exc_info=error)
            reason = f"internal error ({type(error).__name__}); the administrators can read the log"
        _log_attempt(job, reason, retry_in=None)
        finished = _finish(job, JobStatus.FAILED, error=reason, snapshot=snapshot)
    if not isinstance(error, Exception):
        raise error
    return finished


def _queue_again(job: Job, reason: str) -> Job:
    """Queue ``job`` again after its back-off delay (``retry_delay``), the failed attempt
    kept in its log. A job run in its caller's process (``queued`` False: the CLI) is not
    put on the queue: its caller runs it again at ``next_attempt_at``."""
    delay = retry_delay(job.attempts)
    _log_attempt(job, reason, retry_in=delay)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED,
        error=one_line(f"attempt {job.attempts} failed: {reason}"),
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        heartbeat_at=None,
        worker="",
    )
    job.refresh_from_db()
    if job.queued:
        submit_job(job, delay=delay)  # an immediate queue (tests) runs it now, in this thread
        job.refresh_from_db()
    return job


def _log_attempt(job: Job, reason: str, *, retry_in: float | None) -> None:
    """Keep a failed attempt in ``job.attempt_log``: when, why, how long until the next."""
    entry = {
        "attempt": job.attempts,
        "at": timezone.now().isoformat(timespec="seconds"),
        "error": one_line(reason),
        "retry_in": retry_in,
    }
    job.attempt_log = [*(job.attempt_log or []), entry]
    Job.objects.filter(pk=job.pk).update(attempt_log=job.attempt_log)


def _finish(
    job: Job,
    status: str,
    *,
    result: dict[str, Any] | None = None,
    error: str = "",
    snapshot: Snapshot | None = None,
) -> Job:
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": status,
        "error": one_line(error),
        "finished_at": now,
        "heartbeat_at": now,
        "eta_seconds": None,
    }
    if snapshot is not None:
        fields.update(_progress_fields(snapshot))
        fields["eta_seconds"] = None
    if result is not None:
        result = dict(result)
        # A job that created its dataset belongs to it (and its organisation) from now on.
        if dataset_id := result.pop("dataset_id", None):
            fields["dataset_id"] = dataset_id
            fields["organisation_id"] = result.pop("organisation_id")
        fields["result"] = result
        fields["fraction"] = 1.0
    Job.objects.filter(pk=job.pk).update(**fields)
    if job.params.get("own_file"):
        shutil.rmtree(job_directory(job), ignore_errors=True)
    job.refresh_from_db()
    return job


def one_line(text: str) -> str:
    """``text`` on one line, at most as long as ``Job.error``."""
    return " ".join(str(text).split())[:1000]


# --- cancelling ----------------------------------------------------------------------------


class JobNotCancellable(Exception):
    """The job has finished already."""


def do_cancel_job(job: Job) -> Job:
    """Cancel ``job``: a queued one at once, a running one within a second or so (its
    worker interrupts the work). Raises JobNotCancellable if it has finished."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.finished:
            raise JobNotCancellable(f"job {job.pk} has already {job.status}")
        if job.status == JobStatus.QUEUED:
            job.status = JobStatus.CANCELLED
            job.error = "cancelled"
            job.finished_at = now
        job.cancel_requested = True
        job.save(update_fields=["status", "error", "finished_at", "cancel_requested"])
    if job.finished and job.params.get("own_file"):
        shutil.rmtree(job_directory(job), ignore_errors=True)
    return job


__all__ = [
    "FINISHED",
    "JobFailed",
    "JobNotCancellable",
    "do_cancel_job",
    "do_create_job",
    "job_kind",
    "retry_delay",
    "run_job",
    "submit_job",
    "wait_for_job",
]
