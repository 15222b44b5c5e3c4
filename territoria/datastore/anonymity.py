"""k-anonymity and l-diversity of a version on chosen quasi-identifiers (issue 6), before it is
published.

Rows sharing the values of every quasi-identifier form an *equivalence class*; the version is
k-anonymous for the size of its smallest class, and distinct-l-diverse for the smallest number
of distinct values of the sensitive field within a class. One GROUP BY over the Parquet file
(in the version store's sandbox, under a time budget) makes the classes; the counts, the
histogram of their sizes and the worst classes come out of the same statement. Only counts
leave DuckDB, and the quasi-identifier values of the few worst classes: never a row, never a
sensitive value.

The default target k is 11: French statistical secrecy publishes no cell of fewer than 11
persons (the rule of the ATIH and the SNDS for health data, INSEE's for its most detailed
tables), the strictest threshold producers here are held to. The default target l is 2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from territoria.datastore.engine import Session
from territoria.datastore.errors import QueryError
from territoria.datastore.odsql.sql import Sql, quote_identifier, quote_string

DEFAULT_K = 11
DEFAULT_L = 2
MAX_QUASI = 12
WORST_CLASSES = 10
# Class sizes counted together in the histogram: [low, high] (None: no upper bound).
SIZE_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (1, 1),
    (2, 2),
    (3, 4),
    (5, 10),
    (11, 20),
    (21, 50),
    (51, 100),
    (101, None),
)
UNGROUPABLE = frozenset({"geo_point", "geo_shape", "geojson", "object", "array"})


class AnonymityError(QueryError):
    """The report cannot be made as asked (unknown field, too many fields, bad target)."""


@dataclass(frozen=True)
class AnonymityReport:
    """The classes of ``quasi`` in a version: ``k`` (0 when it has no row), the rows and
    classes under ``target_k``, the histogram of class sizes, the ``worst`` classes (their
    quasi-identifier values, size and distinct sensitive values), and with a ``sensitive``
    field ``l`` and the classes and rows under ``target_l``."""

    quasi: list[str]
    sensitive: str | None
    rows: int
    classes: int
    k: int
    target_k: int
    classes_under_k: int
    rows_under_k: int
    share_under_k: float
    histogram: list[dict[str, Any]]
    worst: list[dict[str, Any]]
    l: int | None = None  # noqa: E741 — the name the literature gives it
    target_l: int | None = None
    classes_under_l: int | None = None
    rows_under_l: int | None = None

    @property
    def is_k_anonymous(self) -> bool:
        return self.rows == 0 or self.k >= self.target_k

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "is_k_anonymous": self.is_k_anonymous}


def check_fields(
    schema: Mapping[str, Any], quasi: Sequence[str], sensitive: str | None
) -> dict[str, str]:
    """The types of the fields asked, checked against ``schema``; raises AnonymityError."""
    types = {f["name"]: f.get("type", "string") for f in schema.get("fields", [])}
    if not quasi:
        raise AnonymityError("choose at least one quasi-identifier", param="quasi")
    if len(quasi) > MAX_QUASI or len(set(quasi)) != len(quasi):
        raise AnonymityError(f"1 to {MAX_QUASI} distinct quasi-identifiers", param="quasi")
    for name, param in [*((q, "quasi") for q in quasi), (sensitive, "sensitive")]:
        if name is None:
            continue
        if name not in types:
            raise AnonymityError(f"unknown field '{name}'", param=param, field=name)
        if types[name] in UNGROUPABLE:
            raise AnonymityError(f"'{name}' cannot be grouped", param=param, field=name)
    if sensitive is not None and sensitive in quasi:
        raise AnonymityError("the sensitive field is not a quasi-identifier", param="sensitive")
    return types


def anonymity_report(
    parquet: Path,
    schema: Mapping[str, Any],
    quasi: Sequence[str],
    sensitive: str | None = None,
    *,
    target_k: int = DEFAULT_K,
    target_l: int = DEFAULT_L,
    timeout: float = 10.0,
) -> AnonymityReport:
    """The report of ``parquet`` (described by ``schema``) on ``quasi`` and ``sensitive``.

    Raises AnonymityError on a field not in ``schema`` or a target out of range,
    QueryTimeout when ``timeout`` seconds are spent.
    """
    check_fields(schema, quasi, sensitive)
    if not 2 <= target_k <= 1000 or not 2 <= target_l <= 100:
        raise AnonymityError("k is 2 to 1000, l is 2 to 100", param="k")
    with Session(parquet, timeout) as session:
        row = session.fetchall(_statement(parquet, quasi, sensitive, target_k, target_l))[0]
    rows, classes, k, classes_k, rows_k, sizes, worst, l_min, classes_l, rows_l = row
    return AnonymityReport(
        quasi=list(quasi),
        sensitive=sensitive,
        rows=int(rows or 0),
        classes=int(classes or 0),
        k=int(k or 0),
        target_k=target_k,
        classes_under_k=int(classes_k or 0),
        rows_under_k=int(rows_k or 0),
        share_under_k=round(int(rows_k or 0) / rows, 6) if rows else 0.0,
        histogram=_histogram(sizes or []),
        worst=[_worst(quasi, item, sensitive is not None) for item in worst or []],
        l=int(l_min or 0) if sensitive is not None else None,
        target_l=target_l if sensitive is not None else None,
        classes_under_l=int(classes_l or 0) if sensitive is not None else None,
        rows_under_l=int(rows_l or 0) if sensitive is not None else None,
    )


def _statement(
    parquet: Path, quasi: Sequence[str], sensitive: str | None, target_k: int, target_l: int
) -> Sql:
    # Field names are the schema's (checked), quoted; the targets are our checked integers;
    # the path is the version's own file.
    keys = ", ".join(quote_identifier(name).text for name in quasi)
    distinct = f"count(DISTINCT {quote_identifier(sensitive).text})" if sensitive else "0"
    buckets = " ".join(
        f"WHEN size <= {high} THEN {index}"
        for index, (_, high) in enumerate(SIZE_BUCKETS)
        if high is not None
    )
    values = ", ".join(f"CAST({quote_identifier(n).text} AS VARCHAR)" for n in quasi)
    return Sql(
        "WITH classes AS MATERIALIZED ("
        f"SELECT count(*) AS size, {distinct} AS l, [{values}] AS qv "
        f"FROM read_parquet({quote_string(str(parquet.resolve()))}) GROUP BY {keys}), "
        f"sized AS (SELECT CASE {buckets} ELSE {len(SIZE_BUCKETS) - 1} END AS bucket, size "
        "FROM classes) "
        "SELECT (SELECT sum(size) FROM classes), (SELECT count(*) FROM classes), "
        "(SELECT min(size) FROM classes), "
        f"(SELECT count(*) FROM classes WHERE size < {target_k}), "
        f"(SELECT sum(size) FROM classes WHERE size < {target_k}), "
        "(SELECT list([bucket, n, r] ORDER BY bucket) FROM (SELECT bucket, count(*) AS n, "
        "sum(size) AS r FROM sized GROUP BY bucket)), "
        "(SELECT list({'size': size, 'l': l, 'qv': qv} ORDER BY size, l, qv) FROM "
        f"(SELECT size, l, qv FROM classes ORDER BY size, l, qv LIMIT {WORST_CLASSES})), "
        "(SELECT min(l) FROM classes), "
        f"(SELECT count(*) FROM classes WHERE l < {target_l}), "
        f"(SELECT sum(size) FROM classes WHERE l < {target_l})"
    )


def _histogram(counted: list[list[Any]]) -> list[dict[str, Any]]:
    """Every bucket of ``SIZE_BUCKETS``, with its classes and rows (0 when none)."""
    found = {int(bucket): (int(n), int(r)) for bucket, n, r in counted}
    histogram = []
    for index, (low, high) in enumerate(SIZE_BUCKETS):
        label = str(low) if low == high else f"{low}-{high}" if high else f"{low}+"
        classes, rows = found.get(index, (0, 0))
        histogram.append(
            {"sizes": label, "low": low, "high": high, "classes": classes, "rows": rows}
        )
    return histogram


def _worst(quasi: Sequence[str], item: Mapping[str, Any], with_l: bool) -> dict[str, Any]:
    values = dict(zip(quasi, item["qv"], strict=True))
    worst: dict[str, Any] = {"size": int(item["size"]), "values": values}
    if with_l:
        worst["l"] = int(item["l"])
    return worst
