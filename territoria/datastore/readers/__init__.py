"""Readers: turn a source file into one Parquet file plus its Table Schema.

CONTRACT (implemented in this package):

    read_to_parquet(source: Path, dest: Path, *, work_dir: Path) -> ReadResult

``ReadResult(row_count: int, schema: dict, source_format: str)`` where ``schema`` is a Table
Schema (``{"fields": [{"name", "type", "title", ...}], ...}``); field ``name`` is the column
name lower-cased snake_case (as Opendatasoft does), ``title`` the header as written.
Raises IngestError with a one-line reason naming the place of the fault.

The format is told from the content (``formats``): CSV/TSV/text (``csv``: encoding,
delimiter, types), Parquet, JSON arrays of objects and JSON Lines, GeoJSON (``geojson``),
XLSX/XLS/ODS (``spreadsheet``), the text formats also gzipped or alone in a ZIP (``archive``:
never trusted). A GTFS feed is several tables: ``gtfs.open_gtfs`` checks and splits it. The
schema keys beyond Table Schema (``territoria:facet``, ``territoria:source``,
``territoria:geo``…) are listed in ``schema``; what each type accepts, in ``parsers``; how a
CSV's columns get their types, in ``csv`` (the fast path of ``sampled``, the exact path of
``inference``).
"""

from territoria.datastore.readers.dispatch import ReadResult, read_to_parquet

__all__ = ["ReadResult", "read_to_parquet"]
