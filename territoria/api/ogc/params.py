"""OGC API – Features query parameters, read into the engine's query spec (no SQL here).

``bbox`` becomes ODSQL's ``in_bbox(...)`` on the collection's geometry, ``datetime`` a
comparison with ``date'…'`` literals on its first date or date-time field, and every other
parameter named like a field an equality — a ``refine`` pair, which the engine binds as a
parameter: no text from the caller is ever written into an ODSQL clause. Numbers and dates
are read in Python first and written back by us, so a clause holds only what we wrote.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql.dates import parse_date_span
from territoria.datastore.odsql.render import render_name

DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000  # the most features of one page; a larger limit is lowered to it (§7.15.3)
# Parameters of the items route; any other must name a field (a property filter).
ITEMS_PARAMS = frozenset({"f", "limit", "offset", "cursor", "bbox", "bbox-crs", "datetime"})
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
OPEN = ("..", "")


@dataclass(frozen=True)
class ItemsParams:
    """The items request, checked: page size and start, and the ODSQL filter pieces."""

    limit: int
    offset: int
    cursor: str | None
    where: tuple[str, ...]
    refine: tuple[tuple[str, str], ...]


def _integer(raw: str | None, name: str, default: int, minimum: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name}: expected an integer, got {raw!r}", param=name) from None
    if value < minimum:
        raise QueryError(f"{name}: must be {minimum} or more (got {value})", param=name)
    return value


def bbox_clause(raw: str, geometry: str) -> str:
    """``in_bbox`` on ``geometry`` for an OGC ``bbox`` (lon/lat: 4 numbers, or 6 with heights).

    Raises QueryError(param="bbox") for anything else, and for a box crossing the
    antimeridian (minimum longitude above the maximum), which ``in_bbox`` cannot express.
    """
    parts = raw.split(",")
    if len(parts) not in (4, 6):
        raise QueryError("bbox: expected 4 or 6 comma-separated numbers", param="bbox")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise QueryError(f"bbox: not numbers: {raw!r}", param="bbox") from None
    if not all(math.isfinite(number) for number in numbers):
        raise QueryError("bbox: numbers must be finite", param="bbox")
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = numbers
    if west > east or south > north:
        raise QueryError(
            "bbox: expected minimum longitude, minimum latitude, maximum longitude, maximum"
            " latitude (a box across the antimeridian is not supported)",
            param="bbox",
        )
    bounds = ", ".join(f"{value:.10f}" for value in (south, west, north, east))
    return f"in_bbox({render_name(geometry)}, {bounds})"


def datetime_clause(raw: str, field: str) -> str | None:
    """ODSQL keeping the rows whose ``field`` falls on the instant or in the interval ``raw``
    (RFC 3339, ``start/end``, ``..`` for an open end); None when both ends are open.
    A date stands for its whole day (``date'2024-03-01'`` in ODSQL)."""
    ends = raw.split("/")
    if len(ends) > 2:
        raise QueryError("datetime: an instant or one interval start/end", param="datetime")
    for end in ends:
        if end not in OPEN and parse_date_span(end) is None:
            raise QueryError(f"datetime: not an RFC 3339 date: {end!r}", param="datetime")
    name = render_name(field)
    if len(ends) == 1:
        if ends[0] in OPEN:
            raise QueryError("datetime: an instant cannot be open", param="datetime")
        return f"{name} = date'{ends[0]}'"
    start, end = ends
    tests = []
    if start not in OPEN:
        tests.append(f"{name} >= date'{start}'")
    if end not in OPEN:
        tests.append(f"{name} <= date'{end}'")
    return " and ".join(tests) or None


def items_params(
    query: Mapping[str, list[str]],
    *,
    geometry: str,
    date_field: str | None,
    fields: Mapping[str, str],
) -> ItemsParams:
    """The items request ``query`` (name → values) of a collection whose geometry is named
    ``geometry`` in ODSQL, first temporal field is ``date_field`` and filterable fields are
    ``fields`` (name → Table Schema type). Raises QueryError naming the parameter at fault,
    for an unknown parameter too (OGC API – Features §7.15.2: a typo must not widen a query).
    """

    def one(name: str) -> str | None:
        values = query.get(name) or []
        return values[-1] if values else None

    where: list[str] = []
    raw_bbox = one("bbox")
    if raw_bbox:
        crs = one("bbox-crs")
        if crs not in (None, "", CRS84):
            raise QueryError(f"bbox-crs: only {CRS84} is offered", param="bbox-crs")
        where.append(bbox_clause(raw_bbox, geometry))
    raw_datetime = one("datetime")
    if raw_datetime and date_field is not None:
        clause = datetime_clause(raw_datetime, date_field)
        if clause:
            where.append(clause)
    refine = []
    for name, values in query.items():
        if name in ITEMS_PARAMS:
            continue
        if name not in fields:
            raise QueryError(f"{name}: unknown parameter (not a property)", param=name)
        refine.extend((name, value) for value in values)
    limit = min(_integer(one("limit"), "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    return ItemsParams(
        limit=limit,
        offset=_integer(one("offset"), "offset", 0, 0),
        cursor=one("cursor") or None,
        where=tuple(where),
        refine=tuple(refine),
    )
