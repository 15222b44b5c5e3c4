"""GeoJSON sources: a FeatureCollection, one Feature, or a sequence of Features (one per line,
or RFC 8142's records opened by RS), as one table with its geometry.

- Properties become fields as for JSON (``typed``: the types JSON gives them, nested values
  as JSON text, snake_case names).
- ``geo_shape`` (Table Schema type ``geojson``): the geometry, stored as DuckDB spatial
  GEOMETRY (WKB in the Parquet file, with GeoParquet metadata).
- ``geo_point_2d`` (type ``geopoint``): one point per row, stored as
  ``STRUCT(lat DOUBLE, lon DOUBLE)`` (the Explore API's ``{"lat", "lon"}``): a point on
  the surface for polygons (a commune's marker falls inside the commune, which its
  centroid need not), the centroid for points and lines.
- ``_bbox``: ``STRUCT(xmin, ymin, xmax, ymax DOUBLE)``, the row's bounding box for spatial
  filters on the Parquet statistics; a hidden column, not listed in the schema's fields.
- Schema key ``territoria:geo`` = ``{"shape": "geo_shape", "point": "geo_point_2d",
  "bbox": "_bbox"}``.

Invalid geometries (a self-crossing ring…) are repaired with ``ST_MakeValid``; one that
cannot be read or repaired leaves its row with a null geometry. Both are counted in
``territoria:warnings`` with their first feature numbers. A file where no geometry at all is
usable is refused, as are coordinates outside longitude/latitude: RFC 7946 GeoJSON is WGS 84,
and a file in Lambert-93 (old GeoJSON's ``crs`` member) would put France off the map.

A FeatureCollection is one JSON document, which DuckDB reads whole; producers of large layers
should send a GeoJSON sequence, which streams.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from territoria.datastore.errors import IngestError
from territoria.datastore.readers.connection import (
    open_connection,
    plain_path,
    sql_identifier,
    sql_string,
)
from territoria.datastore.readers.names import field_names
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.schema import Field, build_schema, count_values, typed_column
from territoria.datastore.readers.sniff import UTF8, UTF8_BOM, detect_encoding, transcode_to_utf8
from territoria.datastore.spatial import load_spatial

SHAPE, POINT, BBOX = "geo_shape", "geo_point_2d", "_bbox"
GEO_KEY = {"shape": SHAPE, "point": POINT, "bbox": BBOX}
WARNING_ROWS = 10  # feature numbers listed in a warning
_RAW_COLUMNS = (
    "{'type': 'VARCHAR', 'features': 'STRUCT(properties JSON, geometry JSON)[]',"
    " 'properties': 'JSON', 'geometry': 'JSON'}"
)
# Geometry status of a row, kept in the staging file.
_OK, _REPAIRED, _UNUSABLE = 0, 1, 2


def read_geojson(source: Path, dest: Path, *, work: Path) -> ReadResult:
    """Write the GeoJSON ``source`` to ``dest`` (see the module for the columns).

    Raises IngestError for malformed JSON, for JSON that is not GeoJSON features, when no
    geometry is usable, and for coordinates outside WGS 84.
    """
    text = _utf8_text(source, work)
    con = open_connection(work / "duckdb")
    try:
        layout = _normalise(con, text, work / "features.jsonl")
        load_spatial(con)  # about a second: not for a file refused before its geometries
        return _write(con, work / "features.jsonl", work / "staged.parquet", dest, layout)
    except duckdb.Error as error:
        raise IngestError(f"invalid GeoJSON: {_reason(error)}") from error
    finally:
        con.close()


def _utf8_text(source: Path, work: Path) -> Path:
    """The source as UTF-8 without RS separators (RFC 8142), readable by DuckDB."""
    with source.open("rb") as handle:
        head = handle.read(4096).lstrip(b" \t\r\n\xef\xbb\xbf")
    encoding = detect_encoding(source)
    if head.startswith(b"\x1e") or encoding not in (UTF8, UTF8_BOM):
        text = work / "source.utf8.geojson"
        if encoding not in (UTF8, UTF8_BOM):
            transcode_to_utf8(source, text, encoding)
            source = text.rename(work / "source.transcoded.geojson")
        with source.open("rb") as src, text.open("wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                out.write(block.replace(b"\x1e", b"\n"))
        return text
    return plain_path(source, work / "source.geojson")


def _normalise(con: duckdb.DuckDBPyConnection, text: Path, features: Path) -> str:
    """Write one line ``{"p": properties, "g": geometry}`` per feature; returns the layout."""
    raw = (
        f"read_json({sql_string(str(text))}, format = 'auto', columns = {_RAW_COLUMNS},"
        f" maximum_object_size = {max(text.stat().st_size + 1, 16 * 1024**2)})"
    )
    row = con.execute(
        "SELECT count(*) FILTER (WHERE type = 'FeatureCollection'),"
        " count(*) FILTER (WHERE type = 'Feature'), count(*),"
        f" any_value(type) FILTER (WHERE type NOT IN ('Feature', 'FeatureCollection'))"
        f" FROM {raw}"
    ).fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    collections, single, total, other = row
    if total and collections == total:
        layout = "FeatureCollection"
        query = (
            "SELECT f.properties AS p, f.geometry AS g"
            f" FROM (SELECT unnest(features) AS f FROM {raw})"
        )
    elif total and single == total:
        layout = "Feature" if total == 1 else "sequence"
        query = f"SELECT properties AS p, geometry AS g FROM {raw}"
    else:
        found = f" (found type {other!r})" if other else ""
        raise IngestError(
            "not GeoJSON: expected a FeatureCollection, a Feature or a sequence of Features" + found
        )
    written = con.execute(f"COPY ({query}) TO {sql_string(str(features))} (FORMAT json)").fetchone()
    if not written or not written[0]:
        raise IngestError("empty file: the GeoJSON holds no feature")
    return layout


def _write(
    con: duckdb.DuckDBPyConnection, features: Path, staged: Path, dest: Path, layout: str
) -> ReadResult:
    lines = f"read_json({sql_string(str(features))}, format = 'newline_delimited', " + "{})"
    # Properties typed over every feature, as the JSON reader does; geometries kept as JSON.
    described = con.execute(f"DESCRIBE SELECT p FROM {lines.format('sample_size = -1')}")
    p_type = str(described.fetchall()[0][1])
    has_properties = p_type.startswith("STRUCT(")
    relation = lines.format(f"columns = {{'p': {sql_string(p_type)}, 'g': 'JSON'}}")
    titles: list[str] = []
    stored: list[tuple[str, str, dict[str, Any]]] = []
    if has_properties:
        inner = con.execute(f"DESCRIBE SELECT unnest(p) FROM {relation}").fetchall()
        titles = [str(column[0]) for column in inner]
        stored = [
            typed_column(str(column[1]), f"p[{sql_string(title)}]", title)
            for column, title in zip(inner, titles, strict=True)
        ]
    names = field_names([SHAPE, POINT, *titles])[2:]  # snake_case names never start with _
    properties = "".join(
        f"{select} AS {sql_identifier(name)}, "
        for (_, select, _), name in zip(stored, names, strict=True)
    )
    _stage(con, relation, properties, staged)
    warnings, usable = _geometry_report(con, staged)
    if not usable:
        raise IngestError("no usable geometry: every feature's geometry is invalid")
    _check_wgs84(con, staged)
    row_count = _finish(con, staged, names, dest)
    target = sql_string(str(dest))
    counts = count_values(
        con, f"read_parquet({target})", [*names, SHAPE, POINT], [t for t, _, _ in stored] + ["", ""]
    )
    fields = [
        Field(name=name, title=title, type=type_, non_null=n, distinct=d, extra=extra)
        for name, title, (type_, _, extra), (n, d) in zip(
            names, titles, stored, counts[: len(names)], strict=True
        )
    ]
    fields.append(Field(SHAPE, SHAPE, "geojson", counts[-2][0], None))
    fields.append(Field(POINT, POINT, "geopoint", counts[-1][0], None))
    schema = build_schema(con, target, fields, {"format": "geojson", "layout": layout})
    schema["territoria:geo"] = dict(GEO_KEY)
    if warnings:
        schema["territoria:warnings"] = warnings
    return ReadResult(row_count=row_count, schema=schema, source_format="geojson")


def _stage(con: duckdb.DuckDBPyConnection, relation: str, properties: str, staged: Path) -> None:
    """Properties, the geometry read and repaired, and its status, in ``staged``."""
    con.execute(
        f"""COPY (
            SELECT {properties}
                CASE WHEN parsed IS NULL THEN NULL WHEN valid THEN parsed
                     WHEN repaired_ok THEN repaired END AS shape,
                CASE WHEN g_null OR valid THEN {_OK} WHEN repaired_ok THEN {_REPAIRED}
                     ELSE {_UNUSABLE} END AS status,
                g_null, row_number() OVER () AS feature
            FROM (
                SELECT *, repaired IS NOT NULL AND NOT ST_IsEmpty(repaired)
                          AND coalesce(TRY(ST_IsValid(repaired)), false) AS repaired_ok
                FROM (
                    SELECT *, CASE WHEN parsed IS NOT NULL AND NOT valid
                                   THEN TRY(ST_MakeValid(parsed)) END AS repaired
                    FROM (
                        SELECT *, coalesce(TRY(ST_IsValid(parsed)), false) AS valid
                        FROM (
                            SELECT p, g IS NULL OR json_type(g) = 'NULL' AS g_null,
                                   TRY(ST_GeomFromGeoJSON(g)) AS parsed
                            FROM {relation}
                        )
                    )
                )
            )
        ) TO {sql_string(str(staged))} (FORMAT parquet)"""
    )


def _geometry_report(
    con: duckdb.DuckDBPyConnection, staged: Path
) -> tuple[list[dict[str, Any]], bool]:
    """The warnings about repaired and unusable geometries, and whether any is usable."""
    relation = f"read_parquet({sql_string(str(staged))})"
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE status = {_REPAIRED}),
                   list(feature ORDER BY feature) FILTER (WHERE status = {_REPAIRED})
                       [1:{WARNING_ROWS}],
                   count(*) FILTER (WHERE status = {_UNUSABLE}),
                   list(feature ORDER BY feature) FILTER (WHERE status = {_UNUSABLE})
                       [1:{WARNING_ROWS}],
                   count(*) FILTER (WHERE NOT g_null), count(shape)
            FROM {relation}"""
    ).fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    repaired, repaired_rows, unusable, unusable_rows, with_geometry, usable = row
    warnings = []
    if repaired:
        warnings.append(
            {
                "code": "geometry_repaired",
                "count": repaired,
                "features": repaired_rows,
                "message": f"{repaired} invalid geometries repaired (ST_MakeValid)",
            }
        )
    if unusable:
        warnings.append(
            {
                "code": "geometry_invalid",
                "count": unusable,
                "features": unusable_rows,
                "message": f"{unusable} geometries unreadable or beyond repair: left empty",
            }
        )
    return warnings, usable > 0 or with_geometry == 0


