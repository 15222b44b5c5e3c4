"""The statements of a records query, assembled from a checked plan: text and parameters.

Every statement reads one version's Parquet file through ``read_parquet``. Grouped queries
compute their keys once per row in a sub-query, so that the outer query refers to each key
by one column name (a key written twice with its parameters would be two expressions to SQL).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from territoria.datastore.odsql.planner import ROW_NUMBER, Output, Plan
from territoria.datastore.odsql.sql import Sql, local_time, quote_identifier, quote_string
from territoria.datastore.paths import resolved

if TYPE_CHECKING:
    from territoria.datastore.restriction import TableView


# How a value of each type is cast back from the JSON a cursor carries.
_CURSOR_CASTS = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "null": "VARCHAR",
}


def parquet_source(path: Path, row_number: bool = False) -> str:
    """The rows of a version's file. The path is ours (never user input), inlined as a SQL
    string; ``row_number`` adds each row's position in the file."""
    options = f", {ROW_NUMBER} = true" if row_number else ""
    return f"read_parquet({quote_string(str(resolved(path)))}{options})"


def source_sql(source: Path | TableView, row_number: bool = False) -> Sql:
    """The FROM item of ``source``: the file, or the caller's view of it (an agreement's
    columns, rows and cells: ``datastore.restriction``)."""
    if isinstance(source, Path):
        return Sql(parquet_source(source, row_number))
    return source.sql(row_number)


def _filtered(
    plan: Plan, path: Path | TableView, row_number: bool = False, after: Sql | None = None
) -> Sql:
    parts = [part for part in (plan.where, after) if part is not None]
    where = Sql.of(" WHERE {}", Sql.join(" AND ", parts)) if parts else Sql("")
    return Sql.of("FROM {}{}", source_sql(path, row_number), where)


def shaped(output: Output, shape: str, plan: Plan) -> Sql:
    """An output as a format carries it. ``json`` (records, csv, json, geojson: Python
    finishes the shaping): shapes as GeoJSON text. ``excel``: also points as "lat, lon" and
    date-times at the query's wall-clock time. ``raw`` (parquet): values as stored."""
    sql = output.sql
    if shape == "raw":
        return sql
    if output.type == "geo_shape":
        return Sql.of("CAST(ST_AsGeoJSON({}) AS VARCHAR)", sql)
    if shape == "excel" and output.type == "geo_point":
        return Sql.of(
            "CASE WHEN {} IS NULL THEN NULL ELSE concat(({}).lat, ', ', ({}).lon) END",
            sql,
            sql,
            sql,
        )
    if shape == "excel" and output.type == "datetime":
        return local_time(sql, plan.context)
    return sql


def keyset_condition(plan: Plan, values: list[Any]) -> Sql:
    """Rows after the one whose sort values are ``values``, in the plan's order (nulls last).

    Precondition: ``plan.sort_keys`` is not empty and ``values`` has one value per key."""
    equal: list[Sql] = []
    branches: list[Sql] = []
    for key, value in zip(plan.sort_keys, values, strict=True):
        sql = key.value.sql
        if value is None:
            equal.append(Sql.of("({} IS NULL)", sql))
            continue  # nothing sorts after a null but other nulls
        bound = Sql.of(f"CAST({{}} AS {_CURSOR_CASTS[key.value.type]})", Sql.param(value))
        op = "<" if key.descending else ">"
        after = Sql.of(f"({{}} {op} {{}} OR {{}} IS NULL)", sql, bound, sql)
        branches.append(Sql.join(" AND ", [*equal, after]))
        equal.append(Sql.of("({} = {})", sql, bound))
    if not branches:
        return Sql("FALSE")
    return Sql.of("({})", Sql.join(" OR ", (Sql.of("({})", b) for b in branches)))


def _grouped_rows(plan: Plan, path: Path | TableView) -> Sql:
    keys = Sql.join(
        ", ", (Sql.of("{} AS {}", sql, quote_identifier(column)) for column, sql in plan.keys)
    )
    return Sql.of("(SELECT *, {} {})", keys, _filtered(plan, path))


