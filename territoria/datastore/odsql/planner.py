"""Turn the clauses of one records query into a checked plan: outputs, filter, groups, order.

The plan is pure data (SQL fragments with parameters); ``datastore.query`` assembles it into
statements. Rules, following Opendatasoft's Explore v2.1:

- no select, or ``*``: every field of the schema, in schema order;
- with ``group_by`` or an aggregate in select, one row per group (one row in all without
  ``group_by``); a field outside an aggregate must then be a group key; the group keys come
  first in each row unless select names them;
- an unaliased expression is named by its ODSQL text (``count(*)``, ``year(date)``);
- order_by may name select aliases, group keys, fields and aggregates; nulls sort last;
  rows without order_by keep the order of the file, groups are sorted by their keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql import ast
from territoria.datastore.odsql.compiler import compile_condition, compile_value
from territoria.datastore.odsql.functions import is_aggregate
from territoria.datastore.odsql.parser import (
    parse_group_by,
    parse_order_by,
    parse_select,
    parse_where,
)
from territoria.datastore.odsql.render import render
from territoria.datastore.odsql.sql import GroupKey, Scope, Sql, quote_identifier

ROW_NUMBER = "file_row_number"  # DuckDB's name for a row's position in its Parquet file


@dataclass(frozen=True)
class Output:
    label: str  # the key of the value in each result row
    column: str  # the SQL alias, ours: never user text
    sql: Sql
    expr: ast.Expr  # what select (or group_by) wrote


@dataclass(frozen=True)
class Plan:
    outputs: tuple[Output, ...]
    where: Sql | None  # every where clause, refine and exclude, AND-ed
    keys: tuple[tuple[str, Sql], ...]  # (column, row-level expression) of each group key
    aggregated: bool  # one row per group, or a single row when there are no keys
    order: tuple[Sql, ...]  # ORDER BY terms, tie-breakers included
    row_order: bool  # rows are ordered by their position in the file (needs ROW_NUMBER)
    whole_version: bool  # every field, every row, file order: the version file itself

    @property
    def labels(self) -> list[str]:
        return [output.label for output in self.outputs]


def plan_query(
    fields: Mapping[str, str],
    *,
    select: str | None = None,
    where: Sequence[str] = (),
    group_by: str | None = None,
    order_by: str | None = None,
    refine: Sequence[tuple[str, str]] = (),
    exclude: Sequence[tuple[str, str]] = (),
) -> Plan:
    """Check every clause against ``fields`` (name → Table Schema type) and plan the query.

    Raises QueryError naming the clause (``param``), the position and the unknown field.
    """
    condition = plan_filter(fields, where=where, refine=refine, exclude=exclude)
    prefix = _fresh_prefix(fields)
    keys = _group_keys(fields, group_by, prefix)
    items = parse_select(select) if select and select.strip() != "*" else None
    aggregated = bool(keys) or any(is_aggregate(item.expr) for item in items or ())
    if aggregated:
        outputs = _grouped_outputs(fields, items, keys, prefix)
    else:
        outputs = _row_outputs(fields, items, prefix)
    _check_labels(outputs)
    order_items = parse_order_by(order_by) if order_by and order_by.strip() else ()
    order = _order(fields, order_items, outputs, keys if aggregated else None)
    row_order = not aggregated and ROW_NUMBER not in fields
    if row_order:
        order.append(quote_identifier(ROW_NUMBER))
    elif keys:
        order.extend(Sql.of("{} ASC NULLS LAST", key.typed.sql) for key in keys)
    whole = (
        condition is None
        and not aggregated
        and not order_items
        and [output.label for output in outputs] == list(fields)
    )
    return Plan(
        outputs=tuple(outputs),
        where=condition,
        keys=tuple((key.column, key.row_sql) for key in keys),
        aggregated=aggregated,
        order=tuple(order),
        row_order=row_order,
        whole_version=whole,
    )


def plan_filter(
    fields: Mapping[str, str],
    *,
    where: Sequence[str] = (),
    refine: Sequence[tuple[str, str]] = (),
    exclude: Sequence[tuple[str, str]] = (),
) -> Sql | None:
    """The AND of every where clause, refine (field equals value) and exclude (it does not)."""
    if isinstance(where, str):  # one clause given alone rather than in a tuple
        where = (where,)
    scope = Scope("where", fields)
    parts = [compile_condition(parse_where(text), scope) for text in where if text.strip()]
    for param, pairs in (("refine", refine), ("exclude", exclude)):
        scope = Scope(param, fields)
        for name, value in pairs:
            field = ast.Field(name)
            try:
                scope.resolve_field(field)
                test = compile_condition(ast.Compare("=", field, ast.String(value)), scope)
            except QueryError as error:
                raise QueryError(error.message, param=param, field=name) from None
            # Exclude keeps the rows where the field is empty: they are not equal to the value.
            parts.append(test if param == "refine" else Sql.of("({} IS NOT TRUE)", test))
    return Sql.join(" AND ", parts) if parts else None


def _fresh_prefix(fields: Mapping[str, str]) -> str:
    """A prefix for our SQL aliases that no field name starts with."""
    prefix = "_t_"
    while any(name.startswith(prefix) for name in fields):
        prefix = "_" + prefix
    return prefix


def _group_keys(fields: Mapping[str, str], group_by: str | None, prefix: str) -> list[GroupKey]:
    if not group_by or not group_by.strip():
        return []
    scope = Scope("group_by", fields)
    keys: list[GroupKey] = []
    for index, item in enumerate(parse_group_by(group_by)):
        typed = compile_value(item.expr, scope)
        keys.append(GroupKey(item.expr, item.alias, f"{prefix}k{index}", typed.type, typed.sql))
    return keys


def _label(expr: ast.Expr, alias: str | None) -> str:
    if alias is not None:
        return alias
    return expr.name if isinstance(expr, ast.Field) else render(expr)


def _row_outputs(
    fields: Mapping[str, str], items: tuple[ast.SelectItem, ...] | None, prefix: str
) -> list[Output]:
    scope = Scope("select", fields)
    outputs: list[Output] = []
    for item in items or (ast.SelectItem(ast.Star()),):
        if isinstance(item.expr, ast.Star):
            for name in fields:
                column = f"{prefix}c{len(outputs)}"
                outputs.append(Output(name, column, quote_identifier(name), ast.Field(name)))
            continue
        column = f"{prefix}c{len(outputs)}"
        typed = compile_value(item.expr, scope)
        outputs.append(Output(_label(item.expr, item.alias), column, typed.sql, item.expr))
    return outputs


def _grouped_outputs(
    fields: Mapping[str, str],
    items: tuple[ast.SelectItem, ...] | None,
    keys: list[GroupKey],
    prefix: str,
) -> list[Output]:
    scope = Scope("select", fields, aggregates=True, keys=tuple(keys))
    selected = items or ()
    outputs: list[Output] = []
    for key in keys:
        named = any(
            item.expr == key.expr
            or (isinstance(item.expr, ast.Field) and item.expr.name == key.alias)
            for item in selected
        )
        if not named:
            label = _label(key.expr, key.alias)
            column = f"{prefix}c{len(outputs)}"
            outputs.append(Output(label, column, key.typed.sql, key.expr))
    for item in selected:
        if isinstance(item.expr, ast.Star):
            raise scope.error("'*' cannot be used with group_by or aggregates", item.expr)
        typed = compile_value(item.expr, scope)
        column = f"{prefix}c{len(outputs)}"
        outputs.append(Output(_label(item.expr, item.alias), column, typed.sql, item.expr))
    return outputs


def _check_labels(outputs: list[Output]) -> None:
    seen: set[str] = set()
    for output in outputs:
        folded = output.label.lower()
        if folded in seen:
            raise QueryError(
                f"select: two columns are named '{output.label}' (give one an alias with AS)",
                param="select",
            )
        seen.add(folded)


def _order(
    fields: Mapping[str, str],
    order_items: tuple[ast.OrderItem, ...],
    outputs: list[Output],
    keys: list[GroupKey] | None,
) -> list[Sql]:
    """ORDER BY terms: a name of the results (alias first) or an expression of the select
    sorts by that column; anything else is compiled in the scope of the query."""
    by_label = {output.label: quote_identifier(output.column) for output in outputs}
    by_expr = {output.expr: quote_identifier(output.column) for output in outputs}
    if keys is None:
        scope = Scope("order_by", fields)
    else:
        scope = Scope("order_by", fields, aggregates=True, keys=tuple(keys))
    terms: list[Sql] = []
    for item in order_items:
        expr = item.expr
        if isinstance(expr, ast.Field) and expr.name in by_label:
            sql = by_label[expr.name]
        elif expr in by_expr:
            sql = by_expr[expr]
        elif _constant(expr):
            # SQL would read ORDER BY 2 as "the second column": refuse rather than surprise.
            raise scope.error("cannot sort by a constant", expr)
        else:
            sql = compile_value(expr, scope).sql
        direction = "DESC" if item.descending else "ASC"
        terms.append(Sql.of(f"{{}} {direction} NULLS LAST", sql))
    return terms


def _constant(expr: ast.Expr) -> bool:
    """Whether ``expr`` has the same value on every row (it names no field, counts nothing)."""
    return not any(
        isinstance(node, ast.Field | ast.Star)
        or (isinstance(node, ast.Call) and (node.name == "search" or is_aggregate(node)))
        for node in ast.walk(expr)
    )
