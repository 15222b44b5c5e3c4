"""Delimited text as French producers write it, into one typed Parquet file.

The steps, each in a stream (the file is never loaded in Python memory):

1. ``sniff``: the encoding, over the whole file. DuckDB decodes UTF-8, and Latin-1 for
   Windows-1252 files that do not use the bytes where the two differ; other text is
   converted to UTF-8 in the work directory. Then the delimiter and the header, from a
   sample.
2. DuckDB parses the CSV once, with every option explicit (its own sniffer gives up on
   ragged files, and a ragged row must be an error naming its line), into an all-VARCHAR
   Parquet file in the work directory.
3. ``inference`` decides each column's type with SQL over that file, over all rows.
4. The typed columns are written to ``dest``, rows in the order of the source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from territoria.datastore.readers.connection import (
    open_connection,
    plain_path,
    sql_identifier,
    sql_string,
)
from territoria.datastore.readers.csv_errors import INVALID_STATE, explain_csv_error
from territoria.datastore.readers.inference import InferredColumn, infer_columns
from territoria.datastore.readers.names import field_names
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.schema import Field, build_schema
from territoria.datastore.readers.sniff import (
    CP1252,
    UTF8,
    UTF8_BOM,
    Dialect,
    detect_encoding,
    has_c1_bytes,
    has_mixed_line_endings,
    normalise_line_endings,
    read_sample,
    sniff_dialect,
    transcode_to_utf8,
)

# The all-VARCHAR file is read back twice and then deleted: written plain, without
# dictionaries, it costs half the time of the default (1.5 s against 3.0 s for 1M rows,
# 100 MB, median of 4 on a loaded 2-core machine; LZ4 without dictionaries: 1.7 s).
TEXT_PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 1"


def read_csv(source: Path, dest: Path, *, work: Path) -> ReadResult:
    """Write the CSV ``source`` to ``dest``; ``work`` is a private directory for the steps.

    Raises IngestError with a one-line reason naming the line at fault.
    """
    encoding = detect_encoding(source)
    text = _text_for_duckdb(source, encoding, work)
    sample, truncated = read_sample(text.path, text.encoding)
    dialect = sniff_dialect(sample, truncated=truncated)
    names = field_names(dialect.header)
    text_parquet = work / "text.parquet"
    con = open_connection(work / "duckdb")
    try:
        row_count = _parse(con, text, dialect, names, text_parquet, work)
        columns = infer_columns(con, sql_string(str(text_parquet)), names, dialect.header)
        selects = ", ".join(f"{c.select} AS {sql_identifier(c.name)}" for c in columns)
        con.execute(
            f"COPY (SELECT {selects} FROM read_parquet({sql_string(str(text_parquet))}))"
            f" TO {sql_string(str(dest))} (FORMAT parquet, COMPRESSION zstd)"
        )
        source_info = {
            "format": "csv",
            "encoding": encoding,
            "delimiter": dialect.delimiter,
            "decimal": _decimal_mark(columns),
        }
        fields = [_field(column) for column in columns]
        schema = build_schema(con, sql_string(str(dest)), fields, source_info)
    finally:
        con.close()
    return ReadResult(row_count=row_count, schema=schema, source_format="csv")


@dataclass(frozen=True)
class TextFile:
    """The file DuckDB parses and the encoding it decodes: ``utf-8`` or ``latin-1``."""

    path: Path
    encoding: str


def _text_for_duckdb(source: Path, encoding: str, work: Path) -> TextFile:
    """``source`` as DuckDB can decode it: as is when UTF-8, or Windows-1252 without the
    bytes where it differs from Latin-1; otherwise converted to UTF-8 in ``work``."""
    if encoding in (UTF8, UTF8_BOM):
        return TextFile(plain_path(source, work / "source.csv"), "utf-8")
    if encoding == CP1252 and not has_c1_bytes(source):
        return TextFile(plain_path(source, work / "source.csv"), "latin-1")
    converted = work / "source.utf8.csv"
    transcode_to_utf8(source, converted, encoding)
    return TextFile(converted, "utf-8")


def _parse(
    con: duckdb.DuckDBPyConnection,
    text: TextFile,
    dialect: Dialect,
    names: list[str],
    out: Path,
    work: Path,
) -> int:
    """Parse ``text`` into the all-VARCHAR Parquet ``out``; returns the number of rows.

    A file whose lines end in both CR LF and LF is rewritten with LF only: DuckDB's strict
    parser stops on it with no line number, and with ``skip`` (blank lines before the
    header) it silently reads no row at all (DuckDB 1.4.5).
    """
    lf_only = TextFile(work / "source.lf.csv", text.encoding)
    if dialect.skip and has_mixed_line_endings(text.path):
        normalise_line_endings(text.path, lf_only.path)
        text = lf_only
    try:
        return _copy_as_text(con, text, dialect, names, out)
    except duckdb.Error as error:
        if INVALID_STATE not in str(error) or text == lf_only:
            raise explain_csv_error(
                str(error), text.path, dialect.delimiter, text.encoding
            ) from error
    normalise_line_endings(text.path, lf_only.path)
    try:
        return _copy_as_text(con, lf_only, dialect, names, out)
    except duckdb.Error as error:
        raise explain_csv_error(
            str(error), lf_only.path, dialect.delimiter, text.encoding
        ) from error


def _copy_as_text(
    con: duckdb.DuckDBPyConnection, text: TextFile, dialect: Dialect, names: list[str], out: Path
) -> int:
    columns = "{" + ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names) + "}"
    options = ", ".join(
        (
            "auto_detect = false",
            f"encoding = {sql_string(text.encoding)}",
            f"delim = {sql_string(dialect.delimiter)}",
            "quote = '\"'",
            "escape = '\"'",
            "header = true",
            f"skip = {dialect.skip}",
            f"columns = {columns}",
            "strict_mode = true",
            "null_padding = false",
        )
    )
    row = con.execute(
        f"COPY (SELECT * FROM read_csv({sql_string(str(text.path))}, {options}))"
        f" TO {sql_string(str(out))} ({TEXT_PARQUET_OPTIONS})"
    ).fetchone()
    return int(row[0]) if row else 0


def _decimal_mark(columns: list[InferredColumn]) -> str:
    """The decimal mark most values of the source's number columns use; ``.`` if none."""
    commas = sum(c.decimal_commas for c in columns)
    points = sum(c.decimal_points for c in columns)
    return "," if commas > points else "."


def _field(column: InferredColumn) -> Field:
    extra: dict[str, object] = {}
    if column.format:
        extra["format"] = column.format
    if column.type == "number" and column.decimal_commas > column.decimal_points:
        extra["decimalChar"] = ","
    if column.utc:
        extra["territoria:timezone"] = "UTC"
    return Field(
        name=column.name,
        title=column.title,
        type=column.type,
        non_null=column.non_null,
        distinct=column.distinct,
        extra=extra,
    )
