"""``/api/1/jobs``: background jobs — list, follow, cancel — and uploads, which start one.

A job is visible to its author, the members of its organisation and the stewards; anybody
else gets a 404 (``ingest/jobs.py`` ``access_job_for``). An upload answers with its job:

- ``201`` with the version (and the job) when the ingestion finished while the request waited;
- ``400`` with the one-line reason when it failed (the live version is untouched);
- ``202`` with the job and ``Location: /api/1/jobs/{id}`` when it is still queued or running.

How long the request waits is the client's choice, as RFC 7240 puts it: ``Prefer: wait=N``
(at most ``MAX_WAIT_SECONDS``) or ``Prefer: respond-async`` (no wait); by default
``DEFAULT_WAIT_SECONDS``, so that a small file answers with its version, as before jobs.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from territoria.api.v1 import WRITE_AUTH, ErrorOut, VersionOut, check_write
from territoria.catalog.models import Version
from territoria.governance.gate import access_dataset_for
from territoria.governance.models import TokenScope
from territoria.ingest.file_jobs import do_enqueue_upload
from territoria.ingest.job_access import access_job_for, can_cancel_job, visible_jobs
from territoria.ingest.jobs import JobNotCancellable, do_cancel_job, wait_for_job
from territoria.ingest.models import Job, JobStatus

DEFAULT_WAIT_SECONDS = 10.0
MAX_WAIT_SECONDS = 60.0
MAX_PAGE = 200

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    status: str
    stage: str
    source: str
    dataset: str | None
    organisation: str | None
    bytes_done: int
    bytes_total: int | None
    rows_done: int
    rows_estimated: bool
    percent: float | None
    eta_seconds: float | None
    error: str
    result: dict[str, Any]
    attempts: int
    max_attempts: int
    attempt_log: list[dict[str, Any]]  # each failed attempt: attempt, at, error, retry_in (s)
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    next_attempt_at: datetime | None
    url: str
    page: str

    @staticmethod
    def resolve_source(obj: Job) -> str:
        return str(obj.params.get("source_label") or "")

    @staticmethod
    def resolve_dataset(obj: Job) -> str | None:
        return obj.dataset.slug if obj.dataset_id else obj.params.get("dataset_slug")

    @staticmethod
    def resolve_organisation(obj: Job) -> str | None:
        return obj.organisation.slug if obj.organisation_id else None

    @staticmethod
    def resolve_percent(obj: Job) -> float | None:
        return None if obj.fraction is None else round(obj.fraction * 100, 1)

    @staticmethod
    def resolve_url(obj: Job) -> str:
        return reverse("management:get_job", kwargs={"job_id": obj.pk})

    @staticmethod
    def resolve_page(obj: Job) -> str:
        return reverse("portal:job", kwargs={"job_id": obj.pk})


class UploadOut(VersionOut):
    job: JobOut


@router.get("/jobs", response=list[JobOut])
def list_jobs(
    request: HttpRequest, status: JobStatus | None = None, limit: int = 50, offset: int = 0
):
    """Jobs the caller may see, the most recent first."""
    jobs = visible_jobs(request.user)
    if status is not None:
        jobs = jobs.filter(status=status)
    limit, offset = max(0, min(limit, MAX_PAGE)), max(0, offset)
    return jobs[offset : offset + limit]


@router.get("/jobs/{job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: int):
    """One job: its status, stage, bytes and rows done, time left, error or result."""
    return access_job_for(request.user, job_id)


@router.post("/jobs/{job_id}/cancel", response={200: JobOut, 409: ErrorOut}, auth=WRITE_AUTH)
def cancel_job(request: HttpRequest, job_id: int):
    """Cancel a queued or running job; nothing it was reading gets published."""
    job = access_job_for(request.user, job_id)
    token = getattr(request, "api_token", None)
    if token is not None and not token.allows(TokenScope.WRITE):
        raise HttpError(403, "this token is read-only")
    if job.finished:
        return Status(409, {"detail": f"job {job.pk} has already {job.status}"})
    if not can_cancel_job(request.user, job):
        raise HttpError(403, "you may not cancel this job")
    try:
        return do_cancel_job(job)
    except JobNotCancellable as error:
        return Status(409, {"detail": str(error)})


def preferred_wait(request: HttpRequest, default: float = DEFAULT_WAIT_SECONDS) -> float:
    """Seconds the client lets the request wait for a job (RFC 7240 ``Prefer``)."""
    prefer = request.headers.get("Prefer", "").lower()
    if "respond-async" in prefer:
        return 0.0
    asked = re.search(r"\bwait\s*=\s*(\d+(?:\.\d+)?)", prefer)
    if asked:
        return min(float(asked.group(1)), MAX_WAIT_SECONDS)
    return default


@router.post(
    "/datasets/{slug}/upload",
    response={201: UploadOut, 202: JobOut, 400: ErrorOut},
    auth=WRITE_AUTH,
    tags=["versions"],
)
def upload(
    request: HttpRequest,
    response: HttpResponse,
    slug: str,
    file: File[UploadedFile],
    publish: Form[bool] = True,
):
    """Ingest a file as a new version, in a job; published at once unless ``publish`` is
    false. See the module's documentation for the answers and ``Prefer``.
    """
    dataset = access_dataset_for(request.user, slug, purpose="upload")
    check_write(request, dataset)
    job = do_enqueue_upload(file, user=request.user, dataset_slug=dataset.slug, publish=publish)
    job = wait_for_job(job, preferred_wait(request))
    response["Location"] = reverse("management:get_job", kwargs={"job_id": job.pk})
    if job.status == JobStatus.SUCCEEDED:
        version = Version.objects.get(resource__dataset=dataset, key=job.result["version"])
        version.job = job
        return Status(201, version)
    if job.finished:
        return Status(400, {"detail": job.error})
    return Status(202, job)
