"""Geo ODSQL: ``geom'…'`` literals, distances, the geo predicates and functions.

Opendatasoft's Explore v2.1 writes ``within_distance(geo_point_2d, geom'POINT(2.35 48.85)',
10km)``, ``in_bbox(geo_point_2d, lat1, lon1, lat2, lon2)``, ``intersects``, ``within`` and
``disjoint`` with a geometry; ``distance`` in select and ``envelope``/``bbox`` as aggregates.
Literals are read in Python (``geometry``: WKT or GeoJSON, longitude first, WGS 84), so
that a malformed one is a QueryError with its position, then travel as GeoJSON text in a
bound parameter to DuckDB's spatial extension (``ST_GeomFromGeoJSON``).

A version keeps its geometry as numeric ``lat``/``lon`` columns (CSV with coordinates; the
point is then named ``geo_point_2d`` in clauses) or as a GEOMETRY ``shape`` with its point
(STRUCT(lat, lon)) and a hidden per-row bounding box (STRUCT(xmin, ymin, xmax, ymax)).
Every predicate first tests plain numbers — the coordinates or that box — against the box
of the literal, which DuckDB evaluates (and prunes Parquet row groups with) far faster than
the exact geometric test that follows it. Distances are great-circle distances
(``ST_Distance_Sphere``, which takes points in (lat, lon) order).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from territoria.datastore.odsql import ast
from territoria.datastore.odsql.geometry import UNITS, bounds, parse_geometry
from territoria.datastore.odsql.sql import (
    VIRTUAL_POINT,
    Scope,
    Sql,
    Typed,
    quote_identifier,
)

GEO_PREDICATES = frozenset({"within_distance", "in_bbox", "intersects", "within", "disjoint"})
GEO_AGGREGATES = frozenset({"envelope", "bbox"})
MAX_GEO_CLUSTER_PRECISION = 20
METRES_PER_DEGREE = 111_320.0


# Targets: what a geo function is applied to -----------------------------------------------


@dataclass(frozen=True)
class Target:
    """A geo field as the predicates see it. ``lat``/``lon`` for points; ``box`` is the
    per-row bounding box STRUCT of a shape, when the version has one."""

    kind: str  # "point" or "shape"
    geometry: Sql  # a GEOMETRY, x = longitude
    lat: Sql | None = None
    lon: Sql | None = None
    box: Sql | None = None


def target(node: ast.Expr, scope: Scope, function: str) -> Target:
    """The geo field ``node`` names; QueryError if it is not one."""
    if not isinstance(node, ast.Field):
        raise scope.error(f"{function}() takes a geo field first", node)
    name = scope.resolve_field(node)
    geo = scope.context.geo
    kind = scope.fields.get(name) or scope.context.virtual_fields(scope.fields).get(name)
    if name == VIRTUAL_POINT and name not in scope.fields and geo is not None:
        assert geo.lat is not None and geo.lon is not None
        lat, lon = quote_identifier(geo.lat), quote_identifier(geo.lon)
        return Target("point", Sql.of("ST_Point({}, {})", lon, lat), lat, lon)
    column = quote_identifier(name)
    if kind == "geo_point":
        lat, lon = Sql.of("{}.lat", column), Sql.of("{}.lon", column)
        return Target("point", Sql.of("ST_Point({}, {})", lon, lat), lat, lon)
    if kind == "geo_shape":
        box = None
        if geo is not None and geo.bbox and geo.shape == name:
            box = quote_identifier(geo.bbox)
        return Target("shape", column, box=box)
    raise scope.error(f"{function}() takes a geo field first, '{name}' is not one", node)


def point_sql(value: Sql) -> Target:
    """A geo_point value (a STRUCT(lat, lon) expression) as a target."""
    lat, lon = Sql.of("({}).lat", value), Sql.of("({}).lon", value)
    return Target("point", Sql.of("ST_Point({}, {})", lon, lat), lat, lon)


def point_value(target: Target) -> Sql:
    """The STRUCT(lat, lon) a point shows as in results."""
    assert target.lat is not None and target.lon is not None
    return Sql.of("struct_pack(lat := {}, lon := {})", target.lat, target.lon)


# Predicates and functions ------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    sql: Sql
    box: tuple[float, float, float, float]
    geometry: dict[str, Any]


def literal(node: ast.Expr, scope: Scope, function: str) -> Literal:
    if not isinstance(node, ast.Geometry):
        raise scope.error(f"{function}() needs a geometry literal geom'…'", node)
    geometry = parse_geometry(node.text)  # checked by the parser: cannot fail here
    text = json.dumps(geometry, separators=(",", ":"))
    return Literal(Sql.of("ST_GeomFromGeoJSON({})", Sql.param(text)), bounds(geometry), geometry)


def _number(node: ast.Expr, scope: Scope, what: str) -> float:
    sign = 1.0
    while isinstance(node, ast.Negate):
        sign, node = -sign, node.operand
    if not isinstance(node, ast.Number):
        raise scope.error(f"{what} must be a number", node)
    return sign * float(node.value)


def _box_test(target: Target, box: tuple[float, float, float, float], inside: bool) -> Sql:
    """Plain-number pre-test: the target's box overlaps ``box`` (or lies ``inside`` it)."""
    xmin, ymin, xmax, ymax = (Sql.param(v) for v in box)
    if target.kind == "point":
        assert target.lat is not None and target.lon is not None
        return Sql.of(
            "({} BETWEEN {} AND {} AND {} BETWEEN {} AND {})",
            target.lon, xmin, xmax, target.lat, ymin, ymax,
        )  # fmt: skip
    if target.box is None:
        return Sql("TRUE")
    b = target.box
    if inside:
        return Sql.of(
            "({}.xmin >= {} AND {}.ymin >= {} AND {}.xmax <= {} AND {}.ymax <= {})",
            b, xmin, b, ymin, b, xmax, b, ymax,
        )  # fmt: skip
    return Sql.of(
        "({}.xmax >= {} AND {}.ymax >= {} AND {}.xmin <= {} AND {}.ymin <= {})",
        b, xmin, b, ymin, b, xmax, b, ymax,
    )  # fmt: skip


