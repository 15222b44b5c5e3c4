"""The OpenAPI 3.0 definition of the OGC dialect (``/ogc/api``): small, but valid.

Clients read it to learn which parameters the items route takes (GDAL's OAPIF driver looks
there for the parameters it may pass); the collections themselves are listed by
``/ogc/collections``, so the paths stay generic (``{collectionId}``).
"""

from __future__ import annotations

from typing import Any

from territoria.api.ogc.params import DEFAULT_LIMIT, MAX_LIMIT


def _parameter(name: str, where: str, schema: dict[str, Any], description: str) -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
        **({"style": "form", "explode": False} if name == "bbox" else {}),
    }


def _json(description: str, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "object"}}}}


_COLLECTION = _parameter("collectionId", "path", {"type": "string"}, "The dataset's slug.")
_NOT_FOUND = _json("Unknown collection or feature, or one the caller may not see.")
_BAD = _json("A malformed parameter.")


def openapi_document(server: str) -> dict[str, Any]:
    """The definition, with ``server`` (the absolute URL of ``/ogc``) as its one server."""
    items_parameters = [
        _COLLECTION,
        _parameter(
            "limit",
            "query",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            "Features per page (a larger value is lowered to the maximum).",
        ),
        _parameter("offset", "query", {"type": "integer", "minimum": 0}, "Features skipped."),
        _parameter(
            "bbox",
            "query",
            {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
            "minimum longitude, minimum latitude, maximum longitude, maximum latitude (CRS84).",
        ),
        _parameter(
            "datetime",
            "query",
            {"type": "string"},
            "An RFC 3339 instant or interval (start/end, '..' open), on the first date field.",
        ),
    ]
    operations = {
        "/": ("getLandingPage", "Landing page", []),
        "/conformance": ("getConformance", "Conformance classes", []),
        "/collections": ("getCollections", "Collections", []),
        "/collections/{collectionId}": ("describeCollection", "A collection", [_COLLECTION]),
        "/collections/{collectionId}/items": ("getFeatures", "Features", items_parameters),
        "/collections/{collectionId}/items/{featureId}": (
            "getFeature",
            "A feature",
            [_COLLECTION, _parameter("featureId", "path", {"type": "string"}, "Row number.")],
        ),
    }
    paths = {}
    for path, (operation_id, summary, parameters) in operations.items():
        features = operation_id in ("getFeatures", "getFeature")
        media = "application/geo+json" if features else "application/json"
        responses = {"200": _json(summary, media)}
        if parameters:
            responses.update({"400": _BAD, "404": _NOT_FOUND})
        paths[path] = {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "parameters": parameters,
                "responses": responses,
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Territoria — OGC API Features", "version": "1.0.0"},
        "servers": [{"url": server}],
        "paths": paths,
    }
