"""The personal-data scan of a version: which columns look like they hold personal data.

Two signals, combined per column (decision 0023): the column's *name* (French and English
vocabularies, accents folded, snake_case and camelCase split) and its *values*, read from a
bounded sample of the version's Parquet file in DuckDB (``SAMPLE_ROWS`` rows: a reservoir with a
fixed seed, or evenly spread runs of rows in a large file, so that a version always gives the
same findings). A regex in SQL
keeps the values worth checking; the exact checks (NIR key, IBAN and SIRET checksums, phone
prefixes...) run in Python (``personal_values.py``).

Rules that keep the false positives out (commune names that are surnames, INSEE codes, the
switchboards and mailboxes of public services, SIRETs of companies):

- a surname in a bare ``nom`` column counts only with a first-name column beside it, or when
  the values read as "Prénom Nom" — a list of communes named "Martin" is not a list of persons;
- a postal address and precise coordinates count only in a table that identifies persons (a
  name, an e-mail, a phone or a NIR found) or when the column's name says "domicile": the
  address of a town hall is not personal data; coordinates are "precise" with 4 decimals or
  more (about 10 m: one building) for most values;
- a landline counts only where the column's name says phone and the table identifies persons;
  a mobile (06/07) always counts; service mailboxes (``contact@``, ``mairie@``) never;
- a SIRET counts (sole traders, decision 0023) only when the table tells that the business is
  an "entrepreneur individuel": legal category 1000 on the same row, or names of persons beside;
- NIRs, IBANs and e-mails are recognised by their values whatever the column is called, also
  inside free text, where a civility followed by a name ("Mme Durand") also counts.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from territoria.datastore import personal_values as pv
from territoria.datastore import personal_vocabulary as vocab
from territoria.datastore.readers.connection import open_connection, sql_identifier, sql_string

# Rows read per version: enough to see a pattern present in 1 row out of 1,000 about ten times;
# each file of the test corpus scans in about 0.05 s. Beyond RESERVOIR_MAX_ROWS rows, BLOCKS
# runs of consecutive rows are read instead of a reservoir (``_sample_sql``).
SAMPLE_ROWS = 10_000
RESERVOIR_MAX_ROWS = 200_000
BLOCKS = 20
EXAMPLES = 3

# The SQL pre-filter: an "@" (or its disguises), a run of digits with separators (2A/2B,
# Corsica's departments, inside a NIR), or the letters + digits start of an IBAN. Values
# without any of these cannot hold a number or an e-mail and are never sent to Python.
PREFILTER = r"@|\[at\]|\(at\)|arobase|\d[\d \.\-/()ABab]{7,}\d|[A-Za-z]{2}\d{2}"

KINDS = (
    "email",
    "phone",
    "nir",
    "iban",
    "birth_date",
    "first_name",
    "last_name",
    "address",
    "coordinates",
    "siret_sole_trader",
    "free_text",
)


@dataclass(frozen=True)
class Finding:
    """One kind of personal data found in one column. ``examples`` are masked."""

    column: str
    kind: str
    confidence: float  # 0-1
    matched_count: int
    sampled_count: int
    examples: tuple[str, ...] = ()
    reason: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "column": self.column,
            "kind": self.kind,
            "confidence": self.confidence,
            "matched_count": self.matched_count,
            "sampled_count": self.sampled_count,
            "examples": list(self.examples),
            "reason": self.reason,
        }


def _confidence(base: float, matched: int, checked: int) -> float:
    """``base`` when most checked values match, less when matches are scattered."""
    share = matched / checked if checked else 0.0
    return round(min(0.99, base * min(1.0, 0.6 + share)), 2)


@dataclass
class _Column:
    """What the scan learnt about one column: its values and its name's words."""

    name: str
    tokens: tuple[str, ...]
    numeric_float: bool
    non_null: int
    mean_length: float
    candidates: list[str] = field(default_factory=list)  # values that passed PREFILTER
    values: list[str] = field(default_factory=list)  # a bounded list of all values


def scan_parquet(
    parquet: Path,
    schema: dict[str, Any] | None = None,
    *,
    sample_rows: int = SAMPLE_ROWS,
    today: date | None = None,
) -> list[Finding]:
    """The findings of the Parquet file ``parquet``, read on ``sample_rows`` sampled rows.

    ``schema``: the version's Table Schema; a field's ``title`` (the column's name as the
    producer wrote it, "Prénom", "homeLatitude") is read along with its normalised name.
    Precondition: ``parquet`` is a readable version file. Returns findings in column order.
    """
    titles = {f["name"]: f.get("title") or "" for f in (schema or {}).get("fields", [])}
    with tempfile.TemporaryDirectory(prefix="personal-data-") as temp:
        con = open_connection(Path(temp) / "spill")
        try:
            columns, legal = _read_sample(con, parquet, sample_rows, titles)
        finally:
            con.close()
    return scan_columns(columns, legal_category_1000=legal, today=today or date.today())


