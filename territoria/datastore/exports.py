"""Exports as streams of bytes: CSV, JSON, JSON Lines, GeoJSON, Parquet and XLSX.

Rows come from DuckDB in batches (``fetchmany``) and leave as bytes batch by batch: an export
never holds its whole result in memory. Parquet is written by DuckDB into the sandbox's
scratch directory, then read back in blocks and deleted — or, when the query asks for the
whole version, the version's own file is streamed as it is. XLSX is written the same way by
DuckDB's excel extension (measured: 1M rows × 7 columns in 5.7 s, 61 MB peak memory).

``json_value`` is also how records are shaped for the JSON API: dates as ``YYYY-MM-DD``,
date-times in ISO 8601, decimals as floats, NaN and infinities as null.

CSV is written by DuckDB when every column is of a type it renders exactly as ``json_value``
and Python's ``csv`` module would (``csv_line_statement``): each row leaves DuckDB as one
finished line. Formatting each cell in Python took 55 % of an export's time (decision 0018);
other columns (points, lists, date-times in a chosen time zone…) keep the Python path.
"""

from __future__ import annotations

import csv
import io
import json
import math
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql.sql import Sql, quote_identifier

FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "jsonl": ("application/x-ndjson", "jsonl"),
    "geojson": ("application/geo+json", "geojson"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
# Formats DuckDB writes into a file that is then streamed.
FILE_FORMATS = frozenset({"parquet", "xlsx"})
# A sheet holds 1,048,576 rows, the header included.
XLSX_MAX_ROWS = 1_048_575

Converter = Callable[[Any], Any]
BATCH_ROWS = 5_000
FILE_BLOCK = 1 << 20
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Export:
    content_type: str
    extension: str
    chunks: Iterator[bytes]


def check_format(fmt: str) -> tuple[str, str]:
    """(content type, extension) of ``fmt``; QueryError(param="format") if it is unknown."""
    try:
        return FORMATS[fmt]
    except KeyError:
        known = ", ".join(FORMATS)
        raise QueryError(
            f"format: unknown export format {fmt!r} (use {known})", param="format"
        ) from None


def check_delimiter(delimiter: str) -> str:
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise QueryError(
            f"delimiter: one character expected, not a quote or a line break, got {delimiter!r}",
            param="delimiter",
        )
    return delimiter


def json_value(value: Any) -> Any:
    """``value`` as JSON can carry it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return json_value(float(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return str(value)


def record(
    labels: list[str], row: tuple[Any, ...], converters: list[Converter] | None = None
) -> dict[str, Any]:
    if converters is None:
        return {label: json_value(value) for label, value in zip(labels, row, strict=True)}
    return {
        label: convert(value) for label, convert, value in zip(labels, converters, row, strict=True)
    }


def shape_feature(value: Any) -> Any:
    """A geometry (GeoJSON text from DuckDB) as Opendatasoft shows a geo_shape: a Feature."""
    if value is None:
        return None
    return {"type": "Feature", "geometry": json.loads(value), "properties": {}}


def point_text(value: Any) -> Any:
    """A point as Opendatasoft writes it in CSV: ``"lat, lon"``."""
    if not isinstance(value, dict) or value.get("lat") is None:
        return None
    return f"{value['lat']}, {value['lon']}"


class ChunkStream(Iterator[bytes]):
    """Chunks of an export, with a cleanup (close the cursor, delete the file) that runs
    once: at the end, on ``close()`` (Django's streaming response calls it when the client
    goes away) or when the stream is garbage collected unread."""

    def __init__(self, chunks: Iterator[bytes], cleanup: Callable[[], None]):
        self._chunks = chunks
        self._finalizer = weakref.finalize(self, cleanup)

    def __iter__(self) -> ChunkStream:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        self._finalizer()


def file_blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(FILE_BLOCK), b"")


def csv_header(labels: list[str], *, delimiter: str, bom: bool) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerow(labels)
    head = buffer.getvalue().encode("utf-8")
    return (UTF8_BOM + head) if bom else head


def csv_chunks(
    labels: list[str],
    batches: Iterable[list[tuple[Any, ...]]],
    *,
    delimiter: str = ",",
    bom: bool = False,
    converters: list[Converter] | None = None,
) -> Iterator[bytes]:
    """CSV formatted in Python, cell by cell: the path for any column type."""
    yield csv_header(labels, delimiter=delimiter, bom=bom)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        if converters is not None:
            batch = [tuple(c(v) for c, v in zip(converters, row, strict=True)) for row in batch]
        writer.writerows([_csv_cell(value) for value in row] for row in batch)
        yield buffer.getvalue().encode("utf-8")


def csv_line_chunks(
    labels: list[str],
    batches: Iterable[list[tuple[Any, ...]]],
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> Iterator[bytes]:
    """CSV of rows that are each one finished line (a ``csv_line_statement``)."""
    yield csv_header(labels, delimiter=delimiter, bom=bom)
    for batch in batches:
        yield "".join([row[0] for row in batch]).encode("utf-8")


_INTEGERS = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"}
    | {"UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"}
)
# Python shows a DECIMAL as the float nearest to it; DuckDB's cast to DOUBLE is that float
# when the unscaled integer fits a double's 53 bits exactly (15 digits), then both print
# the shortest text that reads back as that float (checked on 150,000 doubles).
_EXACT_DECIMAL_DIGITS = 15


def _csv_text(column: str, duckdb_type: str, *, zoned: bool) -> str | None:
    """SQL rendering the column as ``_csv_cell(json_value(value))`` does (NULL for an empty
    cell), or None when only Python renders it exactly."""
    name = quote_identifier(column).text
    if duckdb_type == "VARCHAR":
        return name
    if duckdb_type in _INTEGERS or duckdb_type == "BOOLEAN":  # true/false, as Python writes
        return f"CAST({name} AS VARCHAR)"
    if duckdb_type in ("DOUBLE", "FLOAT") or _is_exact_decimal(duckdb_type):
        number = f"CAST({name} AS DOUBLE)"
        return f"CASE WHEN isfinite({number}) THEN CAST({number} AS VARCHAR) END"
    if duckdb_type == "DATE":
        return f"CAST({name} AS VARCHAR)"
    if duckdb_type == "TIMESTAMP" and not zoned:
        # datetime.isoformat(): a T, and microseconds only when there are some.
        return (
            f"CASE WHEN microsecond({name}) % 1000000 = 0"
            f" THEN strftime({name}, '%Y-%m-%dT%H:%M:%S')"
            f" ELSE strftime({name}, '%Y-%m-%dT%H:%M:%S.%f') END"
        )
    return None


def _is_exact_decimal(duckdb_type: str) -> bool:
    if not duckdb_type.startswith("DECIMAL("):
        return False
    width = int(duckdb_type.removeprefix("DECIMAL(").split(",")[0])
    return width <= _EXACT_DECIMAL_DIGITS


def _csv_quoted(text: str, delimiter: Sql) -> Sql:
    """Python's ``csv.QUOTE_MINIMAL``: quoted when it holds the delimiter, a quote or a line
    break, its quotes doubled; NULL is the empty cell."""
    needs_quotes = f"contains({text}, {{}}) OR contains({text}, chr(34))"
    line_break = f"contains({text}, chr(10)) OR contains({text}, chr(13))"
    return Sql.of(
        f"CASE WHEN {text} IS NULL THEN '' WHEN {needs_quotes} OR {line_break}"
        f" THEN concat(chr(34), replace({text}, chr(34), chr(34) || chr(34)), chr(34))"
        f" ELSE {text} END",
        delimiter,
    )


def csv_line_statement(
    statement: Sql, columns: list[tuple[str, str]], delimiter: str, *, zoned: bool
) -> Sql | None:
    """One row per row of ``statement``: its CSV line ending with CRLF, as Python's
    ``csv.writer`` writes ``_csv_cell`` of each value. ``columns``: the (name, DuckDB type)
    of the statement's results, all of them written; ``zoned``: date-times are shown in
    a chosen time zone. None when a column's type is rendered by Python only."""
    texts = [_csv_text(name, kind, zoned=zoned) for name, kind in columns]
    if not texts or any(text is None for text in texts):
        return None
    rendered = Sql.join(", ", [Sql(f"{text} AS c{i}") for i, text in enumerate(texts)])
    separator = Sql.of("CAST({} AS VARCHAR)", Sql.param(delimiter))
    cells = [_csv_quoted(f"c{i}", separator) for i in range(len(texts))]
    if len(cells) == 1:  # csv.writer quotes a record that is one empty field: ""
        cells = [
            Sql.of("CASE WHEN coalesce(c0, '') = '' THEN repeat(chr(34), 2) ELSE {} END", cells[0])
        ]
    parts: list[Sql] = []
    for index, cell in enumerate(cells):
        parts.extend([separator, cell] if index else [cell])
    line = Sql.join(", ", [*parts, Sql("chr(13), chr(10)")])
    return Sql.of("SELECT concat({}) FROM (SELECT {} FROM ({}))", line, rendered, statement)


def _csv_cell(value: Any) -> str:
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def json_chunks(
    labels: list[str],
    batches: Iterable[list[tuple[Any, ...]]],
    converters: list[Converter] | None = None,
) -> Iterator[bytes]:
    yield b"["
    separator = "\n"
    for batch in batches:
        if not batch:
            continue
        text = ",\n".join(_dumps(record(labels, row, converters)) for row in batch)
        yield (separator + text).encode("utf-8")
        separator = ",\n"
    yield b"\n]\n"


def jsonl_chunks(
    labels: list[str],
    batches: Iterable[list[tuple[Any, ...]]],
    converters: list[Converter] | None = None,
) -> Iterator[bytes]:
    for batch in batches:
        if batch:
            lines = (_dumps(record(labels, row, converters)) + "\n" for row in batch)
            yield "".join(lines).encode("utf-8")


def geojson_chunks(
    labels: list[str],
    batches: Iterable[list[tuple[Any, ...]]],
    geometry: int | None,
    converters: list[Converter],
) -> Iterator[bytes]:
    """A FeatureCollection: the value at index ``geometry`` (GeoJSON text of a shape, or a
    point as {lat, lon}) is each feature's geometry, the other values its properties. With
    no ``geometry`` every feature has a null one."""
    yield b'{"type":"FeatureCollection","features":['
    separator = "\n"
    for batch in batches:
        if not batch:
            continue
        features = []
        for row in batch:
            properties = record(labels, row, converters)
            shape = None
            if geometry is not None:
                properties.pop(labels[geometry])
                shape = _geometry(row[geometry])
            features.append(
                _dumps({"type": "Feature", "geometry": shape, "properties": properties})
            )
        yield (separator + ",\n".join(features)).encode("utf-8")
        separator = ",\n"
    yield b"\n]}\n"


def _geometry(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dict):
        if value.get("lat") is None or value.get("lon") is None:
            return None
        return {
            "type": "Point",
            "coordinates": [json_value(value["lon"]), json_value(value["lat"])],
        }
    return json.loads(value)


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
