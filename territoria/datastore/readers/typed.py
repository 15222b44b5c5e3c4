"""Sources that carry their own types (Parquet, JSON): renamed, described, copied through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from territoria.datastore.readers.connection import sql_identifier, sql_string
from territoria.datastore.readers.names import field_names
from territoria.datastore.readers.result import ReadResult
from territoria.datastore.readers.schema import Field, build_schema, count_values, typed_column


def copy_typed(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    dest: Path,
    source_info: dict[str, Any],
) -> ReadResult:
    """Write ``relation`` (SQL, e.g. ``read_parquet('…')``) to ``dest`` with snake_case names.

    The caller has checked that ``relation`` can be described (its errors are the source's).
    """
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    titles = [str(row[0]) for row in described]
    names = field_names(titles)
    stored = [
        typed_column(str(row[1]), sql_identifier(title), title)
        for row, title in zip(described, titles, strict=True)
    ]
    selects = ", ".join(
        f"{select} AS {sql_identifier(name)}"
        for (_, select, _), name in zip(stored, names, strict=True)
    )
    target = sql_string(str(dest))
    row = con.execute(
        f"COPY (SELECT {selects} FROM {relation}) TO {target} (FORMAT parquet, COMPRESSION zstd)"
    ).fetchone()
    row_count = int(row[0]) if row else 0
    counts = count_values(con, f"read_parquet({target})", names, [t for t, _, _ in stored])
    fields = [
        Field(name=name, title=title, type=type_, non_null=n, distinct=d, extra=extra)
        for name, title, (type_, _, extra), (n, d) in zip(
            names, titles, stored, counts, strict=True
        )
    ]
    schema = build_schema(con, target, fields, source_info)
    return ReadResult(row_count=row_count, schema=schema, source_format=source_info["format"])
