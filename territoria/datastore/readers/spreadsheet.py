"""Workbooks (XLSX, XLSB, XLS, ODS) read by calamine, typed as CSV text is.

A workbook carries types of its own, but producers' workbooks are CSV exports opened and
saved again: codes typed as numbers (``1001`` for ``01001``), amounts as text, dates as
either. So each cell is written back as the text a CSV would hold, and the columns are typed
by the same rules as CSV (``inference``): one type guesser for every tabular source.

- Sheet: the first visible worksheet holding a value; the others are ignored, and their
  number is kept in ``territoria:source`` (``sheet``, ``sheets``).
- Header: the first row of the sheet's used range (calamine skips empty rows and columns
  before it). Rows that are blank in every cell are skipped, as separators.
- Formulas: their value as last computed by the program that saved the file (calamine reads
  the cached value; a formula never computed, as some generators write them, is blank).
- Merged cells: the value in the first (top-left) cell, blanks in the others, as the file
  stores them; the schema's ``territoria:warnings`` counts the merged ranges.
- Cells: numbers as decimal text with a point (a whole float as an integer), booleans as
  ``true``/``false``, dates as ``yyyy-mm-dd`` and datetimes as ISO text (so they are typed
  ``date``/``datetime``), durations and times as text; error cells (``#DIV/0!``) blank.

calamine holds the sheet in memory while it is written out as text (a workbook is bounded:
1,048,576 rows per sheet); from the text on, DuckDB streams as for CSV.
"""

from __future__ import annotations

import csv
import datetime
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetVisibleEnum

from territoria.datastore.errors import IngestError
from territoria.datastore.readers.connection import (
    open_connection,
    plain_path,
    sql_identifier,
    sql_string,
)
from territoria.datastore.readers.csv import (
    TEXT_PARQUET_OPTIONS,
    decimal_mark,
    inferred_field,
    write_inferred,
)
from territoria.datastore.readers.names import field_names
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.schema import build_schema

# Whole floats below 2**53 are exact integers; beyond, a float is not an exact count.
_EXACT_INTEGER = 2**53


def read_spreadsheet(source: Path, dest: Path, *, work: Path, kind: str) -> ReadResult:
    """Write the first sheet holding data of the workbook ``source`` to ``dest``.

    ``kind`` is the detected format (``xlsx``, ``xls``, ``ods``), reported in the schema.
    Raises IngestError for an unreadable or encrypted workbook and for one without data.
    """
    # calamine picks its parser from the extension, and the name a producer gave means nothing.
    named = plain_path(source, work / f"source.{kind}")
    try:
        with CalamineWorkbook.from_path(str(named)) as workbook:
            sheet, sheets = _first_sheet_with_data(workbook)
            text = work / "sheet.csv"
            width, merged = _write_text(sheet, text)
    except CalamineError as error:
        raise IngestError(f"unreadable {kind.upper()} workbook: {_reason(error)}") from error
    except (ValueError, OSError) as error:  # the binding raises these for malformed files
        raise IngestError(f"unreadable {kind.upper()} workbook: {_reason(error)}") from error
    except BaseException as error:
        # calamine 0.37 panics on some corrupt XLS (tests/datastore/corpus/xls-calamine-panic.bin);
        # pyo3 turns the panic into PanicException, a BaseException like KeyboardInterrupt.
        if type(error).__name__ != "PanicException":
            raise
        raise IngestError(f"unreadable {kind.upper()} workbook: {_reason(error)}") from error
    con = open_connection(work / "duckdb")
    try:
        return _typed(con, text, width, dest, {"format": kind, "sheet": sheet.name}, sheets, merged)
    except duckdb.Error as error:
        raise IngestError(f"sheet {sheet.name!r}: {_reason(error)}") from error
    finally:
        con.close()


def _first_sheet_with_data(workbook: CalamineWorkbook) -> tuple[CalamineSheet, int]:
    visible = [
        meta.name for meta in workbook.sheets_metadata if meta.visible == SheetVisibleEnum.Visible
    ]
    for name in visible:
        sheet = workbook.get_sheet_by_name(name)
        if sheet.height > 0 and sheet.width > 0:
            return sheet, len(workbook.sheet_names)
    raise IngestError("empty file: no visible sheet of the workbook holds a value")


def _write_text(sheet: CalamineSheet, text: Path) -> tuple[list[str], int]:
    """Write the sheet's cells as CSV text; returns the header cut to the used width and the
    number of merged ranges."""
    header: list[str] | None = None
    used = 0
    with text.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for row in sheet.iter_rows():
            cells = [cell_text(value) for value in row]
            last = max((i + 1 for i, cell in enumerate(cells) if cell.strip()), default=0)
            if header is None:
                header, used = cells, last
                continue
            if last == 0:
                continue  # a blank separator row
            used = max(used, last)
            writer.writerow(cells)
    if header is None:
        raise IngestError("empty file: the sheet holds no row")
    width = max(used, 1)
    header = (header + [""] * width)[:width]
    return header, len(sheet.merged_cell_ranges or [])


def cell_text(value: Any) -> str:
    """The text a CSV export would hold for a calamine cell value (see the module)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer() and abs(value) < _EXACT_INTEGER:
            return str(int(value))
        text = f"{Decimal(repr(value)):f}"
        return text if "." in text else text + ".0"
    if isinstance(value, datetime.datetime):
        spec = "microseconds" if value.microsecond else "seconds"
        return value.isoformat(sep=" ", timespec=spec)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)  # timedelta


def _typed(
    con: duckdb.DuckDBPyConnection,
    text: Path,
    titles: list[str],
    dest: Path,
    source_info: dict[str, Any],
    sheets: int,
    merged: int,
) -> ReadResult:
    names = field_names(titles)
    width = max(len(titles), _csv_width(text))
    raw = [f"c{i}" for i in range(width)]
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in raw) + "}"
    relation = (
        f"read_csv({sql_string(str(text))}, auto_detect = false, header = false,"
        " delim = ',', quote = '\"', escape = '\"', strict_mode = true,"
        f" null_padding = true, columns = {columns})"
    )
    selects = ", ".join(f"{c} AS {sql_identifier(n)}" for c, n in zip(raw, names, strict=False))
    text_parquet = sql_string(str(text.with_suffix(".parquet")))
    row = con.execute(
        f"COPY (SELECT {selects} FROM {relation}) TO {text_parquet} ({TEXT_PARQUET_OPTIONS})"
    ).fetchone()
    row_count = int(row[0]) if row else 0
    inferred = write_inferred(con, f"read_parquet({text_parquet})", names, titles, dest)
    fields = [inferred_field(column) for column in inferred]
    info = {**source_info, "sheets": sheets, "decimal": decimal_mark(inferred)}
    schema = build_schema(con, sql_string(str(dest)), fields, info)
    if merged:
        schema["territoria:warnings"] = [
            {
                "code": "merged_cells",
                "count": merged,
                "message": f"{merged} merged cell ranges: value kept in the first cell only",
            }
        ]
    return ReadResult(row_count=row_count, schema=schema, source_format=source_info["format"])


def _csv_width(text: Path) -> int:
    """Cells per row of the written text (every row of a sheet has the same width)."""
    with text.open(encoding="utf-8", newline="") as handle:
        first = next(csv.reader(handle), None)
    return len(first) if first else 0


def _reason(error: BaseException) -> str:
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return first.split(": ", 1)[-1].rstrip(".") if ": " in first else first.rstrip(".")
