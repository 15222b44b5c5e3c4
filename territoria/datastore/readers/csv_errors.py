"""DuckDB's CSV errors, told to the producer as one line naming the physical line at fault.

DuckDB counts a record spanning several lines (a quoted field holding a newline) as one line,
and counts blank lines: its ``CSV Error on Line: N`` is the N-th record, blank lines included.
``locate_record`` turns that into the physical line the producer sees in an editor.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from territoria.datastore.errors import IngestError

_LINE = re.compile(r"CSV Error on Line: (\d+)")
_WIDTH = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_MAX_LINE = re.compile(r"Maximum line size of (\d+) bytes exceeded")
INVALID_STATE = "state machine reached an invalid state"


def explain_csv_error(
    message: str, path: Path, delimiter: str, encoding: str = "utf-8"
) -> IngestError:
    """The IngestError for DuckDB's error ``message`` on the CSV ``path`` (UTF-8 or
    ``latin-1``, as DuckDB read it)."""
    found_line = _LINE.search(message)
    if found_line is None:
        if INVALID_STATE in message:
            return IngestError("the file is not valid CSV (check its quotes and line endings)")
        return IngestError(f"the file is not valid CSV: {_first_sentence(message)}")
    line, strict_problem = locate_record(path, delimiter, int(found_line.group(1)), encoding)
    if width := _WIDTH.search(message):
        expected, found = int(width.group(1)), int(width.group(2))
        plural = "field" if found == 1 else "fields"
        return IngestError(f"line {line}: {found} {plural}, expected {expected}", line=line)
    if "unterminated quote" in message:
        if strict_problem and "expected after" in strict_problem:
            return IngestError(f"line {line}: text after the closing quote of a field", line=line)
        return IngestError(f"line {line}: unterminated quoted field", line=line)
    if max_line := _MAX_LINE.search(message):
        limit = int(max_line.group(1)) // 1_000_000
        return IngestError(f"line {line}: line longer than {limit} MB", line=line)
    return IngestError(f"line {line}: {_first_sentence(_after_original_line(message))}", line=line)


def locate_record(
    path: Path, delimiter: str, record: int, encoding: str = "utf-8"
) -> tuple[int, str | None]:
    """The physical line where DuckDB's ``record`` starts, and what Python's strict CSV
    parser says is wrong with it (None if nothing).

    Reads the file up to that record, in a stream; falls back on ``record`` itself if the
    file cannot be followed that far (a field beyond the csv module's size limit).
    """
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    with path.open(encoding=codec, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            for _ in range(record - 1):
                next(reader)
        except (csv.Error, StopIteration):
            return record, None
        start = reader.line_num + 1
        # The same file iterator goes on from the start of the record, now read strictly.
        strict = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            next(strict)
        except csv.Error as error:
            return start, str(error)
        except StopIteration:
            pass
        return start, None


def _after_original_line(message: str) -> str:
    """DuckDB's reason, found after the line it quotes."""
    lines = [line for line in message.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.startswith("Original Line:") and index + 1 < len(lines):
            return lines[index + 1]
    return message


def _first_sentence(message: str) -> str:
    text = (
        message.split(":", 1)[1]
        if message.startswith(("Invalid Input Error", "IO Error"))
        else message
    )
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return first.rstrip(".")
