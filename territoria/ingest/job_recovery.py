"""Jobs whose worker died: found, then failed or queued again (``recover_stale_jobs``, run
every minute by the job runner and when a worker, ``serve`` or a command starts).

A worker killed mid-way leaves its job "running" with a heartbeat that stopped; what it was
reading lies in ``tmp/`` and never became a version (``datastore/versions.py``: a version
appears by a rename at the very end), so the job can simply run again.
"""

from __future__ import annotations

import os
import shutil
import socket
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from territoria.ingest.jobs import job_directory, one_line, submit_job
from territoria.ingest.models import Job, JobStatus


def recover_stale_jobs() -> list[Job]:
    """Running jobs whose worker is gone: queued again if they may be retried, else failed.

    Gone: no heartbeat for ``JOB_STALE_SECONDS``, or a worker of this host whose process
    no longer exists. A job its caller's process was to run (``queued`` False, the CLI) and
    that is still waiting ``JOB_STALE_SECONDS`` after it was due is failed too: nobody will
    run it. Returns the jobs changed.
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
            error=one_line(reason + ("; queued again" if retry else "")),
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
    return changed + _fail_abandoned(now, silent)


def _fail_abandoned(now, silent) -> list[Job]:
    """Jobs of a process (``queued`` False) that died before running them, or between two
    attempts: nothing will run them, and a URL source with a pending job is not refreshed."""
    waiting = Job.objects.filter(status=JobStatus.QUEUED, queued=False).filter(
        Q(next_attempt_at__lt=silent) | Q(next_attempt_at__isnull=True, created_at__lt=silent)
    )
    changed = []
    for job in waiting:
        if Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.FAILED,
            error="interrupted: the process running it stopped",
            finished_at=now,
        ):
            job.refresh_from_db()
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
