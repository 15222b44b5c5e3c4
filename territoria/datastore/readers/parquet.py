"""Parquet sources: copied through DuckDB with snake_case names and a derived schema."""

from __future__ import annotations

from pathlib import Path

import duckdb

from territoria.datastore.errors import IngestError
from territoria.datastore.readers.connection import open_connection, plain_path, sql_string
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.typed import copy_typed


def read_parquet(source: Path, dest: Path, *, work: Path) -> ReadResult:
    """Write the Parquet ``source`` to ``dest``. Raises IngestError if it cannot be read."""
    alias = plain_path(source, work / "source.parquet")
    con = open_connection(work / "duckdb")
    try:
        return copy_typed(
            con, f"read_parquet({sql_string(str(alias))})", dest, {"format": "parquet"}
        )
    except duckdb.Error as error:
        raise IngestError(f"invalid Parquet file: {_reason(error)}") from error
    finally:
        con.close()


def _reason(error: duckdb.Error) -> str:
    first = str(error).splitlines()[0]
    return first.split(": ", 1)[-1].rstrip(".")
