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
from territoria.datastore.odsql.geo import geo_cluster_key
from territoria.datastore.odsql.parser import (
    parse_group_by,
    parse_order_by,
    parse_select,
    parse_where,
)
from territoria.datastore.odsql.render import render
from territoria.datastore.odsql.sql import (
    NO_CONTEXT,
    NUMERIC,
    Context,
    GroupKey,
    Scope,
    Sql,
    Typed,
    quote_identifier,
)

ROW_NUMBER = "file_row_number"  # DuckDB's name for a row's position in its Parquet file
# Types whose values a cursor can carry as JSON and bind back.
CURSOR_TYPES = frozenset({"string", "integer", "number", "boolean", "date", "datetime", "null"})


@dataclass(frozen=True)
class Output:
    label: str  # the key of the value in each result row
    column: str  # the SQL alias, ours: never user text
    sql: Sql
    expr: ast.Expr  # what select (or group_by) wrote
    type: str = "string"  # the ODSQL type of the value: how it is shaped for each format


@dataclass(frozen=True)
class Plan:
    outputs: tuple[Output, ...]
    where: Sql | None  # every where clause, refine and exclude, AND-ed
    keys: tuple[tuple[str, Sql], ...]  # (column, row-level expression) of each group key
    aggregated: bool  # one row per group, or a single row when there are no keys
    order: tuple[Sql, ...]  # ORDER BY terms, tie-breakers included
    sort_keys: tuple[SortKey, ...]  # the same terms for keyset cursors; () when not possible
    row_order: bool  # rows are ordered by their position in the file (needs ROW_NUMBER)
    prefix: str  # of our SQL aliases: no field name starts with it
    context: Context  # timezone and lang the values are shown in
    whole_version: bool  # every field, every row, file order: the version file itself

    @property
    def labels(self) -> list[str]:
        return [output.label for output in self.outputs]

    @property
    def spatial(self) -> bool:
        """Whether the query needs DuckDB's spatial extension (a geo function, a shape)."""
        if any(output.type == "geo_shape" for output in self.outputs):
            return True
        parts = [o.sql for o in self.outputs] + [sql for _, sql in self.keys] + list(self.order)
        return uses_spatial(self.where, *parts)


def uses_spatial(*parts: Sql | None) -> bool:
    """Whether SQL we wrote calls a spatial function (all are named ST_…, in geo.py)."""
    return any(part is not None and "ST_" in part.text for part in parts)


def plan_query(
    fields: Mapping[str, str],
    *,
    select: str | None = None,
    where: Sequence[str] = (),
    group_by: str | None = None,
    order_by: str | None = None,
    refine: Sequence[tuple[str, str]] = (),
    exclude: Sequence[tuple[str, str]] = (),
    context: Context = NO_CONTEXT,
) -> Plan:
    """Check every clause against ``fields`` (name → Table Schema type) and plan the query.

    Raises QueryError naming the clause (``param``), the position and the unknown field.
    """
    condition = plan_filter(fields, where=where, refine=refine, exclude=exclude, context=context)
    prefix = _fresh_prefix(fields)
    keys = _group_keys(fields, group_by, prefix, context)
    items = parse_select(select) if select and select.strip() != "*" else None
    aggregated = bool(keys) or any(is_aggregate(item.expr) for item in items or ())
    if aggregated:
        outputs = _grouped_outputs(fields, items, keys, prefix, context)
    else:
        outputs = _row_outputs(fields, items, prefix, context)
    _check_labels(outputs)
    order_items = parse_order_by(order_by) if order_by and order_by.strip() else ()
    sort = _order(fields, order_items, outputs, keys if aggregated else None, context)
    order = [key.term for key in sort]
    row_order = not aggregated and ROW_NUMBER not in fields
    if row_order:
        row_number = quote_identifier(ROW_NUMBER)
        order.append(row_number)
        sort.append(SortKey(row_number, Typed(row_number, "integer")))
    elif keys:
        order.extend(Sql.of("{} ASC NULLS LAST", key.typed.sql) for key in keys)
    # A keyset cursor needs a total order of rows on plain values: the file's row number last.
    keyset = row_order and all(key.value.type in CURSOR_TYPES for key in sort)
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
        sort_keys=tuple(sort) if keyset else (),
        row_order=row_order,
        prefix=prefix,
        context=context,
        whole_version=whole,
    )


