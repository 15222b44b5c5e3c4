"""What one caller may read of a version: a sharing agreement's terms, compiled into the
source every statement reads (the agreement is enforced *inside* the engine, not after it).

    restrict(version, Restriction(fields=("commune", "nombre"), row_filter="dep = '67'"))

returns the same version seen through a ``TableView``:

- **columns**: the schema keeps the allowed fields only, and every statement reads a sub-query
  that projects those columns only. A forbidden column does not exist for the caller: it is an
  unknown field in select, where, group_by, order_by, facets and exports, and absent from the
  schema and from every result.
- **rows**: the agreement's row filter (ODSQL, compiled against the whole schema: it may name
  a column the caller cannot see) is the sub-query's WHERE. Rows outside it are never read,
  counted or faceted; the view's ``row_count`` is the count of the rows inside it.
- **aggregates only** (statistical secrecy): the caller may group, filter and facet by the
  *dimensions* and aggregate the *measures* with count, sum and avg; never read a row. The view
  keeps only the rows of the **cells** — the rows sharing one combination of every dimension —
  that are publishable: at least ``min_cell`` units (rows, or distinct ``unit_field`` values)
  and, with ``dominance_field``, no unit holding more than ``dominance_share`` of the cell's
  total. Every answer is then computed from publishable cells only:

  * a group of an answer is a union of whole cells (it is a function of dimension values, and
    filters may only test dimensions), so it counts 0 or at least ``min_cell`` units, and a
    union of non-dominated cells is not dominated (non-negative values);
  * a suppressed cell contributes to nothing published — no margin, total or other query —
    so it cannot be recomputed from totals nor from the difference of two queries. This is
    secondary suppression by construction: rather than searching for complementary cells
    to hide in each table (a problem with no tractable exact solution across the linked
    tables free queries make), the totals are those of the published cells, as INSEE's
    tables say "dont secret statistique". ``tests/datastore/test_restriction_secrecy.py``
    proves it: changing the rows of suppressed cells changes no answer.

Defaults follow French statistical secrecy: 3 units for data on businesses, 11 for data on
persons (``DEFAULT_MIN_CELL``); dominance at 85 %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql import ast
from territoria.datastore.odsql.functions import AGGREGATES
from territoria.datastore.odsql.parser import parse_group_by, parse_select, parse_where
from territoria.datastore.odsql.planner import ROW_NUMBER, plan_filter
from territoria.datastore.odsql.sql import Sql, quote_identifier, quote_string
from territoria.datastore.paths import resolved
from territoria.datastore.versions import VersionInfo

DEFAULT_MIN_CELL = {"persons": 11, "businesses": 3}
DEFAULT_DOMINANCE = 0.85
NUMERIC = frozenset({"integer", "number"})
SECRET_AGGREGATES = frozenset({"count", "sum", "avg"})  # min, max, median… show one unit's value
_CELL_N = "__territoria_cell_n"
_CELL_MAX = "__territoria_cell_max"
_CELL_SUM = "__territoria_cell_sum"


@dataclass(frozen=True)
class Restriction:
    """An agreement's terms on one dataset (None or empty: no limit of that kind)."""

    fields: tuple[str, ...] | None = None  # allowed columns
    row_filter: str | None = None  # ODSQL where, over the whole schema
    aggregates_only: bool = False
    dimensions: tuple[str, ...] | None = None  # None: the allowed fields that are not numbers
    min_cell: int = DEFAULT_MIN_CELL["persons"]
    unit_field: str | None = None  # units counted by distinct value (a SIRET) rather than rows
    dominance_field: str | None = None
    dominance_share: float = DEFAULT_DOMINANCE


