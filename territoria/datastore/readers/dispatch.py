"""The one door of the readers: a source file in, one typed Parquet file and its schema out."""

from __future__ import annotations

import gzip
import shutil
import tempfile
import zlib
from pathlib import Path

from territoria.datastore.errors import IngestError
from territoria.datastore.readers.csv import read_csv
from territoria.datastore.readers.formats import detect_format
from territoria.datastore.readers.json import read_json
from territoria.datastore.readers.parquet import read_parquet
from territoria.datastore.readers.result import ReadResult

__all__ = ["ReadResult", "read_to_parquet"]


def read_to_parquet(source: Path, dest: Path, *, work_dir: Path) -> ReadResult:
    """Read ``source`` (CSV/TSV/text, Parquet, JSON, JSON Lines, any of them gzipped) into
    the Parquet file ``dest``, and return its row count and Table Schema.

    The format is told from the content, never from the file name. ``work_dir`` must exist;
    intermediate files go to a private directory inside it, removed before returning.
    Raises IngestError with a one-line reason naming the place of the fault.
    """
    work = Path(tempfile.mkdtemp(prefix="read-", dir=work_dir))
    try:
        fmt = detect_format(source)
        compression = None
        if fmt == "gzip":
            source, compression = _gunzip(source, work / "source.decompressed"), "gzip"
            fmt = detect_format(source)
            if fmt == "gzip":
                raise IngestError("unsupported format: gzip inside gzip")
        if fmt == "parquet":
            result = read_parquet(source, dest, work=work)
        elif fmt in ("json", "jsonl"):
            result = read_json(source, dest, work=work, lines=fmt == "jsonl")
        else:
            result = read_csv(source, dest, work=work)
        if compression:
            result.schema["territoria:source"]["compression"] = compression
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _gunzip(source: Path, dest: Path) -> Path:
    try:
        with gzip.open(source, "rb") as compressed, dest.open("wb") as out:
            shutil.copyfileobj(compressed, out, 1 << 20)
    except (OSError, EOFError, zlib.error) as error:
        raise IngestError(f"invalid gzip file: {error}") from error
    return dest
