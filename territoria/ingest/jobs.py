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
  again after ``RETRY_BASE_SECONDS * 2**(attempt - 1)`` seconds, up to its ``max_attempts``.
- A dead worker: its running jobs stop beating; ``recover_stale_jobs`` (every minute, and
  when a worker starts) fails them, or queues them again when they may be retried.
- Who sees a job: its author, the members of its organisation, the stewards; anybody else
  gets a 404 (``visible_jobs``, ``access_job_for``, built on the gate's own answers).
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
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from territoria.catalog.models import Dataset, Organisation
from territoria.catalog.search import index_dataset
from territoria.datastore.progress import Cancelled, Progress, Snapshot
from territoria.governance.gate import (
    can_write_dataset,
    is_steward,
    member_organisation_ids,
    writable_organisations,
)
from territoria.ingest.models import FINISHED, Job, JobStatus
from territoria.ingest.services import IngestionFailed, do_ingest_file, ensure_dataset
from territoria.ingest.uploads import upload_on_disk

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 30  # then 60, 120, 240… : a source down for a few minutes is waited for
WAIT_POLL_SECONDS = 0.2


class JobFailed(Exception):
    """One-line reason a job failed, shown to its author as is."""


@dataclass(frozen=True)
class JobKind:
    run: Callable[[Job, Progress], dict[str, Any]]
    retry_on: tuple[type[BaseException], ...] = ()
    max_attempts: int = 1


KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, retry_on: tuple[type[BaseException], ...] = (), max_attempts: int = 1):
    """Register the decorated ``run(job, progress) -> result`` as the runner of ``name``.

    ``retry_on``: exceptions after which the job is tried again, with back-off, up to
    ``max_attempts`` attempts in all (network sources); any other exception fails it.
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
        max_attempts=KINDS[kind].max_attempts,
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


def do_enqueue_ingest(
    path: Path,
    *,
    dataset_slug: str,
    user=None,
    own_file: bool = False,
    queued: bool = True,
    **arguments: Any,
) -> Job:
    """A job ingesting ``path`` with ``do_ingest_file(**arguments)``, queued unless
    ``queued`` is False (the caller then runs it: ``run_job``).

    ``own_file``: ``path`` is moved into the job's directory and removed when the job ends.
    ``arguments`` may hold ``then_access``: the access level set once the version is live.
    """
    dataset = Dataset.objects.filter(slug=dataset_slug).select_related("organisation").first()
    organisation = None
    if dataset is None and arguments.get("org_slug"):
        organisation = Organisation.objects.filter(slug=arguments["org_slug"]).first()
    params = {"dataset_slug": dataset_slug, "source_label": Path(path).name, **arguments}
    job = do_create_job(
        "ingest",
        params=params,
        user=user,
        dataset=dataset,
        organisation=organisation,
        queued=queued,
    )
    if own_file:
        directory = job_directory(job)
        directory.mkdir(parents=True, exist_ok=True)
        kept = directory / ("source" + Path(path).suffix[:10])
        shutil.move(path, kept)
        path = kept
    job.params = {**params, "path": str(Path(path).resolve()), "own_file": own_file}
    job.save(update_fields=["params"])
    if queued:
        submit_job(job)
    return job


def do_enqueue_upload(upload, *, user, **arguments: Any) -> Job:
    """Queue the ingestion of an uploaded file (kept in the job's directory until read)."""
    with upload_on_disk(upload) as path:
        return do_enqueue_ingest(
            path,
            user=user,
            own_file=True,
            source_label=upload.name or path.name,
            **arguments,
        )


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
        delay = RETRY_BASE_SECONDS * 2 ** (job.attempts - 1)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED,
            error=_one_line(f"attempt {job.attempts} failed: {error}"),
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            heartbeat_at=None,
            worker="",
        )
        job.refresh_from_db()
        submit_job(job, delay=delay)
        finished = job
    else:
        if isinstance(error, (IngestionFailed, JobFailed, *retry_on)):
            reason = str(error)
        else:
            logger.error("job %s (%s) crashed", job.pk, job.kind, exc_info=error)
            reason = f"internal error ({type(error).__name__}); the administrators can read the log"
        finished = _finish(job, JobStatus.FAILED, error=reason, snapshot=snapshot)
    if not isinstance(error, Exception):
        raise error
    return finished


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
        "error": _one_line(error),
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


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:1000]


# --- the ingestion runner ----------------------------------------------------------------


