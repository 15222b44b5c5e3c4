"""JSON sources: an array of objects, or JSON Lines (one object per line).

Values keep the types JSON gives them (DuckDB also reads ISO dates in strings as dates);
keys become snake_case field names. JSON is UTF-8 by its specification, but files saved
from Windows tools are not always: they are converted like CSV files.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from territoria.datastore.errors import IngestError
from territoria.datastore.readers.connection import open_connection, plain_path, sql_string
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.sniff import UTF8, UTF8_BOM, detect_encoding, transcode_to_utf8
from territoria.datastore.readers.typed import copy_typed

_AT_LINE = re.compile(r"in line (\d+): (.*)")
_AT_RECORD = re.compile(r"in record/value (\d+): (.*)")
_EMPTY_ARRAY = re.compile(rb"\s*(\xef\xbb\xbf)?\s*\[\s*\]\s*")


def read_json(source: Path, dest: Path, *, work: Path, lines: bool) -> ReadResult:
    """Write the JSON ``source`` (JSON Lines if ``lines``) to ``dest``.

    Raises IngestError for malformed JSON (naming the line when DuckDB knows it), for an
    empty array, and for values that are not objects.
    """
    encoding = detect_encoding(source)
    if encoding in (UTF8, UTF8_BOM):
        text = plain_path(source, work / "source.json")
    else:
        text = work / "source.utf8.json"
        transcode_to_utf8(source, text, encoding)
    source_format = "jsonl" if lines else "json"
    layout = "newline_delimited" if lines else "array"
    relation = (
        f"read_json({sql_string(str(text))}, format = '{layout}', records = 'true',"
        " sample_size = -1)"
    )
    con = open_connection(work / "duckdb")
    try:
        return copy_typed(con, relation, dest, {"format": source_format, "encoding": encoding})
    except duckdb.Error as error:
        raise _explain(str(error), text) from error
    finally:
        con.close()


def _explain(message: str, text: Path) -> IngestError:
    if "expected records" in message:
        if text.stat().st_size < 1024 and _EMPTY_ARRAY.fullmatch(text.read_bytes()):
            return IngestError("empty file")
        return IngestError("unsupported format: JSON values that are not objects")
    first = message.splitlines()[0]
    if at_line := _AT_LINE.search(first):
        line = int(at_line.group(1))
        return IngestError(f"line {line}: invalid JSON: {at_line.group(2).strip(' .')}", line=line)
    if at_record := _AT_RECORD.search(first):
        reason = at_record.group(2).strip(" .")
        return IngestError(f"invalid JSON in object {at_record.group(1)}: {reason}")
    return IngestError(f"invalid JSON: {first.split(': ', 1)[-1].strip(' .')}")
