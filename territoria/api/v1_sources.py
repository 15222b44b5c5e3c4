"""``/api/1/datasets/{slug}/source``: the URL a dataset's table is fetched from, on a schedule.

GET shows the source and its state to whoever sees the dataset (the URL without its query
string or credentials unless the caller may write the dataset); PUT sets it, DELETE removes
it, POST ``…/source/refresh`` fetches it now — for those who may write the dataset. The
rules are in ``ingest/sources.py``.

A refresh is a job (``ingest/source_jobs.py``), retried with back-off when the source is
unreachable; the request waits for it as an upload does (``Prefer: wait=N`` or
``respond-async``, ``api/v1_jobs.py``): 200 with what it did once it is over, 202 with the
job and ``Location: /api/1/jobs/{id}`` while it runs or waits for its next attempt.
"""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Schema, Status

from territoria.api.v1 import WRITE_AUTH, ErrorOut, check_write
from territoria.api.v1_jobs import JobOut, preferred_wait
from territoria.catalog.models import Dataset, Resource
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.jobs import wait_for_job
from territoria.ingest.source_jobs import do_enqueue_refresh, refresh_outcome
from territoria.ingest.sources import (
    SourceRefused,
    do_set_source,
    next_check_at,
    public_url,
    source_resource,
    source_state,
)

router = Router(tags=["sources"])


class SourceOut(Schema):
    url: str  # empty: no URL source
    frequency: str
    state: str  # none, waiting (never fetched yet), ok, failing, late
    set_at: datetime | None
    last_checked_at: datetime | None
    last_success_at: datetime | None
    next_check_at: datetime | None
    failure_count: int
    last_error: str  # for those who may write the dataset only
    etag: str
    last_modified: str


class SourceIn(Schema):
    url: str
    frequency: str


class RefreshOut(Schema):
    state: str  # published, unchanged, failed, skipped, cancelled
    version: str | None
    error: str
    source: SourceOut
    job: JobOut


def source_out(resource: Resource | None, *, writer: bool) -> dict:
    resource = resource or Resource()  # a dataset without a table has no source either
    url = resource.source_url
    return {
        "url": url if writer else (public_url(url) if url else ""),
        "frequency": resource.refresh_frequency,
        "state": source_state(resource),
        "set_at": resource.source_set_at,
        "last_checked_at": resource.last_checked_at,
        "last_success_at": resource.last_success_at,
        "next_check_at": next_check_at(resource),
        "failure_count": resource.failure_count,
        "last_error": resource.last_error if writer else "",
        "etag": resource.source_etag,
        "last_modified": resource.source_last_modified,
    }


def _writable(request: HttpRequest, slug: str) -> Dataset:
    dataset = access_dataset_for(request.user, slug, purpose="source")
    check_write(request, dataset)
    return dataset


@router.get("/{slug}/source", response=SourceOut)
def get_source(request: HttpRequest, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="source")
    writer = can_write_dataset(request.user, dataset)
    return source_out(dataset.table_resource(), writer=writer)


@router.put("/{slug}/source", response={200: SourceOut, 400: ErrorOut}, auth=WRITE_AUTH)
def set_source(request: HttpRequest, slug: str, payload: SourceIn):
    """Fetch the table from ``url`` every ``frequency`` (HOURLY, DAILY, WEEKLY, MONTHLY,
    QUARTERLY, ANNUAL): the first fetch is due at once. A new URL forgets the old state."""
    dataset = _writable(request, slug)
    try:
        resource = do_set_source(source_resource(dataset), payload.url, payload.frequency)
    except SourceRefused as error:
        return Status(400, {"detail": str(error)})
    return source_out(resource, writer=True)


@router.delete("/{slug}/source", response={204: None}, auth=WRITE_AUTH)
def delete_source(request: HttpRequest, slug: str):
    """Stop fetching: the versions already made stay."""
    dataset = _writable(request, slug)
    resource = dataset.table_resource()
    if resource is not None and resource.source_url:
        do_set_source(resource, "", "")
    return Status(204, None)


@router.post(
    "/{slug}/source/refresh",
    response={200: RefreshOut, 202: JobOut, 400: ErrorOut},
    auth=WRITE_AUTH,
)
def refresh_source_now(request: HttpRequest, response: HttpResponse, slug: str):
    """Fetch the source now, whatever its schedule (still a conditional GET), in a job — or
    follow the one already queued or running: a new version is published only if the
    content changed. 200 with what the refresh did once it is over; 202 with the job while
    it runs or waits for another attempt (see the module's documentation for ``Prefer``)."""
    dataset = _writable(request, slug)
    resource = dataset.table_resource()
    if resource is None or not resource.source_url:
        return Status(400, {"detail": "this dataset has no URL source"})
    job, _ = do_enqueue_refresh(resource, user=request.user)
    job = wait_for_job(job, preferred_wait(request))
    response["Location"] = reverse("management:get_job", kwargs={"job_id": job.pk})
    if not job.finished:
        return Status(202, job)
    outcome = refresh_outcome(job)
    resource.refresh_from_db()
    return {
        "state": outcome.state,
        "version": outcome.version,
        "error": outcome.error,
        "source": source_out(resource, writer=True),
        "job": job,
    }
