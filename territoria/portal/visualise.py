"""The dataset page's chart builder and map: what they may offer, read from the version's schema.

Both draw in the browser (``static/portal/js/chart.js`` and ``map.js``) from the public
Explore records API, the one a re-user calls: nothing here reads rows. This module decides
which fields a chart may group by or measure, reads the chart asked for in the page's query
string (so that a copied URL draws the same chart), and where a map finds its points.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy

CHART_TYPES = {
    "bar": gettext_lazy("Bars"),
    "line": gettext_lazy("Line"),
    "pie": gettext_lazy("Pie"),
}
AGGREGATES = {
    "count": gettext_lazy("Number of rows"),
    "sum": gettext_lazy("Sum of"),
    "avg": gettext_lazy("Average of"),
}
# Types a chart groups by: text and booleans by value, dates by year, integers by value
# (a year column, a département number). Decimal numbers would make one group per row.
GROUP_TYPES = ("string", "boolean", "date", "datetime", "integer")
MEASURE_TYPES = ("integer", "number")
# Query-string parameters of the dataset page that describe the chart.
CHART_PARAMS = ("chart", "chart_by", "chart_agg", "chart_of")


@dataclass(frozen=True)
class ChartState:
    """The chart asked for: ``kind`` (bar, line, pie), the field grouped ``by``, the aggregate
    ``agg`` (count, sum, avg) and the numeric field it applies to (``of``; None for count)."""

    kind: str
    by: str
    agg: str
    of: str | None

    def as_json(self) -> dict[str, str | None]:
        return {"kind": self.kind, "by": self.by, "agg": self.agg, "of": self.of}


def chart_fields(fields: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(fields a chart may group by, numeric fields it may sum or average), each as
    ``{"name", "title", "type"}``, in schema order. Geometry and hidden columns offer neither."""
    groups, measures = [], []
    for field in fields:
        item = {"name": field["name"], "title": field.get("title") or field["name"]}
        item["type"] = field.get("type", "string")
        if item["type"] in GROUP_TYPES:
            groups.append(item)
        if item["type"] in MEASURE_TYPES:
            measures.append(item)
    return groups, measures


def chart_state(
    query: Any, groups: list[dict[str, str]], measures: list[dict[str, str]]
) -> ChartState | None:
    """The chart the query string asks for, every value checked against the schema; an
    absent or unknown value falls back to a default (bars counting rows by the first field
    that makes facets). None when the dataset has nothing to group by."""
    if not groups:
        return None
    group_names = [g["name"] for g in groups]
    measure_names = [m["name"] for m in measures]
    kind = query.get("chart", "")
    kind = kind if kind in CHART_TYPES else "bar"
    by = query.get("chart_by", "")
    by = by if by in group_names else group_names[0]
    agg = query.get("chart_agg", "")
    agg = agg if agg in AGGREGATES else "count"
    of = query.get("chart_of") or None
    if agg == "count" or not measure_names:
        agg, of = "count", None
    elif of not in measure_names:
        of = measure_names[0]
    return ChartState(kind, by, agg, of)


def _preferred_group(
    fields: list[dict[str, Any]], groups: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Groups reordered so that a field flagged as a facet (few distinct values) comes first:
    the default chart is then readable (categories rather than one bar per commune)."""
    facets = {f["name"] for f in fields if f.get("territoria:facet") and f.get("type") == "string"}
    return sorted(groups, key=lambda g: g["name"] not in facets)


def map_points(schema: dict[str, Any]) -> dict[str, str] | None:
    """Where the map finds its points, from ``territoria:geo``: ``{"lat", "lon"}`` columns, or
    a GeoJSON dataset's ``{"point"}`` column (``geo_point_2d``); None when there is none."""
    geo = schema.get("territoria:geo")
    if not isinstance(geo, dict):
        return None
    names = {f.get("name") for f in schema.get("fields", [])}
    if geo.get("lat") in names and geo.get("lon") in names:
        return {"kind": "latlon", "lat": geo["lat"], "lon": geo["lon"]}
    if geo.get("point") in names:
        return {"kind": "point", "point": geo["point"]}
    return None


def tiles_origin(url: str) -> str | None:
    """The origin a tile URL template loads from, as a CSP source (``{s}`` subdomains → ``*``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}"


def policy_with_tiles(policy: str, url: str) -> str:
    """``policy`` whose ``img-src`` also allows the tile server of ``url`` (when it has one)."""
    origin = tiles_origin(url)
    if origin is None:
        return policy
    return "; ".join(
        f"{part} {origin}" if part.startswith("img-src") else part for part in policy.split("; ")
    )


def label_field(fields: list[dict[str, Any]]) -> str | None:
    """The first text field: what a point's tooltip says (a commune, a station's name)."""
    return next((f["name"] for f in fields if f.get("type") == "string"), None)


def visualise_context(query: Any, version) -> dict[str, Any]:
    """Template context of the chart builder (``chart_*``) and the map (``map_*``)."""
    if version is None:
        return {}
    fields = version.fields
    groups, measures = chart_fields(fields)
    groups = _preferred_group(fields, groups)
    state = chart_state(query, groups, measures)
    context: dict[str, Any] = {
        "chart_state": state,
        "chart_types": list(CHART_TYPES.items()),
        "chart_aggregates": list(AGGREGATES.items()),
        "chart_groups": groups,
        "chart_measures": measures,
        "chart_config_json": json.dumps(
            {
                "state": state.as_json() if state else None,
                "groups": groups,
                "measures": measures,
                "params": CHART_PARAMS,
            },
            ensure_ascii=False,
        ),
    }
    points = map_points(version.schema)
    if points is not None:
        points["label"] = label_field(fields)
        context["map_config_json"] = json.dumps(
            {
                "points": points,
                "tiles": settings.MAP_TILES_URL,
                "attribution": settings.MAP_TILES_ATTRIBUTION,
            },
            ensure_ascii=False,
        )
    return context
