"""The Table Schema of a version: fields, which of them make facets, where the points are.

Keys beyond the Table Schema standard are prefixed ``territoria:``:

- on a field: ``territoria:facet`` (bool, worth a facet in the portal and the API),
  ``territoria:distinct`` (approximate count of distinct values; with
  ``territoria:distinctAtLeast``, a count over some rows only, when these already hold more
  values than a facet lists), ``territoria:timezone`` (``"UTC"`` when datetimes were
  written with an offset and stored as UTC instants);
- on the schema: ``territoria:source`` (how the file was read: ``format``, and for text
  ``encoding``, ``delimiter``, ``decimal``; ``compression`` and ``member`` for gzip and ZIP;
  ``sheet`` and ``sheets`` for workbooks; ``layout`` for GeoJSON), ``territoria:geo``
  (``{"lat": name, "lon": name}`` for point columns; for GeoJSON ``{"shape": "geo_shape",
  "point": "geo_point_2d", "bbox": "_bbox"}``, see ``geojson``), ``territoria:warnings``
  (what was read but deserves the producer's eye: a list of ``{"code", "count", "message"}``,
  e.g. ``merged_cells``, ``geometry_repaired``, ``geometry_invalid`` with ``features``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from territoria.datastore.errors import IngestError
from territoria.datastore.readers.connection import sql_identifier

# A facet lists values to refine on; past a thousand it is a search box, not a facet.
FACET_MAX_DISTINCT = 1000
LATITUDE_NAMES = (
    "lat", "latitude", "y_wgs84", "lat_wgs84", "latitude_wgs84", "wgs84_lat",
    "stop_lat", "shape_pt_lat",  # GTFS
)  # fmt: skip
LONGITUDE_NAMES = (
    "lon", "lng", "long", "longitude", "x_wgs84", "lon_wgs84", "long_wgs84", "longitude_wgs84",
    "wgs84_lon", "stop_lon", "shape_pt_lon",
)  # fmt: skip
NUMERIC_TYPES = ("integer", "number")
FACET_TYPES = ("string", "boolean", "date")


@dataclass(frozen=True)
class Field:
    """One column of the version as the schema describes it."""

    name: str
    title: str
    type: str
    non_null: int
    distinct: int | None  # approximate; counted for the types that may facet
    extra: dict[str, Any] = field(default_factory=dict)  # format, decimalChar, timezone…
    distinct_at_least: bool = False  # ``distinct`` is a lower bound (more than a facet lists)

    def descriptor(self) -> dict[str, Any]:
        descriptor = {
            "name": self.name,
            "title": self.title,
            "type": self.type,
            **self.extra,
            "territoria:facet": is_facet(self.type, self.non_null, self.distinct),
        }
        if self.distinct is not None:
            descriptor["territoria:distinct"] = self.distinct
        if self.distinct_at_least:
            descriptor["territoria:distinctAtLeast"] = True
        return descriptor


def is_facet(type_: str, non_null: int, distinct: int | None) -> bool:
    """Dates always facet (by year, month…); strings and booleans when few distinct values."""
    if type_ == "date":
        return non_null > 0
    if type_ not in FACET_TYPES or distinct is None:
        return False
    return non_null > 0 and distinct <= FACET_MAX_DISTINCT


def build_schema(
    con: duckdb.DuckDBPyConnection, dest: str, fields: Sequence[Field], source: dict[str, Any]
) -> dict[str, Any]:
    """The Table Schema of the Parquet file ``dest`` (a SQL string literal)."""
    schema: dict[str, Any] = {
        "fields": [f.descriptor() for f in fields],
        "territoria:source": source,
    }
    geo = find_geo(con, dest, fields)
    if geo:
        schema["territoria:geo"] = geo
    return schema


def find_geo(
    con: duckdb.DuckDBPyConnection, dest: str, fields: Sequence[Field]
) -> dict[str, str] | None:
    """The latitude and longitude columns: numeric, named so, every value in range."""
    numeric = {f.name for f in fields if f.type in NUMERIC_TYPES and f.non_null > 0}
    lat = next((name for name in LATITUDE_NAMES if name in numeric), None)
    lon = next((name for name in LONGITUDE_NAMES if name in numeric), None)
    if lat is None or lon is None:
        return None
    la, lo = sql_identifier(lat), sql_identifier(lon)
    row = con.execute(
        f"SELECT min({la}), max({la}), min({lo}), max({lo}) FROM read_parquet({dest})"
    ).fetchone()
    if row is None or any(value is None for value in row):
        return None
    lat_min, lat_max, lon_min, lon_max = row
    if -90 <= lat_min <= lat_max <= 90 and -180 <= lon_min <= lon_max <= 180:
        return {"lat": lat, "lon": lon}
    return None


def count_values(
    con: duckdb.DuckDBPyConnection, relation: str, names: Sequence[str], types: Sequence[str]
) -> list[tuple[int, int | None]]:
    """``(non-null, approximate distinct)`` for each column of ``relation``, in one pass;
    distinct values are counted only for the types that may facet."""
    items: list[str] = []
    for name, type_ in zip(names, types, strict=True):
        column = sql_identifier(name)
        distinct = f"approx_count_distinct({column})" if type_ in FACET_TYPES else "NULL"
        items.append(f"count({column}), {distinct}")
    if not items:
        return []
    row = con.execute(f"SELECT {', '.join(items)} FROM {relation}").fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    return [
        (int(row[2 * i]), None if row[2 * i + 1] is None else int(row[2 * i + 1]))
        for i in range(len(names))
    ]


_INTEGER = re.compile(r"^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$")
_NUMBER = re.compile(r"^(FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\))$")
_TIMESTAMP = re.compile(r"^TIMESTAMP(_S|_MS|_NS)?$")


def typed_column(duckdb_type: str, column: str, title: str) -> tuple[str, str, dict[str, Any]]:
    """How a column of an already typed source (Parquet, JSON) is stored and described.

    Returns the Table Schema type, the SQL expression to store (``column`` is an SQL
    identifier, ``title`` the name in the source) and extra field keys. Nested values become
    JSON text; a timestamp with time zone becomes its UTC wall time (the session runs in
    UTC). Raises IngestError for binary columns, which no API of the platform can serve.
    """
    if duckdb_type == "BOOLEAN":
        return "boolean", column, {}
    if _INTEGER.match(duckdb_type):
        return "integer", column, {}
    if _NUMBER.match(duckdb_type):
        return "number", column, {}
    if duckdb_type == "VARCHAR":
        return "string", column, {}
    if duckdb_type == "DATE":
        return "date", column, {}
    if _TIMESTAMP.match(duckdb_type):
        return "datetime", f"CAST({column} AS TIMESTAMP)", {}
    if duckdb_type == "TIMESTAMP WITH TIME ZONE":
        return "datetime", f"CAST({column} AS TIMESTAMP)", {"territoria:timezone": "UTC"}
    if duckdb_type == "TIME":
        return "time", column, {}
    if duckdb_type.endswith("]"):
        return "array", f"CAST(to_json({column}) AS VARCHAR)", {}
    if duckdb_type.startswith(("STRUCT", "MAP", "UNION")) or duckdb_type == "JSON":
        return "object", f"CAST(to_json({column}) AS VARCHAR)", {}
    if duckdb_type == "BLOB":
        raise IngestError(f"column {title!r}: binary values (BLOB) are not supported", column=title)
    return "string", f"CAST({column} AS VARCHAR)", {}
