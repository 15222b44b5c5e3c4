"""A declared Table Schema turned into SQL rules over a version's rows (see ``validation.py``).

``check_table_schema`` says whether a descriptor can be used; ``plan_rules`` gives, for the
columns of a version, one SQL condition per rule (true on the rows that break it), the casts
and window counts these conditions refer to, and the structure errors (missing and extra
columns) found without reading a row. Types follow https://specs.frictionlessdata.io/table-schema/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import duckdb

from territoria.datastore.readers.connection import sql_identifier, sql_string
from territoria.datastore.readers.names import snake_case

TYPES = frozenset(
    {
        "string", "number", "integer", "boolean", "object", "array", "date", "time",
        "datetime", "year", "yearmonth", "duration", "geopoint", "geojson", "any",
    }
)  # fmt: skip
CONSTRAINTS = frozenset(
    {
        "required", "unique", "pattern", "enum", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "minLength", "maxLength",
    }
)  # fmt: skip
# The DuckDB type a declared type is compared in (enum, minimum, maximum).
_SQL_TYPES = {
    "integer": "BIGINT",
    "year": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "time": "TIME",
}
_ORDERED_TYPES = frozenset({"integer", "number", "date", "datetime", "time", "year", "yearmonth"})
_LENGTH_TYPES = frozenset({"string", "array", "object", "geojson"})
_DEFAULT_TRUE = ("true", "True", "TRUE", "1")
_DEFAULT_FALSE = ("false", "False", "FALSE", "0")
# RE2 syntax (DuckDB's regular expressions); the Table Schema formats of a string.
_FORMAT_PATTERNS = {
    "email": r"[^@\s]+@[^@\s]+\.[^@\s]+",
    "uri": r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+",
}
_DURATION = r"P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
_GEOPOINT_TEXT = r"\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*"


class SchemaError(ValueError):
    """A declared Table Schema that cannot be used; the message is one line, in English."""


def check_table_schema(descriptor: Any) -> dict[str, Any]:
    """Return ``descriptor`` if it is a Table Schema the checks can apply, else raise SchemaError.

    The checks: an object with a non-empty ``fields`` list of objects with a unique ``name``,
    a known ``type``, constraints of the right kind (a pattern that compiles, an enum that is
    a list, bounds of the field's type) and a ``primaryKey`` naming declared fields.
    """
    if not isinstance(descriptor, dict):
        raise SchemaError("a Table Schema is a JSON object")
    fields = descriptor.get("fields")
    if not isinstance(fields, list) or not fields:
        raise SchemaError("the schema has no 'fields' list")
    names: set[str] = set()
    for position, item in enumerate(fields, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise SchemaError(f"field {position}: a field is an object with a 'name'")
        name = item["name"]
        if name in names:
            raise SchemaError(f"field {name!r} is declared twice")
        names.add(name)
        type_ = item.get("type", "string")
        if type_ not in TYPES:
            raise SchemaError(f"field {name!r}: unknown type {type_!r}")
        _check_constraints(name, type_, item.get("constraints", {}))
    for key in _primary_key(descriptor):
        if key not in names:
            raise SchemaError(f"primaryKey names {key!r}, which is not a field")
    missing = descriptor.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
        raise SchemaError("'missingValues' is a list of strings")
    return descriptor


def _check_constraints(name: str, type_: str, constraints: Any) -> None:
    if not isinstance(constraints, dict):
        raise SchemaError(f"field {name!r}: 'constraints' is an object")
    for key, value in constraints.items():
        if key not in CONSTRAINTS:
            continue  # a constraint of a later version of the standard: not checked
        if key in ("required", "unique") and not isinstance(value, bool):
            raise SchemaError(f"field {name!r}: {key!r} is true or false")
        if key == "pattern":
            if not isinstance(value, str):
                raise SchemaError(f"field {name!r}: 'pattern' is a string")
            try:
                re.compile(value)
            except re.error as error:
                raise SchemaError(f"field {name!r}: invalid pattern ({error})") from None
        if key == "enum" and (not isinstance(value, list) or not value):
            raise SchemaError(f"field {name!r}: 'enum' is a non-empty list")
        if key in ("minLength", "maxLength") and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            raise SchemaError(f"field {name!r}: {key!r} is a whole number")
        bounds = value if key == "enum" else [value]
        if key == "enum" or key.startswith(("minimum", "maximum", "exclusive")):
            for bound in bounds:
                if _literal_value(type_, bound) is None:
                    raise SchemaError(f"field {name!r}: {key!r} {bound!r} is not a {type_}")


def _literal_value(type_: str, value: Any) -> Any:
    """``value`` read as a value of ``type_`` (a bound or an enum member), None if it is not."""
    try:
        if type_ in ("integer", "year"):
            return int(value) if not isinstance(value, bool | float) else None
        if type_ == "number":
            return float(value) if not isinstance(value, bool) else None
        if type_ == "boolean":
            return value if isinstance(value, bool) else None
        if type_ == "date":
            return date.fromisoformat(str(value))
        if type_ == "datetime":
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if type_ == "time":
            return time.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return str(value) if isinstance(value, str | int | float) else None


def _primary_key(descriptor: dict[str, Any]) -> list[str]:
    key = descriptor.get("primaryKey") or []
    return [key] if isinstance(key, str) else [k for k in key if isinstance(k, str)]


@dataclass(frozen=True)
class Rule:
    """One check: ``failing`` is an SQL condition true on the rows that break it."""

    code: str
    field_name: str | None
    column: str | None
    failing: str
    params: dict[str, Any] = field(default_factory=dict)
    value: str | None = None  # SQL expression of the value shown in the examples


@dataclass(frozen=True)
class PythonPattern:
    """A pattern RE2 refuses: its failing values are found in Python into ``table``."""

    table: str
    pattern: str
    text: str
    present: str


@dataclass
class Plan:
    rules: list[Rule]
    windows: list[str]  # extra SELECT items (window counts) the rules refer to
    errors: list[dict[str, Any]]  # structure errors found without reading a row
    all_rows_fail: bool  # a required field has no column: no row can conform
    python_patterns: list[PythonPattern] = field(default_factory=list)
    typed: list[str] = field(default_factory=list)  # values cast once, named ``__typed_<n>``


# --- the plan: rules from the declared schema ---------------------------------------------


def plan_rules(columns: list[dict[str, Any]], declared: dict[str, Any] | None) -> Plan:
    names = [c["name"] for c in columns]
    if declared is None:
        return Plan(rules=_blank_row(columns, [""]), windows=[], errors=[], all_rows_fail=False)
    missing_values = declared.get("missingValues", [""])
    stored = {c["name"]: c.get("type", "string") for c in columns}
    by_title = {c.get("title"): c["name"] for c in columns if c.get("title")}
    primary_key = _primary_key(declared)
    plan = Plan(rules=[], windows=[], errors=[], all_rows_fail=False)
    matched: dict[str, str] = {}
    for spec in declared["fields"]:
        name = spec["name"]
        column = _match(name, names, by_title)
        constraints = dict(spec.get("constraints") or {})
        if name in primary_key:
            constraints["required"] = True
        if column is None:
            required = bool(constraints.get("required"))
            plan.all_rows_fail = plan.all_rows_fail or required
            plan.errors.append(_structure_error("missing-column", name, {"required": required}))
            continue
        matched[column] = name
        _add_field_rules(plan, spec, column, stored[column], constraints, missing_values)
    for column in names:
        if column not in matched:
            plan.errors.append(_structure_error("extra-column", None, {}, column=column))
    key_columns = [c for c, n in matched.items() if n in primary_key]
    if primary_key and len(key_columns) == len(primary_key):
        alias = f"__unique_{len(plan.windows)}"
        partition = ", ".join(sql_identifier(c) for c in key_columns)
        plan.windows.append(f"count(*) OVER (PARTITION BY {partition}) AS {alias}")
        plan.rules.append(_primary_key_rule(primary_key, key_columns, alias))
    plan.rules += _blank_row(columns, missing_values)
    return plan


def _match(name: str, columns: list[str], by_title: dict[Any, str]) -> str | None:
    if name in columns:
        return name
    if name in by_title:
        return by_title[name]
    snake = snake_case(name)
    return snake if snake in columns else None


def _structure_error(
    code: str, field_name: str | None, params: dict[str, Any], *, column: str | None = None
) -> dict[str, Any]:
    return {
        "code": code,
        "field": field_name,
        "column": column,
        "count": 1,
        "params": params,
        "examples": [],
    }


def _blank_row(columns: list[dict[str, Any]], missing_values: list[str]) -> list[Rule]:
    if not columns:
        return []
    empty = " AND ".join(
        f"NOT ({present_sql(c['name'], c.get('type', 'string'), missing_values)})" for c in columns
    )
    return [Rule("blank-row", None, None, empty)]


def present_sql(column: str, stored: str, missing_values: list[str]) -> str:
    """SQL: the cell holds a value (not NULL, not one of the schema's ``missingValues``)."""
    ident = sql_identifier(column)
    if stored == "string" and missing_values:
        listed = ", ".join(sql_string(v) for v in missing_values)
        return f"({ident} IS NOT NULL AND {ident} NOT IN ({listed}))"
    return f"({ident} IS NOT NULL)"


def _add_field_rules(
    plan: Plan,
    spec: dict[str, Any],
    column: str,
    stored: str,
    constraints: dict[str, Any],
    missing_values: list[str],
) -> None:
    """Add to ``plan`` the rules of one declared field, found as ``column`` stored as
    ``stored`` (the Table Schema type the reader gave it)."""
    name = spec["name"]
    type_ = spec.get("type", "string")
    ident = sql_identifier(column)
    text = ident if stored == "string" else f"CAST({ident} AS VARCHAR)"
    present = present_sql(column, stored, missing_values)
    typed, type_failing = _typed(spec, ident, text, stored)
    if type_failing == f"({typed}) IS NULL" and typed != ident:
        alias = f"__typed_{len(plan.typed)}"
        plan.typed.append(f"{typed} AS {alias}")
        typed, type_failing = alias, f"{alias} IS NULL"

    def add(code: str, failing: str, **params: Any) -> None:
        plan.rules.append(Rule(code, name, column, failing, params, value=text))

    if constraints.get("required"):
        add("required-error", f"NOT {present}")
    type_params = {"type": type_, "format": spec.get("format", "default")}
    add("type-error", f"{present} AND ({type_failing})", **type_params)
    valid = f"{present} AND NOT ({type_failing})"
    if constraints.get("unique"):
        alias = f"__unique_{len(plan.windows)}"
        plan.windows.append(f"count(*) OVER (PARTITION BY {typed}) AS {alias}")
        add("unique-error", f"{valid} AND {alias} > 1")
    if isinstance(constraints.get("pattern"), str):
        pattern = constraints["pattern"]
        if _re2_accepts(pattern):
            failing = f"NOT regexp_full_match({text}, {sql_string(pattern)})"
        else:
            table = f"__pattern_{len(plan.python_patterns)}"
            plan.python_patterns.append(PythonPattern(table, pattern, text, present))
            failing = f"{text} IN (SELECT value FROM {table})"
        add("pattern-error", f"{present} AND {failing}", pattern=pattern)
    if isinstance(constraints.get("enum"), list):
        members = ", ".join(_sql_literal(type_, v) for v in constraints["enum"])
        add("enum-error", f"{valid} AND {typed} NOT IN ({members})", enum=constraints["enum"])
    for key, operator in (
        ("minimum", "<"), ("maximum", ">"), ("exclusiveMinimum", "<="), ("exclusiveMaximum", ">="),
    ):  # fmt: skip
        if key in constraints and type_ in _ORDERED_TYPES:
            bound = _sql_literal(type_, constraints[key])
            code = "minimum-error" if "inimum" in key else "maximum-error"
            exclusive = key.startswith("exclusive")
            add(
                code,
                f"{valid} AND {typed} {operator} {bound}",
                limit=constraints[key],
                exclusive=exclusive,
            )
    for key, operator in (("minLength", "<"), ("maxLength", ">")):
        if key in constraints and type_ in _LENGTH_TYPES:
            size = f"json_array_length({text})" if type_ == "array" else f"length({text})"
            code = "min-length-error" if key == "minLength" else "max-length-error"
            add(
                code,
                f"{valid} AND {size} {operator} {int(constraints[key])}",
                limit=constraints[key],
            )


def _primary_key_rule(primary_key: list[str], key_columns: list[str], alias: str) -> Rule:
    """Rows whose key (stored values of every key column) appears more than once."""
    parts = [sql_identifier(c) for c in key_columns]
    present = " AND ".join(f"{p} IS NOT NULL" for p in parts)
    shown = " || ' | ' || ".join(f"CAST({p} AS VARCHAR)" for p in parts)
    return Rule(
        "primary-key-error",
        ", ".join(primary_key),
        ", ".join(key_columns),
        f"{present} AND {alias} > 1",
        {"fields": primary_key},
        value=shown,
    )


def _typed(spec: dict[str, Any], ident: str, text: str, stored: str) -> tuple[str, str]:
    """(the value as the declared type, SQL true when a present value is not of that type)."""
    type_ = spec.get("type", "string")
    fmt = str(spec.get("format", "default")).removeprefix("fmt:")
    if type_ in ("string", "any"):
        if type_ == "string" and fmt in _FORMAT_PATTERNS:
            return text, f"NOT regexp_full_match({text}, {sql_string(_FORMAT_PATTERNS[fmt])})"
        if type_ == "string" and fmt == "uuid":
            return text, f"TRY_CAST({text} AS UUID) IS NULL"
        return text, "false"
    typed = _typed_value(type_, fmt, spec, ident, text, stored)
    return typed, f"({typed}) IS NULL"


def _typed_value(
    type_: str, fmt: str, spec: dict[str, Any], ident: str, text: str, stored: str
) -> str:
    if type_ in ("integer", "year"):
        if stored == "integer":
            value = ident
        elif stored == "number":
            value = f"CASE WHEN {ident} = trunc({ident}) THEN TRY_CAST({ident} AS BIGINT) END"
        elif stored == "string":
            value = f"TRY_CAST(trim({ident}) AS BIGINT)"
        else:
            return "NULL"
        return (
            f"CASE WHEN {value} BETWEEN 0 AND 9999 THEN {value} END" if type_ == "year" else value
        )
    if type_ == "number":
        if stored in ("integer", "number"):
            return f"CAST({ident} AS DOUBLE)"
        if stored != "string":
            return "NULL"
        number = f"trim({ident})"
        if spec.get("groupChar"):
            number = f"replace({number}, {sql_string(str(spec['groupChar']))}, '')"
        if spec.get("decimalChar", ".") != ".":
            number = f"replace({number}, {sql_string(str(spec['decimalChar']))}, '.')"
        return f"TRY_CAST({number} AS DOUBLE)"
    if type_ == "boolean":
        if stored == "boolean":
            return ident
        if stored == "integer":
            return f"CASE {ident} WHEN 1 THEN true WHEN 0 THEN false END"
        true_values = ", ".join(sql_string(str(v)) for v in spec.get("trueValues", _DEFAULT_TRUE))
        false_values = ", ".join(
            sql_string(str(v)) for v in spec.get("falseValues", _DEFAULT_FALSE)
        )
        return (
            f"CASE WHEN {text} IN ({true_values}) THEN true "
            f"WHEN {text} IN ({false_values}) THEN false END"
        )
    if type_ in ("date", "datetime", "time"):
        return _typed_temporal(type_, fmt, ident, text, stored)
    if type_ == "yearmonth":
        return f"CASE WHEN regexp_full_match({text}, '\\d{{4}}-(0[1-9]|1[0-2])') THEN {text} END"
    if type_ == "duration":
        duration = f"regexp_full_match({text}, {sql_string(_DURATION)})"
        return f"CASE WHEN {text} <> 'P' AND {duration} THEN {text} END"
    if type_ == "geopoint":
        return _typed_geopoint(fmt, text)
    kind = "ARRAY" if type_ == "array" else "OBJECT"
    return f"CASE WHEN json_valid({text}) AND json_type({text}) = '{kind}' THEN {text} END"


def _typed_temporal(type_: str, fmt: str, ident: str, text: str, stored: str) -> str:
    sql_type = _SQL_TYPES[type_]
    if stored == type_:
        return ident
    if type_ == "date" and stored == "datetime":
        return f"CASE WHEN CAST({ident} AS TIME) = TIME '00:00:00' THEN CAST({ident} AS DATE) END"
    if type_ == "datetime" and stored == "date":
        return f"CAST({ident} AS TIMESTAMP)"
    if stored != "string":
        return "NULL"
    if "%" in fmt:
        return f"CAST(try_strptime({ident}, {sql_string(fmt)}) AS {sql_type})"
    if type_ == "datetime":
        return f"CAST(TRY_CAST({ident} AS TIMESTAMPTZ) AS TIMESTAMP)"
    if type_ == "date" and fmt == "default":
        iso = f"regexp_full_match({ident}, '\\d{{4}}-\\d{{2}}-\\d{{2}}')"
        return f"CASE WHEN {iso} THEN TRY_CAST({ident} AS DATE) END"
    if type_ == "date":  # "any": ISO or French day/month/year
        return (
            f"coalesce(TRY_CAST({ident} AS DATE), CAST(try_strptime({ident}, '%d/%m/%Y') AS DATE))"
        )
    return f"TRY_CAST({ident} AS TIME)"


def _typed_geopoint(fmt: str, text: str) -> str:
    if fmt == "array":
        point = f"TRY_CAST({text} AS DOUBLE[])"
    elif fmt == "object":
        point = (
            f"CASE WHEN json_valid({text}) THEN "
            f"[TRY_CAST(json_extract_string({text}, '$.lon') AS DOUBLE), "
            f"TRY_CAST(json_extract_string({text}, '$.lat') AS DOUBLE)] END"
        )
    else:  # "lon, lat"
        point = (
            f"CASE WHEN regexp_full_match({text}, {sql_string(_GEOPOINT_TEXT)}) "
            f"THEN CAST(string_split({text}, ',') AS DOUBLE[]) END"
        )
    return (
        f"CASE WHEN len({point}) = 2 AND abs({point}[1]) <= 180 AND abs({point}[2]) <= 90 "
        f"THEN {text} END"
    )


def _sql_literal(type_: str, value: Any) -> str:
    sql_type = _SQL_TYPES.get(type_, "VARCHAR")
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"CAST({sql_string(str(value))} AS {sql_type})"


def _re2_accepts(pattern: str) -> bool:
    """True when DuckDB's RE2 compiles ``pattern`` (it refuses look-arounds, back-references)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchone()
        return True
    except duckdb.Error:
        return False
    finally:
        con.close()
