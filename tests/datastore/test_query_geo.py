"""Geo ODSQL on real versions: lat/lon columns and GeoJSON shapes with their hidden box."""

import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from territoria.datastore.errors import QueryError
from territoria.datastore.query import QueryEngine, RecordsQuery
from territoria.datastore.spatial import load_spatial
from territoria.datastore.versions import VersionInfo, VersionStore
from tests.datastore.test_query_records import write_version

STRASBOURG_SQUARE = "POLYGON((7.68 48.53, 7.83 48.53, 7.83 48.63, 7.68 48.63, 7.68 48.53))"
AROUND_STRASBOURG = "POLYGON((7 48, 8 48, 8 49, 7 49, 7 48))"
AROUND_METZ = "POLYGON((6 49, 7 49, 7 50, 6 50, 6 49))"


def points_version(directory: Path) -> VersionInfo:
    """Stations with latitude and longitude columns, as a CSV ingestion finds them."""
    schema = {
        "fields": [
            {"name": "name", "type": "string"},
            {"name": "latitude", "type": "number"},
            {"name": "longitude", "type": "number"},
            {"name": "n", "type": "integer"},
        ],
        "territoria:geo": {"lat": "latitude", "lon": "longitude"},
    }
    rows = """('metz', 49.1193, 6.1757, 5), ('strasbourg', 48.5734, 7.7521, 15),
              ('paris', 48.8566, 2.3522, 27), ('nowhere', NULL, NULL, NULL)"""
    select = f"SELECT * FROM (VALUES {rows}) t(name, latitude, longitude, n)"
    return write_version(directory, select, schema)


def shapes_version(directory: Path) -> VersionInfo:
    """A GeoJSON version: a GEOMETRY shape, its point, and the hidden per-row box."""
    parquet = directory / "versions" / "g1" / "data.parquet"
    parquet.parent.mkdir(parents=True)
    connection = duckdb.connect()
    load_spatial(connection)
    connection.execute(
        f"""COPY (
            SELECT name, g AS geo_shape,
                   struct_pack(lat := ST_Y(ST_Centroid(g)), lon := ST_X(ST_Centroid(g)))
                       AS geo_point_2d,
                   struct_pack(xmin := ST_XMin(g), ymin := ST_YMin(g),
                               xmax := ST_XMax(g), ymax := ST_YMax(g)) AS _bbox
            FROM (VALUES ('metz', ST_Point(6.1757, 49.1193)),
                         ('strasbourg', ST_GeomFromText('{STRASBOURG_SQUARE}')),
                         ('nowhere', NULL::GEOMETRY)) t(name, g)
        ) TO '{parquet}' (FORMAT parquet)"""
    )
    connection.close()
    schema = {
        "fields": [
            {"name": "name", "type": "string"},
            {"name": "geo_shape", "type": "geojson"},
            {"name": "geo_point_2d", "type": "geopoint"},
        ],
        "territoria:geo": {"shape": "geo_shape", "point": "geo_point_2d", "bbox": "_bbox"},
    }
    return VersionInfo(
        key="g1",
        parquet=parquet,
        row_count=3,
        byte_size=0,
        checksum="x",
        source="t",
        source_format="geojson",
        schema=schema,
    )


@pytest.fixture(scope="module")
def points(tmp_path_factory) -> VersionInfo:
    return points_version(tmp_path_factory.mktemp("points"))


@pytest.fixture(scope="module")
def shapes(tmp_path_factory) -> VersionInfo:
    return shapes_version(tmp_path_factory.mktemp("shapes"))


@pytest.fixture
def engine() -> QueryEngine:
    return QueryEngine(timeout=30)


def names(engine: QueryEngine, version: VersionInfo, where: str) -> list[str]:
    page = engine.records(version, RecordsQuery(where=(where,), select="name", limit=100))
    return [row["name"] for row in page.results]


def rows(engine: QueryEngine, version: VersionInfo, **query: Any) -> list[dict[str, Any]]:
    return engine.records(version, RecordsQuery(limit=100, **query)).results


