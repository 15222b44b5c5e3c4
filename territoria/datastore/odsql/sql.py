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
# A point (lat/lon columns or a STRUCT(lat, lon)) or a shape (a GEOMETRY column): usable only
# through the geo functions, never compared, sorted or grouped as such.
GEO = frozenset({"geo_point", "geo_shape"})
FIELD_TYPES = frozenset(
    {"string", "integer", "number", "boolean", "date", "datetime", "geo_point", "geo_shape"}
)
# How a type is named in messages for people.
TYPE_NAMES = {
    "string": "text",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "date",
    "datetime": "date and time",
    "geo_point": "geographic point",
    "geo_shape": "geographic shape",
    "null": "NULL",
}


@dataclass(frozen=True)
class GeoColumns:
    """Where a version keeps its geometry (the schema's ``territoria:geo``): ``lat``/``lon``
    number columns, or a ``shape`` GEOMETRY column with its ``point`` (STRUCT(lat, lon)) and
    its hidden per-row ``bbox`` (STRUCT(xmin, ymin, xmax, ymax)), never a field."""

    lat: str | None = None
    lon: str | None = None
    shape: str | None = None
    point: str | None = None
    bbox: str | None = None

    @staticmethod
    def of(schema_geo: Any) -> GeoColumns | None:
        if not isinstance(schema_geo, dict):
            return None
        names = {k: v for k, v in schema_geo.items() if isinstance(v, str)}
        columns = GeoColumns(**{k: names.get(k) for k in ("lat", "lon", "shape", "point", "bbox")})
        return columns if (columns.lat and columns.lon) or columns.shape or columns.point else None


# Name of the point of a lat/lon dataset in geo functions and select, as Opendatasoft names it.
VIRTUAL_POINT = "geo_point_2d"


@dataclass(frozen=True)
class Context:
    """What a whole query is compiled with, beside its fields: where its geometry is, the
    ``timezone`` of date functions on date-times and the ``lang`` of month and day names."""

    geo: GeoColumns | None = None
    timezone: str | None = None
    lang: str = "fr"

    def virtual_fields(self, fields: Mapping[str, str]) -> dict[str, str]:
        """Names usable in clauses without being fields: a lat/lon dataset's point."""
        geo = self.geo
        if geo is not None and geo.lat and geo.lon and VIRTUAL_POINT not in fields:
            return {VIRTUAL_POINT: "geo_point"}
        return {}


NO_CONTEXT = Context()


def local_time(sql: Sql, context: Context) -> Sql:
    """A stored date-time (UTC, naive) as the wall-clock time of the query's timezone."""
    if context.timezone is None:
        return sql
    zone = Sql.param(context.timezone)
    return Sql.of("timezone({}, timezone('UTC', {}))", zone, sql)


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
    # What the results show for the key when it is not the column itself: the label of a
    # range(), the centre of a geo_cluster(); written over the column (and aggregates).
    shown: Typed | None = None

    @property
    def typed(self) -> Typed:
        """The key as the grouped query sees it: a column."""
        return Typed(quote_identifier(self.column), self.type)

    @property
    def output(self) -> Typed:
        return self.shown if self.shown is not None else self.typed


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
    context: Context = NO_CONTEXT

    def rows(self) -> Scope:
        """The scope of an aggregate's arguments: one row at a time, no nested aggregate."""
        return Scope(self.param, self.fields, context=self.context)

    def error(self, message: str, node: ast.Node | None = None) -> QueryError:
        # refine and exclude are (field, value) pairs, not text: no position to point at.
        textual = self.param not in ("refine", "exclude")
        position = node.pos if node is not None and textual else None
        at = "" if position is None else f" at position {position}"
        return QueryError(f"{self.param}: {message}{at}", param=self.param, position=position)

    def resolve_field(self, node: ast.Field) -> str:
        """The schema name ``node`` refers to. Names are exact, as in Opendatasoft; a near
        miss gets a suggestion."""
        if node.name in self.fields or node.name in self.context.virtual_fields(self.fields):
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
    if left in GEO or right in GEO:
        return False
    if "null" in (left, right) or left == right:
        return True
    return {left, right} <= NUMERIC or {left, right} <= TEMPORAL
