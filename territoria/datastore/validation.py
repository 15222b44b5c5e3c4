"""Validation of a version against a Table Schema: a report per error type, with rows and columns.

A resource may declare a Table Schema (https://specs.frictionlessdata.io/table-schema/, the
format of schema.data.gouv.fr); each new version is checked against it, or, when none is
declared, against the schema its reader inferred (then only blank rows can fail, and the
report still carries the column statistics the quality score needs).

The checks run in DuckDB over the version's Parquet file, never row by row in Python: one
aggregate pass counts every rule (types castable, required, unique and primary key, pattern,
enum, minimum/maximum, minLength/maxLength), then one ``ORDER BY row LIMIT n`` query per broken
rule fetches its first examples. Columns are matched to the declared fields by name, by header
as written (``title``) or by the snake_case name the readers give (``coordonneesXY`` is stored
as ``coordonneesxy``); declared fields without a column and columns without a field are
reported too. The rules themselves (schema → SQL) are in ``validation_rules.py``.

The report is JSON-able and holds codes and parameters only: the portal and the API turn them
into French sentences (``catalog/validation_report.py``). Row numbers count the header as
line 1, as frictionless and Validata do: the first record is row 2.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from territoria.datastore.readers.connection import (
    open_connection,
    plain_path,
    sql_identifier,
    sql_string,
)
from territoria.datastore.validation_rules import (
    Plan,
    PythonPattern,
    Rule,
    SchemaError,
    check_table_schema,
    plan_rules,
    present_sql,
)

__all__ = ["Check", "SchemaError", "check_table_schema", "validate_parquet", "validation_check"]

# Examples kept per broken rule, and the longest value shown in one.
DEFAULT_EXAMPLES = 5
MAX_VALUE_CHARS = 120

Check = Callable[[Path, dict[str, Any]], dict[str, Any]]


def validation_check(
    declared: dict[str, Any] | None,
    *,
    reference: dict[str, Any] | None = None,
    examples: int = DEFAULT_EXAMPLES,
) -> Check:
    """A ``VersionStore.stage`` check validating against ``declared`` (None: the inferred schema).

    ``reference`` (JSON-able: the schema's url, name, version…) is copied into the report.
    """

    def check(parquet: Path, inferred: dict[str, Any]) -> dict[str, Any]:
        try:
            return validate_parquet(
                parquet, inferred, declared, reference=reference, examples=examples
            )
        except duckdb.InterruptException:
            raise  # the operation was cancelled: no version
        except duckdb.Error as error:
            # A rule DuckDB cannot run must not refuse the data: the version is staged and
            # its report says the check failed (and why), which the score counts as 0.
            source = "declared" if declared else "inferred"
            return {
                "schema": {"source": source, **(reference or {})},
                "valid": False,
                "failed": str(error).splitlines()[0][:300],
                "conformance": 0.0,
                "errors": [],
            }

    return check


def validate_parquet(
    parquet: Path,
    inferred: dict[str, Any],
    declared: dict[str, Any] | None = None,
    *,
    reference: dict[str, Any] | None = None,
    examples: int = DEFAULT_EXAMPLES,
) -> dict[str, Any]:
    """The validation report of the Parquet file ``parquet`` whose schema is ``inferred``.

    Precondition: ``declared`` passed ``check_table_schema``. Returns a JSON-able dict:
    ``schema`` (declared or inferred, and ``reference``), ``valid``, ``row_count``,
    ``invalid_rows`` (rows breaking at least one rule), ``conformance`` (share of rows that
    break none, 0–1), ``error_count``, ``error_counts`` (per code), ``errors`` (one per code
    and field: ``code``, ``field``, ``column``, ``count``, ``params``, ``examples`` of
    ``{"row", "value"}``), ``columns`` (per column: ``cells``, ``filled``), ``completeness``
    (share of filled cells, 0–1) and ``newest_date`` (the latest date not in the future found
    in the date columns, ISO, or None).
    """
    columns = [f for f in inferred.get("fields", []) if isinstance(f, dict) and "name" in f]
    plan = plan_rules(columns, declared)
    with tempfile.TemporaryDirectory(prefix="validation-") as temp:
        con = open_connection(Path(temp) / "spill")
        try:
            source = plain_path(Path(parquet), Path(temp) / "data.parquet")
            _find_python_mismatches(con, _relation(source, [], []), plan.python_patterns)
            relations = (
                _relation(source, plan.typed, plan.windows),
                _relation(source, plan.typed, []),
            )
            return _run(con, relations, columns, plan, declared, reference, examples)
        finally:
            con.close()


def _relation(source: Path, typed: Sequence[str], windows: Sequence[str]) -> str:
    """The rows, with each declared value cast once (a cast repeated in every rule cost 5×
    on a million rows), and the window counts of the unique rules when asked."""
    scan = f"read_parquet({sql_string(str(source))}, file_row_number = true)"
    casts = "".join(f", {t}" for t in typed)
    counts = "".join(f", {w}" for w in windows)
    return f"(SELECT *{counts} FROM (SELECT *{casts} FROM {scan}))"


def _run(
    con: duckdb.DuckDBPyConnection,
    relations: tuple[str, str],
    columns: list[dict[str, Any]],
    plan: Plan,
    declared: dict[str, Any] | None,
    reference: dict[str, Any] | None,
    examples: int,
) -> dict[str, Any]:
    relation, plain = relations  # with and without the window counts
    missing_values = (declared or {}).get("missingValues", [""])
    filled = [present_sql(c["name"], c.get("type", "string"), missing_values) for c in columns]
    dates = [
        sql_identifier(c["name"])
        for c in columns
        if c.get("type") in ("date", "datetime") and c.get("name")
    ]
    items = ["count(*)"]
    items += [f"count(*) FILTER (WHERE {r.failing})" for r in plan.rules]
    any_failing = " OR ".join(f"({r.failing})" for r in plan.rules) or "false"
    items.append(f"count(*) FILTER (WHERE {any_failing})")
    items += [f"count(*) FILTER (WHERE {f})" for f in filled]
    newest = [
        f"max(CAST({d} AS DATE)) FILTER (WHERE CAST({d} AS DATE) <= current_date)" for d in dates
    ]
    items.append(f"greatest({', '.join(newest)})" if newest else "NULL")
    row = con.execute(f"SELECT {', '.join(items)} FROM {relation}").fetchone()
    assert row is not None  # an aggregate without GROUP BY returns one row
    row_count = int(row[0])
    counts = [int(n) for n in row[1 : 1 + len(plan.rules)]]
    invalid_rows = row_count if plan.all_rows_fail else int(row[1 + len(plan.rules)])
    filled_counts = [int(n) for n in row[2 + len(plan.rules) : 2 + len(plan.rules) + len(columns)]]
    newest_date = row[-1]

    errors = list(plan.errors)
    for rule, count in zip(plan.rules, counts, strict=True):
        if count:
            errors.append(
                {
                    "code": rule.code,
                    "field": rule.field_name,
                    "column": rule.column,
                    "count": count,
                    "params": rule.params,
                    # Window counts (unique, primary key) cost a sort: only where needed.
                    "examples": _examples(
                        con, relation if "__unique_" in rule.failing else plain, rule, examples
                    ),
                }
            )
    error_counts: dict[str, int] = {}
    for error in errors:
        error_counts[error["code"]] = error_counts.get(error["code"], 0) + error["count"]
    cells = row_count * len(columns)
    return {
        "schema": {"source": "declared" if declared else "inferred", **(reference or {})},
        "valid": not errors,
        "row_count": row_count,
        "invalid_rows": invalid_rows,
        "conformance": 1.0 if row_count == 0 else round(1 - invalid_rows / row_count, 4),
        "error_count": sum(error_counts.values()),
        "error_counts": error_counts,
        "errors": errors,
        "columns": {
            c["name"]: {"cells": row_count, "filled": n}
            for c, n in zip(columns, filled_counts, strict=True)
        },
        "completeness": 1.0 if cells == 0 else round(sum(filled_counts) / cells, 4),
        "newest_date": newest_date.isoformat() if isinstance(newest_date, date) else None,
    }


def _examples(
    con: duckdb.DuckDBPyConnection, relation: str, rule: Rule, limit: int
) -> list[dict[str, Any]]:
    value = rule.value or "NULL"
    rows = con.execute(
        f"SELECT file_row_number, CAST({value} AS VARCHAR) FROM {relation} "
        f"WHERE {rule.failing} ORDER BY file_row_number LIMIT {int(limit)}"
    ).fetchall()
    return [{"row": int(number) + 2, "value": _shorten(text)} for number, text in rows]


def _shorten(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_VALUE_CHARS:
        return text
    return text[: MAX_VALUE_CHARS - 1] + "…"


def _find_python_mismatches(
    con: duckdb.DuckDBPyConnection, scan: str, patterns: Sequence[PythonPattern]
) -> None:
    """Fill one table per pattern RE2 refuses with the distinct values that do not match it.

    Table Schemas may use look-arounds or back-references, which DuckDB's RE2 does not
    support; these patterns are checked with Python's ``re`` over distinct values, streamed.
    """
    for item in patterns:
        regex = re.compile(item.pattern)
        failing: list[str] = []
        cursor = con.execute(f"SELECT DISTINCT {item.text} FROM {scan} WHERE {item.present}")
        while batch := cursor.fetchmany(10_000):
            failing += [v for (v,) in batch if regex.fullmatch(v) is None]
        con.execute(
            f"CREATE TEMP TABLE {item.table} AS SELECT unnest(?::VARCHAR[]) AS value", [failing]
        )