def _distance_to(target: Target, lat: float, lon: float) -> Sql:
    """Great-circle metres from the target to (lat, lon)."""
    centre = Sql.of("ST_Point({}, {})", Sql.param(lat), Sql.param(lon))
    if target.kind == "point":
        assert target.lat is not None and target.lon is not None
        return Sql.of("ST_Distance_Sphere(ST_Point({}, {}), {})", target.lat, target.lon, centre)
    nearest = Sql.of(
        "ST_FlipCoordinates(ST_StartPoint(ST_ShortestLine({}, ST_Point({}, {}))))",
        target.geometry,
        Sql.param(lon),
        Sql.param(lat),
    )
    return Sql.of("ST_Distance_Sphere({}, {})", nearest, centre)


def _centre(node: ast.Expr, scope: Scope, function: str) -> tuple[float, float]:
    found = literal(node, scope, function)
    if found.geometry["type"] != "Point":
        raise scope.error(f"{function}() measures from a POINT", node)
    lon, lat = found.geometry["coordinates"]
    return lat, lon


def _around(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """A box holding every point within ``metres`` of (lat, lon) (whole longitudes near a
    pole or across the antimeridian)."""
    dlat = metres / METRES_PER_DEGREE
    cos = math.cos(math.radians(lat))
    dlon = 180.0 if cos < 1e-6 else metres / (METRES_PER_DEGREE * cos)
    if lon - dlon < -180 or lon + dlon > 180:
        dlon = 360.0
    return (lon - dlon, max(lat - dlat, -90.0), lon + dlon, min(lat + dlat, 90.0))


def compile_geo_predicate(node: ast.Call, scope: Scope) -> Sql:
    name, args = node.name, node.args
    if name == "in_bbox":
        if len(args) != 5:
            raise scope.error("in_bbox() takes a geo field and lat1, lon1, lat2, lon2", node)
        found = target(args[0], scope, name)
        lat1, lon1, lat2, lon2 = (_number(a, scope, "in_bbox() bounds") for a in args[1:])
        box = (min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))
        if found.kind == "point":
            return _box_test(found, box, inside=True)
        envelope = Sql.of("ST_MakeEnvelope({}, {}, {}, {})", *(Sql.param(v) for v in box))
        exact = Sql.of("ST_Intersects({}, {})", found.geometry, envelope)
        return Sql.of("({} AND {})", _box_test(found, box, inside=False), exact)
    if name == "within_distance":
        if len(args) != 3:
            raise scope.error("within_distance() takes a geo field, a POINT and a distance", node)
        found = target(args[0], scope, name)
        lat, lon = _centre(args[1], scope, name)
        if not isinstance(args[2], ast.Distance):
            raise scope.error("within_distance() needs a distance such as 10km or 500m", args[2])
        metres = args[2].metres
        test = Sql.of("({} <= {})", _distance_to(found, lat, lon), Sql.param(metres))
        box = _around(lat, lon, metres)
        return Sql.of("({} AND {})", _box_test(found, box, inside=False), test)
    if len(args) != 2:
        raise scope.error(f"{name}() takes a geo field and a geometry geom'…'", node)
    found = target(args[0], scope, name)
    shape = literal(args[1], scope, name)
    if name == "disjoint":
        # Disjoint from a geometry is true far from its box, where ST_Disjoint needs no call.
        near = _box_test(found, shape.box, inside=False)
        exact = Sql.of("ST_Disjoint({}, {})", found.geometry, shape.sql)
        return Sql.of("(CASE WHEN {} THEN {} ELSE {} IS NOT NULL END)", near, exact, found.geometry)
    function = {"intersects": "ST_Intersects", "within": "ST_Within"}[name]
    exact = Sql.of(f"{function}({{}}, {{}})", found.geometry, shape.sql)
    pre = _box_test(found, shape.box, inside=name == "within")
    return Sql.of("({} AND {})", pre, exact)