@dataclass(frozen=True)
class TableView:
    """The rows and columns a caller reads of a version's file, as SQL."""

    path: Path
    columns: tuple[str, ...]
    condition: Sql | None
    aggregates_only: bool = False
    dimensions: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    cells: Sql | None = None  # the publishable-cell condition over the window columns
    windows: Sql | None = None  # the window columns it reads

    def sql(self, row_number: bool = False) -> Sql:
        """The view as a FROM item (a parenthesised sub-query)."""
        options = f", {ROW_NUMBER} = true" if row_number else ""
        parquet = f"read_parquet({quote_string(str(resolved(self.path)))}{options})"
        names = [*self.columns, *([ROW_NUMBER] if row_number else [])]
        projected = ", ".join(quote_identifier(name).text for name in names) or "NULL AS _"
        where = Sql.of(" WHERE {}", self.condition) if self.condition is not None else Sql("")
        if self.cells is None or self.windows is None:
            return Sql.of(f"(SELECT {projected} FROM {parquet}{{}})", where)
        inner = Sql.of(f"SELECT {projected}, {{}} FROM {parquet}{{}}", self.windows, where)
        return Sql.of(f"(SELECT {projected} FROM ({{}}) WHERE {{}})", inner, self.cells)


def restrict(version: VersionInfo, restriction: Restriction, types: dict[str, str]) -> VersionInfo:
    """``version`` as a caller under ``restriction`` sees it (``types``: the ODSQL type of
    each field of the whole version). When rows are filtered its ``row_count`` is -1 (not
    known): the caller counts the view (``QueryEngine.count_view``) and may keep the count
    with ``with_row_count``; the engine never takes the whole file's count for the view's.

    Raises QueryError when the terms name a field the version does not have, or the filter
    is not valid ODSQL over it (the agreement is checked when it is saved; a new version may
    have dropped a column since: then the caller reads nothing rather than too much)."""
    allowed = _allowed(version, restriction)
    condition = None
    if restriction.row_filter and restriction.row_filter.strip():
        condition = plan_filter(types, where=(restriction.row_filter,))
    view = TableView(version.parquet, tuple(allowed), condition)
    if restriction.aggregates_only:
        view = _secret_view(view, restriction, {n: types[n] for n in allowed}, types)
    fields = [f for f in version.fields if f["name"] in set(allowed)]
    schema = {**version.schema, "fields": fields}
    geo = schema.get("territoria:geo")
    if isinstance(geo, dict) and not set(_geo_columns(geo)) <= set(allowed):
        schema.pop("territoria:geo")
    # -1: not known until counted; the engine counts rather than take the file's count.
    rows = version.row_count if condition is None and not view.aggregates_only else -1
    return replace(version, schema=schema, view=view, row_count=rows)


def with_row_count(version: VersionInfo, rows: int) -> VersionInfo:
    return replace(version, row_count=rows)


def _allowed(version: VersionInfo, restriction: Restriction) -> list[str]:
    names = version.field_names()
    if restriction.fields is None or not restriction.fields:
        return names
    unknown = [name for name in restriction.fields if name not in names]
    if unknown:
        raise QueryError(f"agreement: the version has no field {unknown[0]!r}", field=unknown[0])
    wanted = set(restriction.fields)
    return [name for name in names if name in wanted]


def _geo_columns(geo: dict[str, Any]) -> list[str]:
    return [str(value) for value in geo.values() if isinstance(value, str)]


def _secret_view(
    view: TableView, terms: Restriction, types: dict[str, str], every: dict[str, str]
) -> TableView:
    """The view keeping the rows of publishable cells only (see the module's docstring).
    ``types``: the allowed fields; ``every``: all of them (the unit and the dominance field
    may be hidden from the caller: the cells are computed before the projection)."""
    if terms.dimensions:
        dimensions = [name for name in terms.dimensions if name in types]
    else:
        dimensions = [name for name, kind in types.items() if kind not in NUMERIC]
    measures = tuple(name for name, kind in types.items() if kind in NUMERIC)
    if terms.min_cell < 1:
        raise QueryError("agreement: the minimum cell size must be 1 or more")
    partition = ", ".join(quote_identifier(name).text for name in dimensions)
    window = f" OVER (PARTITION BY {partition})" if partition else " OVER ()"
    unit = (
        f"count(DISTINCT {quote_identifier(terms.unit_field).text})"
        if terms.unit_field and terms.unit_field in every
        else "count(*)"
    )
    columns = [f"{unit}{window} AS {_CELL_N}"]
    cells = Sql.of(f"{_CELL_N} >= {{}}", Sql.param(int(terms.min_cell)))
    if terms.dominance_field:
        if every.get(terms.dominance_field) not in NUMERIC:
            raise QueryError("agreement: the dominance field must be a number")
        value = f"abs({quote_identifier(terms.dominance_field).text})"
        columns += [f"max({value}){window} AS {_CELL_MAX}", f"sum({value}){window} AS {_CELL_SUM}"]
        cells = Sql.of(
            f"{{}} AND coalesce({_CELL_MAX} <= {{}} * {_CELL_SUM}, TRUE)",
            cells,
            Sql.param(float(terms.dominance_share)),
        )
    return replace(
        view,
        aggregates_only=True,
        dimensions=tuple(dimensions),
        measures=measures,
        cells=cells,
        windows=Sql(", ".join(columns)),
    )


