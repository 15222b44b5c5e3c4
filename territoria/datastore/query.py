"""Records queries over a version: the one engine every API dialect and the portal share.

    @dataclass(frozen=True)
    class RecordsQuery:
        select: str | None = None          # ODSQL select clause, e.g. "name, count(*) as n"
        where: tuple[str, ...] = ()        # ODSQL where clauses, AND-ed together
        group_by: str | None = None        # ODSQL group_by clause
        order_by: str | None = None        # ODSQL order_by clause
        limit: int | None = 10             # None = no limit (exports only)
        offset: int = 0
        refine: tuple[tuple[str, str], ...] = ()   # (field, value): keep rows where field = value
        exclude: tuple[tuple[str, str], ...] = ()  # (field, value): drop rows where field = value

    @dataclass
    class RecordsPage:
        total_count: int                   # rows (or groups) matching, ignoring limit/offset
        results: list[dict[str, Any]]      # JSON-ready values (dates ISO strings)

    class QueryEngine:
        def __init__(self, timeout: float = 10.0): ...
        def records(self, version: VersionInfo, query: RecordsQuery) -> RecordsPage
        def facets(self, version: VersionInfo, query: RecordsQuery,
                   fields: Sequence[str] | None = None, limit: int = 50) -> list[dict]
        def export(self, version: VersionInfo, query: RecordsQuery, fmt: str,
                   *, delimiter: str = ",", bom: bool = False) -> Export

    Export(content_type: str, extension: str, chunks: Iterator[bytes])

Raises QueryError (with param/position/field) on malformed or unknown input, QueryTimeout when
the time budget is spent. The ODSQL clauses are parsed, checked against the version's schema
and compiled by ``datastore.odsql`` (which also writes the statements); this module runs them
in the engine's sandbox (``datastore.engine``), counts, and shapes the rows.

Counting never rescans what is known: an unfiltered, ungrouped query takes its total from
``version.row_count``; a page shorter than its limit is its own count; a grouped query counts
its groups in the same statement (a window over the groups). Otherwise one COUNT statement.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from territoria.datastore.engine import Sandbox, Session
from territoria.datastore.errors import QueryError
from territoria.datastore.exports import (
    BATCH_ROWS,
    ChunkStream,
    Export,
    check_delimiter,
    check_format,
    csv_chunks,
    file_blocks,
    json_chunks,
    jsonl_chunks,
    record,
)
from territoria.datastore.odsql.planner import Plan, plan_filter, plan_query
from territoria.datastore.odsql.sql import FIELD_TYPES, Sql, quote_identifier, quote_string
from territoria.datastore.odsql.statements import (
    count_statement,
    facet_statement,
    parquet_source,
    select_statement,
)
from territoria.datastore.versions import VersionInfo

# Opendatasoft's Explore v2.1 limits for the records endpoint; exports have none.
MAX_LIMIT = 100
MAX_WINDOW = 10_000
FACET_FIELD = "territoria:facet"


@dataclass(frozen=True)
class RecordsQuery:
    select: str | None = None
    where: tuple[str, ...] = ()
    group_by: str | None = None
    order_by: str | None = None
    limit: int | None = 10
    offset: int = 0
    refine: tuple[tuple[str, str], ...] = ()
    exclude: tuple[tuple[str, str], ...] = ()


@dataclass
class RecordsPage:
    total_count: int
    results: list[dict[str, Any]]


def schema_types(version: VersionInfo) -> dict[str, str]:
    """Field name → Table Schema type; a type we do not know is handled as text."""
    return {
        field["name"]: str(field.get("type")) if field.get("type") in FIELD_TYPES else "string"
        for field in version.fields
    }


def check_page(limit: int | None, offset: int) -> int:
    """The limit of a records page; QueryError(param="limit"/"offset") outside the bounds."""
    if limit is None or not 0 <= limit <= MAX_LIMIT:
        raise QueryError(
            f"limit: must be between 0 and {MAX_LIMIT} (got {limit}); use an export for more",
            param="limit",
        )
    if offset < 0:
        raise QueryError(f"offset: must be 0 or more (got {offset})", param="offset")
    if offset + limit > MAX_WINDOW:
        raise QueryError(
            f"offset: offset + limit must not exceed {MAX_WINDOW} (got {offset + limit});"
            " use an export for more",
            param="offset",
        )
    return limit


def check_export_page(limit: int | None, offset: int) -> int | None:
    """The limit of an export: None (or -1) for all rows."""
    if limit is not None and limit < -1:
        raise QueryError(f"limit: must be -1 (all), 0 or more (got {limit})", param="limit")
    if offset < 0:
        raise QueryError(f"offset: must be 0 or more (got {offset})", param="offset")
    return None if limit is None or limit == -1 else limit


class QueryEngine:
    """Runs records queries, facets and exports on versions, each within ``timeout`` seconds.

    ``statements`` counts the SQL statements this engine has run (tests pin it).
    """

    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout
        self.statements = 0

    def _session(self, version: VersionInfo) -> Session:
        return Session(version.parquet, self.timeout, self._count_statement)

    def _count_statement(self) -> None:
        self.statements += 1

    def records(self, version: VersionInfo, query: RecordsQuery) -> RecordsPage:
        limit = check_page(query.limit, query.offset)
        plan = _plan(version, query)
        with self._session(version) as session:
            rows: list[tuple[Any, ...]] = []
            if limit > 0:
                statement = select_statement(
                    plan, version.parquet, limit, query.offset, with_total=bool(plan.keys)
                )
                rows = session.fetchall(statement)
            total = _known_total(plan, version, rows, limit, query.offset)
            if total is None:
                total = session.fetchall(count_statement(plan, version.parquet))[0][0]
            if plan.keys:
                rows = [row[:-1] for row in rows]
        labels = plan.labels
        return RecordsPage(int(total), [record(labels, row) for row in rows])

    def facets(
        self,
        version: VersionInfo,
        query: RecordsQuery,
        fields: Sequence[str] | None = None,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Opendatasoft's facets: for each field, its most frequent values among the rows
        the query's where, refine and exclude keep (dates by year), count first."""
        types = schema_types(version)
        if fields is None:
            fields = [f["name"] for f in version.fields if f.get(FACET_FIELD)]
        for name in fields:
            if name not in types:
                raise QueryError(f"facet: unknown field '{name}'", param="facet", field=name)
        if not 0 < limit <= MAX_WINDOW:
            raise QueryError(f"facet: limit must be between 1 and {MAX_WINDOW}", param="facet")
        names = list(dict.fromkeys(fields))
        condition = plan_filter(
            types, where=query.where, refine=query.refine, exclude=query.exclude
        )
        if not names:
            return []
        with self._session(version) as session:
            rows = session.fetchall(
                facet_statement(version.parquet, types, names, condition, limit)
            )
        values: dict[int, list[tuple[int, str, int]]] = {i: [] for i in range(len(names))}
        for index, value, count, rank in rows:
            values[index].append((rank, value, count))
        refined = set(query.refine)
        return [
            {
                "name": name,
                "facets": [
                    {
                        "name": value,
                        "count": int(count),
                        "state": "refined" if (name, value) in refined else "displayed",
                        "value": value,
                    }
                    for _, value, count in sorted(values[index])
                ],
            }
            for index, name in enumerate(names)
        ]

    def export(
        self,
        version: VersionInfo,
        query: RecordsQuery,
        fmt: str,
        *,
        delimiter: str = ",",
        bom: bool = False,
    ) -> Export:
        """Stream the query's rows as ``fmt`` (csv, json, jsonl or parquet).

        The query runs now (a fault or a timeout raises here, before any byte is sent);
        the rows are fetched while the chunks are read.
        """
        content_type, extension = check_format(fmt)
        if fmt == "csv":
            check_delimiter(delimiter)
        limit = check_export_page(query.limit, query.offset)
        plan = _plan(version, query)
        whole = fmt == "parquet" and plan.whole_version and limit is None and not query.offset
        session = self._session(version)
        try:
            if whole and _file_columns(session, version) == plan.labels:
                session.close()
                chunks = ChunkStream(file_blocks(version.parquet), _nothing)
                return Export(content_type, extension, chunks)
            statement = select_statement(plan, version.parquet, limit, query.offset)
            if fmt == "parquet":
                chunks = _parquet_chunks(session, plan, statement)
            else:
                session.execute(statement)
                chunks = _row_chunks(session, plan, fmt, delimiter=delimiter, bom=bom)
        except BaseException:
            session.close()
            raise
        return Export(content_type, extension, chunks)


