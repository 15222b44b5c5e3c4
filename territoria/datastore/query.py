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
        timezone: str | None = None        # IANA zone of date functions and date-times shown
        lang: str | None = None            # language of month and day names (date_format)
        cursor: str | None = None          # a RecordsPage.next_cursor: the rows after it

    @dataclass
    class RecordsPage:
        total_count: int                   # rows (or groups) matching, ignoring limit/offset
        results: list[dict[str, Any]]      # JSON-ready values (dates ISO strings)
        next_cursor: str | None            # the next page, when there is one (row queries)
        row_numbers: list[int] | None      # each row's position in the version's file (0 for
                                           # the first), for row queries in file order

    class QueryEngine:
        def __init__(self, timeout: float = 10.0, answers: AnswerCache | None = None): ...
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

Answers. With an ``answers`` cache (``datastore.answers``), the rows of every statement of a
records page, its count and facets are kept by version and statement: the same question on
the same version is answered without DuckDB. Exports are streamed, never kept.

Counting never rescans what is known: an unfiltered, ungrouped query takes its total from
``version.row_count``; a page shorter than its limit is its own count; a grouped query counts
its groups in the same statement (a window over the groups). Otherwise one COUNT statement,
once: a cursor carries the total to the pages after it.

Pages. ``offset`` browses the first 10,000 rows, as Opendatasoft allows. Every page of rows
that has more after it also gets a ``next_cursor``: a keyset cursor (the sort values of its
last row, the file's row number last) with which the next page is read by a WHERE on those
values rather than by skipping rows — a whole dataset reads at the same cost per page, with
no 10,000-row wall. A cursor belongs to one query on one version; given another, it is
refused (400), so a republished dataset never mixes two versions in one reading.
"""

from __future__ import annotations

import functools
import secrets
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from territoria.datastore.answers import AnswerCache, Rows, answer_key
from territoria.datastore.engine import Sandbox, Session
from territoria.datastore.errors import QueryError
from territoria.datastore.exports import (
    BATCH_ROWS,
    FILE_FORMATS,
    XLSX_MAX_ROWS,
    ChunkStream,
    Converter,
    Export,
    check_delimiter,
    check_format,
    csv_chunks,
    csv_line_chunks,
    csv_line_statement,
    file_blocks,
    geojson_chunks,
    json_chunks,
    json_value,
    jsonl_chunks,
    point_text,
    record,
    shape_feature,
)
from territoria.datastore.odsql.cursor import query_fingerprint, read_cursor, write_cursor
from territoria.datastore.odsql.dateformat import LANGUAGES
from territoria.datastore.odsql.planner import Plan, plan_filter, plan_query, uses_spatial
from territoria.datastore.odsql.sql import (
    FIELD_TYPES,
    GEO,
    VIRTUAL_POINT,
    Context,
    GeoColumns,
    Sql,
    quote_identifier,
    quote_string,
)
from territoria.datastore.odsql.statements import (
    count_statement,
    facet_statement,
    keyset_condition,
    parquet_source,
    select_statement,
)
from territoria.datastore.restriction import Restriction, TableView, check_secret_query, restrict
from territoria.datastore.versions import VersionInfo

# Opendatasoft's Explore v2.1 limits for the records endpoint; exports have none.
MAX_LIMIT = 100
MAX_WINDOW = 10_000
FACET_FIELD = "territoria:facet"
# Table Schema types of geometry (GeoJSON datasets) -> ODSQL types.
GEO_FIELD_TYPES = {"geojson": "geo_shape", "geopoint": "geo_point"}
# Languages Opendatasoft accepts for ``lang``; month and day names exist in LANGUAGES
# (French and English), the others show English names.
LANGS = frozenset({"en", "fr", "nl", "pt", "it", "ar", "de", "es", "ca", "eu", "sv"})


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
    timezone: str | None = None
    lang: str | None = None
    cursor: str | None = None


@dataclass
class RecordsPage:
    total_count: int
    results: list[dict[str, Any]]
    next_cursor: str | None = None
    # The OGC dialect's feature ids (api/ogc): the file's row number, which a keyset page
    # reads anyway as its last sort value. None when the rows are not in file order.
    row_numbers: list[int] | None = None


def schema_types(version: VersionInfo) -> dict[str, str]:
    """Field name → ODSQL type; a type we do not know is handled as text."""
    types = {}
    for field in version.fields:
        kind = GEO_FIELD_TYPES.get(str(field.get("type")), field.get("type"))
        types[field["name"]] = str(kind) if kind in FIELD_TYPES else "string"
    return types


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def query_context(version: VersionInfo, query: RecordsQuery) -> Context:
    """Where the version's geometry is, and the query's timezone and lang, checked."""
    if query.timezone is not None and query.timezone not in _time_zones() | {"UTC"}:
        raise QueryError(
            f"timezone: unknown time zone {query.timezone!r} (use a name such as Europe/Paris)",
            param="timezone",
        )
    lang = (query.lang or "fr").lower()
    if lang not in LANGS:
        raise QueryError(
            f"lang: unknown language {query.lang!r} (use one of {', '.join(sorted(LANGS))})",
            param="lang",
        )
    return Context(
        geo=GeoColumns.of(version.schema.get("territoria:geo")),
        timezone=query.timezone,
        lang=lang if lang in LANGUAGES else "en",
    )


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
    """Runs records queries, facets and exports on versions, each within ``timeout`` seconds,
    answering from ``answers`` what was asked already (None: no cache).

    ``statements`` counts the SQL statements this engine has run (tests pin it).
    """

    def __init__(self, timeout: float = 10.0, answers: AnswerCache | None = None):
        self.timeout = timeout
        self.answers = answers
        self.statements = 0

    def _session(self, version: VersionInfo, spatial: bool = False, fmt: str = "") -> Session:
        extensions = {"spatial"} if spatial else set()
        if fmt == "xlsx":
            extensions.add("excel")
        return Session(version.parquet, self.timeout, self._count_statement, frozenset(extensions))

    def _count_statement(self) -> None:
        self.statements += 1

    def _fetchall(self, session: Session, version: VersionInfo, sql: Sql) -> Rows:
        """The rows of ``sql``: from the answer cache, else run (and kept). Shared rows:
        read them, never change them."""
        if self.answers is None:
            return session.fetchall(sql)
        return self.answers.fetch(answer_key(version.key, sql), lambda: session.fetchall(sql))

    def records(self, version: VersionInfo, query: RecordsQuery) -> RecordsPage:
        plan = _plan(version, query)
        fingerprint = _fingerprint(version, query)
        cursor = None
        if query.cursor:
            if not plan.sort_keys:
                raise QueryError("cursor: this query pages with offset only", param="cursor")
            cursor = read_cursor(query.cursor, fingerprint, len(plan.sort_keys))
        if cursor is not None:
            if query.offset:
                raise QueryError("offset: cannot be used with a cursor", param="offset")
            limit = check_page(query.limit, 0)
        else:
            limit = check_page(query.limit, query.offset)
        paged = bool(plan.sort_keys) and limit > 0
        after = keyset_condition(plan, cursor[0]) if cursor is not None else None
        with self._session(version, plan.spatial) as session:
            rows: list[tuple[Any, ...]] = []
            if limit > 0:
                statement = select_statement(
                    plan,
                    _source(version),
                    limit + 1 if paged else limit,
                    0 if cursor is not None else query.offset,
                    with_total=bool(plan.keys),
                    with_sort=paged,
                    after=after,
                )
                rows = self._fetchall(session, version, statement)
            more = paged and len(rows) > limit
            rows = rows[:limit]
            total: int | None
            if cursor is not None:
                total = cursor[1]
            else:
                total = _known_total(plan, version, rows, limit, query.offset, more)
            if total is None:
                counted = self._fetchall(session, version, count_statement(plan, _source(version)))
                total = counted[0][0]
        width = len(plan.outputs)
        next_cursor = None
        if more:
            values = [json_value(value) for value in rows[-1][width:]]
            next_cursor = write_cursor(values, fingerprint, int(total))
        converters = _converters(plan)
        results = [record(plan.labels, row[:width], converters) for row in rows]
        file_order = paged and len(plan.sort_keys) == 1  # the row number is the only key
        row_numbers = [int(row[-1]) for row in rows] if file_order else None
        return RecordsPage(int(total), results, next_cursor, row_numbers)

    def count_view(self, version: VersionInfo) -> int:
        """The rows of the caller's view of ``version`` (its whole row count without one)."""
        if version.view is None:
            return version.row_count
        with self._session(version) as session:
            statement = Sql.of("SELECT count(*) FROM {}", version.view.sql())
            return int(self._fetchall(session, version, statement)[0][0])

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
        for name in names:
            if types[name] in GEO:
                raise QueryError(
                    f"facet: '{name}' is a geographic field, it has no facets",
                    param="facet",
                    field=name,
                )
        condition = plan_filter(
            types,
            where=query.where,
            refine=query.refine,
            exclude=query.exclude,
            context=query_context(version, query),
        )
        if not names:
            return []
        _check_secret(version, query, names)
        with self._session(version, uses_spatial(condition)) as session:
            statement = facet_statement(_source(version), types, names, condition, limit)
            rows = self._fetchall(session, version, statement)
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
        """Stream the query's rows as ``fmt`` (csv, json, jsonl, geojson, parquet or xlsx).

        The query runs now (a fault or a timeout raises here, before any byte is sent);
        the rows are fetched while the chunks are read. A GeoJSON feature's geometry is the
        first geographic value of the results, or the dataset's own, added to the select.
        """
        content_type, extension = check_format(fmt)
        if fmt == "csv":
            check_delimiter(delimiter)
        limit = check_export_page(query.limit, query.offset)
        plan = _plan(version, query)
        if fmt == "geojson":
            plan = _with_geometry(version, query, plan)
        whole = fmt == "parquet" and plan.whole_version and limit is None and not query.offset
        whole = whole and version.view is None
        session = self._session(version, plan.spatial, fmt)
        try:
            if whole and self._file_columns(session, version) == plan.labels:
                session.close()
                chunks = ChunkStream(file_blocks(version.parquet), _nothing)
                return Export(content_type, extension, chunks)
            if fmt == "xlsx":
                self._check_sheet_size(session, plan, version, limit, query.offset)
            shape = {"parquet": "raw", "xlsx": "excel"}.get(fmt, "json")
            statement = select_statement(plan, _source(version), limit, query.offset, shape=shape)
            lines = None
            if fmt == "csv":
                lines = self._csv_lines(session, version, plan, statement, delimiter)
            if fmt in FILE_FORMATS:
                chunks = _file_chunks(session, plan, statement, fmt)
            elif lines is not None:
                session.execute(lines)
                chunks = _csv_line_chunks(session, plan, delimiter=delimiter, bom=bom)
            else:
                session.execute(statement)
                chunks = _row_chunks(session, plan, fmt, delimiter=delimiter, bom=bom)
        except BaseException:
            session.close()
            raise
        return Export(content_type, extension, chunks)

    def _file_columns(self, session: Session, version: VersionInfo) -> list[str]:
        """The columns of the version's file. The schema we are given may show fewer (a gate
        hiding protected columns): the file itself is sent only when it holds nothing more."""
        statement = Sql(f"DESCRIBE SELECT * FROM {parquet_source(version.parquet)}")
        return [str(row[0]) for row in self._fetchall(session, version, statement)]

    def _check_sheet_size(
        self, session: Session, plan: Plan, version: VersionInfo, limit: int | None, offset: int
    ) -> None:
        """An XLSX sheet holds XLSX_MAX_ROWS rows: refuse a bigger export before its first
        byte."""
        if limit is not None and limit <= XLSX_MAX_ROWS:
            return
        if plan.where is None and not plan.aggregated and version.row_count >= 0:
            total = version.row_count
        else:
            counted = self._fetchall(session, version, count_statement(plan, _source(version)))
            total = int(counted[0][0])
        rows = max(total - offset, 0) if limit is None else min(max(total - offset, 0), limit)
        if rows > XLSX_MAX_ROWS:
            raise QueryError(
                f"format: an XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows, this export has"
                f" {rows:,} (filter it, or use csv or parquet)",
                param="format",
            )

    def _csv_lines(
        self, session: Session, version: VersionInfo, plan: Plan, statement: Sql, delimiter: str
    ) -> Sql | None:
        """The statement of the export's CSV lines written by DuckDB, or None when a column
        needs Python (``exports.csv_line_statement``). Reads the result types once per
        version and query (a DESCRIBE, kept in the answer cache)."""
        described = self._fetchall(session, version, Sql.of("DESCRIBE {}", statement))
        columns = [(str(row[0]), str(row[1])) for row in described]
        zoned = plan.context.timezone is not None
        return csv_line_statement(statement, columns, delimiter, zoned=zoned)


def _nothing() -> None:
    return None


def restricted(version: VersionInfo, restriction: Restriction) -> VersionInfo:
    """``version`` seen through an agreement's terms (``datastore.restriction``)."""
    return restrict(version, restriction, schema_types(version))


def _source(version: VersionInfo) -> Path | TableView:
    """What the statements read: the caller's view of the version, or its whole file."""
    return version.view if version.view is not None else version.parquet


def _check_secret(version: VersionInfo, query: RecordsQuery, facets: Sequence[str] = ()) -> None:
    """Under an aggregates-only agreement, refuse what is not an aggregate over dimensions."""
    if version.view is not None and version.view.aggregates_only:
        check_secret_query(
            version.view,
            select=query.select,
            where=query.where,
            group_by=query.group_by,
            refine=query.refine,
            exclude=query.exclude,
            facets=facets,
        )


def _plan(version: VersionInfo, query: RecordsQuery) -> Plan:
    _check_secret(version, query)
    return plan_query(
        schema_types(version),
        select=query.select,
        where=query.where,
        group_by=query.group_by,
        order_by=query.order_by,
        refine=query.refine,
        exclude=query.exclude,
        context=query_context(version, query),
    )


def _with_geometry(version: VersionInfo, query: RecordsQuery, plan: Plan) -> Plan:
    """The plan of a GeoJSON export: with the dataset's geometry among its results when the
    query selects none. Without one (no geometry, or groups), features have a null geometry
    (RFC 7946 §3.2: unlocated features)."""
    if any(output.type in GEO for output in plan.outputs) or plan.aggregated:
        return plan
    geo = plan.context.geo
    name = None
    if geo is not None:
        name = geo.shape or geo.point or (VIRTUAL_POINT if geo.lat and geo.lon else None)
    if name is None:
        return plan
    select = f"{query.select or '*'}, `{name.replace('`', '``')}`"
    return _plan(version, replace(query, select=select))


def _known_total(
    plan: Plan,
    version: VersionInfo,
    rows: list[tuple[Any, ...]],
    limit: int,
    offset: int,
    more: bool = False,
) -> int | None:
    """The total when it needs no statement of its own, else None."""
    if plan.aggregated and not plan.keys:
        return 1
    if plan.keys:
        if rows:
            return int(rows[0][-1])
        return 0 if offset == 0 else None
    if plan.where is None and version.row_count >= 0:
        return version.row_count
    if not more and len(rows) < limit and (rows or offset == 0):
        return offset + len(rows)
    return None


def _converters(plan: Plan, fmt: str = "json") -> list[Converter]:
    """How each value of the results is shaped for JSON (``fmt`` "json") or CSV ("csv")."""
    zone = zoneinfo.ZoneInfo(plan.context.timezone) if plan.context.timezone else None

    def local(value: Any) -> Any:
        if isinstance(value, datetime) and zone is not None:
            value = value.replace(tzinfo=UTC).astimezone(zone)
        return json_value(value)

    converters: list[Converter] = []
    for output in plan.outputs:
        if output.type == "geo_shape":
            converters.append(shape_feature if fmt == "json" else _as_is)
        elif output.type == "geo_point" and fmt == "csv":
            converters.append(point_text)
        elif output.type in ("datetime", "date") and zone is not None:
            converters.append(local)
        else:
            converters.append(json_value)
    return converters


def _as_is(value: Any) -> Any:
    return value


def _fingerprint(version: VersionInfo, query: RecordsQuery) -> str:
    """What a cursor belongs to: the version and every clause that selects or orders rows."""
    view = version.view.sql() if version.view is not None else None
    return query_fingerprint(
        [
            version.key,
            [view.text, [json_value(p) for p in view.params]] if view is not None else None,
            query.select,
            list(query.where),
            query.group_by,
            query.order_by,
            [list(pair) for pair in query.refine],
            [list(pair) for pair in query.exclude],
            query.timezone,
        ]
    )


def _row_chunks(
    session: Session, plan: Plan, fmt: str, *, delimiter: str, bom: bool
) -> ChunkStream:
    def batches() -> Iterator[list[tuple[Any, ...]]]:
        while batch := session.fetchmany(BATCH_ROWS):
            yield [row[: len(plan.outputs)] for row in batch]

    labels = plan.labels
    if fmt == "csv":
        converters = _converters(plan, "csv")
        chunks = csv_chunks(labels, batches(), delimiter=delimiter, bom=bom, converters=converters)
    elif fmt == "json":
        chunks = json_chunks(labels, batches(), _converters(plan))
    elif fmt == "geojson":
        geometry = next((i for i, o in enumerate(plan.outputs) if o.type in GEO), None)
        chunks = geojson_chunks(labels, batches(), geometry, _converters(plan))
    else:
        chunks = jsonl_chunks(labels, batches(), _converters(plan))
    return ChunkStream(chunks, session.close)


def _csv_line_chunks(session: Session, plan: Plan, *, delimiter: str, bom: bool) -> ChunkStream:
    def batches() -> Iterator[list[tuple[Any, ...]]]:
        while batch := session.fetchmany(BATCH_ROWS):
            yield batch

    chunks = csv_line_chunks(plan.labels, batches(), delimiter=delimiter, bom=bom)
    return ChunkStream(chunks, session.close)


def _file_chunks(session: Session, plan: Plan, statement: Sql, fmt: str) -> ChunkStream:
    """DuckDB writes the file in the sandbox's scratch; the stream reads then deletes it."""
    target = session.sandbox.scratch / f"export-{secrets.token_hex(8)}.{fmt}"
    named = ", ".join(
        f"{quote_identifier(o.column).text} AS {quote_identifier(o.label).text}"
        for o in plan.outputs
    )
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT xlsx, HEADER true"
    try:
        session.execute(
            Sql.of(
                f"COPY (SELECT {named} FROM ({{}})) TO {quote_string(str(target))} ({options})",
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