def compile_distance(node: ast.Call, scope: Scope) -> Typed:
    """``distance(field, geom'POINT(…)'[, unit])``: metres, or the unit given (km, mi…)."""
    if len(node.args) not in (2, 3):
        raise scope.error("distance() takes a geo field, a POINT and an optional unit", node)
    found = target(node.args[0], scope, "distance")
    lat, lon = _centre(node.args[1], scope, "distance")
    metres = _distance_to(found, lat, lon)
    if len(node.args) == 3:
        unit = node.args[2]
        text = unit.value if isinstance(unit, ast.String) else getattr(unit, "name", "")
        if text not in UNITS:
            raise scope.error(f"distance() unit must be one of {', '.join(UNITS)}", unit)
        metres = Sql.of("({} / {})", metres, Sql.param(UNITS[text]))
    return Typed(metres, "number")


def compile_envelope(node: ast.Call, scope: Scope) -> Typed:
    """``envelope(field)`` (alias ``bbox``): the rectangle holding every geometry, a polygon."""
    if len(node.args) != 1:
        raise scope.error(f"{node.name}() takes one geo field", node)
    found = target(node.args[0], scope.rows(), node.name)
    if found.kind == "shape":
        return Typed(Sql.of("ST_Extent_Agg({})", found.geometry), "geo_shape")
    assert found.lat is not None and found.lon is not None
    sql = Sql.of(
        "CASE WHEN count({}) = 0 THEN NULL"
        " ELSE ST_MakeEnvelope(min({}), min({}), max({}), max({})) END",
        found.lat, found.lon, found.lat, found.lon, found.lat,
    )  # fmt: skip
    return Typed(sql, "geo_shape")


def geo_cluster_key(node: ast.Call, scope: Scope) -> tuple[Typed, Typed]:
    """``geo_cluster(field, precision)`` in group_by: points gathered in a grid of cells
    180/2^precision degrees wide. The key is the cell; the results show the centre of its
    points (their mean) as a point."""
    if len(node.args) != 2:
        raise scope.error("geo_cluster() takes a geo field and a precision", node)
    found = target(node.args[0], scope, "geo_cluster")
    precision = _number(node.args[1], scope, "geo_cluster() precision")
    if precision != int(precision) or not 1 <= precision <= MAX_GEO_CLUSTER_PRECISION:
        raise scope.error(
            f"geo_cluster() precision must be an integer from 1 to {MAX_GEO_CLUSTER_PRECISION}",
            node.args[1],
        )
    if found.kind == "shape":
        centroid = Sql.of("ST_Centroid({})", found.geometry)
        found = Target(
            "point", centroid, Sql.of("ST_Y({})", centroid), Sql.of("ST_X({})", centroid)
        )
    assert found.lat is not None and found.lon is not None
    size = Sql.param(180.0 / 2 ** int(precision))
    key = Sql.of(
        "(CAST(floor(({} + 90) / {}) AS BIGINT) * 10000000"
        " + CAST(floor(({} + 180) / {}) AS BIGINT))",
        found.lat, size, found.lon, size,
    )  # fmt: skip
    centre = Sql.of(
        "CASE WHEN count({}) = 0 THEN NULL ELSE struct_pack(lat := avg({}), lon := avg({})) END",
        found.lat, found.lat, found.lon,
    )  # fmt: skip
    return Typed(key, "integer"), Typed(centre, "geo_point")
