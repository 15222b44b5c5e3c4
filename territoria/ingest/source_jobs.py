"""A URL source's refresh as a background job (kind ``refresh_source``): queued by the
scheduler every minute, by ``territoria refresh-sources``, or by a producer's "fetch now".

One job per refresh, seen in the job list like an upload (``/taches/``, ``/api/1/jobs``),
with its progress (the download, then the reading) and cancellable. A failure that may pass
(``FetchUnavailable``: connection, timeout, HTTP 5xx or 429) is retried by the job runner
with back-off (``jobs.retry_delay``: 30 s, 60 s…) up to ``TERRITORIA_SOURCES_ATTEMPTS``
attempts; only then is it recorded on the source and the producers alerted. Any other
failure (a 4xx, a refused file) is recorded and alerted at once, and the job fails.

A source never has two refresh jobs waiting or running: ``do_enqueue_refresh`` answers the
one already there. The rules of a refresh itself are in ``sources.py``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from territoria.catalog.models import Resource
from territoria.datastore.progress import Cancelled, Progress
from territoria.ingest.fetch import FetchUnavailable
from territoria.ingest.jobs import JobFailed, do_create_job, job_kind, submit_job
from territoria.ingest.models import Job, JobStatus
from territoria.ingest.sources import (
    RefreshOutcome,
    alert_late_sources,
    do_record_source_failure,
    due_sources,
    public_url,
    refresh_source,
    scheduled_sources,
)

logger = logging.getLogger(__name__)

KIND = "refresh_source"
PLATFORM_FAULT = "the platform could not process this source (logged)"


def _attempts() -> int:
    return settings.SOURCES_ATTEMPTS


@job_kind(KIND, retry_on=(FetchUnavailable,), max_attempts=_attempts)
def run_refresh(job: Job, progress: Progress) -> dict[str, Any]:
    """Refresh the job's source (``params["resource_id"]``); the job fails with the reason
    when the refresh failed (recorded on the source and alerted by ``refresh_source``)."""
    resource = (
        Resource.objects.select_related("dataset__organisation", "live_version")
        .filter(pk=job.params.get("resource_id"))
        .first()
    )
    if resource is None or not resource.source_url:
        raise JobFailed("this dataset is no longer fetched from a URL")
    last_attempt = job.attempts >= job.max_attempts
    try:
        outcome = refresh_source(resource, progress=progress, retry_unavailable=not last_attempt)
    except (FetchUnavailable, Cancelled):
        raise  # retried, or cancelled: nothing to record on the source
    except Exception:
        # A fault of ours: logged with its traceback; the producers are told that the platform
        # failed, not given the internals.
        logger.exception("source of %s: refresh failed", resource.dataset.slug)
        outcome = do_record_source_failure(resource, PLATFORM_FAULT)
    if outcome.state == "failed":
        raise JobFailed(outcome.error)
    return outcome.as_result()


def active_refresh_job(resource: Resource) -> Job | None:
    """The refresh job of ``resource`` that is queued or running, if any."""
    return (
        Job.objects.filter(
            kind=KIND,
            dataset_id=resource.dataset_id,
            params__resource_id=resource.pk,
            status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        )
        .order_by("created_at", "pk")
        .first()
    )


def do_enqueue_refresh(resource: Resource, *, user=None, queued: bool = True) -> tuple[Job, bool]:
    """A refresh job for ``resource``: (the job, True) when it is new; (the job already
    queued or running, False) otherwise. ``queued`` False: the caller runs it (``run_job``).

    Precondition: the resource has a source; the caller may write the dataset, or is the
    scheduler. With an immediate queue (tests), a new job has run when this returns.
    """
    existing = active_refresh_job(resource)
    if existing is not None:
        return existing, False
    job = do_create_job(
        KIND,
        params={
            "resource_id": resource.pk,
            "dataset_slug": resource.dataset.slug,
            "source_label": public_url(resource.source_url),
        },
        user=user,
        dataset=resource.dataset,
        queued=queued,
    )
    if queued:
        submit_job(job)
        job.refresh_from_db()
    return job, True


def do_enqueue_due_sources(
    *,
    dataset_slug: str | None = None,
    force: bool = False,
    now: datetime | None = None,
    queued: bool = True,
) -> list[Job]:
    """Queue a refresh job for each source that is due (every source with ``force``) and has
    none waiting or running; then alert, once, the producers of sources that are late.
    Returns the new jobs. ``dataset_slug`` limits the run to one dataset's source.
    """
    now = now or timezone.now()
    scheduled = scheduled_sources()
    if dataset_slug is not None:
        scheduled = scheduled.filter(dataset__slug=dataset_slug)
    sources = list(scheduled) if force else due_sources(now, scheduled)
    jobs = []
    for resource in sources:
        job, new = do_enqueue_refresh(resource, queued=queued)
        if new:
            jobs.append(job)
    alert_late_sources(now, dataset_slug=dataset_slug)
    return jobs


def refresh_outcome(job: Job) -> RefreshOutcome:
    """What a refresh job did, or where it stands (see ``RefreshOutcome``)."""
    slug = job.params.get("dataset_slug", "")
    if job.status == JobStatus.SUCCEEDED:
        return RefreshOutcome(**job.result)
    if job.status == JobStatus.FAILED:
        return RefreshOutcome(slug, "failed", error=job.error)
    if job.status == JobStatus.CANCELLED:
        return RefreshOutcome(slug, "cancelled")
    if job.status == JobStatus.QUEUED and job.attempts:
        return RefreshOutcome(slug, "retrying", error=job.error)
    return RefreshOutcome(slug, str(job.status))