def _staged(con: duckdb.DuckDBPyConnection, staged: Path) -> str:
    """The staged rows, ``shape`` a GEOMETRY (DuckDB reads a column of nulls only as BLOB:
    no GeoParquet metadata is written for it)."""
    relation = f"read_parquet({sql_string(str(staged))})"
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    if {str(row[0]): str(row[1]) for row in described}.get("shape") == "GEOMETRY":
        return relation
    return f"(SELECT * REPLACE (ST_GeomFromWKB(shape) AS shape) FROM {relation})"


def _check_wgs84(con: duckdb.DuckDBPyConnection, staged: Path) -> None:
    row = con.execute(
        "SELECT min(ST_XMin(shape)), max(ST_XMax(shape)), min(ST_YMin(shape)), max(ST_YMax(shape))"
        f" FROM {_staged(con, staged)}"
    ).fetchone()
    if row is None or row[0] is None:
        return
    xmin, xmax, ymin, ymax = row
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise IngestError(
            f"coordinates outside longitude/latitude (x {xmin:g} to {xmax:g}, y {ymin:g} to"
            f" {ymax:g}): GeoJSON must be in WGS 84 (RFC 7946), not a projection such as"
            " Lambert-93"
        )


def _finish(con: duckdb.DuckDBPyConnection, staged: Path, names: list[str], dest: Path) -> int:
    """Write the version: properties, ``geo_shape``, ``geo_point_2d``, ``_bbox``."""
    properties = "".join(f"{sql_identifier(name)}, " for name in names)
    row = con.execute(
        f"""COPY (
            SELECT {properties} shape AS {SHAPE},
                CASE WHEN point IS NOT NULL AND NOT ST_IsEmpty(point)
                     THEN struct_pack(lat := ST_Y(point), lon := ST_X(point)) END AS {POINT},
                CASE WHEN shape IS NOT NULL AND NOT ST_IsEmpty(shape)
                     THEN struct_pack(xmin := ST_XMin(shape), ymin := ST_YMin(shape),
                                      xmax := ST_XMax(shape), ymax := ST_YMax(shape))
                     END AS {BBOX}
            FROM (
                SELECT *, CASE WHEN shape IS NULL OR ST_IsEmpty(shape) THEN NULL
                               WHEN ST_Dimension(shape) = 2 THEN ST_PointOnSurface(shape)
                               ELSE ST_Centroid(shape) END AS point
                FROM {_staged(con, staged)}
            )
        ) TO {sql_string(str(dest))} (FORMAT parquet, COMPRESSION zstd)"""
    ).fetchone()
    return int(row[0]) if row else 0


def _reason(error: duckdb.Error) -> str:
    first = str(error).splitlines()[0]
    return first.split(": ", 1)[-1].strip(" .")
