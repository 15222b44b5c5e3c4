"""The fast path of CSV reading: types read from a sample, then every row converted in one
pass, each value under a guard that aborts the pass when it does not fit.

The exact path (``inference`` over an all-VARCHAR copy of the file, then the typed copy)
reads the data three times; this one once, for the same result. Why it is the same:

- a parser that rejects one value of the sample rejects the whole column, so over all rows
  the exact path picks the sample's parser if every later value passes it; each guard
  checks that, and aborts the pass otherwise;
- the conversion the exact path writes depends on what it counts over all rows (values to
  trim, group separators, decimal marks, seconds); each guard also refuses a value that
  would have changed those counts' verdict (a group separator when the sample had none…);
- a column the sample says nothing about (blank in every sampled row) must stay blank;
- text is stored as written but blanks: in a file without no-break spaces, the Parquet
  statistics tell after the pass whether a text column took a blank (``unguarded``).

When a guard aborts, the caller runs the exact path: slower, never different. A guard may
refuse more than needed, never less. The counts of the schema are read from the written
file and its statistics (``count_written``); they differ from the exact path's in one
respect: a column whose first rows already hold more values than a facet lists gets a
lower bound of its distinct values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import duckdb

from territoria.datastore.readers.connection import sql_identifier, sql_string
from territoria.datastore.readers.inference import InferredColumn, decide_columns, is_code_like
from territoria.datastore.readers.parsers import (
    BLANKS,
    DMY_TIME_FORMATS,
    DMY_TIME_PATTERNS,
    PARSERS_BY_KEY,
    fill,
    numeric_pattern,
    stripped,
    value_sql,
)
from territoria.datastore.readers.schema import FACET_MAX_DISTINCT, FACET_TYPES

# Rows read to guess the types. Past them, one value that does not fit costs a second
# reading of the file (the exact path). Typing 10,000 rows of the benchmark file takes
# 0.085 s, 20,000 rows 0.11 s (2 % of the whole read); DuckDB's own sniffer reads 20,480.
SAMPLE_ROWS = 10_000

MISS = "territoria: a value does not fit the type read in the sample"
_MISS_SQL = f"error({sql_string(MISS)})"


class SampleMiss(Exception):
    """A value past the sample does not fit the type read in the sample."""


@dataclass(frozen=True)
class Sample:
    """The first rows of a CSV: their columns' types, how many they are, the exact count of
    distinct values (as stored) of the columns that may facet, and the text columns holding
    a value that starts below ``!`` (with a space, a tab: perhaps a blank)."""

    columns: list[InferredColumn]
    rows: int
    distinct: dict[str, int]
    low_start: frozenset[str]
    nbsp: bool = True  # the file may hold no-break spaces (blanks that do not sort first)


def sample_types(
    con: duckdb.DuckDBPyConnection, table: str, names: Sequence[str], titles: Sequence[str]
) -> Sample | None:
    """What the rows of ``table`` (VARCHAR columns, at most ``SAMPLE_ROWS``) tell; None when
    the exact path must decide (see ``can_guard``)."""
    columns = decide_columns(con, table, names, titles)
    if not can_guard(columns):
        return None
    counted = [c for c in columns if c.type in FACET_TYPES]
    texts = [c.name for c in columns if _is_text(c)]
    items = [
        "count(*)",
        *(f"count(DISTINCT {c.select})" for c in counted),
        *(f"count_if({sql_identifier(n)} < '!')" for n in texts),
    ]
    row = con.execute(f"SELECT {', '.join(items)} FROM {table}").fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    split = 1 + len(counted)
    distinct = {c.name: int(n) for c, n in zip(counted, row[1:split], strict=True)}
    low = [n for n, count in zip(texts, row[split:], strict=True) if count]
    return Sample(columns, int(row[0]), distinct, frozenset(low))


def _is_text(column: InferredColumn) -> bool:
    """A text column with values in the sample (not one blank all through it)."""
    return column.parser is None and (column.non_null > 0 or is_code_like(column.name))


def unguarded(sample: Sample) -> list[str]:
    """The text columns converted without a guard on each value.

    A text value is stored as written unless it is blank (stored NULL). Blank values made of
    spaces and tabs start below ``!``, so in a file without no-break spaces, a column whose
    stored values all sort from ``!`` on holds no blank: its Parquet statistics (minimum of
    each row group) tell after the pass (``has_no_blank``), sparing a test on every value
    (0.07 s of 1.2 s on the benchmark file). Not for a column whose sample holds a value
    starting below ``!``: its minimum would tell nothing.
    """
    if sample.nbsp:
        return []
    return [c.name for c in sample.columns if _is_text(c) and c.name not in sample.low_start]


def has_no_blank(con: duckdb.DuckDBPyConnection, written: str, sample: Sample) -> bool:
    """Whether the Parquet file ``written`` (a SQL string literal) holds no blank in the
    ``unguarded`` columns of ``sample``, judged from its statistics."""
    names = unguarded(sample)
    if not names:
        return True
    listed = ", ".join(sql_string(n) for n in names)
    rows = con.execute(
        "SELECT num_values, stats_null_count, stats_min_value FROM parquet_metadata("
        f"{written}) WHERE path_in_schema IN ({listed})"
    ).fetchall()
    for values, nulls, minimum in rows:
        if minimum is None:  # no statistics: only an all-NULL row group says nothing
            if nulls is None or values > nulls:
                return False
        elif minimum < "!":
            return False
    return True


def can_guard(columns: Sequence[InferredColumn]) -> bool:
    """Whether the sample tells the types for good: not when number columns use different
    decimal marks, as the schema's ``decimal`` then depends on counts over all rows."""
    marks = {_decimal_mark(c) for c in columns if c.type == "number"}
    return len(marks) <= 1 and None not in marks


