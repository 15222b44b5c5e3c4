"""The "URL source" page of a dataset: where its table is fetched from, how often, how it went.

Those who may write the dataset (``gate.can_write_dataset``) set, change or remove the
source and may fetch it at once; others who see the dataset see its state, with the URL
cut of its query string and credentials. The rules are in ``ingest/sources.py``.

"Fetch now" queues a refresh job (``ingest/source_jobs.py``) and waits for it a little, as an
upload does: a quick answer is told on this page; a long download, or a source being tried
again after a failure, leads to the job's page, where it can be followed and cancelled.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from territoria.catalog.enums import RefreshFrequency
from territoria.catalog.models import Resource
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.jobs import wait_for_job
from territoria.ingest.source_jobs import (
    active_refresh_job,
    do_enqueue_refresh,
    refresh_outcome,
)
from territoria.ingest.sources import (
    SourceRefused,
    check_source,
    do_set_source,
    next_check_at,
    public_url,
    source_resource,
    source_state,
)
from territoria.portal.csp import with_csp

# A small file is fetched and read within this time: the producer stays on this page.
REFRESH_WAIT_SECONDS = 3.0


class SourceForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address of the file"),
        required=False,
        max_length=Resource._meta.get_field("source_url").max_length,
        assume_scheme="https",
        help_text=gettext_lazy(
            "A public http or https address. Leave empty to stop fetching: "
            "the versions already published stay."
        ),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Fetch"),
        required=False,
        choices=[("", gettext_lazy("— Choose a frequency —")), *RefreshFrequency.choices],
        help_text=gettext_lazy(
            "A new version is published only when the file has changed. You are alerted by "
            "e-mail when the source fails, or has not been fetched for twice this period."
        ),
    )

    def clean(self):
        data = super().clean()
        url, frequency = data.get("url") or "", data.get("frequency") or ""
        if self.errors:
            return data
        if url and not frequency:
            self.add_error("frequency", _("Choose how often the file is fetched."))
            return data
        if url and urlsplit(url).scheme not in ("http", "https"):
            self.add_error("url", _("Only http and https addresses can be fetched."))
            return data
        try:
            data["url"], data["frequency"] = check_source(url, frequency)
        except SourceRefused as error:
            self.add_error(
                "url", _("This address cannot be fetched: %(reason)s") % {"reason": error}
            )
        return data


def _refresh(request, dataset, resource: Resource | None):
    """Queue the refresh (or follow the one under way) and say how it went; the job's page
    when it is not over within ``REFRESH_WAIT_SECONDS``."""
    if resource is None or not resource.source_url:
        messages.error(request, _("This dataset has no source to fetch."))
        return redirect("portal:dataset_source", slug=dataset.slug)
    job, new = do_enqueue_refresh(resource, user=request.user)
    job = wait_for_job(job, REFRESH_WAIT_SECONDS)
    if not job.finished:
        if job.attempts and job.status == "queued":
            messages.info(
                request,
                _("The source could not be reached: it will be tried again. %(reason)s")
                % {"reason": job.error},
            )
        elif not new:
            messages.info(request, _("The source is being fetched already."))
        return redirect("portal:job", job_id=job.pk)
    outcome = refresh_outcome(job)
    if outcome.state == "published":
        messages.success(request, _("The file has changed: a new version is published."))
    elif outcome.state == "unchanged":
        messages.success(request, _("The file has not changed: no new version."))
    elif outcome.state == "held":  # personal data to review first (decision 0023)
        messages.warning(request, outcome.error)
    elif outcome.state == "skipped":
        messages.error(request, _("The source is being fetched already: try again shortly."))
    elif outcome.state == "cancelled":
        messages.info(request, _("The fetch was cancelled: nothing has changed."))
    else:
        messages.error(
            request,
            _("The source could not be fetched: %(reason)s") % {"reason": outcome.error},
        )
    return redirect("portal:dataset_source", slug=dataset.slug)


@login_required
@require_http_methods(["GET", "POST"])
@with_csp
def source(request, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="source")
    may_write = can_write_dataset(request.user, dataset)
    resource = dataset.table_resource()
    form = None
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        if "refresh" in request.POST:
            return _refresh(request, dataset, resource)
        form = SourceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            do_set_source(source_resource(dataset), data["url"], data["frequency"])
            if data["url"]:
                messages.success(request, _("Source saved: it will be fetched within a minute."))
            else:
                messages.success(request, _("The dataset is no longer fetched from a URL."))
            return redirect("portal:dataset_source", slug=dataset.slug)
    elif may_write:
        initial = {}
        if resource is not None:
            initial = {"url": resource.source_url, "frequency": resource.refresh_frequency}
        form = SourceForm(initial=initial)
    url = resource.source_url if resource else ""
    context = {
        "dataset": dataset,
        "resource": resource,
        "form": form,
        "may_write": may_write,
        "state": source_state(resource),
        "shown_url": url if may_write else public_url(url) if url else "",
        "next_check": next_check_at(resource) if resource else None,
        # Its page is for those who may see the job: the producers (ingest/job_access.py).
        "refresh_job": active_refresh_job(resource) if may_write and url else None,
        "nav": "datasets",
    }
    return render(
        request, "portal/source_form.html", context, status=400 if form and form.errors else 200
    )
