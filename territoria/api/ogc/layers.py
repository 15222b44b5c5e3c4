"""Which datasets are OGC collections, and their features, read through the one engine.

A dataset is a collection when its live version has a geometry: the columns the portal's map
draws (``portal.visualise.map_points``: a GeoJSON dataset's point, or latitude and longitude
columns). A feature's geometry is the GeoJSON dataset's shape, else a Point of its latitude
and longitude; its ``id`` is its row number in the version (1 for the first row), which the
engine reports with every page in file order: stable for the life of the version, the same in
a filtered list as in the single-item route.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from territoria.datastore.odsql.render import render_name
from territoria.datastore.odsql.sql import VIRTUAL_POINT
from territoria.datastore.query import MAX_LIMIT, MAX_WINDOW, QueryEngine, RecordsQuery
from territoria.datastore.versions import VersionInfo
from territoria.portal.visualise import map_points

TEMPORAL_TYPES = ("date", "datetime")
GEOMETRY_TYPES = ("geojson", "geopoint")


@dataclass(frozen=True)
class Layer:
    """A version seen as a collection: where its geometry is and which fields are properties.

    ``geometry`` is the name ODSQL geo functions take (the shape, or ``geo_point_2d`` for
    latitude/longitude columns); ``shape`` the GeoJSON column, ``lat``/``lon`` the columns."""

    version: VersionInfo
    geometry: str
    shape: str | None
    lat: str | None
    lon: str | None
    properties: dict[str, str]  # name -> Table Schema type
    date_field: str | None


def layer_of(version: VersionInfo | None) -> Layer | None:
    """The collection of ``version``; None when it has no geometry (nor is published), or
    when the caller's agreement gives aggregates only (features are rows)."""
    if version is None or (version.view is not None and version.view.aggregates_only):
        return None
    points = map_points(version.schema)
    if points is None:
        return None
    geo = version.schema.get("territoria:geo") or {}
    shape = geo.get("shape") if isinstance(geo.get("shape"), str) else None
    lat = points.get("lat")
    lon = points.get("lon")
    geometry = shape or points.get("point") or VIRTUAL_POINT
    properties = {
        f["name"]: str(f.get("type", "string"))
        for f in version.fields
        if f.get("type") not in GEOMETRY_TYPES
    }
    date_field = next((n for n, t in properties.items() if t in TEMPORAL_TYPES), None)
    return Layer(version, geometry, shape, lat, lon, properties, date_field)


def feature(layer: Layer, row: dict[str, Any], row_number: int) -> dict[str, Any]:
    """A GeoJSON Feature of a records row (as the engine shapes it) at ``row_number``."""
    geometry = None
    if layer.shape is not None:
        value = row.get(layer.shape)
        geometry = value.get("geometry") if isinstance(value, dict) else None
    elif layer.lat is not None and layer.lon is not None:
        lat, lon = row.get(layer.lat), row.get(layer.lon)
        if lat is not None and lon is not None:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
    properties = {name: row.get(name) for name in layer.properties}
    return {"type": "Feature", "id": row_number + 1, "geometry": geometry, "properties": properties}


@dataclass
class FeaturePage:
    features: list[dict[str, Any]]
    number_matched: int
    next_cursor: str | None


def read_features(
    engine: QueryEngine, layer: Layer, query: RecordsQuery, limit: int
) -> FeaturePage:
    """Up to ``limit`` features from ``query``'s first page (its offset or cursor), read in
    records pages of the engine's size, each after the previous one's keyset cursor. Raises
    QueryError for a bad filter or a page beyond the engine's offset window."""
    features: list[dict[str, Any]] = []
    page_query = replace(query, limit=min(limit, MAX_LIMIT))
    matched = None
    while True:
        page = engine.records(layer.version, page_query)
        matched = page.total_count if matched is None else matched
        numbers = page.row_numbers or []
        features.extend(feature(layer, r, n) for r, n in zip(page.results, numbers, strict=True))
        remaining = limit - len(features)
        if remaining <= 0 or page.next_cursor is None:
            return FeaturePage(features, matched, page.next_cursor)
        page_query = replace(
            query, offset=0, cursor=page.next_cursor, limit=min(remaining, MAX_LIMIT)
        )


def read_feature(engine: QueryEngine, layer: Layer, feature_id: int) -> dict[str, Any] | None:
    """The feature whose id is ``feature_id`` (its row number, from 1), None if none.

    Within the records window the row is a records page (kept in the answer cache); beyond
    it, the one row of a JSON lines export with the same offset (file order too)."""
    known = layer.version.row_count  # negative when unknown (a restricted view of it)
    if feature_id < 1 or 0 <= known < feature_id:
        return None
    position = feature_id - 1
    if position + 1 <= MAX_WINDOW:
        page = engine.records(layer.version, RecordsQuery(limit=1, offset=position))
        rows = page.results
    else:
        export = engine.export(layer.version, RecordsQuery(limit=1, offset=position), "jsonl")
        rows = [json.loads(line) for line in b"".join(export.chunks).splitlines() if line]
    return feature(layer, rows[0], position) if rows else None


def extent(engine: QueryEngine, layer: Layer) -> dict[str, Any]:
    """The collection's spatial extent (a WGS 84 bbox) and, with a date field, its temporal
    one; one aggregate query, answered from the answer cache after the first time."""
    select = f"bbox({render_name(layer.geometry)}) as box"
    if layer.date_field is not None:
        name = render_name(layer.date_field)
        select += f", min({name}) as first, max({name}) as last"
    (row,) = engine.records(layer.version, RecordsQuery(select=select, limit=1)).results
    result: dict[str, Any] = {}
    box = row.get("box")
    if isinstance(box, dict) and box.get("geometry"):
        ring = [point for polygon in _rings(box["geometry"]) for point in polygon]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        result["spatial"] = {"bbox": [[min(xs), min(ys), max(xs), max(ys)]], "crs": _CRS84}
    if layer.date_field is not None and (row.get("first") or row.get("last")):
        interval = [_instant(row.get("first")), _instant(row.get("last"))]
        result["temporal"] = {"interval": [interval], "trs": _GREGORIAN}
    return result


_CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """The coordinate rings of an envelope: a Polygon, or a Point/LineString when the
    envelope of the data is degenerate (one point, or points on a line)."""
    coordinates = geometry.get("coordinates") or []
    kind = geometry.get("type")
    if kind == "Point":
        return [[coordinates]]
    if kind == "LineString":
        return [coordinates]
    return list(coordinates)


def _instant(value: Any) -> str | None:
    """A date or date-time of the records API as RFC 3339 (UTC: how versions store them)."""
    if value is None:
        return None
    text = str(value)
    if "T" not in text:
        text += "T00:00:00"
    return text if text.endswith("Z") or "+" in text[10:] else text + "Z"