def guarded_select(sample: Sample, relation: str) -> str:
    """The SELECT converting ``relation`` (the VARCHAR columns named as the sample's) to the
    types read in the sample, each value guarded but in the ``unguarded`` text columns.
    Precondition: ``can_guard``."""
    values, parsed, outputs = [], [], []
    plain = set(unguarded(sample))
    for index, column in enumerate(sample.columns):
        raw, v, x = sql_identifier(column.name), f"v{index}", f"x{index}"
        value = value_sql(raw) if column.trimmed else raw
        values.append(f"{value} AS {v}")
        parsed.append(v)
        if column.name in plain:
            output = v
        elif column.parser is None:
            output = _text(column, v)
        else:
            guard, parse = _guard(column)
            parsed.append(f"{fill(parse, v)} AS {x}")
            output = (
                f"CASE WHEN {v} IS NULL THEN NULL WHEN {fill(guard, v).replace('{x}', x)}"
                f" THEN {x} ELSE {_MISS_SQL} END"
            )
        outputs.append(f"{output} AS {sql_identifier(column.name)}")
    return (
        f"SELECT {', '.join(outputs)} FROM (SELECT {', '.join(parsed)}"
        f" FROM (SELECT {', '.join(values)} FROM {relation}))"
    )


def _decimal_mark(column: InferredColumn) -> str | None:
    """The one decimal mark of a number column in the sample; None if it used both."""
    if column.decimal_points == 0:
        return ","
    if column.decimal_commas == 0:
        return "."
    return None


def _text(column: InferredColumn, v: str) -> str:
    """A text column: values as written, blanks as NULL. A column that was blank all through
    the sample (and is not a code) must stay blank: a later value could have typed it."""
    if column.non_null == 0 and not is_code_like(column.name):
        blank = f"{v} IS NULL OR {_is_blank(v)}"
        return f"CAST(CASE WHEN {blank} THEN NULL ELSE {_MISS_SQL} END AS VARCHAR)"
    return f"CASE WHEN {_is_blank(v)} THEN NULL ELSE {v} END"


