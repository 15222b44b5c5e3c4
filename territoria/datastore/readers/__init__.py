"""Readers: turn a source file into one Parquet file plus its Table Schema.

CONTRACT (implemented in this package):

    read_to_parquet(source: Path, dest: Path, *, work_dir: Path) -> ReadResult

``ReadResult(row_count: int, schema: dict, source_format: str)`` where ``schema`` is a Table
Schema (``{"fields": [{"name", "type", "title", ...}], ...}``); field ``name`` is the column
name lower-cased snake_case (as Opendatasoft does), ``title`` the header as written.
Raises IngestError with a one-line reason naming the place of the fault.
"""

from territoria.datastore.readers.dispatch import ReadResult, read_to_parquet

__all__ = ["ReadResult", "read_to_parquet"]
