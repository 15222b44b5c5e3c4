"""OGC API – Features (Part 1, Core and GeoJSON): a thin adapter over the gate and the engine.

Collections are the datasets the caller may see (``visible_datasets``) whose live version has
a geometry (``layers.layer_of``); a collection the caller may not see, or one without a
geometry, answers 404 like one that does not exist. Rows come from the engine every dialect
queries (``get_query_engine``), filters written as ODSQL by ``params``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from territoria.api.ogc import shapes
from territoria.api.ogc.layers import Layer, extent, layer_of, read_feature, read_features
from territoria.api.ogc.openapi import openapi_document
from territoria.api.ogc.params import items_params
from territoria.catalog.enums import AccessLevel
from territoria.catalog.models import Dataset
from territoria.datastore.errors import QueryError, QueryTimeout
from territoria.datastore.query import RecordsQuery
from territoria.governance.gate import access_dataset_for, readable_version, visible_datasets
from territoria.ingest.publication import (
    LIVE_VERSION_KEY,
    get_query_engine,
    with_live_version_key,
)

FORMATS = ("json", "geojson")
# What a client may ask for in Accept: JSON, GeoJSON, or anything.
ACCEPTED = ("application/json", "application/geo+json", "application/*", "*/*")


def ogc_endpoint(view):
    """GET only; the format checked; gate refusals and query faults as OGC exceptions."""

    def wrapped(request: HttpRequest, *args, **kwargs):
        fmt = request.GET.get("f")
        if fmt is not None and fmt not in FORMATS:
            return shapes.exception_response(
                400, "InvalidParameterValue", f"f: this API serves {' and '.join(FORMATS)}"
            )
        accept = request.headers.get("Accept", "")
        if fmt is None and accept and not any(kind in accept for kind in ACCEPTED):
            return shapes.exception_response(
                406, "NotAcceptable", "This API serves application/json and application/geo+json."
            )
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return shapes.exception_response(404, "NotFound", "Unknown collection or feature.")
        except QueryTimeout as error:
            return shapes.exception_response(400, "QueryTimeout", str(error))
        except QueryError as error:
            return shapes.exception_response(400, "InvalidParameterValue", str(error))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(wrapped)


@ogc_endpoint
def landing(request):
    return shapes.ogc_response(shapes.landing_shape(request))


@ogc_endpoint
def conformance(request):
    return shapes.ogc_response(shapes.conformance_shape(request))


@ogc_endpoint
def openapi(request):
    server = request.build_absolute_uri(reverse("ogc:landing")).rstrip("/")
    return shapes.ogc_response(openapi_document(server), shapes.OPENAPI)


def _layers(user) -> list[tuple[Dataset, Layer]]:
    """The collections ``user`` may see, by slug. A non-open one is read through
    ``access_dataset_for``: its extent reads its rows, which the audit log records."""
    datasets = with_live_version_key(visible_datasets(user))
    datasets = datasets.filter(**{f"{LIVE_VERSION_KEY}__isnull": False}).order_by("slug")
    found = []
    for dataset in datasets:
        try:
            layer = layer_of(readable_version(user, dataset))
        except (Http404, QueryError):  # an agreement's terms that no longer fit: hidden
            continue
        if layer is None:
            continue
        if dataset.access_level != AccessLevel.OPEN:
            dataset = access_dataset_for(user, dataset.slug, purpose="ogc")
        found.append((dataset, layer))
    return found


def access_layer_for(user, slug: str) -> tuple[Dataset, Layer]:
    """The dataset ``slug`` and its collection, through the gate; Http404 when the caller
    may not see it, when it has no published version or no geometry."""
    dataset = access_dataset_for(user, slug, purpose="ogc")
    layer = layer_of(readable_version(user, dataset))
    if layer is None:
        raise Http404("no geometry")
    return dataset, layer


@ogc_endpoint
def collections(request):
    engine = get_query_engine()
    found = [
        shapes.collection_shape(request, dataset, layer, extent(engine, layer))
        for dataset, layer in _layers(request.user)
    ]
    body = {
        "links": [shapes.link(request, reverse("ogc:collections"), "self", shapes.JSON)],
        "collections": found,
    }
    return shapes.ogc_response(body)


@ogc_endpoint
def collection(request, collection_id: str):
    dataset, layer = access_layer_for(request.user, collection_id)
    body = shapes.collection_shape(request, dataset, layer, extent(get_query_engine(), layer))
    return shapes.ogc_response(body)


@ogc_endpoint
def items(request, collection_id: str):
    dataset, layer = access_layer_for(request.user, collection_id)
    params = items_params(
        dict(request.GET.lists()),
        geometry=layer.geometry,
        date_field=layer.date_field,
        fields=layer.properties,
    )
    query = RecordsQuery(
        where=params.where,
        refine=params.refine,
        offset=0 if params.cursor else params.offset,
        cursor=params.cursor,
    )
    page = read_features(get_query_engine(), layer, query, params.limit)
    body = {
        "type": "FeatureCollection",
        "features": page.features,
        "numberMatched": page.number_matched,
        "numberReturned": len(page.features),
        "timeStamp": shapes.time_stamp(),
        "links": _items_links(request, dataset, params.offset, params.limit, page.next_cursor),
    }
    return shapes.ogc_response(body, shapes.GEOJSON)


def _items_links(
    request: HttpRequest, dataset: Dataset, offset: int, limit: int, next_cursor: str | None
) -> list[dict[str, str]]:
    """self, collection, alternate; next (the engine's keyset cursor: any depth, one
    version) when more features follow; prev by offset when this page has one."""
    path = reverse("ogc:items", args=[dataset.slug])

    def paged(**changes: str) -> str:
        params = request.GET.copy()
        for name in ("offset", "cursor"):
            params.pop(name, None)
        params.update(changes)
        return f"{path}?{params.urlencode()}" if params else path

    links = [
        shapes.link(request, request.get_full_path(), "self", shapes.GEOJSON),
        shapes.link(
            request,
            reverse("ogc:collection", args=[dataset.slug]),
            "collection",
            "application/json",
        ),
        shapes.link(request, dataset.get_absolute_url(), "alternate", shapes.HTML),
    ]
    if next_cursor is not None:
        links.append(shapes.link(request, paged(cursor=next_cursor), "next", shapes.GEOJSON))
    if offset > 0 and "cursor" not in request.GET:
        previous = paged(offset=str(max(offset - limit, 0)))
        links.append(shapes.link(request, previous, "prev", shapes.GEOJSON))
    return links


@ogc_endpoint
def item(request, collection_id: str, feature_id: str):
    dataset, layer = access_layer_for(request.user, collection_id)
    if not feature_id.isdigit():
        raise Http404("not a feature id")
    found = read_feature(get_query_engine(), layer, int(feature_id))
    if found is None:
        raise Http404("no such feature")
    path = reverse("ogc:item", args=[dataset.slug, feature_id])
    found["links"] = [
        shapes.link(request, path, "self", shapes.GEOJSON),
        shapes.link(
            request, reverse("ogc:collection", args=[dataset.slug]), "collection", shapes.JSON
        ),
    ]
    return shapes.ogc_response(found, shapes.GEOJSON)
