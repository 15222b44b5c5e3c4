"""Column types of a text table, decided over every row, and the SQL that converts them.

The input is a relation of VARCHAR columns (the CSV as parsed). A column gets a type only if
*all* its non-blank values parse as that type (``parsers`` says what each type accepts);
otherwise it stays ``string`` with every value as written. Blank values (empty or whitespace
only) are NULL whatever the type.

Code-like columns stay ``string`` whatever their values look like: a leading zero (``01001``,
``0612345678``) is never a number, and see ``CODE_WORDS`` for names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import duckdb

from territoria.datastore.readers.connection import sql_identifier
from territoria.datastore.readers.parsers import (
    DMY_TIME_FORMATS,
    GROUP_CHARS,
    NUMERIC,
    PARSERS,
    PARSERS_BY_KEY,
    fill,
    is_blank_sql,
    stripped,
    value_sql,
)

# Words that make a column an identifier, matched against the tokens of its snake_case name:
# INSEE/COG codes (communes, départements, EPCI), postal codes, SIREN/SIRET/NIC (companies),
# phone numbers, IBAN/BIC, UAI (schools), FINESS (health), RNA (associations), NAF/APE
# (activities), PDL/PRM (electricity delivery points), numbers and references of records
# (``num_pdl`` is an identifier in the national IRVE schema). ``departement`` and ``dep``
# because "1" in such a column means "01".
CODE_WORDS = frozenset(
    {
        "code", "codes", "insee", "cog", "postal", "cp", "zip", "zipcode",
        "siren", "siret", "nic", "tel", "telephone", "phone", "mobile", "portable", "fax",
        "iban", "bic", "uai", "finess", "rna", "naf", "ape", "pdl", "prm",
        "num", "numero", "ref", "reference",
        "dep", "dept", "departement", "epci",
    }
)  # fmt: skip
# Names starting with ``id_`` (``id_station``) are keys; a bare ``id`` may stay an integer.
CODE_PREFIXES = ("id_",)

PREFILTER_ROWS = 1000  # rows that rule parsers out before the pass over all rows
# Columns profiled by one query. DuckDB's planning time grows faster than the number of
# expressions in one SELECT: one query for 100 columns took 5 s, against 0.25 s for 8 and
# 0.5 s for 16 (2-core machine); the benchmark's 12 columns stay in one query.
PROFILE_COLUMNS = 16


@dataclass(frozen=True)
class InferredColumn:
    """A column of the source with its type and what was counted while deciding it."""

    name: str
    title: str
    type: str  # Table Schema type
    select: str  # SQL expression giving the typed value from the VARCHAR column
    non_null: int
    distinct: int | None  # approximate count of distinct non-blank values, if counted
    distinct_at_least: bool = False  # ``distinct`` counts only some rows: a lower bound
    format: str | None = None  # strptime format of French dates
    decimal_commas: int = 0  # values written with a decimal comma (number columns)
    decimal_points: int = 0
    utc: bool = False  # datetimes written with an offset, stored as UTC
    # How the values were written, for ``sampled`` to convert the rows after a sample:
    parser: str | None = None  # key of the parser that read the column; None for text
    trimmed: bool = False  # some value had blanks around it, or was blank
    grouped: bool = False  # some number had group separators


def is_code_like(name: str) -> bool:
    """Whether the column ``name`` (snake_case) names an identifier rather than a quantity."""
    return name.startswith(CODE_PREFIXES) or any(t in CODE_WORDS for t in name.split("_"))


def infer_columns(
    con: duckdb.DuckDBPyConnection, relation: str, names: Sequence[str], titles: Sequence[str]
) -> list[InferredColumn]:
    """The type of each VARCHAR column of ``relation`` (SQL: a table or a table function), in
    order, with its counts.

    Distinct values are counted where they make facets (text, booleans, dates): in the pass
    of ``decide_columns``, and in a third query for the rare column that this pass sent back
    to text.
    """
    columns = decide_columns(con, relation, names, titles)
    uncounted = [c.name for c in columns if c.distinct is None and c.type not in _UNCOUNTED]
    if uncounted:
        distinct = _count_distinct(con, relation, uncounted)
        columns = [replace(c, distinct=distinct.get(c.name, c.distinct)) for c in columns]
    return columns


def decide_columns(
    con: duckdb.DuckDBPyConnection, relation: str, names: Sequence[str], titles: Sequence[str]
) -> list[InferredColumn]:
    """The type of each VARCHAR column of ``relation``, in order, in two queries: the first
    ``PREFILTER_ROWS`` rows rule out the parsers that cannot fit (a value that fails a check
    fails it for the whole column), then one pass over all rows confirms the parsers left
    and counts values."""
    candidates = {name: [] if is_code_like(name) else [p.key for p in PARSERS] for name in names}
    sample = f"(SELECT * FROM {relation} LIMIT {PREFILTER_ROWS})"
    found = _profile(con, sample, names, candidates, full=False)
    candidates = {
        name: [key for key in keys if found[name].get(key) is not False]
        for name, keys in candidates.items()
    }
    found = _profile(con, relation, names, candidates, full=True)
    return [
        _decide(name, title, candidates[name], found[name])
        for name, title in zip(names, titles, strict=True)
    ]


# Quantities and instants: a facet on them would list every value, so their distinct values
# are not counted (saves 0.04 s per column per million rows).
_UNCOUNTED = ("integer", "number", "datetime")


def _profile(
    con: duckdb.DuckDBPyConnection,
    source: str,
    names: Sequence[str],
    candidates: dict[str, list[str]],
    *,
    full: bool,
) -> dict[str, dict[str, Any]]:
    """One aggregate row over ``source``: for each column, whether each candidate parser
    accepts every non-blank value (None when there is none) and, if ``full``, the counts.

    A column with no candidate left is text: it is counted on its raw values, and only the
    values starting with a blank are trimmed to tell blanks apart.
    """
    if len(names) > PROFILE_COLUMNS:
        merged: dict[str, dict[str, Any]] = {}
        for start in range(0, len(names), PROFILE_COLUMNS):
            chunk = names[start : start + PROFILE_COLUMNS]
            merged |= _profile(con, source, chunk, candidates, full=full)
        return merged
    values: list[str] = []
    items: list[tuple[str, str, str]] = []  # (column, key, SQL aggregate)
    for i, name in enumerate(names):
        ident, keys = sql_identifier(name), candidates[name]
        r, v = f"r{i}", f"t{i}"
        values.append(f"{ident} AS {r}")
        if keys:
            values.append(f"{value_sql(ident)} AS {v}")
        for key in keys:
            check = fill(PARSERS_BY_KEY[key].check, v)
            items.append((name, key, f"bool_and({check}) FILTER (WHERE {v} IS NOT NULL)"))
        if not full:
            continue
        items.append((name, "raw_non_null", f"count({r})"))
        if not keys:
            items.append((name, "blanks", f"count_if({is_blank_sql(r)})"))
            items.append((name, "distinct", f"approx_count_distinct({r})"))
            continue
        items.append((name, "non_null", f"count({v})"))
        items.append((name, "trimmed", f"count_if({r} IS DISTINCT FROM {v})"))
        if "numeric" in keys:
            items.append((name, "commas", f"count_if(contains({v}, ','))"))
            items.append((name, "points", f"count_if(contains({v}, '.'))"))
            groups = " OR ".join(f"contains({v}, chr({ord(c)}))" for c in GROUP_CHARS)
            items.append((name, "groups", f"count_if({groups})"))
        elif keys[0] in ("boolean", "date_dmy", "date_dmy_dash", "date_iso"):
            items.append((name, "distinct", f"approx_count_distinct({v})"))
        if "datetime_dmy" in keys:
            items.append((name, "seconds", f"bool_or(regexp_matches({v}, ':[0-9]{{2}}:'))"))
    found: dict[str, dict[str, Any]] = {name: {} for name in names}
    if not items:
        return found
    aggregates = ", ".join(sql for _, _, sql in items)
    query = f"SELECT {aggregates} FROM (SELECT {', '.join(values)} FROM {source})"
    row = con.execute(query).fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    for (name, key, _), value in zip(items, row, strict=True):
        found[name][key] = value
    for counts in found.values():
        if "blanks" in counts:
            counts["non_null"] = counts["raw_non_null"] - (counts["blanks"] or 0)  # NULL on 0 rows
    return found


def _count_distinct(
    con: duckdb.DuckDBPyConnection, source: str, names: Sequence[str]
) -> dict[str, int]:
    items = ", ".join(f"approx_count_distinct({value_sql(sql_identifier(n))})" for n in names)
    row = con.execute(f"SELECT {items} FROM {source}").fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    return {name: int(count) for name, count in zip(names, row, strict=True)}


def _decide(name: str, title: str, candidates: list[str], found: dict[str, Any]) -> InferredColumn:
    """The first parser (in ``PARSERS`` order) that accepted every value, else ``string``."""
    ident = sql_identifier(name)
    value = value_sql(ident)
    has_blanks = found["raw_non_null"] != found["non_null"]
    distinct = found.get("distinct")
    column = InferredColumn(
        name=name,
        title=title,
        type="string",
        select=f"CASE WHEN {value} IS NULL THEN NULL ELSE {ident} END" if has_blanks else ident,
        non_null=int(found["non_null"]),
        distinct=None if distinct is None else int(distinct),
    )
    accepted = [key for key in candidates if found.get(key) is True]
    if not accepted:
        return column
    parser = PARSERS_BY_KEY[accepted[0]]
    column = replace(column, parser=parser.key, trimmed=bool(found["trimmed"]))
    if not found["trimmed"]:  # no value to trim or to blank: convert the column as it is
        value = ident
    if parser is NUMERIC:
        commas, points = int(found["commas"] or 0), int(found["points"] or 0)
        column = replace(column, grouped=bool(found["groups"]))
        number = stripped(value) if found["groups"] else value
        if commas == 0 and points == 0:
            return replace(column, type="integer", select=f"CAST({number} AS BIGINT)")
        return replace(
            column,
            type="number",
            select=f"CAST(replace({number}, ',', '.') AS DOUBLE)",
            decimal_commas=commas,
            decimal_points=points,
        )
    fmt = parser.format
    if parser.key == "datetime_dmy":
        fmt = DMY_TIME_FORMATS[0] if found.get("seconds") else DMY_TIME_FORMATS[1]
    return replace(
        column,
        type=parser.type,
        select=fill(parser.convert, value),
        format=fmt,
        utc=parser.key == "datetime_utc",
    )