def plan_filter(
    fields: Mapping[str, str],
    *,
    where: Sequence[str] = (),
    refine: Sequence[tuple[str, str]] = (),
    exclude: Sequence[tuple[str, str]] = (),
    context: Context = NO_CONTEXT,
) -> Sql | None:
    """The AND of every where clause, refine (field equals value) and exclude (it does not)."""
    if isinstance(where, str):  # one clause given alone rather than in a tuple
        where = (where,)
    scope = Scope("where", fields, context=context)
    parts = [compile_condition(parse_where(text), scope) for text in where if text.strip()]
    for param, pairs in (("refine", refine), ("exclude", exclude)):
        scope = Scope(param, fields, context=context)
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


def _group_keys(
    fields: Mapping[str, str], group_by: str | None, prefix: str, context: Context
) -> list[GroupKey]:
    if not group_by or not group_by.strip():
        return []
    scope = Scope("group_by", fields, context=context)
    keys: list[GroupKey] = []
    for index, item in enumerate(parse_group_by(group_by)):
        column = f"{prefix}k{index}"
        shown: Typed | None = None
        if isinstance(item.expr, ast.Call) and item.expr.name == "range":
            typed, shown = _range_key(item.expr, scope, column)
        elif isinstance(item.expr, ast.Call) and item.expr.name == "geo_cluster":
            typed, shown = geo_cluster_key(item.expr, scope)
        else:
            typed = compile_value(item.expr, scope)
        keys.append(GroupKey(item.expr, item.alias, column, typed.type, typed.sql, shown))
    return keys


def _range_key(node: ast.Call, scope: Scope, column: str) -> tuple[Typed, Typed]:
    """``range(field, step)``: numbers in intervals ``[0, 10[``, ``[10, 20[``… The key is the
    low bound (groups sort by it); the results show the interval. ``range(field, *, 10,
    100, *)`` takes the bounds given, ``*`` opening the first or the last interval."""
    if len(node.args) < 2:
        raise scope.error("range() takes a numeric field and a step, or bounds", node)
    value = compile_value(node.args[0], scope)
    if value.type not in NUMERIC:
        raise scope.error(
            "range() groups numbers (use year(), month() or date_format() for dates)", node.args[0]
        )
    if len(node.args) > 2 or isinstance(node.args[1], ast.Star):
        return _bounded_range_key(node, value, scope, column)
    step = node.args[1]
    if not isinstance(step, ast.Number) or step.value <= 0:
        raise scope.error("range() step must be a positive number", step)
    integer = value.type == "integer" and isinstance(step.value, int)
    step_sql = Sql.param(step.value)
    if integer:
        low = Sql.of("(CAST(floor({} / {}) AS BIGINT) * {})", value.sql, step_sql, step_sql)
    else:
        low = Sql.of("round(floor({} / {}) * {}, 9)", value.sql, step_sql, step_sql)
    key = quote_identifier(column)
    high = Sql.of("({} + {})" if integer else "round({} + {}, 9)", key, step_sql)
    label = Sql.of(
        "CASE WHEN {} IS NULL THEN NULL ELSE concat('[', {}, ', ', {}, '[') END", key, key, high
    )
    return Typed(low, "integer" if integer else "number"), Typed(label, "string")


def _bounded_range_key(
    node: ast.Call, value: Typed, scope: Scope, column: str
) -> tuple[Typed, Typed]:
    """Intervals between given bounds: the key is the interval's index, 0 for the first.
    Values outside a closed first or last bound fall in no interval (a null key)."""
    args = node.args[1:]
    open_low, open_high = isinstance(args[0], ast.Star), isinstance(args[-1], ast.Star)
    inner = args[1 if open_low else 0 : len(args) - 1 if open_high else len(args)]
    if not inner or not all(isinstance(a, ast.Number) for a in inner):
        raise scope.error("range() bounds are numbers, with '*' only first or last", node)
    bounds = [a.value for a in inner if isinstance(a, ast.Number)]
    if bounds != sorted(set(bounds)):
        raise scope.error("range() bounds must increase", node)
    texts = ["*", *map(str, bounds)] if open_low else list(map(str, bounds))
    if open_high:
        texts.append("*")
    branches: list[Sql] = []
    if open_low:
        branches.append(Sql.of("WHEN {} < {} THEN 0", value.sql, Sql.param(bounds[0])))
    for low, high in zip(bounds, bounds[1:], strict=False):
        index = Sql.param(len(branches))
        low_sql, high_sql = Sql.param(low), Sql.param(high)
        test = Sql.of(
            "WHEN {} >= {} AND {} < {} THEN {}", value.sql, low_sql, value.sql, high_sql, index
        )
        branches.append(test)
    if open_high:
        last, index = Sql.param(bounds[-1]), Sql.param(len(branches))
        branches.append(Sql.of("WHEN {} >= {} THEN {}", value.sql, last, index))
    if not branches:
        raise scope.error("range() needs two bounds, or one and '*'", node)
    key = Sql.of("(CASE {} END)", Sql.join(" ", branches))
    column_sql = quote_identifier(column)
    labels = [
        f"[{low}, {high}{']' if high == '*' else '['}"
        for low, high in zip(texts, texts[1:], strict=False)
    ]
    shown = Sql.of("list_extract({}, {} + 1)", Sql.param(labels), column_sql)
    return Typed(key, "integer"), Typed(shown, "string")


