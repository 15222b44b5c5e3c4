"""Portal pages, server-rendered. Every dataset they show comes through the access gate.

Hidden datasets are not special-cased anywhere here: ``visible_datasets`` and
``access_dataset_for`` are the only way in, so a dataset the visitor may not see answers 404
and counts nowhere (search results, facet counts, home figures, organisation pages).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from territoria.catalog.enums import Domain, ResourceKind, Theme
from territoria.catalog.models import Dataset, Territory, Version
from territoria.catalog.search import search_datasets
from territoria.governance.gate import (
    access_dataset_for,
    can_write_dataset,
    readable_version,
    restriction_for,
    visible_datasets,
    visible_organisations,
    writable_organisations,
)
from territoria.ingest.file_jobs import do_enqueue_upload
from territoria.portal.csp import POLICY, with_csp
from territoria.portal.facets import active_filters, facet_groups, filters_from
from territoria.portal.forms import MAX_DATASET_CHOICES, UploadForm
from territoria.portal.jobs import answer_upload
from territoria.portal.pagination import page_window
from territoria.portal.quality import quality_context
from territoria.portal.visualise import policy_with_tiles, visualise_context

logger = logging.getLogger(__name__)

LATEST_ON_HOME = 6
MAX_QUERY_LENGTH = 200
SORTS = {
    "title": ("title", "pk"),
    "modified": ("-modified_at", "pk"),
}
EXPORTS = (("csv", "CSV"), ("json", "JSON"), ("jsonl", "JSON Lines"), ("parquet", "Parquet"))
FIELD_TYPES = {
    "string": gettext_lazy("text"),
    "integer": gettext_lazy("integer"),
    "number": gettext_lazy("decimal number"),
    "boolean": gettext_lazy("boolean"),
    "date": gettext_lazy("date"),
    "datetime": gettext_lazy("date and time"),
    "time": gettext_lazy("time"),
    "geojson": gettext_lazy("geometry"),
    "geopoint": gettext_lazy("geographic point"),
}


@require_safe
@with_csp
def home(request):
    visible = visible_datasets(request.user)
    found = search_datasets(visible)
    context = {
        "dataset_count": found.total,
        "organisation_count": visible_organisations(request.user).count(),
        "latest": visible.order_by("-modified_at", "pk")[:LATEST_ON_HOME],
        "themes": found.facets.get("theme", []),
        "domains": found.facets.get("domain", []),
    }
    return render(request, "portal/home.html", context)


@require_safe
@with_csp
def search(request):
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    filters = filters_from(request.GET)
    found = search_datasets(visible_datasets(request.user), q, filters)
    sort = request.GET.get("sort", "title")
    if sort not in SORTS:
        sort = "title"
    window = page_window(found.total, request.GET.get("page"))
    groups = facet_groups(request.GET, found.facets, filters)
    context = {
        "q": q,
        "sort": sort,
        "datasets": window.slice(found.datasets.order_by(*SORTS[sort])),
        "total": found.total,
        "window": window,
        "facet_groups": groups,
        "active_filters": active_filters(groups),
        "nav": "datasets",
    }
    return render(request, "portal/search.html", context)


def _live_version(request, dataset: Dataset):
    """The live version as the visitor may read it (an agreement's columns and rows)."""
    try:
        return readable_version(request.user, dataset)
    except KeyError:
        # The catalog points at a version the store no longer has: show the metadata anyway.
        logger.error("dataset %s: live version missing from the datastore", dataset.slug)
        return None


def _territories(codes: list[str]) -> list[tuple[str, str]]:
    """(code, name) for each code of a spatial coverage; the code itself when unknown."""
    if not codes:
        return []
    names = dict(Territory.objects.filter(code__in=codes).values_list("code", "name"))
    return [(code, names.get(code, code)) for code in codes]


def _labels(values: list[str], choices) -> list[tuple[str, str]]:
    """(value, translated label) of vocabulary values; an unknown value stands for itself."""
    return [(v, str(choices(v).label) if v in choices.values else v) for v in values]


def _version_date(version) -> datetime | None:
    try:
        return datetime.fromisoformat(version.created_at) if version.created_at else None
    except ValueError:
        return None


@require_safe
@with_csp
def dataset(request, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="page")
    version = _live_version(request, dataset)
    # A partner under an agreement's terms sees its view only: no reports, no history.
    whole = restriction_for(request.user, dataset) is None
    history = (
        Version.objects.none()
        if not whole
        else Version.objects.filter(
            resource__dataset=dataset, resource__kind=ResourceKind.TABLE, published_at__isnull=False
        ).order_by("-published_at", "-pk")
    )
    fields = [
        {
            "name": f["name"],
            "title": f.get("title") or f["name"],
            "type": f.get("type", "string"),
            "type_label": FIELD_TYPES.get(f.get("type", "string"), f.get("type", "")),
        }
        for f in (version.fields if version else [])
    ]
    records_url = reverse("explore:records", args=[dataset.slug])
    context = {
        "dataset": dataset,
        "version": version,
        "version_date": _version_date(version) if version else None,
        "history": history,
        "fields": fields,
        "preview_fields_json": json.dumps(
            [{k: f[k] for k in ("name", "title", "type")} for f in fields], ensure_ascii=False
        ),
        "theme_labels": _labels(list(dataset.themes), Theme),
        "domain_labels": _labels(list(dataset.domains), Domain),
        "territories": _territories(list(dataset.spatial)),
        "records_url": records_url,
        "exports": [
            (label, reverse("explore:export", args=[dataset.slug, fmt])) for fmt, label in EXPORTS
        ],
        "api_example": f"curl '{request.build_absolute_uri(records_url)}?limit=10'",
        "may_upload": can_write_dataset(request.user, dataset),
        "nav": "datasets",
        **visualise_context(request.GET, version),
        **(
            quality_context(dataset, may_write=can_write_dataset(request.user, dataset))
            if whole
            else {}
        ),
    }
    response = render(request, "portal/dataset.html", context)
    if settings.MAP_TILES_URL and "map_config_json" in context:
        policy = policy_with_tiles(POLICY, settings.MAP_TILES_URL)  # the tiles are images
        response.headers["Content-Security-Policy"] = policy
    return response


@require_safe
@with_csp
def organisations(request):
    visible_pks = visible_datasets(request.user).values("pk")
    organisations = visible_organisations(request.user).annotate(
        dataset_count=Count("datasets", filter=Q(datasets__pk__in=visible_pks))
    )
    window = page_window(organisations.count(), request.GET.get("page"))
    context = {
        "organisations": window.slice(organisations.order_by("name", "pk")),
        "window": window,
        "nav": "organisations",
    }
    return render(request, "portal/organisation_list.html", context)


@require_safe
@with_csp
def organisation(request, slug: str):
    organisation = get_object_or_404(visible_organisations(request.user), slug=slug)
    datasets = visible_datasets(request.user).filter(organisation=organisation)
    window = page_window(datasets.count(), request.GET.get("page"))
    context = {
        "organisation": organisation,
        "datasets": window.slice(datasets.order_by("title", "pk")),
        "window": window,
        "nav": "organisations",
    }
    return render(request, "portal/organisation.html", context)


def _writable_datasets(user) -> list[Dataset]:
    """The datasets offered in the upload form: the most recently changed the user may write."""
    candidates = visible_datasets(user).filter(organisation__in=writable_organisations(user))
    recent = candidates.order_by("-modified_at", "pk")[:MAX_DATASET_CHOICES]
    return sorted((d for d in recent if can_write_dataset(user, d)), key=lambda d: d.title.lower())


@login_required
@require_http_methods(["GET", "POST"])
@with_csp
def upload(request):
    """Upload a file as a new published version of a dataset, new or existing.

    A signed-in user who may neither create a dataset nor write one gets a 403 (they know
    the page exists; no dataset is revealed by it).
    """
    writable = _writable_datasets(request.user)
    if not writable and not can_write_dataset(request.user, None):
        raise PermissionDenied
    initial = {"dataset": request.GET.get("dataset", "")}
    arguments = {
        "user": request.user,
        "datasets": writable,
        "organisations": writable_organisations(request.user).order_by("name"),
    }
    if request.method != "POST":
        form = UploadForm(initial=initial, **arguments)
        return render(request, "portal/upload.html", {"form": form, "nav": "upload"})
    form = UploadForm(request.POST, request.FILES, **arguments)
    if form.is_valid():
        # A job reads the file; the answer waits a little for it (portal/jobs.py).
        job = do_enqueue_upload(
            form.cleaned_data["file"],
            user=request.user,
            then_access=form.requested_access(),
            **form.ingest_arguments(),
        )
        return answer_upload(request, form, job)
    return render(request, "portal/upload.html", {"form": form, "nav": "upload"}, status=400)
