"""The ingestion of a file as a job (kind ``ingest``): queued from an upload, the CLI or the
API, run by ``jobs.run_job`` with ``do_ingest_file``.

The job owns the uploaded file (in its directory, ``jobs.job_directory``) until it is read.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.db import transaction

from territoria.catalog.models import Dataset, Organisation
from territoria.catalog.search import index_dataset
from territoria.datastore.progress import Progress
from territoria.ingest.jobs import JobFailed, do_create_job, job_directory, job_kind, submit_job
from territoria.ingest.models import Job
from territoria.ingest.services import do_ingest_file, ensure_dataset
from territoria.ingest.uploads import upload_on_disk


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
        "held": outcome.held,  # personal data to review (decision 0023)
    }
