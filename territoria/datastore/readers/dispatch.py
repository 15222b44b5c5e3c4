"""The one door of the readers: a source file in, one typed Parquet file and its schema out."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from territoria.datastore.errors import IngestError
from territoria.datastore.progress import enter_reading
from territoria.datastore.readers.archive import extract_member as extract_zip_member
from territoria.datastore.readers.archive import gunzip, zip_members
from territoria.datastore.readers.csv import read_csv
from territoria.datastore.readers.formats import SourceFormat, detect_format
from territoria.datastore.readers.geojson import read_geojson
from territoria.datastore.readers.json import read_json
from territoria.datastore.readers.parquet import read_parquet
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.spreadsheet import read_spreadsheet

__all__ = ["ReadResult", "read_to_parquet"]


def read_to_parquet(source: Path, dest: Path, *, work_dir: Path) -> ReadResult:
    """Read ``source`` (CSV/TSV/text, JSON, JSON Lines, GeoJSON, Parquet, XLSX/XLS/ODS; the
    text formats also gzipped or alone in a ZIP) into the Parquet file ``dest``, and return
    its row count and Table Schema.

    The format is told from the content, never from the file name. ``work_dir`` must exist;
    intermediate files go to a private directory inside it, removed before returning.
    Raises IngestError with a one-line reason naming the place of the fault; a GTFS feed is
    refused here (it is several tables: ``readers.gtfs``).
    """
    work = Path(tempfile.mkdtemp(prefix="read-", dir=work_dir))
    try:
        fmt = detect_format(source)
        compression: dict[str, Any] = {}
        if fmt == "gzip":
            source = gunzip(source, work / "source.decompressed")
            compression = {"compression": "gzip"}
            fmt = _inner_format(source, "gzip")
        elif fmt == "zip":
            source, member = _single_member(source, work)
            compression = {"compression": "zip", "member": member}
            fmt = _inner_format(source, "ZIP")
        enter_reading(source)  # progress: bytes of the file DuckDB reads, rows estimated
        result = _read(fmt, source, dest, work)
        result.schema["territoria:source"].update(compression)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _read(fmt: SourceFormat, source: Path, dest: Path, work: Path) -> ReadResult:
    if fmt == "parquet":
        return read_parquet(source, dest, work=work)
    if fmt in ("json", "jsonl"):
        return read_json(source, dest, work=work, lines=fmt == "jsonl")
    if fmt == "geojson":
        return read_geojson(source, dest, work=work)
    if fmt in ("xlsx", "xlsb", "xls", "ods"):
        return read_spreadsheet(source, dest, work=work, kind=fmt)
    if fmt == "gtfs":
        raise IngestError("GTFS feed: several tables, ingested as a dataset of one table per file")
    return read_csv(source, dest, work=work)


def _inner_format(source: Path, container: str) -> SourceFormat:
    """The format inside a gzip stream or a ZIP: a table, not another archive."""
    fmt = detect_format(source)
    if fmt in ("gzip", "zip", "gtfs"):
        raise IngestError(f"unsupported format: archive inside a {container} archive")
    return fmt


def _single_member(source: Path, work: Path) -> tuple[Path, str]:
    """The one data file of a ZIP archive, extracted into ``work``, and its name."""
    members = zip_members(source)
    if not members:
        raise IngestError("empty file: the ZIP archive holds no file")
    if len(members) > 1:
        names = ", ".join(m.name for m in members[:5]) + (", …" if len(members) > 5 else "")
        raise IngestError(f"ZIP archive holding {len(members)} files ({names}): expected one table")
    member = members[0]
    return extract_zip_member(source, member, work / "source.unzipped"), member.name
