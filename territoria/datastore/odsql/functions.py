"""ODSQL functions: aggregates, date parts, text functions and the full-text filters.

Only the functions listed here exist; each checks its arity and argument types and writes
its DuckDB equivalent. Text matching (``search``, ``startswith``, ``like``) ignores case and
accents (see ``odsql.text``): "evry" matches "Évry".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from territoria.datastore.odsql import ast
from territoria.datastore.odsql.dateformat import compile_date_format
from territoria.datastore.odsql.geo import (
    GEO_AGGREGATES,
    GEO_PREDICATES,
    compile_distance,
    compile_envelope,
    compile_geo_predicate,
)
from territoria.datastore.odsql.sql import (
    GEO,
    NUMERIC,
    TEMPORAL,
    TYPE_NAMES,
    Scope,
    Sql,
    Typed,
    compatible,
    local_time,
)
from territoria.datastore.odsql.text import contains_pattern, prefix_pattern

AGGREGATES = frozenset(
    {"count", "sum", "avg", "min", "max", "median", "percentile", *GEO_AGGREGATES}
)
_DATE_PARTS = {
    "year": "year",
    "month": "month",
    "day": "day",
    "hour": "hour",
    "minute": "minute",
    "second": "second",
    "quarter": "quarter",
    "dayofweek": "isodow",  # 1 for Monday to 7 for Sunday, as Opendatasoft's date_format "e"
}
_TEXT_FUNCTIONS = {
    "lower": ("lower", "string"),
    "upper": ("upper", "string"),
    "length": ("length", "integer"),
}
# Joins the searched fields so that a word never matches across two of them: split() never
# returns a word containing it (it counts as white space).
_FIELD_SEPARATOR = "\x1f"

CompileValue = Callable[[ast.Expr, Scope], Typed]
CompileCondition = Callable[[ast.Expr, Scope], Sql]


def matches(sql: Sql, pattern: str) -> Sql:
    """Whether the text of ``sql`` matches the RE2 ``pattern`` (bound as a parameter)."""
    return Sql.of("regexp_matches(CAST({} AS VARCHAR), {})", sql, Sql.param(pattern))


def is_aggregate(node: ast.Expr) -> bool:
    """Whether ``node`` contains an aggregate function call."""
    return any(isinstance(n, ast.Call) and n.name in AGGREGATES for n in ast.walk(node))


def compile_call(
    node: ast.Call, scope: Scope, callbacks: tuple[CompileValue, CompileCondition]
) -> Typed:
    compile_value, _ = callbacks
    name = node.name
    if node.distinct and name not in ("count", "sum", "avg"):
        raise scope.error("DISTINCT is only allowed in count(), sum() and avg()", node)
    if name in AGGREGATES:
        return _aggregate(node, scope, compile_value)
    if name in _DATE_PARTS:
        (arg,) = _arity(node, 1, scope)
        value = compile_value(arg, scope)
        _expect(value, TEMPORAL | {"null"}, "a date", arg, scope)
        sql = value.sql
        if value.type == "null":  # DuckDB cannot pick year(NULL)'s overload: give it a type
            sql = Sql.of("CAST({} AS TIMESTAMP)", sql)
        elif value.type == "datetime":
            sql = local_time(sql, scope.context)
        return Typed(Sql.of(f"{_DATE_PARTS[name]}({{}})", sql), "integer")
    if name == "date_format":
        arg, pattern = _arity(node, 2, scope)
        value = compile_value(arg, scope)
        _expect(value, TEMPORAL | {"null"}, "a date", arg, scope)
        text = _quoted_text(pattern, name, scope)
        sql = Sql.of("CAST({} AS TIMESTAMP)", value.sql)
        if value.type == "datetime":
            sql = local_time(sql, scope.context)
        formatted = compile_date_format(sql, text, scope.context.lang)
        if formatted is None:
            raise scope.error(f"date_format(): unsupported pattern {text!r}", pattern)
        return Typed(formatted, "string")
    if name in ("ifnull", "coalesce"):
        return _ifnull(node, scope, compile_value)
    if name == "now":
        return _now(node, scope)
    if name in GEO_PREDICATES:
        return Typed(compile_geo_predicate(node, scope), "boolean")
    if name == "distance":
        return compile_distance(node, scope)
    if name in _TEXT_FUNCTIONS:
        (arg,) = _arity(node, 1, scope)
        value = compile_value(arg, scope)
        _expect(value, {"string", "null"}, "a text", arg, scope)
        function, kind = _TEXT_FUNCTIONS[name]
        sql = value.sql if value.type != "null" else Sql.of("CAST({} AS VARCHAR)", value.sql)
        return Typed(Sql.of(f"{function}({{}})", sql), kind)
    if name == "search":
        return Typed(_search(node, scope, compile_value), "boolean")
    if name == "startswith":
        field, prefix = _arity(node, 2, scope)
        value = compile_value(field, scope)
        _expect(value, {"string", "null"}, "a text", field, scope)
        text = _quoted_text(prefix, name, scope)
        return Typed(matches(value.sql, prefix_pattern(text)), "boolean")
    raise scope.error(f"unknown function '{name}'", node)


def _arity(node: ast.Call, count: int, scope: Scope) -> tuple[ast.Expr, ...]:
    if len(node.args) != count:
        plural = "argument" if count == 1 else "arguments"
        raise scope.error(f"{node.name}() takes {count} {plural}, got {len(node.args)}", node)
    for arg in node.args:
        if isinstance(arg, ast.Star) and node.name != "count":
            raise scope.error(f"{node.name}() does not take '*'", arg)
    return node.args


def _expect(
    value: Typed, allowed: frozenset[str] | set[str], wanted: str, arg: ast.Expr, scope: Scope
) -> None:
    if value.type not in allowed:
        kind = TYPE_NAMES.get(value.type, value.type)
        raise scope.error(f"expected {wanted}, got a {kind} value", arg)


def _quoted_text(arg: ast.Expr, function: str, scope: Scope) -> str:
    if not isinstance(arg, ast.String):
        raise scope.error(f"{function}() needs a quoted text", arg)
    return arg.value


def _aggregate(node: ast.Call, scope: Scope, compile_value: CompileValue) -> Typed:
    if not scope.aggregates:
        raise scope.error(f"aggregate function {node.name}() is not allowed here", node)
    rows = scope.rows()
    name = node.name
    if name in GEO_AGGREGATES:
        return compile_envelope(node, scope)
    if name == "count":
        (arg,) = _arity(node, 1, scope)
        if isinstance(arg, ast.Star):
            if node.distinct:
                raise scope.error("count(DISTINCT *) is not supported", arg)
            return Typed(Sql("count(*)"), "integer")
        value = compile_value(arg, rows)
        distinct = "DISTINCT " if node.distinct else ""
        return Typed(Sql.of(f"count({distinct}{{}})", value.sql), "integer")
    if name == "percentile":
        arg, rank = _arity(node, 2, scope)
        value = compile_value(arg, rows)
        _expect(value, NUMERIC | {"null"}, "a number", arg, scope)
        if not isinstance(rank, ast.Number) or not 0 <= rank.value <= 100:
            raise scope.error("percentile() takes a percentile between 0 and 100", rank)
        fraction = Sql.param(rank.value / 100)
        return Typed(Sql.of("quantile_cont({}, {})", value.sql, fraction), "number")
    (arg,) = _arity(node, 1, scope)
    value = compile_value(arg, rows)
    distinct = "DISTINCT " if node.distinct else ""
    if name in ("min", "max"):
        if value.type in GEO:
            raise scope.error(f"{name}() cannot compare geographic values", arg)
        return Typed(Sql.of(f"{name}({{}})", value.sql), value.type)
    _expect(value, NUMERIC | {"null"}, "a number", arg, scope)
    kind = "integer" if name == "sum" and value.type == "integer" else "number"
    return Typed(Sql.of(f"{name}({distinct}{{}})", value.sql), kind)


def _search(node: ast.Call, scope: Scope, compile_value: CompileValue) -> Sql:
    """``search([field, …,] "words")``: every word appears in one of the fields (all text
    fields by default or with ``*``). A trailing ``*`` on a word is accepted: words already
    match as prefixes and inside longer words."""
    if not node.args:
        raise scope.error("search() needs a quoted text", node)
    *targets, text_arg = node.args
    text = _quoted_text(text_arg, "search", scope)
    names: list[str] = []
    for target in targets:
        if isinstance(target, ast.Star):
            names.extend(scope.text_fields())
        elif isinstance(target, ast.Field):
            names.append(scope.resolve_field(target))
        else:
            raise scope.error("search() takes field names before its text", target)
    if not targets:
        names = scope.text_fields()
    words = [word.strip("*") for word in text.split()]
    words = [word for word in words if word]
    if not words:
        return Sql("TRUE")
    if not names:
        return Sql("FALSE")
    columns = [
        compile_value(ast.Field(name, pos=node.pos), scope).sql for name in dict.fromkeys(names)
    ]
    if len(columns) == 1:
        haystack = columns[0]
    else:
        separator = Sql.param(_FIELD_SEPARATOR)
        haystack = Sql.of("concat_ws({}, {})", separator, Sql.join(", ", columns))
    tests = [matches(haystack, contains_pattern(word)) for word in words]
    return Sql.of("({})", Sql.join(" AND ", tests))


def _ifnull(node: ast.Call, scope: Scope, compile_value: CompileValue) -> Typed:
    """``ifnull(a, b)``: ``a``, or ``b`` where ``a`` is null (values of one kind)."""
    first, second = _arity(node, 2, scope)
    left, right = compile_value(first, scope), compile_value(second, scope)
    if not compatible(left.type, right.type) or left.type in GEO:
        kind = TYPE_NAMES.get(right.type, right.type)
        raise scope.error(f"{node.name}() needs two values of one kind, got a {kind}", second)
    kind = left.type if left.type != "null" else right.type
    if {left.type, right.type} == {"integer", "number"}:
        kind = "number"
    return Typed(Sql.of("coalesce({}, {})", left.sql, right.sql), kind)


# now(days=-7): Opendatasoft shifts the current date-time by named amounts.
_NOW_UNITS = {"years": 365.25, "months": 30.4375, "weeks": 7.0, "days": 1.0}
_NOW_TIMES = {"hours": 3600.0, "minutes": 60.0, "seconds": 1.0}


def _now(node: ast.Call, scope: Scope) -> Typed:
    """The current date-time (UTC, as stored), shifted by ``now(days=-7, hours=2)``."""
    moment = datetime.now(UTC).replace(tzinfo=None)
    for arg in node.args:
        if not (
            isinstance(arg, ast.Compare)
            and arg.op == "="
            and isinstance(arg.left, ast.Field)
            and arg.left.name.lower() in (*_NOW_UNITS, *_NOW_TIMES)
        ):
            raise scope.error("now() takes shifts such as days=-7 or hours=2", arg)
        unit = arg.left.name.lower()
        amount = arg.right
        sign = 1
        while isinstance(amount, ast.Negate):
            sign, amount = -sign, amount.operand
        if not isinstance(amount, ast.Number) or len(amount.text) > 6:
            raise scope.error(f"now(): {unit} must be a number", arg.right)
        seconds = sign * float(amount.value) * (_NOW_TIMES.get(unit) or 86400 * _NOW_UNITS[unit])
        try:
            moment += timedelta(seconds=seconds)
        except OverflowError:
            raise scope.error("now(): shift out of range", arg.right) from None
    return Typed(Sql.of("CAST({} AS TIMESTAMP)", Sql.param(moment)), "datetime")
