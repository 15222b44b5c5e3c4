"""Geometry literals and distances: read in Python, written back, refused with a reason."""

import pytest

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql import ast
from territoria.datastore.odsql.geometry import GeometryError, bounds, parse_geometry
from territoria.datastore.odsql.parser import parse_where
from territoria.datastore.odsql.render import render


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("POINT(2.35 48.85)", {"type": "Point", "coordinates": [2.35, 48.85]}),
        ("point z (2.35 48.85 35)", {"type": "Point", "coordinates": [2.35, 48.85]}),
        ("MULTIPOINT((1 2), 3 4)", {"type": "MultiPoint", "coordinates": [[1.0, 2.0], [3.0, 4.0]]}),
        (
            "LINESTRING(0 0, 1 1, -1.5e1 2)",
            {"type": "LineString", "coordinates": [[0.0, 0.0], [1.0, 1.0], [-15.0, 2.0]]},
        ),
        (
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}',
            {"type": "Point", "coordinates": [1.0, 2.0]},
        ),
    ],
)
def test_wkt_and_geojson_read_to_the_same_geojson(text, expected):
    assert parse_geometry(text) == expected


def test_collections_and_multipolygons_have_a_box():
    text = (
        "GEOMETRYCOLLECTION(POINT(7 48), "
        "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5))))"
    )
    assert bounds(parse_geometry(text)) == (0.0, 0.0, 7.0, 48.0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "POINT",
        "POINT()",
        "POINT(1 2",
        "POINT(1 2) extra",
        "CIRCLE(1 2)",
        "POLYGON((0 0, 1 1, 0 0))",
        "LINESTRING(1 1)",
        "POINT(1 95)",
        "POINT(nan 1)",
        "{not json",
        '{"type": "Point", "coordinates": [1, true]}',
        '{"type": "GeometryCollection", "geometries": []}',
        "POINT(1 2); DROP TABLE x",
        "MULTIPOINT(" + ", ".join(["1 1"] * 6000) + ")",
    ],
)
def test_malformed_geometries_are_refused(text):
    with pytest.raises(GeometryError):
        parse_geometry(text)


def test_geometry_and_distance_literals_round_trip_through_the_parser():
    tree = parse_where("within_distance(geo_point_2d, geom'POINT(1 2)', 2.5km)")
    assert tree == ast.Call(
        "within_distance",
        (ast.Field("geo_point_2d"), ast.Geometry("POINT(1 2)"), ast.Distance("2.5km")),
    )
    assert tree.args[2].metres == 2500
    assert parse_where(render(tree)) == tree
    quoted = parse_where('intersects(g, geom\'{"type":"Point","coordinates":[1,2]}\')')
    assert parse_where(render(quoted)) == quoted


def test_a_name_starting_with_a_distance_stays_a_name():
    assert parse_where("10km_zone = 1") == ast.Compare("=", ast.Field("10km_zone"), ast.Number("1"))


def test_a_bad_literal_is_a_query_error_at_its_position():
    with pytest.raises(QueryError) as caught:
        parse_where("a = 1 and within(g, geom'POINT(1)')")
    assert caught.value.position == 20
    assert "invalid geometry" in caught.value.message
