"""Check an ODSQL expression against a version's schema and translate it to DuckDB SQL.

``compile_condition`` serves where clauses, refine and exclude; ``compile_value`` serves
select, group_by and order_by expressions. Both raise QueryError naming the clause, the
position and, for an unknown name, the field. Literals are coerced to the type of what
they are compared with, as Opendatasoft does: ``date_field = "2024-01-31"`` compares dates,
``code = 01001`` compares the text ``01001``, ``population > "100"`` compares numbers.
"""

from __future__ import annotations

import re
from typing import Any

from territoria.datastore.odsql import ast
from territoria.datastore.odsql.dates import DateSpan, parse_date_span
from territoria.datastore.odsql.functions import compile_call, matches
from territoria.datastore.odsql.geo import point_value, target
from territoria.datastore.odsql.render import render
from territoria.datastore.odsql.sql import (
    GEO,
    NUMERIC,
    TEMPORAL,
    TYPE_NAMES,
    Scope,
    Sql,
    Typed,
    compatible,
    quote_identifier,
)
from territoria.datastore.odsql.text import contains_pattern, wildcard_pattern

_FLIPPED = {"=": "=", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NUMBER_TEXT = re.compile(r"\s*[-+]?\d+(\.\d+)?([eE][-+]?\d+)?\s*")
_INTEGER_TEXT = re.compile(r"[-+]?\d{1,30}")
_BOOLEAN_TEXT = {"true": True, "false": False, "1": True, "0": False}


def compile_condition(node: ast.Expr, scope: Scope) -> Sql:
    """SQL for a condition; a bare string in condition position is a full-text search."""
    match node:
        case ast.String():
            search = ast.Call("search", (node,), pos=node.pos)
            return compile_call(search, scope, _callbacks).sql
        case ast.And(operands=operands):
            return Sql.of(
                "({})", Sql.join(" AND ", (compile_condition(o, scope) for o in operands))
            )
        case ast.Or(operands=operands):
            return Sql.of("({})", Sql.join(" OR ", (compile_condition(o, scope) for o in operands)))
        case ast.Not(operand=operand):
            return Sql.of("(NOT {})", compile_condition(operand, scope))
    typed = compile_value(node, scope)
    if typed.type not in ("boolean", "null"):
        raise scope.error(f"expected a condition, got {_describe(node, typed)}", node)
    return typed.sql


def compile_value(node: ast.Expr, scope: Scope) -> Typed:  # noqa: C901 - one case per kind
    """SQL and type of an expression; in a grouped scope, fields must be keys or aggregated."""
    if scope.keys is not None:
        key = _matching_key(node, scope)
        if key is not None:
            return key
    match node:
        case ast.Field():
            return _field(node, scope)
        case ast.String(value=value):
            return Typed(Sql.param(value), "string")
        case ast.Number():
            return Typed(Sql.param(node.value), "number" if "." in node.text else "integer")
        case ast.Boolean(value=value):
            return Typed(Sql.param(value), "boolean")
        case ast.Null():
            return Typed(Sql("NULL"), "null")
        case ast.Date(text=text):
            span = _span(text, node, scope)
            kind = "date" if span.whole_days else "datetime"
            return Typed(Sql.param(span.bound(span.start)), kind)
        case ast.Star():
            raise scope.error("'*' is only allowed in select, count(*) and search(*, …)", node)
        case ast.Geometry():
            raise scope.error("a geometry geom'…' is only allowed in a geo function", node)
        case ast.Distance():
            raise scope.error(
                f"a distance ({node.text}) is only allowed in within_distance()", node
            )
        case ast.Call():
            return compile_call(node, scope, _callbacks)
        case ast.Negate(operand=operand):
            inner = compile_value(operand, scope)
            _require(inner, NUMERIC | {"null"}, "a number", operand, scope)
            return Typed(Sql.of("(- {})", inner.sql), inner.type)
        case ast.Arithmetic():
            return _arithmetic(node, scope)
        case ast.And() | ast.Or() | ast.Not():
            return Typed(compile_condition(node, scope), "boolean")
        case ast.Compare():
            return Typed(_compare(node, scope), "boolean")
        case ast.In():
            return Typed(_in(node, scope), "boolean")
        case ast.Range():
            return Typed(_range(node, scope), "boolean")
        case ast.Like():
            return Typed(_like(node, scope), "boolean")
        case ast.IsNull(operand=operand, negated=negated):
            inner = compile_value(operand, scope)
            test = "IS NOT NULL" if negated else "IS NULL"
            return Typed(Sql.of(f"({{}} {test})", inner.sql), "boolean")
        case ast.IsBool(operand=operand, value=value, negated=negated):
            inner = compile_value(operand, scope)
            _require(inner, {"boolean", "null"}, "a boolean", operand, scope)
            test = ("IS NOT " if negated else "IS ") + ("TRUE" if value else "FALSE")
            return Typed(Sql.of(f"({{}} {test})", inner.sql), "boolean")
    raise scope.error(f"unsupported expression {render(node)!r}", node)


_callbacks = (compile_value, compile_condition)


def _matching_key(node: ast.Expr, scope: Scope) -> Typed | None:
    assert scope.keys is not None
    for key in scope.keys:
        if key.expr == node:
            return key.output
        if isinstance(node, ast.Field) and key.alias == node.name:
            return key.output
    if isinstance(node, ast.Field):
        raise scope.error(
            f"field '{node.name}' must be in group_by or inside an aggregate function", node
        )
    return None


def _field(node: ast.Field, scope: Scope) -> Typed:
    name = scope.resolve_field(node)
    if name not in scope.fields:  # the point of a lat/lon dataset
        return Typed(point_value(target(node, scope, "select")), "geo_point")
    return Typed(quote_identifier(name), scope.fields[name])


def _not_geo(typed: Typed, node: ast.Expr, scope: Scope, what: str) -> Typed:
    if typed.type in GEO:
        raise scope.error(
            f"cannot {what} {_describe(node, typed)} (use within_distance, in_bbox, intersects…)",
            node,
        )
    return typed


def _span(text: str, node: ast.Node, scope: Scope) -> DateSpan:
    span = parse_date_span(text)
    if span is None:
        raise scope.error(f"{text!r} is not a date (use YYYY-MM-DD or YYYY/MM/DD)", node)
    return span


def _require(typed: Typed, allowed: Any, wanted: str, node: ast.Expr, scope: Scope) -> None:
    if typed.type not in allowed:
        raise scope.error(f"expected {wanted}, got {_describe(node, typed)}", node)


def _describe(node: ast.Expr, typed: Typed) -> str:
    kind = TYPE_NAMES.get(typed.type, typed.type)
    if isinstance(node, ast.Field):
        return f"{kind} field '{node.name}'"
    return f"{kind} value {render(node)!r}"


def _arithmetic(node: ast.Arithmetic, scope: Scope) -> Typed:
    left = compile_value(node.left, scope)
    right = compile_value(node.right, scope)
    for side, typed in ((node.left, left), (node.right, right)):
        _require(typed, NUMERIC | {"null"}, "a number", side, scope)
    exact = node.op != "/" and "number" not in (left.type, right.type)
    kind = "integer" if exact else "number"
    sql = Sql.of(f"({{}} {node.op} {{}})", left.sql, right.sql)
    return Typed(sql, kind)


# Comparisons -------------------------------------------------------------------------------


def _compare(node: ast.Compare, scope: Scope) -> Sql:
    op, left, right = node.op, node.left, node.right
    if isinstance(left, ast.Null) and not isinstance(right, ast.Null):
        op, left, right = _FLIPPED[op], right, left
    if isinstance(right, ast.Null):
        if op not in ("=", "!="):
            raise scope.error(f"cannot use {op} with NULL (use IS NULL)", node)
        test = "IS NULL" if op == "=" else "IS NOT NULL"
        return Sql.of(f"({{}} {test})", compile_value(left, scope).sql)
    if isinstance(left, ast.LITERALS) and not isinstance(right, ast.LITERALS):
        op, left, right = _FLIPPED[op], right, left
    target = _not_geo(compile_value(left, scope), left, scope, "compare")
    if isinstance(right, ast.LITERALS):
        return _compare_literal(target, op, right, node, scope)
    other = compile_value(right, scope)
    if not compatible(target.type, other.type):
        raise scope.error(
            f"cannot compare {_describe(left, target)} with {_describe(right, other)}", node
        )
    return Sql.of(f"({{}} {op} {{}})", target.sql, other.sql)


def _compare_literal(
    target: Typed, op: str, literal: ast.Expr, node: ast.Expr, scope: Scope
) -> Sql:
    value = coerce(literal, target.type, scope)
    if isinstance(value, DateSpan):
        return _compare_span(target.sql, op, value)
    return Sql.of(f"({{}} {op} {{}})", target.sql, Sql.param(value))


def _compare_span(sql: Sql, op: str, span: DateSpan) -> Sql:
    """Compare with a period: ``= 2024`` is all of 2024, ``<= 2024`` ends with it."""
    start, end = Sql.param(span.bound(span.start)), Sql.param(span.bound(span.end))
    if op == "=":
        return Sql.of("({} >= {} AND {} < {})", sql, start, sql, end)
    if op == "!=":
        return Sql.of("({} < {} OR {} >= {})", sql, start, sql, end)
    bound, sql_op = {"<": (start, "<"), ">=": (start, ">="), "<=": (end, "<"), ">": (end, ">=")}[op]
    return Sql.of(f"({{}} {sql_op} {{}})", sql, bound)


def coerce(literal: ast.Expr, kind: str, scope: Scope) -> Any:
    """The value of ``literal`` read as ``kind``; a DateSpan for dates. QueryError if it can't."""
    if isinstance(literal, ast.Null):
        return None
    if kind in TEMPORAL and isinstance(literal, ast.Date | ast.String | ast.Number):
        text = literal.value if isinstance(literal, ast.String) else literal.text
        if not isinstance(literal, ast.Number) or text.isdigit():  # 2024 is a year
            span = _span(str(text), literal, scope)
            if kind == "datetime" and scope.context.timezone is not None:
                span = span.in_zone(scope.context.timezone)
            return span
    value: Any = None
    if kind in NUMERIC:
        value = _number(literal)
    elif kind == "string":
        if isinstance(literal, ast.String | ast.Number | ast.Date):
            value = literal.value if isinstance(literal, ast.String) else literal.text
    elif kind == "boolean":
        value = _boolean(literal)
    elif kind not in TEMPORAL:  # two literals compared, or one with NULL: as written
        typed = compile_value(literal, scope)
        return typed.sql.params[0] if typed.sql.params else None
    if value is None:
        raise scope.error(f"{render(literal)} is not a valid {TYPE_NAMES[kind]}", literal)
    return value


def _number(literal: ast.Expr) -> int | float | None:
    if isinstance(literal, ast.Number):
        return literal.value
    if isinstance(literal, ast.String) and _NUMBER_TEXT.fullmatch(literal.value):
        text = literal.value.strip()
        return int(text) if _INTEGER_TEXT.fullmatch(text) else float(text)
    return None


def _boolean(literal: ast.Expr) -> bool | None:
    if isinstance(literal, ast.Boolean):
        return literal.value
    if isinstance(literal, ast.String | ast.Number):
        text = literal.value if isinstance(literal, ast.String) else literal.text
        return _BOOLEAN_TEXT.get(str(text).strip().lower())
    return None


def _in(node: ast.In, scope: Scope) -> Sql:
    """``x IN (a, b)``: one SQL ``IN`` for plain values, else ``x = a OR x = b`` (periods of
    dates, NULL, expressions), each compared by the rules of ``=``."""
    target = _not_geo(compile_value(node.operand, scope), node.operand, scope, "compare")
    plain = target.type not in TEMPORAL | {"null"} and all(
        isinstance(item, ast.LITERALS) and not isinstance(item, ast.Null) for item in node.items
    )
    if plain:
        values = [Sql.param(coerce(item, target.type, scope)) for item in node.items]
        test = Sql.of("({} IN ({}))", target.sql, Sql.join(", ", values))
    else:
        equal = [
            _compare(ast.Compare("=", node.operand, item, pos=item.pos), scope)
            for item in node.items
        ]
        test = equal[0] if len(equal) == 1 else Sql.of("({})", Sql.join(" OR ", equal))
    return Sql.of("(NOT {})", test) if node.negated else test


def _range(node: ast.Range, scope: Scope) -> Sql:
    target = _not_geo(compile_value(node.operand, scope), node.operand, scope, "compare")
    if target.type == "boolean":
        raise scope.error(f"cannot take a range of {_describe(node.operand, target)}", node)
    low = _bound(target, node.low, scope, "low")
    high = _bound(target, node.high, scope, "high")
    low_test = _bound_test(target.sql, low, ">=" if node.low_inclusive else ">")
    high_test = _bound_test(target.sql, high, "<=" if node.high_inclusive else "<")
    test = Sql.of("({} AND {})", low_test, high_test)
    return Sql.of("(NOT {})", test) if node.negated else test


def _bound(target: Typed, bound: ast.Expr, scope: Scope, side: str) -> Sql | DateSpan:
    if isinstance(bound, ast.Null):
        raise scope.error(f"the {side} bound of a range cannot be NULL", bound)
    if isinstance(bound, ast.LITERALS):
        value = coerce(bound, target.type, scope)
        return value if isinstance(value, DateSpan) else Sql.param(value)
    other = compile_value(bound, scope)
    if not compatible(target.type, other.type):
        raise scope.error(
            f"cannot compare {TYPE_NAMES.get(target.type)} with {_describe(bound, other)}", bound
        )
    return other.sql


def _bound_test(sql: Sql, bound: Sql | DateSpan, op: str) -> Sql:
    if isinstance(bound, DateSpan):
        return _compare_span(sql, op, bound)
    return Sql.of(f"({{}} {op} {{}})", sql, bound)


def _like(node: ast.Like, scope: Scope) -> Sql:
    """ODSQL ``like``: every word of the pattern is contained, ignoring case and accents;
    with a ``*`` or ``%`` wildcard, the whole value must match the pattern instead."""
    target = compile_value(node.operand, scope)
    _require(target, {"string", "null"}, "a text value before LIKE", node.operand, scope)
    if "*" in node.pattern or "%" in node.pattern:
        test = matches(target.sql, wildcard_pattern(node.pattern))
    else:
        words = node.pattern.split() or [""]
        tests = [matches(target.sql, contains_pattern(word)) for word in words]
        test = Sql.of("({})", Sql.join(" AND ", tests))
    return Sql.of("(NOT {})", test) if node.negated else test
