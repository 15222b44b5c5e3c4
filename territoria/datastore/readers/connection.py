"""The DuckDB session every reader works in, and the quoting of what goes into its SQL."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from territoria.datastore.progress import watch_connection

# Buffer budget of one ingestion. DuckDB spills to ``temp_directory`` beyond it, so a file of
# any size streams; DESIGN.md asks for a 5 GB CSV to ingest under 1 GB of peak RSS, and the
# process needs some room besides DuckDB's buffers.
MEMORY_LIMIT = "768MB"


def open_connection(temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to ``temp_dir`` and never downloads an extension.

    Timestamps are computed in UTC: a datetime written with an offset is stored as the UTC
    instant, whatever the server's time zone.
    """
    temp_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": str(temp_dir),
            "preserve_insertion_order": True,
            "autoinstall_known_extensions": False,
        },
    )
    con.execute("SET TimeZone = 'UTC'")
    watch_connection(con)  # the running operation's progress bar and cancellation, if any
    return con


def sql_string(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def plain_path(source: Path, alias: Path) -> Path:
    """``source`` reachable as ``alias``, a name DuckDB will not expand as a glob (``*?[]{}``).

    A symbolic link where the filesystem allows it, else a copy.
    """
    try:
        os.symlink(source.resolve(), alias)
    except OSError:
        shutil.copyfile(source, alias)
    return alias
