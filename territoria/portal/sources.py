"""The "URL source" page of a dataset: where its table is fetched from, how often, how it went.

Those who may write the dataset (``gate.can_write_dataset``) set, change or remove the
source and may fetch it at once; others who see the dataset see its state, with the URL
cut of its query string and credentials. The rules are in ``ingest/sources.py``.
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
from territoria.ingest.sources import (
    SourceRefused,
    check_source,
    do_set_source,
    next_check_at,
    public_url,
    refresh_source,
    source_resource,
    source_state,
)
from territoria.portal.csp import with_csp


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
    if resource is None or not resource.source_url:
        messages.error(request, _("This dataset has no source to fetch."))
        return
    outcome = refresh_source(resource)
    if outcome.state == "published":
        messages.success(request, _("The file has changed: a new version is published."))
    elif outcome.state == "unchanged":
        messages.success(request, _("The file has not changed: no new version."))
    elif outcome.state == "skipped":
        messages.error(request, _("The source is being fetched already: try again shortly."))
    else:
        messages.error(
            request,
            _("The source could not be fetched: %(reason)s") % {"reason": outcome.error},
        )


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
            _refresh(request, dataset, resource)
            return redirect("portal:dataset_source", slug=dataset.slug)
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
        "nav": "datasets",
    }
    return render(
        request, "portal/source_form.html", context, status=400 if form and form.errors else 200
    )