@job_kind("ingest")
def run_ingest(job: Job, progress: Progress) -> dict[str, Any]:
    """Stage (and publish) the job's file: ``do_ingest_file`` with the job's parameters."""
    params = job.params
    path = Path(params["path"])
    if not path.is_file():
        raise JobFailed(f"{params.get('source_label') or path.name}: no such file")
    outcome = do_ingest_file(
        path,
        dataset_slug=params["dataset_slug"],
        org_slug=params.get("org_slug"),
        title=params.get("title"),
        access=params.get("access"),
        user=job.created_by,
        source_label=params.get("source_label"),
        publish=params.get("publish", True),
        skip_if_unchanged=params.get("skip_if_unchanged", False),
        progress=progress,
    )
    dataset = outcome.dataset
    then_access = params.get("then_access")
    if then_access and outcome.published and then_access != dataset.access_level:
        with transaction.atomic():
            dataset = ensure_dataset(dataset.slug, access=then_access)
            index_dataset(dataset)
    version = outcome.version
    return {
        "dataset": dataset.slug,
        "dataset_id": dataset.pk,
        "organisation_id": dataset.organisation_id,
        "version": version.key,
        "row_count": version.row_count,
        "columns": len(version.schema.get("fields", [])),
        "published": outcome.published,
        "unchanged": outcome.unchanged,
    }


# --- cancelling and recovering -----------------------------------------------------------


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


def recover_stale_jobs() -> list[Job]:
    """Running jobs whose worker is gone: queued again if they may be retried, else failed.

    Gone: no heartbeat for ``JOB_STALE_SECONDS``, or a worker of this host whose process
    no longer exists. Returns the jobs changed.
    """
    now = timezone.now()
    silent = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    host = socket.gethostname()
    changed = []
    running = Job.objects.filter(status=JobStatus.RUNNING)
    for job in running.filter(Q(heartbeat_at__lt=silent) | Q(worker__startswith=f"{host}:")):
        if job.heartbeat_at and job.heartbeat_at >= silent and _alive_here(job.worker, host):
            continue
        retry = job.queued and job.attempts < job.max_attempts
        reason = f"interrupted: the worker {job.worker or '?'} stopped"
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.QUEUED if retry else JobStatus.FAILED,
            error=_one_line(reason + ("; queued again" if retry else "")),
            finished_at=None if retry else now,
            heartbeat_at=None if retry else job.heartbeat_at,
            worker="" if retry else job.worker,
        )
        if not updated:
            continue
        job.refresh_from_db()
        if retry:
            submit_job(job)
        elif job.params.get("own_file"):
            shutil.rmtree(job_directory(job), ignore_errors=True)
        changed.append(job)
    return changed


def _alive_here(worker: str, host: str) -> bool:
    """Is ``worker`` (host:pid) a live process of this host? True when it cannot be told."""
    name, _, pid = worker.rpartition(":")
    if name != host or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- who sees which job ------------------------------------------------------------------


def visible_jobs(user) -> QuerySet[Job]:
    """Jobs ``user`` may see: their own, their organisations', all for a steward."""
    jobs = Job.objects.select_related("dataset", "organisation")
    if is_steward(user):
        return jobs
    if user is None or not user.is_authenticated:
        return jobs.none()
    return jobs.filter(Q(created_by=user) | Q(organisation_id__in=member_organisation_ids(user)))


def access_job_for(user, job_id: int | str) -> Job:
    """The job ``job_id`` if ``user`` may see it; Http404 otherwise (also for a bad id)."""
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        raise Http404("job not found") from None
    job = visible_jobs(user).filter(pk=pk).first()
    if job is None:
        raise Http404("job not found")
    return job


def can_cancel_job(user, job: Job) -> bool:
    """Its author, a writer of its dataset (or organisation), a steward."""
    if job.finished or user is None or not user.is_authenticated:
        return False
    if job.created_by_id == user.pk or is_steward(user):
        return True
    if job.dataset is not None:
        return can_write_dataset(user, job.dataset)
    return writable_organisations(user).filter(pk=job.organisation_id).exists()


__all__ = [
    "FINISHED",
    "JobFailed",
    "JobNotCancellable",
    "access_job_for",
    "can_cancel_job",
    "do_cancel_job",
    "do_create_job",
    "do_enqueue_ingest",
    "do_enqueue_upload",
    "job_kind",
    "recover_stale_jobs",
    "run_job",
    "submit_job",
    "visible_jobs",
    "wait_for_job",
]
