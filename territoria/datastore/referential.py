"""The territorial referential as one Parquet table, for the steps that join it by INSEE code.

Built from INSEE's official geographic code (COG) as npm ``@etalab/decoupage-administratif``
publishes it (the archive ``make demo`` fetches, checksum-pinned): one row per current commune
and per municipal arrondissement (Paris, Lyon, Marseille), with its EPCI, département and
région, codes and names. The COG has no coordinates: ``latitude``/``longitude`` are filled
from the ``centres`` the caller gives (code → (lat, lon)), NULL elsewhere (decision 0014).

Plain Python; the table is written aside and renamed into place, so a reader never sees half
of it.
"""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from territoria.datastore.errors import DatastoreError
from territoria.datastore.readers.connection import open_connection, sql_string

# Column of the table → its Table Schema type.
COLUMNS = {
    "code": "string",
    "nom": "string",
    "code_epci": "string",
    "nom_epci": "string",
    "code_departement": "string",
    "nom_departement": "string",
    "code_region": "string",
    "nom_region": "string",
    "latitude": "number",
    "longitude": "number",
}
_FILES = ("communes", "epci", "departements", "regions")
_KINDS = ("commune-actuelle", "arrondissement-municipal")


class ReferentialError(DatastoreError):
    """The archive is absent or unreadable; ``str()`` is one line telling what to do."""


@dataclass(frozen=True)
class ReferentialSummary:
    path: Path
    communes: int
    with_centre: int


def read_archive(archive: Path, names: tuple[str, ...] = _FILES) -> dict[str, list[dict[str, Any]]]:
    """The ``package/data/<name>.json`` files of the npm archive, parsed, in one pass over it."""
    wanted = {f"package/data/{name}.json": name for name in names}
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = wanted.get(member.name)
                handle = tar.extractfile(member) if name else None
                if name and handle is not None:
                    found[name] = json.load(handle)
    except (tarfile.TarError, OSError, ValueError) as error:
        raise ReferentialError(f"cannot read the COG archive {archive}: {error}") from error
    missing = sorted(set(names) - set(found))
    if missing:
        raise ReferentialError(f"the COG archive {archive} lacks {', '.join(missing)}")
    return found


def referential_rows(
    raw: Mapping[str, list[dict[str, Any]]],
    centres: Mapping[str, tuple[float, float]],
) -> list[tuple[Any, ...]]:
    """One tuple per commune (and municipal arrondissement), in the order of ``COLUMNS``."""
    epci_of: dict[str, tuple[str, str]] = {}
    for epci in raw["epci"]:
        for member in epci.get("membres", []):
            epci_of.setdefault(member["code"], (epci["code"], epci["nom"]))
    departements = {d["code"]: d["nom"] for d in raw["departements"]}
    regions = {r["code"]: r["nom"] for r in raw["regions"]}
    rows: list[tuple[Any, ...]] = []
    for item in raw["communes"]:
        if item.get("type") not in _KINDS:
            continue
        code = item["code"]
        # An arrondissement belongs to its commune's EPCI (Paris, Lyon, Marseille).
        epci_code, epci_name = epci_of.get(code) or epci_of.get(item.get("commune", ""), ("", ""))
        departement, region = item.get("departement", ""), item.get("region", "")
        lat, lon = centres.get(code, (None, None))
        rows.append(
            (
                code,
                item["nom"],
                epci_code or None,
                epci_name or None,
                departement or None,
                departements.get(departement),
                region or None,
                regions.get(region),
                lat,
                lon,
            )
        )
    return rows


def build_referential(
    archive: Path,
    dest: Path,
    *,
    centres: Mapping[str, tuple[float, float]] | None = None,
) -> ReferentialSummary:
    """Write the referential table ``dest`` (Parquet) from the COG ``archive``.

    Raises ReferentialError (one line) if the archive is absent or unreadable.
    """
    archive, dest = Path(archive), Path(dest)
    if not archive.is_file():
        raise ReferentialError(
            f"the COG archive {archive} is missing: run `make demo` "
            "(or `python -m territoria.demo.referential fetch`) first"
        )
    rows = referential_rows(read_archive(archive), centres or {})
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = dest.parent / f".{dest.name}.building"
    # DuckDB reads 35,000 rows from a JSON file in milliseconds; executemany takes minutes.
    rows_file = dest.parent / f".{dest.name}.rows.json"
    rows_file.write_text(json.dumps([dict(zip(COLUMNS, row, strict=True)) for row in rows]))
    types = ", ".join(
        f"{name}: '{'DOUBLE' if kind == 'number' else 'VARCHAR'}'" for name, kind in COLUMNS.items()
    )
    con = open_connection(dest.parent / ".referential-duckdb")
    try:
        con.execute(
            f"COPY (SELECT * FROM read_json({sql_string(str(rows_file))}, columns = {{{types}}}, "
            f"format = 'array') ORDER BY code) TO {sql_string(str(work))} "
            "(FORMAT parquet, COMPRESSION zstd)"
        )
    finally:
        con.close()
        rows_file.unlink(missing_ok=True)
    os.replace(work, dest)
    with_centre = sum(1 for row in rows if row[-1] is not None)
    return ReferentialSummary(dest, len(rows), with_centre)
