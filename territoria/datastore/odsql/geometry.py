"""Geometry literals of ODSQL, read in Python: WKT or GeoJSON, and distances such as ``10km``.

``geom'POINT(2.35 48.85)'`` or ``geom'{"type": "Polygon", …}'`` (a geometry or a Feature),
2D, WGS 84, longitude first. A literal that is not one is a GeometryError saying why, which
the parser turns into a QueryError with its position: DuckDB never sees text we did not
read. ``bounds`` gives the box the geo predicates prune with.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

# Metres per unit, as Opendatasoft accepts them after a distance (``10km``, ``500m``).
UNITS = {
    "mm": 0.001,
    "cm": 0.01,
    "m": 1.0,
    "km": 1000.0,
    "mi": 1609.344,
    "yd": 0.9144,
    "ft": 0.3048,
}
DISTANCE_RE = re.compile(r"(\d+(?:\.\d+)?)(mm|cm|km|mi|yd|ft|m)", re.ASCII)
# A literal's size: a polygon typed in a URL, not a country's coastline.
MAX_POSITIONS = 5_000

_WKT_TOKEN = re.compile(r"\s*(?:([A-Za-z]+)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|([(),]))")
_SHAPES = {
    "point": "Point",
    "linestring": "LineString",
    "polygon": "Polygon",
    "multipoint": "MultiPoint",
    "multilinestring": "MultiLineString",
    "multipolygon": "MultiPolygon",
    "geometrycollection": "GeometryCollection",
}


class GeometryError(ValueError):
    """A geometry literal that cannot be read; the message says why."""


def parse_distance(text: str) -> float | None:
    """Metres of ``10km``, ``2.5mi``…; None if ``text`` is not a distance."""
    match = DISTANCE_RE.fullmatch(text)
    if match is None:
        return None
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_geometry(text: str) -> dict[str, Any]:
    """The GeoJSON geometry of a WKT or GeoJSON text; GeometryError if it is not one."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except (ValueError, RecursionError):
            raise GeometryError("not valid GeoJSON") from None
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        geometry = _checked_geojson(data, 0)
    else:
        geometry = _Wkt(stripped).geometry()
    if _count_positions(geometry) > MAX_POSITIONS:
        raise GeometryError(f"more than {MAX_POSITIONS} positions")
    return geometry


def _checked_geojson(data: Any, level: int) -> dict[str, Any]:
    if level > 3 or not isinstance(data, dict) or data.get("type") not in _SHAPES.values():
        raise GeometryError("expected a GeoJSON geometry (Point, Polygon…)")
    kind = data["type"]
    if kind == "GeometryCollection":
        parts = data.get("geometries")
        if not isinstance(parts, list) or not parts:
            raise GeometryError("a GeometryCollection needs geometries")
        return {"type": kind, "geometries": [_checked_geojson(p, level + 1) for p in parts]}
    depth = {"Point": 0, "LineString": 1, "MultiPoint": 1, "Polygon": 2, "MultiLineString": 2}
    coordinates = _checked_coordinates(data.get("coordinates"), depth.get(kind, 3))
    geometry = {"type": kind, "coordinates": coordinates}
    _check_shape(geometry)
    return geometry