def _label(expr: ast.Expr, alias: str | None) -> str:
    if alias is not None:
        return alias
    return expr.name if isinstance(expr, ast.Field) else render(expr)


def _row_outputs(
    fields: Mapping[str, str],
    items: tuple[ast.SelectItem, ...] | None,
    prefix: str,
    context: Context,
) -> list[Output]:
    scope = Scope("select", fields, context=context)
    outputs: list[Output] = []
    for item in items or (ast.SelectItem(ast.Star()),):
        if isinstance(item.expr, ast.Star):
            for name, kind in fields.items():
                column = f"{prefix}c{len(outputs)}"
                sql = quote_identifier(name)
                outputs.append(Output(name, column, sql, ast.Field(name), kind))
            continue
        column = f"{prefix}c{len(outputs)}"
        typed = compile_value(item.expr, scope)
        label = _label(item.expr, item.alias)
        outputs.append(Output(label, column, typed.sql, item.expr, typed.type))
    return outputs


def _grouped_outputs(
    fields: Mapping[str, str],
    items: tuple[ast.SelectItem, ...] | None,
    keys: list[GroupKey],
    prefix: str,
    context: Context,
) -> list[Output]:
    scope = Scope("select", fields, aggregates=True, keys=tuple(keys), context=context)
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
            shown = key.output
            outputs.append(Output(label, column, shown.sql, key.expr, shown.type))
    for item in selected:
        if isinstance(item.expr, ast.Star):
            raise scope.error("'*' cannot be used with group_by or aggregates", item.expr)
        typed = compile_value(item.expr, scope)
        column = f"{prefix}c{len(outputs)}"
        label = _label(item.expr, item.alias)
        outputs.append(Output(label, column, typed.sql, item.expr, typed.type))
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
    context: Context,
) -> list[SortKey]:
    """ORDER BY terms: a name of the results (alias first) or an expression of the select
    sorts by that column; anything else is compiled in the scope of the query."""
    by_label = {output.label: output for output in outputs}
    by_expr = {output.expr: output for output in outputs}
    if keys is None:
        scope = Scope("order_by", fields, context=context)
    else:
        scope = Scope("order_by", fields, aggregates=True, keys=tuple(keys), context=context)
    terms: list[SortKey] = []
    for item in order_items:
        expr = item.expr
        output = by_label.get(expr.name) if isinstance(expr, ast.Field) else None
        output = output or by_expr.get(expr)
        if output is not None:
            sql, value = quote_identifier(output.column), Typed(output.sql, output.type)
        elif _constant(expr):
            # SQL would read ORDER BY 2 as "the second column": refuse rather than surprise.
            raise scope.error("cannot sort by a constant", expr)
        else:
            value = compile_value(expr, scope)
            sql = value.sql
        terms.append(SortKey(sql, value, item.descending))
    return terms


@dataclass(frozen=True)
class SortKey:
    """One ORDER BY term: ``sql`` as the query sorts by it, ``value`` as a row computes it
    (for keyset cursors), ``descending``. Nulls always sort last."""

    sql: Sql
    value: Typed
    descending: bool = False

    @property
    def term(self) -> Sql:
        return Sql.of(f"{{}} {'DESC' if self.descending else 'ASC'} NULLS LAST", self.sql)


def _constant(expr: ast.Expr) -> bool:
    """Whether ``expr`` has the same value on every row (it names no field, counts nothing)."""
    return not any(
        isinstance(node, ast.Field | ast.Star)
        or (isinstance(node, ast.Call) and (node.name == "search" or is_aggregate(node)))
        for node in ast.walk(expr)
    )