def check_secret_query(
    view: TableView,
    *,
    select: str | None,
    where: Sequence[str],
    group_by: str | None,
    refine: Sequence[tuple[str, str]] = (),
    exclude: Sequence[tuple[str, str]] = (),
    facets: Sequence[str] = (),
) -> None:
    """Raise QueryError unless the query is one an aggregates-only caller may ask: an
    aggregate (or facets), filtered and grouped by dimensions only, aggregating with count,
    sum and avg. A filter on a measure would split cells; ``min`` or ``max`` would show one
    unit's value; full-text search reads every text field."""
    dimensions = set(view.dimensions)
    for text in where:
        if text.strip():
            _only_dimensions(parse_where(text), dimensions, "where")
    for item in parse_group_by(group_by) if group_by and group_by.strip() else ():
        _only_dimensions(item.expr, dimensions, "group_by")
    for param, pairs in (("refine", refine), ("exclude", exclude)):
        for name, _ in pairs:
            _check_dimension(name, dimensions, param)
    for name in facets:
        _check_dimension(name, dimensions, "facet")
    if facets:
        return
    aggregated = False
    for chosen in parse_select(select) if select and select.strip() else ():
        aggregated |= _check_select_item(chosen.expr, dimensions)
    if not (aggregated or group_by):
        raise QueryError(
            f"{AGGREGATES_ONLY}: add a group_by or an aggregate such as count(*)", param="select"
        )


AGGREGATES_ONLY = "this agreement gives aggregates only"


def _check_select_item(expr: ast.Expr, dimensions: set[str]) -> bool:
    """Whether the select item aggregates; raises on a forbidden aggregate or a bare measure."""
    aggregated = False
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call) and node.name in AGGREGATES:
            if node.name not in SECRET_AGGREGATES:
                raise QueryError(
                    f"{AGGREGATES_ONLY}: {node.name}() shows one unit's value;"
                    " use count, sum or avg",
                    param="select",
                )
            aggregated = True
            continue
        if isinstance(node, ast.Field) and node.name not in dimensions:
            raise QueryError(
                f"{AGGREGATES_ONLY}: '{node.name}' may only be aggregated (count, sum, avg)",
                param="select",
                field=node.name,
            )
        stack.extend(ast.children(node))
    return aggregated


def _only_dimensions(expr: ast.Expr, dimensions: set[str], param: str) -> None:
    if isinstance(expr, ast.String):
        raise QueryError(f"{AGGREGATES_ONLY}: full-text search is not available", param=param)
    for node in ast.walk(expr):
        if isinstance(node, ast.Field):
            _check_dimension(node.name, dimensions, param)
        searching = isinstance(node, ast.Call) and node.name == "search"
        bare_text = isinstance(node, ast.And | ast.Or | ast.Not) and any(
            isinstance(child, ast.String) for child in ast.children(node)
        )
        if searching or bare_text:
            raise QueryError(f"{AGGREGATES_ONLY}: full-text search is not available", param=param)


def _check_dimension(name: str, dimensions: set[str], param: str) -> None:
    if name not in dimensions:
        raise QueryError(
            f"{AGGREGATES_ONLY}: '{name}' is not a dimension you may filter or group by",
            param=param,
            field=name,
        )