def test_within_distance_keeps_the_points_closer_than_the_distance(engine, points):
    near_metz = "geom'POINT(6.2 49.1)'"
    assert names(engine, points, f"within_distance(geo_point_2d, {near_metz}, 10km)") == ["metz"]
    assert names(engine, points, f"within_distance(geo_point_2d, {near_metz}, 2000m)") == []
    found = names(engine, points, f"within_distance(geo_point_2d, {near_metz}, 130km)")
    assert found == ["metz", "strasbourg"]  # Metz–Strasbourg is about 128 km


def test_distance_in_select_measures_great_circle_distances(engine, points):
    results = rows(
        engine,
        points,
        select="name, distance(geo_point_2d, geom'POINT(6.1757 49.1193)', 'km') AS km",
        where=("n > 10",),
        order_by="km",
    )
    assert [r["name"] for r in results] == ["strasbourg", "paris"]
    assert 125 < results[0]["km"] < 131 and 275 < results[1]["km"] < 290


def test_in_bbox_takes_two_corners_in_latitude_longitude_order(engine, points):
    assert names(engine, points, "in_bbox(geo_point_2d, 48, 2, 49, 8)") == ["strasbourg", "paris"]
    assert names(engine, points, "in_bbox(geo_point_2d, 49, 8, 48, 2)") == ["strasbourg", "paris"]


def test_wkt_and_geojson_literals_are_the_same_geometry(engine, points):
    geojson = json.dumps(
        {"type": "Polygon", "coordinates": [[[6, 49], [7, 49], [7, 50], [6, 50], [6, 49]]]}
    )
    assert names(engine, points, f"intersects(geo_point_2d, geom'{geojson}')") == ["metz"]
    assert names(engine, points, f"intersects(geo_point_2d, geom'{AROUND_METZ}')") == ["metz"]
    assert names(engine, points, f"within(geo_point_2d, geom'{AROUND_METZ}')") == ["metz"]
    # Disjoint keeps the points away from the polygon, not the rows without a point.
    assert names(engine, points, f"disjoint(geo_point_2d, geom'{AROUND_METZ}')") == [
        "strasbourg",
        "paris",
    ]


def test_points_show_as_lat_lon_and_their_envelope_as_a_polygon(engine, points):
    first = rows(engine, points, select="name, geo_point_2d", where=("n = 5",))
    assert first == [{"name": "metz", "geo_point_2d": {"lat": 49.1193, "lon": 6.1757}}]
    (envelope,) = rows(engine, points, select="envelope(geo_point_2d) AS box, count(*) AS n")
    assert envelope["n"] == 4
    assert envelope["box"]["geometry"]["coordinates"][0][:3] == [
        [2.3522, 48.5734],
        [2.3522, 49.1193],
        [7.7521, 49.1193],
    ]


def test_geo_cluster_groups_points_by_cell_and_shows_their_centre(engine, points):
    results = rows(
        engine, points, group_by="geo_cluster(geo_point_2d, 2) AS c", select="count(*) AS n"
    )
    # 45-degree cells: the three French cities fall in one; the row without a point apart.
    assert results[0]["n"] == 3
    assert results[0]["c"]["lat"] == pytest.approx((49.1193 + 48.5734 + 48.8566) / 3)
    assert results[1] == {"c": None, "n": 1}


def test_shapes_are_filtered_by_their_box_then_exactly(engine, shapes):
    assert names(engine, shapes, f"intersects(geo_shape, geom'{AROUND_STRASBOURG}')") == [
        "strasbourg"
    ]
    # The square's edge is 6 km from this point: the distance is to the shape, not its centre.
    assert names(engine, shapes, "within_distance(geo_shape, geom'POINT(7.6 48.6)', 7km)") == [
        "strasbourg"
    ]
    assert names(engine, shapes, "within_distance(geo_shape, geom'POINT(7.6 48.6)', 5km)") == []
    assert names(engine, shapes, "in_bbox(geo_shape, 48.6, 7.7, 49.2, 7.8)") == ["strasbourg"]
    assert names(engine, shapes, "within_distance(geo_point_2d, geom'POINT(6.2 49.1)', 5km)") == [
        "metz"
    ]


