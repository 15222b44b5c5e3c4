"""Portal pages of background jobs: one job's progress (polled by ``job.js``), the list of
the jobs one may see, and cancelling.

Which jobs a visitor sees is decided in ``ingest/jobs.py`` (``visible_jobs``,
``access_job_for``: their own, their organisations', all for a steward); any other job is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from territoria.ingest.job_access import access_job_for, can_cancel_job, visible_jobs
from territoria.ingest.jobs import JobNotCancellable, do_cancel_job, wait_for_job
from territoria.ingest.models import Job, JobStatus
from territoria.portal.csp import with_csp

LISTED_JOBS = 50
# A small file is read within this time: the producer goes straight to the dataset.
UPLOAD_WAIT_SECONDS = 3.0
STAGES = {
    "checksum": gettext_lazy("Checking the file"),
    "read": gettext_lazy("Reading the data"),
    "transform": gettext_lazy("Applying the processing steps"),
    "checks": gettext_lazy("Validating"),
    "download": gettext_lazy("Downloading the file"),
}


def job_context(request, job: Job) -> dict:
    """What the job page and its polled fragment show."""
    percent = None if job.fraction is None else round(job.fraction * 100)
    if job.status == "succeeded":
        percent = 100
    return {
        "job": job,
        "stage": STAGES.get(job.stage, job.stage),
        "percent": percent,
        "eta": None if job.eta_seconds is None else max(1, round(job.eta_seconds)),
        "may_cancel": can_cancel_job(request.user, job),
        "source": job.params.get("source_label", ""),
        "dataset_slug": job.result.get("dataset") or job.params.get("dataset_slug", ""),
    }


@require_safe
@with_csp
def job(request, job_id: int):
    """A job's progress; ``?fragment=1`` answers only the part ``job.js`` swaps in."""
    found = access_job_for(request.user, job_id)
    context = job_context(request, found)
    if request.GET.get("fragment"):
        return render(request, "portal/_job_status.html", context)
    return render(request, "portal/job.html", {**context, "nav": "jobs"})


@login_required
@require_safe
@with_csp
def jobs(request):
    """The jobs the visitor may see, the most recent first."""
    listed = visible_jobs(request.user).select_related("dataset")[:LISTED_JOBS]
    return render(request, "portal/job_list.html", {"jobs": listed, "nav": "jobs"})


@require_POST
@with_csp
def cancel_job(request, job_id: int):
    found = access_job_for(request.user, job_id)
    if not found.finished and not can_cancel_job(request.user, found):
        raise PermissionDenied
    try:
        do_cancel_job(found)
    except JobNotCancellable:
        messages.info(request, _("This job had already finished."))
    else:
        messages.success(request, _("Cancellation requested: nothing from this job is published."))
    return redirect("portal:job", job_id=found.pk)


def answer_upload(request, form, job: Job):
    """After an upload (portal/views.py): the dataset page when its version is live within
    ``UPLOAD_WAIT_SECONDS``, the form with the one-line reason when the file was refused,
    else the job page, which follows the job to its end."""
    job = wait_for_job(job, UPLOAD_WAIT_SECONDS)
    source = job.params.get("source_label", "")
    if job.status == JobStatus.SUCCEEDED:
        rows = job.result["row_count"]
        message = ngettext(
            "Version published: %(rows)s row from %(file)s.",
            "Version published: %(rows)s rows from %(file)s.",
            rows,
        )
        messages.success(request, message % {"rows": intcomma(rows), "file": source})
        return redirect("portal:dataset", slug=job.result["dataset"])
    if job.finished:
        reason = job.error
        form.add_error("file", _("The file was not published: %(reason)s") % {"reason": reason})
        return render(request, "portal/upload.html", {"form": form, "nav": "upload"}, status=400)
    return redirect("portal:job", job_id=job.pk)