def _checked_coordinates(value: Any, depth: int) -> Any:
    if depth == 0:
        if (
            not isinstance(value, list)
            or len(value) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            raise GeometryError("a position is [longitude, latitude]")
        return _position(float(value[0]), float(value[1]))
    if not isinstance(value, list) or not value:
        raise GeometryError("empty coordinates")
    return [_checked_coordinates(item, depth - 1) for item in value]


def _position(lon: float, lat: float) -> list[float]:
    if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
        raise GeometryError(
            f"position ({lon:g} {lat:g}) is not a longitude and a latitude in degrees"
        )
    return [lon, lat]


def _check_shape(geometry: dict[str, Any]) -> None:
    kind, coordinates = geometry["type"], geometry["coordinates"]
    lines: list[Any] = []
    rings: list[Any] = []
    if kind == "LineString":
        lines = [coordinates]
    elif kind == "MultiLineString":
        lines = coordinates
    elif kind == "Polygon":
        rings = coordinates
    elif kind == "MultiPolygon":
        rings = [ring for polygon in coordinates for ring in polygon]
    if any(len(line) < 2 for line in lines):
        raise GeometryError("a line needs at least two positions")
    for ring in rings:
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise GeometryError(
                "a polygon ring needs four positions or more, the last one equal to the first"
            )


def _count_positions(geometry: dict[str, Any]) -> int:
    if geometry["type"] == "GeometryCollection":
        return sum(_count_positions(part) for part in geometry["geometries"])
    return len(list(_positions(geometry["coordinates"])))


def _positions(coordinates: Any) -> Any:
    if coordinates and isinstance(coordinates[0], float):
        yield coordinates
        return
    for item in coordinates:
        yield from _positions(item)


def bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of a checked geometry."""
    if geometry["type"] == "GeometryCollection":
        boxes = [bounds(part) for part in geometry["geometries"]]
    else:
        boxes = [(x, y, x, y) for x, y in _positions(geometry["coordinates"])]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


class _Wkt:
    """Well-known text, 2D (a Z value is read and dropped), e.g. ``POINT(2.35 48.85)``."""

    def __init__(self, text: str):
        self.tokens: list[str] = []
        pos = 0
        while pos < len(text):
            match = _WKT_TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                if text[pos:].strip() == "":
                    break
                raise GeometryError(f"unexpected {text[pos]!r} in WKT")
            self.tokens.append(next(g for g in match.groups() if g is not None))
            pos = match.end()
        self.index = 0

    def peek(self) -> str:
        return self.tokens[self.index] if self.index < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if expected is not None and token != expected:
            raise GeometryError(f"expected {expected!r} in WKT, got {token or 'the end'!r}")
        self.index += 1
        return token

    def geometry(self) -> dict[str, Any]:
        result = self.tagged(0)
        if self.index != len(self.tokens):
            raise GeometryError(f"unexpected {self.peek()!r} after the geometry")
        if result["type"] != "GeometryCollection":
            _check_shape(result)
        return result

    def tagged(self, level: int) -> dict[str, Any]:
        word = self.take().lower()
        if word not in _SHAPES or level > 3:
            raise GeometryError("expected POINT, LINESTRING, POLYGON, MULTI… or GEOMETRYCOLLECTION")
        if self.peek().lower() in ("z", "m", "zm"):
            self.take()
        kind = _SHAPES[word]
        if kind == "GeometryCollection":
            parts = self.listed(lambda: self.tagged(level + 1))
            for part in parts:
                if part["type"] != "GeometryCollection":
                    _check_shape(part)
            return {"type": kind, "geometries": parts}
        depth = {"Point": 0, "LineString": 1, "MultiPoint": 1, "Polygon": 2, "MultiLineString": 2}
        wanted = depth.get(kind, 3)
        if kind == "Point":
            self.take("(")
            coordinates: Any = self.position()
            self.take(")")
        elif kind == "MultiPoint":
            coordinates = self.listed(self.multipoint_member)
        else:
            coordinates = self.nested(wanted)
        return {"type": kind, "coordinates": coordinates}

    def multipoint_member(self) -> list[float]:
        if self.peek() == "(":
            self.take("(")
            position = self.position()
            self.take(")")
            return position
        return self.position()

    def nested(self, depth: int) -> Any:
        if depth == 1:
            return self.listed(self.position)
        return self.listed(lambda: self.nested(depth - 1))

    def listed(self, item: Callable[[], Any]) -> list[Any]:
        self.take("(")
        items = [item()]
        while self.peek() == ",":
            self.take(",")
            items.append(item())
        self.take(")")
        return items

    def position(self) -> list[float]:
        numbers = []
        while self.peek() not in ("", ",", ")", "(") and not self.peek().isalpha():
            numbers.append(float(self.take()))
        if len(numbers) not in (2, 3):
            raise GeometryError("a WKT position is 'longitude latitude'")
        return _position(numbers[0], numbers[1])