def test_shapes_show_as_features_and_the_hidden_box_never_shows(engine, shapes):
    (metz,) = rows(engine, shapes, where=("name = 'metz'",))
    assert metz == {
        "name": "metz",
        "geo_shape": {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [6.1757, 49.1193]},
            "properties": {},
        },
        "geo_point_2d": {"lat": 49.1193, "lon": 6.1757},
    }
    with pytest.raises(QueryError) as caught:
        engine.records(shapes, RecordsQuery(select="_bbox"))
    assert caught.value.field == "_bbox"
    for fmt in ("csv", "json", "jsonl", "geojson", "parquet", "xlsx"):
        data = b"".join(engine.export(shapes, RecordsQuery(limit=None), fmt).chunks)
        assert b"_bbox" not in data and b"xmin" not in data, fmt


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("within(geo_point_2d, geom'POLYGON((6 49, 7 49, 7 50, 6 50))')", "ring"),
        ("within(geo_point_2d, geom'POINT(1)')", "longitude latitude"),
        ("within(geo_point_2d, geom'POINT(200 1)')", "not a longitude"),
        ('within(geo_point_2d, geom\'{"type": "Circle"}\')', "GeoJSON geometry"),
        ("latitude = geom'POINT(1 1)'", "only allowed in a geo function"),
        ("within_distance(name, geom'POINT(1 1)', 1km)", "not one"),
        ("within_distance(geo_point_2d, geom'POINT(1 1)', 10)", "distance such as"),
        ("within_distance(geo_point_2d, geom'LINESTRING(1 1, 2 2)', 1km)", "POINT"),
        ("in_bbox(geo_point_2d, 1, 2, 3)", "lat1, lon1, lat2, lon2"),
        ("geo_point_2d = 1", "cannot compare"),
    ],
)
def test_malformed_geo_clauses_are_refused_naming_the_fault(engine, points, where, message):
    with pytest.raises(QueryError) as caught:
        engine.records(points, RecordsQuery(where=(where,)))
    assert caught.value.param == "where"
    assert message in caught.value.message
    assert caught.value.position is not None


def test_geojson_export_uses_the_shape_or_the_point_as_geometry(engine, shapes, points):
    data = json.loads(b"".join(engine.export(shapes, RecordsQuery(limit=None), "geojson").chunks))
    assert data["type"] == "FeatureCollection"
    assert [f["geometry"]["type"] if f["geometry"] else None for f in data["features"]] == [
        "Point",
        "Polygon",
        None,
    ]
    assert data["features"][0]["properties"]["name"] == "metz"
    query = RecordsQuery(select="name", where=("n = 5",), limit=None)
    data = json.loads(b"".join(engine.export(points, query, "geojson").chunks))
    assert data["features"] == [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [6.1757, 49.1193]},
            "properties": {"name": "metz"},
        }
    ]


def test_xlsx_export_is_a_workbook_with_real_numbers(engine, points):
    data = b"".join(engine.export(points, RecordsQuery(limit=None), "xlsx").chunks)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["name", "latitude", "longitude", "n"]
    assert sheet[1] == ["metz", 49.1193, 6.1757, 5]
    assert len(sheet) == 5


def test_geojson_export_without_geometry_has_unlocated_features(engine, points):
    query = RecordsQuery(select="count(*) AS n", limit=None)
    data = json.loads(b"".join(engine.export(points, query, "geojson").chunks))
    assert data["features"] == [{"type": "Feature", "geometry": None, "properties": {"n": 4}}]


def test_an_ingested_geojson_file_answers_geo_queries(engine, tmp_path):
    square = [[[7.68, 48.53], [7.83, 48.53], [7.83, 48.63], [7.68, 48.63], [7.68, 48.53]]]
    features = [
        {"type": "Feature", "properties": {"nom": nom}, "geometry": geometry}
        for nom, geometry in (
            ("Strasbourg", {"type": "Polygon", "coordinates": square}),
            ("Metz", {"type": "Point", "coordinates": [6.1757, 49.1193]}),
        )
    ]
    source = tmp_path / "communes.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    version = VersionStore(tmp_path / "store").stage(source)
    inside = RecordsQuery(where=("intersects(geo_shape, geom'POINT(7.75 48.58)')",), select="nom")
    assert engine.records(version, inside).results == [{"nom": "Strasbourg"}]
    found = engine.records(
        version,
        RecordsQuery(where=("within_distance(geo_point_2d, geom'POINT(6.2 49.1)', 5km)",)),
    )
    assert [row["nom"] for row in found.results] == ["Metz"]
    assert set(found.results[0]) == {"nom", "geo_shape", "geo_point_2d"}