def _nothing() -> None:
    return None


def _file_columns(session: Session, version: VersionInfo) -> list[str]:
    """The columns of the version's file. The schema we are given may show fewer (a gate
    hiding protected columns): the file itself is sent only when it holds nothing more."""
    described = session.fetchall(Sql(f"DESCRIBE SELECT * FROM {parquet_source(version.parquet)}"))
    return [str(row[0]) for row in described]


def _plan(version: VersionInfo, query: RecordsQuery) -> Plan:
    return plan_query(
        schema_types(version),
        select=query.select,
        where=query.where,
        group_by=query.group_by,
        order_by=query.order_by,
        refine=query.refine,
        exclude=query.exclude,
    )


def _known_total(
    plan: Plan, version: VersionInfo, rows: list[tuple[Any, ...]], limit: int, offset: int
) -> int | None:
    """The total when it needs no statement of its own, else None."""
    if plan.aggregated and not plan.keys:
        return 1
    if plan.keys:
        if rows:
            return int(rows[0][-1])
        return 0 if offset == 0 else None
    if plan.where is None:
        return version.row_count
    if len(rows) < limit and (rows or offset == 0):
        return offset + len(rows)
    return None


def _row_chunks(
    session: Session, plan: Plan, fmt: str, *, delimiter: str, bom: bool
) -> ChunkStream:
    def batches() -> Iterator[list[tuple[Any, ...]]]:
        while batch := session.fetchmany(BATCH_ROWS):
            yield [row[: len(plan.outputs)] for row in batch]

    labels = plan.labels
    if fmt == "csv":
        chunks = csv_chunks(labels, batches(), delimiter=delimiter, bom=bom)
    elif fmt == "json":
        chunks = json_chunks(labels, batches())
    else:
        chunks = jsonl_chunks(labels, batches())
    return ChunkStream(chunks, session.close)


def _parquet_chunks(session: Session, plan: Plan, statement: Sql) -> ChunkStream:
    """DuckDB writes the file in the sandbox's scratch; the stream reads then deletes it."""
    target = session.sandbox.scratch / f"export-{secrets.token_hex(8)}.parquet"
    named = ", ".join(
        f"{quote_identifier(o.column).text} AS {quote_identifier(o.label).text}"
        for o in plan.outputs
    )
    try:
        session.execute(
            Sql.of(
                f"COPY (SELECT {named} FROM ({{}})) TO {quote_string(str(target))}"
                " (FORMAT parquet)",
                statement,
            )
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        session.close()
    cleanup = functools.partial(_delete_export, target, session.sandbox)
    return ChunkStream(file_blocks(target), cleanup)


def _delete_export(target: Path, sandbox: Sandbox) -> None:
    """Delete an exported file. Its stream holds ``sandbox`` until then, so that the scratch
    directory the file lives in is not swept away with a sandbox dropped meanwhile."""
    target.unlink(missing_ok=True)
