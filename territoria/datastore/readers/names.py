"""Field names: the header as written becomes a unique, lower-cased snake_case ASCII name.

Opendatasoft names fields the same way, and the records API promises its names: "Code INSEE"
is ``code_insee``, "Date de mise à jour" ``date_de_mise_a_jour``, "N°" ``n``, "Surface (km²)"
``surface_km2``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from territoria.datastore.errors import IngestError

# Letters that NFKD does not decompose into ASCII.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o"})
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
# PostgreSQL truncates identifiers at 63 bytes; a name stays usable there as a column name.
MAX_NAME_LENGTH = 60
# Columns of one table. Typing costs about 25 ms per column whatever the rows (planning
# DuckDB's checks; 1,000 columns: about 25 s), DuckDB's CSV reader runs out of its 768 MB
# buffer budget past a few thousand VARCHAR columns (10,000: out of memory on 2 rows), and
# PostgreSQL caps a table at 1,600. A wider file is refused with its count (decision 0010).
MAX_COLUMNS = 1000


def snake_case(title: str) -> str:
    """``title`` lower-cased, accents stripped, every other run of characters an underscore.

    Returns ``""`` when nothing alphanumeric is left (e.g. ``"€"``).
    """
    text = unicodedata.normalize("NFKD", title.translate(_LIGATURES))
    text = text.encode("ascii", "ignore").decode("ascii")
    return _NOT_ALNUM.sub("_", text).strip("_").lower()[:MAX_NAME_LENGTH].rstrip("_")


def field_names(titles: Sequence[str]) -> list[str]:
    """One unique name per title, in order.

    An empty name becomes ``column_<position>`` (1-based); a repeated one gets ``_2``, ``_3``…
    Raises IngestError past ``MAX_COLUMNS`` titles.
    """
    if len(titles) > MAX_COLUMNS:
        raise IngestError(f"{len(titles):,} columns: at most {MAX_COLUMNS:,} are supported")
    names: list[str] = []
    used: set[str] = set()
    for position, title in enumerate(titles, start=1):
        base = snake_case(title) or f"column_{position}"
        name, suffix = base, 2
        while name in used:
            name, suffix = f"{base}_{suffix}", suffix + 1
        used.add(name)
        names.append(name)
    return names
