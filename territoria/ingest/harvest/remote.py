"""What every dialect maps a remote dataset to, and the vocabularies they share.

Each dialect (``ckan.py``, ``udata.py``, ``ods.py``, ``dcat.py``) turns its portal's shapes
into ``RemoteDataset``; ``run.py`` imports those without knowing where they came from.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from territoria.catalog.enums import LICENCE_URLS, THEME_URI, Licence, Theme

# Formats the datastore reads as a table (datastore/readers); anything else is a link.
TABULAR_FORMATS = frozenset({"csv", "tsv", "xls", "xlsx", "ods", "geojson", "parquet", "gtfs"})


@dataclass(frozen=True)
class RemoteResource:
    title: str
    url: str
    format: str = ""  # upper case, e.g. CSV
    description: str = ""
    tabular: bool = False


@dataclass(frozen=True)
class RemoteDataset:
    """One dataset of a source. ``identifier`` is the source's stable id or URI."""

    identifier: str
    slug: str
    title: str
    description: str = ""
    licence: str = Licence.OTHER  # a catalog.enums.Licence code
    licence_name: str = ""
    licence_url: str = ""
    themes: tuple[str, ...] = ()  # EU theme codes
    keywords: tuple[str, ...] = ()
    publisher: str = ""
    modified: str = ""
    page_url: str = ""
    resources: tuple[RemoteResource, ...] = field(default=())

    def content_hash(self) -> str:
        """SHA-256 of everything we import: equal hashes, nothing to update."""
        text = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RemoteRef:
    """A dataset as listed by the gather step; ``record`` is set when the listing already
    carried everything (DCAT pages), otherwise the fetch step asks for it by ``locator``."""

    identifier: str
    slug: str
    modified: str = ""
    locator: str = ""
    record: RemoteDataset | None = None


def folded(text: str) -> str:
    """Lower case, no accents, words joined by single spaces (for matching labels)."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


# Ids, URLs and labels of the two standard licences, as CKAN, udata, Opendatasoft and DCAT
# catalogues write them (data.gouv.fr: "lov2", "fr-lo", "odc-odbl"; ODS: its labels).
_LICENCE_HINTS = {
    Licence.LICENCE_OUVERTE_2: {
        "lov2", "fr lo", "etalab 2 0", "licence ouverte", "licence ouverte open licence",
        "licence ouverte open licence 2 0", "licence ouverte v2 0", "open licence",
        "licence ouverte etalab", "licence ouverte v2 0 etalab",
        "etalab gouv fr licence ouverte open licence", "etalab gouv fr fr licence ouverte",
    },
    Licence.ODBL: {
        "odbl", "odc odbl", "open database license odbl", "open database license odbl 1 0",
        "open database license", "odbl 1 0", "opendatacommons org licenses odbl",
        "opendatacommons org licenses odbl 1 0", "open data commons open database license odbl",
    },
}  # fmt: skip


def _url_key(url: str) -> str:
    return folded(re.sub(r"^https?://(www\.)?", "", url or "").rstrip("/"))


def licence_of(*hints: str, url: str = "") -> tuple[str, str, str]:
    """(code, name, url) of the licence named by ``hints`` (ids, labels) or ``url``: one of
    ours when recognised, else ``other`` with the first hint as its name."""
    keys = {folded(h) for h in hints if h} | ({_url_key(url)} if url else set())
    for code, names in _LICENCE_HINTS.items():
        known_url = _url_key(LICENCE_URLS[code])
        if keys & names or known_url in keys:
            return code, "", ""
    name = next((h for h in hints if h), "") or url or "Unspecified licence"
    return Licence.OTHER, name[:200], url if url.startswith(("http://", "https://")) else ""


# French portal themes (Opendatasoft's default list, udata's topics) -> EU data themes.
_THEME_WORDS = {
    "agriculture": "AGRI", "alimentation": "AGRI", "economie": "ECON", "finances": "ECON",
    "education": "EDUC", "culture": "EDUC", "sport": "EDUC", "energie": "ENER",
    "environnement": "ENVI", "sante": "HEAL", "international": "INTR", "justice": "JUST",
    "securite": "JUST", "territoire": "REGI", "amenagement": "REGI", "urbanisme": "REGI",
    "population": "SOCI", "social": "SOCI", "societe": "SOCI", "solidarite": "SOCI",
    "sciences": "TECH", "recherche": "TECH", "transports": "TRAN", "transport": "TRAN",
    "mobilite": "TRAN", "deplacements": "TRAN", "administration": "GOVE",
    "gouvernement": "GOVE", "citoyennete": "GOVE", "services publics": "GOVE",
}  # fmt: skip


def themes_of(values: list[str]) -> tuple[str, ...]:
    """EU theme codes named by ``values``: codes (any case), theme URIs, or French labels."""
    found: list[str] = []
    for value in values:
        value = (value or "").strip()
        code = value.removeprefix(THEME_URI).upper()
        if code in Theme.values:
            found.append(code)
            continue
        words = folded(value)
        found += [c for w, c in _THEME_WORDS.items() if re.search(rf"\b{w}\b", words)]
    return tuple(dict.fromkeys(found))


def is_tabular(fmt: str) -> bool:
    return folded(fmt).replace(" ", "") in TABULAR_FORMATS