def _read_sample(
    con: duckdb.DuckDBPyConnection, parquet: Path, sample_rows: int, titles: dict[str, str]
) -> tuple[list[_Column], dict[str, int]]:
    con.execute(f"CREATE TEMP TABLE sample AS {_sample_sql(con, parquet, sample_rows)}")
    described = con.execute("DESCRIBE sample").fetchall()
    columns = []
    for name, sql_type, *_ in described:
        if not _scannable(sql_type):
            continue
        columns.append(_profile(con, name, sql_type, titles.get(name, "")))
    return columns, _sole_trader_rows(con, columns)


def _sample_sql(con: duckdb.DuckDBPyConnection, parquet: Path, sample_rows: int) -> str:
    """The SELECT of the sampled rows; the same version always gives the same sample.

    Up to ``RESERVOIR_MAX_ROWS`` rows, a reservoir sample with a fixed seed. Beyond, BLOCKS
    runs of consecutive rows evenly spread over the file: a reservoir reads every row of
    every column (4.4 s for 3 million rows, 340 MB, where the runs take 0.36 s: DuckDB
    skips the row groups they do not touch), and rows of one run are as varied as the
    producer's file is.
    """
    source = f"read_parquet({sql_string(str(parquet))}, file_row_number = true)"
    row = con.execute(f"SELECT count(*) FROM {source}").fetchone()
    total = int(row[0]) if row else 0
    if total <= RESERVOIR_MAX_ROWS:
        return (
            f"SELECT * EXCLUDE (file_row_number) FROM {source} "
            f"USING SAMPLE reservoir({int(sample_rows)} ROWS) REPEATABLE (23)"
        )
    run = max(1, sample_rows // BLOCKS)
    starts = [block * total // BLOCKS for block in range(BLOCKS)]
    ranges = " OR ".join(f"file_row_number BETWEEN {s} AND {s + run - 1}" for s in starts)
    return f"SELECT * EXCLUDE (file_row_number) FROM {source} WHERE {ranges}"


def _scannable(sql_type: str) -> bool:
    return not sql_type.startswith(("BOOLEAN", "GEOMETRY", "BLOB", "STRUCT", "MAP")) and (
        "[]" not in sql_type
    )


def _profile(con: duckdb.DuckDBPyConnection, name: str, sql_type: str, title: str) -> _Column:
    text = f"CAST({sql_identifier(name)} AS VARCHAR)"
    row = con.execute(f"SELECT count({text}), coalesce(avg(length({text})), 0) FROM sample")
    non_null, mean_length = row.fetchone() or (0, 0)
    candidates = con.execute(
        f"SELECT {text} FROM sample WHERE regexp_matches({text}, {sql_string(PREFILTER)})"
    ).fetchall()
    values = con.execute(
        f"SELECT {text} FROM sample WHERE {text} IS NOT NULL LIMIT 2000"
    ).fetchall()
    return _Column(
        name=name,
        tokens=_unique(vocab.name_tokens(title) + vocab.name_tokens(name)),
        numeric_float=sql_type in ("DOUBLE", "FLOAT", "REAL") or sql_type.startswith("DECIMAL"),
        non_null=non_null,
        mean_length=float(mean_length),
        candidates=[row[0] for row in candidates],
        values=[row[0] for row in values],
    )


def _unique(tokens: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tokens))


def _sole_trader_rows(con: duckdb.DuckDBPyConnection, columns: list[_Column]) -> dict[str, int]:
    """Per SIRET-like column, the sampled rows whose legal category is 1000 (entrepreneur
    individuel in INSEE's nomenclature of legal categories), when the table has that column."""
    categories = [c for c in columns if vocab.says_legal_category(c.tokens)]
    if not categories:
        return {}
    category = f"CAST({sql_identifier(categories[0].name)} AS VARCHAR)"
    sole = f"(trim({category}) = '1000' OR lower({category}) LIKE '%entrepreneur individuel%')"
    counts = {}
    for column in columns:
        if "siret" in column.tokens or "siren" in column.tokens:
            present = f"{sql_identifier(column.name)} IS NOT NULL"
            row = con.execute(f"SELECT count(*) FROM sample WHERE {sole} AND {present}").fetchone()
            counts[column.name] = row[0] if row else 0
    return counts


def scan_columns(
    columns: list[_Column], *, legal_category_1000: dict[str, int], today: date
) -> list[Finding]:
    """The findings over profiled columns: first what identifies persons, then what becomes
    personal beside it (addresses, coordinates, landlines, SIRETs of sole traders)."""
    found: list[Finding] = []
    for column in columns:
        found.extend(_identifying(column, columns, today))
    persons = bool(found)
    for column in columns:
        found.extend(_contextual(column, columns, persons, legal_category_1000))
    order = {column.name: index for index, column in enumerate(columns)}
    return sorted(found, key=lambda f: (order[f.column], KINDS.index(f.kind)))


def _matches(values: list[str], find: Callable[[str], list[str]]) -> tuple[int, list[str]]:
    """How many values hold a match, and up to EXAMPLES masked examples."""
    matched, examples = 0, list[str]()
    for value in values:
        hits = find(value)
        if hits:
            matched += 1
            for hit in hits:
                if len(examples) < EXAMPLES and hit not in examples:
                    examples.append(hit)
    return matched, examples


def _finding(
    column: _Column, kind: str, base: float, hits: tuple[int, list[str]], reason: str
) -> Finding:
    matched, examples = hits
    return Finding(
        column=column.name,
        kind=kind,
        confidence=_confidence(base, matched, column.non_null),
        matched_count=matched,
        sampled_count=column.non_null,
        examples=tuple(examples),
        reason=reason,
    )


def _is_free_text(column: _Column) -> bool:
    return column.mean_length >= 40 or bool(set(column.tokens) & vocab.FREE_TEXT_WORDS)


def _identifying(column: _Column, columns: list[_Column], today: date) -> list[Finding]:
    """Findings that identify a person by themselves: numbers, e-mails, names, birth dates."""
    free = _is_free_text(column)
    found = [*_numbers(column, free), *_names(column, columns, today)]
    if free:
        hits = _matches(column.values, pv.civility_mentions)
        if hits[0]:
            found.append(_finding(column, "free_text", 0.8, hits, "persons named in free text"))
    return found


def _numbers(column: _Column, free: bool) -> list[Finding]:
    """E-mails, mobiles, NIRs and IBANs, recognised by their values in any column."""
    t, found = column.tokens, []
    says_phone, says_nir = vocab.says_phone(t), vocab.says_nir(t)
    emails = _matches(column.candidates, pv.find_emails)
    if emails[0]:
        found.append(_finding(column, "email", 0.95, emails, "e-mail addresses of persons"))
    phones = _matches(
        _phone_values(column) if says_phone else column.candidates,
        lambda v: pv.find_phones(v, mobiles_only=True),
    )
    if phones[0] and (says_phone or free or phones[0] >= 0.3 * column.non_null):
        found.append(_finding(column, "phone", 0.9, phones, "mobile phone numbers"))
    nirs = _matches(column.candidates, lambda v: pv.find_nirs(v, without_key=says_nir))
    if nirs[0] and (says_nir or free or nirs[0] >= 0.5 * column.non_null):
        found.append(_finding(column, "nir", 0.99, nirs, "social security numbers (NIR)"))
    ibans = _matches(column.candidates, pv.find_ibans)
    if ibans[0]:
        found.append(_finding(column, "iban", 0.95, ibans, "bank account numbers (IBAN)"))
    return found


def _phone_values(column: _Column) -> list[str]:
    # A phone column typed as integers lost its leading zero: 612345678 is 06 12 34 56 78.
    return [f"0{v}" if v.isdigit() and len(v) == 9 else v for v in column.candidates]


def _names(column: _Column, columns: list[_Column], today: date) -> list[Finding]:
    """First names, surnames and birth dates: the column's name first, its values confirm."""
    t = column.tokens
    if not column.non_null:
        return []
    if vocab.says_birth(t):
        hits = _matches(column.values, lambda v: _one(pv.birth_date(v, today)))
        if hits[0] >= 0.5 * len(column.values):  # years alone: already generalised
            return [_finding(column, "birth_date", 0.95, hits, "dates of birth")]
        return []
    if vocab.says_first_name(t) and not vocab.bare_name(t):
        hits = _matches(column.values, lambda v: [pv.masked_text(v)] if pv.is_first_name(v) else [])
        return [_finding(column, "first_name", 0.95, _all_shown(column, hits), "first names")]
    if vocab.says_last_name(t):
        hits = _matches(column.values, lambda v: [pv.masked_text(v)] if pv.is_surname(v) else [])
        return [_finding(column, "last_name", 0.9, _all_shown(column, hits), "surnames")]
    return _bare_names(column, columns)


def _bare_names(column: _Column, columns: list[_Column]) -> list[Finding]:
    """A "nom" column holds persons when a first-name column stands beside it, or when its
    values read as "Prénom Nom"; otherwise it names places or organisations."""
    t = column.tokens
    person_word = bool(set(t) & vocab.PERSON_QUALIFIERS)
    if not (vocab.bare_name(t) or person_word):
        return []
    full = _matches(column.values, lambda v: [pv.masked_text(v)] if pv.is_full_name(v) else [])
    if full[0] >= 0.5 * len(column.values):
        return [
            _finding(column, "last_name", 0.9, full, "names of persons (first name and surname)")
        ]
    beside = any(vocab.says_first_name(c.tokens) for c in columns if c is not column)
    if beside and vocab.bare_name(t):
        hits = _matches(column.values, lambda v: [pv.masked_text(v)])
        return [_finding(column, "last_name", 0.85, hits, "surnames beside a first-name column")]
    return []


def _all_shown(column: _Column, hits: tuple[int, list[str]]) -> tuple[int, list[str]]:
    """The column's name decided: every value counts; the examples are masked values."""
    examples = hits[1] or [pv.masked_text(v) for v in column.values[:EXAMPLES]]
    return max(hits[0], column.non_null // 2), examples


def _one(masked: str | None) -> list[str]:
    return [masked] if masked else []


def _contextual(
    column: _Column, columns: list[_Column], persons: bool, sole_traders: dict[str, int]
) -> list[Finding]:
    """What is personal only beside persons: addresses, coordinates, landlines, SIRETs."""
    t, found = column.tokens, []
    if vocab.says_address(t) and (persons or vocab.says_home(t)) and column.non_null:
        hits = _matches(
            column.values, lambda v: [pv.masked_text(v, keep=3)] if ADDRESS.search(v) else []
        )
        if hits[0]:
            found.append(_finding(column, "address", 0.85, hits, "postal addresses beside persons"))
    if persons or any(vocab.says_home(c.tokens) for c in columns):
        found.extend(_coordinates(column, columns))
    if persons and vocab.says_phone(t):
        hits = _matches(_phone_values(column), lambda v: pv.find_phones(v, mobiles_only=False))
        mobiles = _matches(_phone_values(column), lambda v: pv.find_phones(v, mobiles_only=True))
        if hits[0] and not mobiles[0]:
            found.append(_finding(column, "phone", 0.7, hits, "phone numbers beside persons"))
    if "siret" in t or "siren" in t:
        found.extend(_sole_trader(column, persons, sole_traders.get(column.name, 0)))
    return found


# A house number or a street word: "12 rue...", "lieu-dit ...", "3 bis, avenue...".
ADDRESS = re.compile(
    r"^\s*\d+|\b(rue|avenue|av|bd|boulevard|chemin|allee|impasse|place|route|quai|lieu-dit|"
    r"lotissement|residence|hameau|cours)\b",
    re.IGNORECASE,
)

# "45.7640, 4.8357": a point written as text.
POINT_TEXT = re.compile(r"^\s*-?\d{1,3}\.(\d+)\s*[,;]\s*-?\d{1,3}\.(\d+)\s*$")


def _precise(value: str) -> list[str]:
    """``value`` masked when it is a coordinate with 4 decimals or more (about 10 m)."""
    point = POINT_TEXT.match(value)
    if point:
        if min(len(point.group(1)), len(point.group(2))) >= 4:
            return [", ".join(part.strip()[:5] + "***" for part in re.split(r"[,;]", value))]
        return []
    whole, _, decimals = value.partition(".")
    return [f"{whole}.{decimals[:2]}***"] if len(decimals.rstrip("0")) >= 4 else []


def _coordinates(column: _Column, columns: list[_Column]) -> list[Finding]:
    """Latitude and longitude columns (or a "lat, lon" text column) precise to a building."""
    t = column.tokens
    if column.numeric_float and (vocab.says_latitude(t) or vocab.says_longitude(t)):
        pair = vocab.says_longitude if vocab.says_latitude(t) else vocab.says_latitude
        if not any(c.numeric_float and pair(c.tokens) for c in columns if c is not column):
            return []
    elif not (column.values and POINT_TEXT.match(column.values[0])):
        return []
    hits = _matches(column.values, _precise)
    if hits[0] < 0.8 * len(column.values):
        return []
    return [_finding(column, "coordinates", 0.8, hits, "precise coordinates of persons' places")]


def _sole_trader(column: _Column, persons: bool, category_1000: int) -> list[Finding]:
    """SIRETs of sole traders: their SIREN identifies a person (decision 0023)."""
    if not (category_1000 or persons):
        return []
    matched, examples = _matches(column.candidates, pv.find_sirets)
    if not matched:
        return []
    reason = (
        "SIRET of sole traders (legal category 1000)"
        if category_1000
        else ("SIRET beside names of persons: sole traders")
    )
    count = category_1000 or matched
    return [_finding(column, "siret_sole_trader", 0.8, (count, examples), reason)]
