"""GeoJSON: properties typed as JSON, the geometry kept, a point and a bounding box per row."""

from __future__ import annotations

import functools
import json

import duckdb
import pytest

from territoria.datastore.spatial import load_spatial
from tests.datastore.test_readers import read_error, read_source

METZ = {"type": "Point", "coordinates": [6.1757, 49.1193]}
# A concave polygon (a "C"): its centroid lies outside, in the notch.
NOTCHED = {
    "type": "Polygon",
    "coordinates": [[[0, 0], [3, 0], [3, 1], [1, 1], [1, 2], [3, 2], [3, 3], [0, 3], [0, 0]]],
}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
UNCLOSED = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}


def _feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _collection(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@functools.cache
def _spatial() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    load_spatial(con)  # about a second: once for the module
    return con


def _shapes(read) -> list[tuple[str | None, dict[str, float] | None]]:
    return (
        _spatial()
        .execute(
            "SELECT ST_AsText(geo_shape), _bbox FROM read_parquet(?)",
            [str(read.work_dir / "data.parquet")],
        )
        .fetchall()
    )


def test_feature_collection_properties_geometry_point_and_bbox(tmp_path):
    content = _collection(
        _feature({"nom": "Metz", "code": "57463", "pop": 120000, "maj": "2024-01-02"}, METZ),
        _feature({"nom": "C", "code": "00001", "pop": 1.5, "tags": ["a"]}, NOTCHED),
        _feature(None, None),
    )
    read = read_source(tmp_path, content, name="communes.json")
    schema = read.result.schema
    assert read.types == {
        "nom": "string", "code": "string", "pop": "number", "maj": "date", "tags": "array",
        "geo_shape": "geojson", "geo_point_2d": "geopoint",
    }  # fmt: skip
    assert schema["territoria:geo"] == {
        "shape": "geo_shape",
        "point": "geo_point_2d",
        "bbox": "_bbox",
    }
    assert "_bbox" not in read.fields
    assert schema["territoria:source"] == {"format": "geojson", "layout": "FeatureCollection"}
    assert "territoria:warnings" not in schema
    assert read.duckdb_types["geo_point_2d"] == "STRUCT(lat DOUBLE, lon DOUBLE)"
    assert (
        read.duckdb_types["_bbox"] == "STRUCT(xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE)"
    )
    points = read.column("geo_point_2d")
    assert points[0] == {"lat": 49.1193, "lon": 6.1757}  # (lat, lon), not GeoJSON's order
    assert points[2] is None
    # a point on the surface of a concave polygon, not its centroid in the notch
    assert not (1 < points[1]["lon"] < 3 and 1 < points[1]["lat"] < 2)
    assert 0 <= points[1]["lon"] <= 3 and 0 <= points[1]["lat"] <= 3
    shapes = _shapes(read)
    assert shapes[0] == (
        "POINT (6.1757 49.1193)",
        {"xmin": 6.1757, "ymin": 49.1193, "xmax": 6.1757, "ymax": 49.1193},
    )
    assert shapes[1][1] == {"xmin": 0.0, "ymin": 0.0, "xmax": 3.0, "ymax": 3.0}
    assert shapes[2] == (None, None)
    assert read.fields["geo_shape"]["territoria:facet"] is False
    assert read.fields["geo_point_2d"]["type"] == "geopoint"


@pytest.mark.parametrize(
    ("separator", "layout"), [(b"\n", "sequence"), (b"\x1e", "sequence")], ids=["lines", "rfc8142"]
)
def test_geojson_sequences_are_read(tmp_path, separator, layout):
    features = [_feature({"n": i}, {"type": "Point", "coordinates": [i, i]}) for i in range(3)]
    if separator == b"\x1e":
        content = b"".join(b"\x1e" + json.dumps(f).encode() + b"\n" for f in features)
    else:
        content = b"\n".join(json.dumps(f).encode() for f in features)
    read = read_source(tmp_path, content)
    assert read.column("n") == [0, 1, 2]
    assert read.source["layout"] == layout
    assert [p["lon"] for p in read.column("geo_point_2d")] == [0.0, 1.0, 2.0]


def test_one_feature_is_a_table_of_one_row(tmp_path):
    read = read_source(tmp_path, json.dumps(_feature({"nom": "Metz"}, METZ)).encode())
    assert read.rows[0][0] == "Metz"
    assert read.source["layout"] == "Feature"


def test_invalid_geometries_are_repaired_or_left_empty_and_counted(tmp_path):
    content = _collection(
        _feature({"n": 1}, METZ),
        _feature({"n": 2}, BOWTIE),
        _feature({"n": 3}, UNCLOSED),
        _feature({"n": 4}, {"type": "Point", "coordinates": ["a", "b"]}),
    )
    read = read_source(tmp_path, content)
    assert read.column("n") == [1, 2, 3, 4]  # every row kept
    shapes = [shape for shape, _ in _shapes(read)]
    assert shapes[0] == "POINT (6.1757 49.1193)"
    assert shapes[1].startswith("MULTIPOLYGON")  # the bow-tie split at its crossing
    assert shapes[2:] == [None, None]
    assert read.result.schema["territoria:warnings"] == [
        {
            "code": "geometry_repaired",
            "count": 1,
            "features": [2],
            "message": "1 invalid geometries repaired (ST_MakeValid)",
        },
        {
            "code": "geometry_invalid",
            "count": 2,
            "features": [3, 4],
            "message": "2 geometries unreadable or beyond repair: left empty",
        },
    ]


def test_file_where_no_geometry_is_usable_is_refused(tmp_path):
    content = _collection(_feature({"n": 1}, UNCLOSED), _feature({"n": 2}, UNCLOSED))
    assert str(read_error(tmp_path, content)) == (
        "no usable geometry: every feature's geometry is invalid"
    )


def test_projected_coordinates_are_refused(tmp_path):
    lambert = {"type": "Point", "coordinates": [930000.0, 6900000.0]}
    content = _collection(_feature({"n": 1}, lambert))
    message = str(read_error(tmp_path, content))
    assert message.startswith("coordinates outside longitude/latitude (x 930000 to 930000")
    assert "WGS 84 (RFC 7946)" in message


def test_property_named_like_a_geo_field_is_renamed(tmp_path):
    read = read_source(tmp_path, _collection(_feature({"geo_shape": "x", "_bbox": 1}, METZ)))
    assert list(read.fields) == ["geo_shape_2", "bbox", "geo_shape", "geo_point_2d"]


def test_empty_collection_and_other_json_types_are_refused(tmp_path):
    empty = b'{"type": "FeatureCollection", "features": []}'
    assert str(read_error(tmp_path, empty)) == "empty file: the GeoJSON holds no feature"
    geometry = b'{"type": "Feature", "x": 1}\n{"type": "Point", "coordinates": [1, 2]}'
    assert str(read_error(tmp_path, geometry)) == (
        "not GeoJSON: expected a FeatureCollection, a Feature or a sequence of Features"
        " (found type 'Point')"
    )
    assert str(read_error(tmp_path, b'{"type": "FeatureCollection", "features": [')).startswith(
        "invalid GeoJSON: "
    )


def test_features_without_any_geometry_are_kept_with_empty_geo_fields(tmp_path):
    read = read_source(tmp_path, json.dumps(_feature({"a": 1}, None)).encode())
    assert read.rows == [(1, None, None, None)]
    assert read.types == {"a": "integer", "geo_shape": "geojson", "geo_point_2d": "geopoint"}
    assert "territoria:warnings" not in read.result.schema
