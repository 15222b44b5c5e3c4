"""DuckDB's spatial extension, loaded from the installed wheel, never downloaded.

The extension ships on PyPI as ``duckdb-ext-spatial`` (same version as DuckDB); its file lies
in ``duckdb_ext/extensions/v<version>/<platform>/spatial.duckdb_extension`` in site-packages.
``INSTALL`` would fetch it from the internet at run time, which a platform serving a region
must not depend on. Load it before ``enable_external_access = false`` locks the connection.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import duckdb

from territoria.datastore.errors import DatastoreError


@functools.cache
def spatial_extension_path() -> Path:
    """The extension file matching the running DuckDB; DatastoreError when it is missing."""
    spec = importlib.util.find_spec("duckdb_ext")
    roots = list(spec.submodule_search_locations or []) if spec else []
    version = f"v{duckdb.__version__}"
    for root in roots:
        found = sorted(Path(root, "extensions", version).glob("*/spatial.duckdb_extension"))
        if found:
            return found[0]
    raise DatastoreError(
        f"DuckDB's spatial extension for {version} is not installed "
        f"(pip install 'duckdb-ext-spatial=={duckdb.__version__}.*')"
    )


def load_spatial(connection: duckdb.DuckDBPyConnection) -> None:
    """Load the spatial extension into ``connection`` (before its configuration is locked)."""
    connection.execute(f"LOAD '{spatial_extension_path()}'")
