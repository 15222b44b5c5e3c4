"""The documents of the OGC dialect: links, the landing page, conformance, collections.

Only JSON is served (GeoJSON for features); a collection's ``alternate`` link is the
dataset's page on the portal, in HTML.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone

from territoria.api.ogc.layers import Layer
from territoria.catalog.models import Dataset
from territoria.catalog.uris import dataset_uri

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
HTML = "text/html"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def link(request: HttpRequest, path: str, rel: str, media: str, title: str = "") -> dict[str, str]:
    """A link to ``path`` (absolute on this host), with its relation and media type."""
    shaped = {"href": request.build_absolute_uri(path), "rel": rel, "type": media}
    if title:
        shaped["title"] = title
    return shaped


def ogc_response(body: dict[str, Any], media: str = JSON, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = media
    return response


def exception_response(status: int, code: str, description: str) -> JsonResponse:
    """OGC API's exception document (``{"code", "description"}``)."""
    return ogc_response({"code": code, "description": description}, status=status)


def landing_shape(request: HttpRequest) -> dict[str, Any]:
    return {
        "title": "Territoria — OGC API Features",
        "description": "The datasets of the platform that have a geometry, as features.",
        "links": [
            link(request, reverse("ogc:landing"), "self", JSON, "This document"),
            link(request, reverse("ogc:openapi"), "service-desc", OPENAPI, "The API definition"),
            link(request, reverse("ogc:conformance"), "conformance", JSON, "Conformance"),
            link(request, reverse("ogc:collections"), "data", JSON, "Collections"),
        ],
    }


def conformance_shape(request: HttpRequest) -> dict[str, Any]:
    return {
        "conformsTo": CONFORMANCE,
        "links": [link(request, reverse("ogc:conformance"), "self", JSON)],
    }


def collection_shape(
    request: HttpRequest, dataset: Dataset, layer: Layer, extent: dict[str, Any]
) -> dict[str, Any]:
    """A dataset as a collection (its id is its slug), with its extent."""
    items = reverse("ogc:items", args=[dataset.slug])
    shape: dict[str, Any] = {
        "id": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "keywords": list(dataset.keywords or []),
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "links": [
            link(request, reverse("ogc:collection", args=[dataset.slug]), "self", JSON),
            link(request, items, "items", GEOJSON, "Features"),
            link(request, dataset.get_absolute_url(), "alternate", HTML, dataset.title),
            # The dataset's one identifier in every dialect (catalog/uris.py, decision 0019).
            {"href": dataset_uri(dataset), "rel": "canonical", "type": HTML},
        ],
    }
    if dataset.licence_link:
        licence = {"href": dataset.licence_link, "rel": "license", "type": HTML}
        shape["links"].append({**licence, "title": dataset.licence_label})
    if extent:
        shape["extent"] = extent
    return shape


def time_stamp() -> str:
    return timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z")
