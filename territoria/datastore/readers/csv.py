"""Delimited text as French producers write it, into one typed Parquet file.

The steps, each in a stream (the file is never loaded in Python memory):

1. ``sniff``: the encoding, over the whole file. DuckDB decodes UTF-8, and Latin-1 for
   Windows-1252 files that do not use the bytes where the two differ; other text is
   converted to UTF-8 in the work directory. Then the delimiter and the header, from a
   sample (``csv_parse``).
2. DuckDB parses the CSV with every option explicit (its own sniffer gives up on ragged
   files, and a ragged row must be an error naming its line).
3. The fast path (``sampled``): the types are read from the first rows, then one pass
   converts every row to ``dest``, each value guarded; a value that does not fit the
   sample's type aborts the pass.
4. The exact path, when the fast one aborted or cannot tell: the CSV is parsed into an
   all-VARCHAR Parquet file, ``inference`` decides each column's type over all rows, and the
   typed columns are written to ``dest``.

Both write the rows in the order of the source, the same values and the same schema (but
for the distinct counts of the columns that cannot facet, see ``sampled.count_written``).
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import duckdb

from territoria.datastore.errors import IngestError
from territoria.datastore.readers import sampled
from territoria.datastore.readers.connection import open_connection, sql_identifier, sql_string
from territoria.datastore.readers.csv_parse import ParsedCsv, TextFile, as_is, converted
from territoria.datastore.readers.inference import InferredColumn, infer_columns
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.schema import Field, build_schema
from territoria.datastore.readers.sniff import (
    CP1252,
    UTF8,
    UTF8_BOM,
    Encoding,
    scan_windows1252,
    sniff_encoding,
)

# The all-VARCHAR file of the exact path is read back twice and then deleted: written plain,
# without dictionaries, it costs half the time of the default (1.5 s against 3.0 s for 1M
# rows, 100 MB, median of 4 on a loaded 2-core machine; LZ4 without dictionaries: 1.7 s).
TEXT_PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 1"
# The version's file, measured on the benchmark's 111 MB CSV (docs/benchmarks.md): zstd at
# level 1 with dictionaries of at most 6,000 values per row group takes 0.2 s (0.35 s of
# CPU) less than zstd's defaults (level 3, larger dictionaries, built then abandoned on
# high-cardinality columns), for a file of 33.4 MB instead of 31.7 MB. Columns that may
# facet (at most 1,000 values) keep their dictionaries.
PARQUET_OPTIONS = (
    "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, DICTIONARY_SIZE_LIMIT 6000"
)


def read_csv(source: Path, dest: Path, *, work: Path) -> ReadResult:
    """Write the CSV ``source`` to ``dest``; ``work`` is a private directory for the steps.

    Raises IngestError with a one-line reason naming the line at fault.
    """
    encoding = sniff_encoding(source)
    con = open_connection(work / "duckdb")
    try:
        with ThreadPoolExecutor(max_workers=1) as background:
            csv, sample = _parse_and_sample(con, source, encoding, work, background)
        read = _read_in_one_pass(csv, sample, dest, work) if sample else None
        row_count, columns = read or _read_exactly(csv, dest, work)
        source_info = {
            "format": "csv",
            "encoding": encoding.name,
            "delimiter": csv.dialect.delimiter,
            "decimal": decimal_mark(columns),
        }
        fields = [inferred_field(column) for column in columns]
        schema = build_schema(con, sql_string(str(dest)), fields, source_info)
    finally:
        con.close()
    return ReadResult(row_count=row_count, schema=schema, source_format="csv")


def _parse_and_sample(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    encoding: Encoding,
    work: Path,
    background: Executor,
) -> tuple[ParsedCsv, sampled.Sample | None]:
    """The CSV ready for DuckDB, and what its first rows tell (None: the exact path must
    decide).

    For a Windows-1252 file, two things are known only once the whole file is scanned
    (0.05 s per 100 MB): whether DuckDB may decode it as Latin-1 (no byte 0x80–0x9F), and
    whether it holds no-break spaces (see ``sampled.unguarded``; for UTF-8, the encoding's
    check told). The scan runs beside DuckDB reading and typing the first rows as Latin-1;
    if such a byte is found, the file is converted to UTF-8 and sampled again.
    """
    name = encoding.name
    if name != CP1252:
        text = as_is(source, name, work) if name in (UTF8, UTF8_BOM) else None
        csv, sample = _sample(con, text or converted(source, name, work), work)
        return csv, sample and replace(sample, nbsp=encoding.nbsp is not False)
    scan = background.submit(scan_windows1252, source)
    as_latin1 = None
    try:
        as_latin1 = _sample(con, as_is(source, name, work), work)
    except IngestError:
        if not scan.result().c1:
            raise
        # the converted file tells its own error first (an undefined byte), as it always did
    found = scan.result()
    if as_latin1 and not found.c1:
        csv, sample = as_latin1
    else:
        con.execute("DROP TABLE IF EXISTS sample")
        csv, sample = _sample(con, converted(source, name, work), work)
    return csv, sample and replace(sample, nbsp=found.nbsp)


def _sample(
    con: duckdb.DuckDBPyConnection, text: TextFile, work: Path
) -> tuple[ParsedCsv, sampled.Sample | None]:
    csv = ParsedCsv(con, text, work)
    if not csv.copy_first_rows("sample", sampled.SAMPLE_ROWS):
        return csv, None
    sample = sampled.sample_types(con, "sample", csv.names, csv.dialect.header)
    con.execute("DROP TABLE sample")
    return csv, sample


def _read_in_one_pass(
    csv: ParsedCsv, sample: sampled.Sample, dest: Path, work: Path
) -> tuple[int, list[InferredColumn]] | None:
    """The fast path: rows and columns, or None when a value did not fit the sample."""
    typed = work / "typed.parquet"
    try:
        written = csv.run(
            lambda rows: (
                f"COPY ({sampled.guarded_select(sample, rows)})"
                f" TO {sql_string(str(typed))} ({PARQUET_OPTIONS})"
            )
        )
    except sampled.SampleMiss:
        return None
    if not sampled.has_no_blank(csv.con, sql_string(str(typed)), sample):
        return None
    _move(typed, dest)
    row_count = int(written[0][0]) if written else 0
    return row_count, sampled.count_written(csv.con, sql_string(str(dest)), row_count, sample)


def _read_exactly(csv: ParsedCsv, dest: Path, work: Path) -> tuple[int, list[InferredColumn]]:
    """The exact path: an all-VARCHAR copy, types decided over all its rows, a typed copy."""
    text_parquet = sql_string(str(work / "text.parquet"))
    written = csv.run(
        lambda rows: f"COPY (SELECT * FROM {rows}) TO {text_parquet} ({TEXT_PARQUET_OPTIONS})"
    )
    row_count = int(written[0][0]) if written else 0
    relation = f"read_parquet({text_parquet})"
    return row_count, write_inferred(csv.con, relation, csv.names, csv.dialect.header, dest)


def write_inferred(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    names: list[str],
    titles: list[str],
    dest: Path,
) -> list[InferredColumn]:
    """Type the VARCHAR columns ``names`` of ``relation`` over all rows (``inference``) and
    write them to ``dest``; also how the text of a spreadsheet becomes typed columns."""
    columns = infer_columns(con, relation, names, titles)
    selects = ", ".join(f"{c.select} AS {sql_identifier(c.name)}" for c in columns)
    con.execute(
        f"COPY (SELECT {selects} FROM {relation}) TO {sql_string(str(dest))} ({PARQUET_OPTIONS})"
    )
    return columns


def _move(path: Path, dest: Path) -> None:
    try:
        os.replace(path, dest)
    except OSError:  # another filesystem
        shutil.move(path, dest)


def decimal_mark(columns: list[InferredColumn]) -> str:
    """The decimal mark most values of the source's number columns use; ``.`` if none."""
    commas = sum(c.decimal_commas for c in columns)
    points = sum(c.decimal_points for c in columns)
    return "," if commas > points else "."


def inferred_field(column: InferredColumn) -> Field:
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
        distinct_at_least=column.distinct_at_least,
        extra=extra,
    )