def _key_columns(plan: Plan) -> str:
    return ", ".join(quote_identifier(column).text for column, _ in plan.keys)


def select_statement(
    plan: Plan,
    path: Path | TableView,
    limit: int | None,
    offset: int,
    *,
    with_total: bool = False,
    shape: str = "json",
    with_sort: bool = False,
    after: Sql | None = None,
) -> Sql:
    """The rows (or groups) of the plan over the file at ``path``, in order, paged.
    ``with_total`` adds a last column: the number of groups, counted in the same pass;
    ``with_sort`` adds the sort values of each row (for a cursor), ``after`` keeps only the
    rows after a cursor (a ``keyset_condition``)."""
    items = [
        Sql.of("{} AS {}", shaped(o, shape, plan), quote_identifier(o.column)) for o in plan.outputs
    ]
    if with_sort:
        items.extend(
            Sql.of("{} AS {}", key.value.sql, quote_identifier(f"{plan.prefix}s{index}"))
            for index, key in enumerate(plan.sort_keys)
        )
    columns = Sql.join(", ", items)
    if plan.keys:
        total = ", count(*) OVER ()" if with_total else ""
        body = Sql.of(
            f"SELECT {{}}{total} FROM {{}} GROUP BY {_key_columns(plan)}",
            columns,
            _grouped_rows(plan, path),
        )
    else:
        body = Sql.of("SELECT {} {}", columns, _filtered(plan, path, plan.row_order, after))
    if plan.order:
        body = Sql.of("{} ORDER BY {}", body, Sql.join(", ", plan.order))
    if limit is not None:
        body = Sql.of("{} LIMIT {}", body, Sql.param(limit))
    if offset:
        body = Sql.of("{} OFFSET {}", body, Sql.param(offset))
    return body


def count_statement(plan: Plan, path: Path | TableView) -> Sql:
    """How many rows (or groups) the plan keeps."""
    if plan.keys:
        grouped = Sql.of(
            f"SELECT 1 FROM {{}} GROUP BY {_key_columns(plan)}", _grouped_rows(plan, path)
        )
        return Sql.of("SELECT count(*) FROM ({})", grouped)
    return Sql.of("SELECT count(*) {}", _filtered(plan, path))


def facet_statement(
    path: Path | TableView,
    types: Mapping[str, str],
    names: list[str],
    condition: Sql | None,
    limit: int,
) -> Sql:
    """Rows ``(facet index, value as text, count, rank)``: the filtered rows once
    (materialized: measured 2× faster than filtering again per field), then the top
    ``limit`` values of each field. Dates count by year."""
    keys = []
    for index, name in enumerate(names):
        column = quote_identifier(name)
        key = {
            "date": Sql.of("year({})", column),
            "datetime": Sql.of("year({})", column),
            # Decimals print as floats do in records: 15.6, not 15.60.
            "number": Sql.of("CAST({} AS DOUBLE)", column),
        }.get(types[name], column)
        keys.append(Sql.of(f"{{}} AS k{index}", key))
    where = Sql.of(" WHERE {}", condition) if condition is not None else Sql("")
    rows = Sql.of(
        "facet_rows AS MATERIALIZED (SELECT {} FROM {}{})",
        Sql.join(", ", keys),
        source_sql(path),
        where,
    )
    branches = [
        Sql.of(
            f"SELECT {index} AS facet, CAST(k AS VARCHAR) AS value, n,"
            " row_number() OVER (ORDER BY n DESC, k) AS rank"
            f" FROM (SELECT k{index} AS k, count(*) AS n FROM facet_rows"
            f" WHERE k{index} IS NOT NULL GROUP BY k{index} ORDER BY n DESC, k LIMIT {{}})",
            Sql.param(limit),
        )
        for index in range(len(names))
    ]
    return Sql.of("WITH {} {}", rows, Sql.join(" UNION ALL ", branches))
