"""Who sees which job, and who may cancel it: built on the gate's own answers.

A job is visible to its author, the members of its organisation and the stewards; anybody
else gets a 404, the same answer as for a job that does not exist.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from territoria.governance.gate import (
    can_write_dataset,
    is_steward,
    member_organisation_ids,
    writable_organisations,
)
from territoria.ingest.models import Job


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
