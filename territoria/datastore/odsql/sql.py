"""SQL fragments with their bound parameters, and the scope a clause is compiled in.

No user text ever becomes SQL text: identifiers come from the version's schema (quoted by
``quote_identifier``), every literal travels as a ``?`` parameter, and the only SQL words
are the ones written in this package.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql import ast

NUMERIC = frozenset({"integer", "number"})
TEMPORAL = frozenset({"date", "datetime"})
FIELD_TYPES = frozenset({"string", "integer", "number", "boolean", "date", "datetime"})
# How a type is named in messages for people.
TYPE_NAMES = {
    "string": "text",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "date and time",
    "null": "NULL",
}


@dataclass(frozen=True)
class Sql:
    text: str
    params: tuple[Any, ...] = ()

    @staticmethod
    def param(value: Any) -> Sql:
        return Sql("?", (value,))

    @staticmethod
    def of(template: str, *parts: Sql) -> Sql:
        """Fill the ``{}`` of ``template`` (our own text) with ``parts``, parameters in order."""
        pieces = template.split("{}")
        if len(pieces) != len(parts) + 1:
            raise ValueError(f"{len(parts)} parts for {len(pieces) - 1} holes in {template!r}")
        text = pieces[0]
        params: list[Any] = []
        for part, piece in zip(parts, pieces[1:], strict=True):
            text += part.text + piece
            params.extend(part.params)
        return Sql(text, tuple(params))

    @staticmethod
    def join(separator: str, parts: Iterable[Sql]) -> Sql:
        parts = list(parts)
        return Sql(
            separator.join(part.text for part in parts),
            tuple(param for part in parts for param in part.params),
        )


def quote_identifier(name: str) -> Sql:
    """A double-quoted SQL identifier; callers pass schema names or our own labels."""
    if "\0" in name:
        raise ValueError("identifier with a NUL character")
    return Sql('"' + name.replace('"', '""') + '"')


def quote_string(text: str) -> str:
    """A SQL string literal, for the one text we inline: the path of our own Parquet file."""
    if "\0" in text:
        raise ValueError("string with a NUL character")
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Typed:
    """A compiled expression: its SQL and its ODSQL type."""

    sql: Sql
    type: str  # one of FIELD_TYPES, or "null"


@dataclass(frozen=True)
class GroupKey:
    """A group_by expression, computed once per row as ``column`` of a grouped sub-query."""

    expr: ast.Expr
    alias: str | None
    column: str
    type: str
    row_sql: Sql  # the expression on one row

    @property
    def typed(self) -> Typed:
        """The key as the grouped query sees it: a column."""
        return Typed(quote_identifier(self.column), self.type)


@dataclass(frozen=True)
class Scope:
    """What one clause is compiled against, and what it may contain.

    ``keys`` is set when the clause is evaluated once per group (select and order_by of an
    aggregated query): a field may then appear only as a group key or inside an aggregate.
    """

    param: str
    fields: Mapping[str, str]
    aggregates: bool = False
    keys: tuple[GroupKey, ...] | None = None

    def rows(self) -> Scope:
        """The scope of an aggregate's arguments: one row at a time, no nested aggregate."""
        return Scope(self.param, self.fields)

    def error(self, message: str, node: ast.Node | None = None) -> QueryError:
        # refine and exclude are (field, value) pairs, not text: no position to point at.
        textual = self.param not in ("refine", "exclude")
        position = node.pos if node is not None and textual else None
        at = "" if position is None else f" at position {position}"
        return QueryError(f"{self.param}: {message}{at}", param=self.param, position=position)

    def resolve_field(self, node: ast.Field) -> str:
        """The schema name ``node`` refers to. Names are exact, as in Opendatasoft; a near
        miss gets a suggestion."""
        if node.name in self.fields:
            return node.name
        hint = difflib.get_close_matches(node.name, list(self.fields), n=1)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise QueryError(
            f"{self.param}: unknown field '{node.name}'{suggestion}",
            param=self.param,
            position=node.pos,
            field=node.name,
        )

    def text_fields(self) -> list[str]:
        return [name for name, kind in self.fields.items() if kind == "string"]


def compatible(left: str, right: str) -> bool:
    """Whether values of these two types may be compared with each other."""
    if "null" in (left, right) or left == right:
        return True
    return {left, right} <= NUMERIC or {left, right} <= TEMPORAL