def _is_blank(v: str) -> str:
    """SQL: ``v`` is all blanks. Comparing bytes first (a value starting below ``!``, with NBSP
    or with a narrow NBSP) spares the function calls on every other value."""
    maybe = (
        f"({v} < '!' OR ({v} >= '\u00a0' AND {v} < '\u00a1')"
        f" OR ({v} >= '\u202f' AND {v} < '\u2030'))"
    )
    codes = ", ".join(str(ord(c)) for c in BLANKS)
    return f"({maybe} AND ascii({v}) IN ({codes}) AND trim({v}, {sql_string(BLANKS)}) = '')"


def _guard(column: InferredColumn) -> tuple[str, str]:
    """The guard over ``{v}`` and ``{x}``, and the conversion giving ``{x}`` (NULL when the
    value does not parse), for a column the sample typed."""
    parser = PARSERS_BY_KEY[str(column.parser)]
    if column.type in ("integer", "number"):
        marks = "" if column.type == "integer" else _decimal_mark(column) or ""
        number = stripped("{v}") if column.grouped else "{v}"
        if marks == ",":
            number = f"replace({number}, ',', '.')"
        target = "BIGINT" if column.type == "integer" else "DOUBLE"
        pattern = numeric_pattern(marks, groups=column.grouped)
        return _matches(pattern), f"TRY_CAST({number} AS {target})"
    if parser.pattern is None:  # booleans: the parse is the whole check
        return "{x} IS NOT NULL", parser.parse
    pattern = parser.pattern
    if parser.key == "datetime_dmy":  # the format says whether any value has seconds
        pattern = DMY_TIME_PATTERNS[column.format == DMY_TIME_FORMATS[0]]
    return _matches(pattern), parser.parse


def _matches(pattern: str) -> str:
    return f"regexp_full_match({{v}}, {sql_string(pattern)}) AND {{x}} IS NOT NULL"


def count_written(
    con: duckdb.DuckDBPyConnection, dest: str, row_count: int, sample: Sample
) -> list[InferredColumn]:
    """The sample's columns with their counts over all rows, read from the Parquet file
    ``dest`` (a SQL string literal) and its statistics.

    Non-null values come from the statistics. Distinct values (for the types that may
    facet) are counted over the stored values, in one pass over the file but for the
    columns whose first rows already hold more values than a facet lists: these cannot
    facet, and get the count of those rows, or the largest count of a row group's
    dictionary, whichever is larger, marked as a lower bound. Counting them in full
    would read back the widest columns (a label, an identifier): 0.1 s of the 1.1 s the
    benchmark file takes. (DuckDB writes a null count for every column chunk.)
    """
    stats = con.execute(
        "SELECT path_in_schema, sum(stats_null_count), max(stats_distinct_count)"
        f" FROM parquet_metadata({dest}) GROUP BY path_in_schema"
    ).fetchall()
    nulls = {name: int(n or 0) for name, n, _ in stats}
    in_groups = {name: int(d or 0) for name, _, d in stats}
    whole = row_count <= sample.rows  # the sample held every row
    bounded = {
        name: max(count, in_groups.get(name, 0))
        for name, count in sample.distinct.items()
        if count > FACET_MAX_DISTINCT and not whole
    }
    counted = [c.name for c in sample.columns if c.type in FACET_TYPES and c.name not in bounded]
    distinct = dict(bounded)
    if counted:
        items = ", ".join(f"approx_count_distinct({sql_identifier(n)})" for n in counted)
        row = con.execute(f"SELECT {items} FROM read_parquet({dest})").fetchone()
        assert row is not None  # an aggregate without GROUP BY always returns one row
        distinct.update({name: int(count) for name, count in zip(counted, row, strict=True)})
    return [
        replace(
            c,
            non_null=row_count - nulls.get(c.name, 0),
            distinct=distinct.get(c.name),
            distinct_at_least=c.name in bounded,
        )
        for c in sample.columns
    ]
