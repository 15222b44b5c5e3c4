"""The DCAT-AP documents: a catalogue page and one dataset, loaded through the access gate.

Query budget of a catalogue page (pinned in tests/api/test_dcat.py): the caller's memberships
(signed in only, cached by the gate), the count, one slice of datasets with their
organisations, their resources with their live versions, the names of the territories they
cover, and the catalogue's publisher — whatever the page size.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rdflib import Graph

from territoria.api.dcat import graph as rdf
from territoria.api.dcat.paging import Page, add_view
from territoria.catalog import uris
from territoria.catalog.enums import OrganisationKind
from territoria.catalog.models import Resource, Territory
from territoria.governance.gate import access_dataset_for, visible_datasets, visible_organisations


def _resources() -> Prefetch:
    # The reports and steps of a version can be large and are not described here.
    queryset = Resource.objects.select_related("live_version").only(
        "id",
        "dataset_id",
        "title",
        "kind",
        "format",
        "url",
        "description",
        "live_version__id",
        "live_version__schema",
    )
    return Prefetch("resources", queryset=queryset)


def _territory_names(datasets) -> dict[str, str]:
    codes = {code for d in datasets for code in d.spatial if isinstance(code, str)}
    if not codes:
        return {}
    return dict(Territory.objects.filter(code__in=codes).values_list("code", "name"))


def catalog_page(request, profile: rdf.Profile, number: int, size: int) -> Graph:
    """Page ``number`` of the instance's catalogue as ``request.user`` may see it."""
    region = (
        visible_organisations(request.user)
        .filter(kind=OrganisationKind.REGION)
        .order_by("pk")
        .first()
    )
    header = rdf.CatalogHeader(
        uri=uris.catalog_uri(),
        title=_("Territoria data catalogue"),
        description=_("The datasets published on Territoria, the regional data platform."),
        homepage=uris.base_url() + "/",
        publisher=region,
    )
    return _page(request, profile, header, visible_datasets(request.user), number, size)


def organisation_page(request, slug: str, profile: rdf.Profile, number: int, size: int) -> Graph:
    """Page ``number`` of one organisation's catalogue; Http404 for an unknown organisation."""
    organisation = get_object_or_404(visible_organisations(request.user), slug=slug)
    header = rdf.CatalogHeader(
        uri=uris.organisation_catalog_uri(organisation),
        title=_("Datasets of %(name)s") % {"name": organisation.name},
        description=organisation.description
        or _("The datasets %(name)s publishes on Territoria.") % {"name": organisation.name},
        homepage=uris.organisation_uri(organisation),
        publisher=organisation,
    )
    datasets = visible_datasets(request.user).filter(organisation=organisation)
    return _page(request, profile, header, datasets, number, size)


def _context(request, profile: rdf.Profile, datasets) -> rdf.Context:
    links_root = request.build_absolute_uri("/").rstrip("/")
    return rdf.Context(profile, _territory_names(datasets), links_root)


def _page(request, profile, header, datasets, number: int, size: int) -> Graph:
    page = Page(number, size, datasets.count())
    # Ordered by key: a dataset created while a harvester walks the pages lands on the last.
    start = page.offset
    chosen = list(datasets.order_by("pk").prefetch_related(_resources())[start : start + size])
    graph = rdf.new_graph()
    catalog = rdf.add_catalog(graph, header, chosen, _context(request, profile, chosen))
    add_view(graph, catalog, page, request)
    return graph


def dataset_document(request, slug: str, profile: rdf.Profile) -> Graph:
    """One dataset's description; Http404 when it is missing or the caller may not see it."""
    dataset = access_dataset_for(request.user, slug, purpose="dcat")
    prefetch_related_objects([dataset], _resources())
    graph = rdf.new_graph()
    ctx = _context(request, profile, [dataset])
    rdf.add_dataset(graph, dataset, ctx, rdf.add_explore_service(graph, ctx))
    return graph
