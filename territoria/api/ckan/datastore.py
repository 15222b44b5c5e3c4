"""CKAN's DataStore actions: ``datastore_search`` and ``datastore_search_sql``.

``datastore_search`` translates CKAN's parameters into a ``datastore.query.RecordsQuery``
(ODSQL clauses written with the ODSQL renderer, never SQL) and runs it on the engine every
dialect shares. ``datastore_search_sql`` hands the caller's SQL to ``datastore.sql_guard``,
which checks it and names the tables it reads; each name is resolved here through the gate
(a table the caller may not read is "not found", like one that does not exist); the guard
rewrites the statement over the live Parquet files and runs it under the engine's sandbox,
time budget and row cap.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest

from territoria.api.ckan.envelope import Invalid, NotFound, Params, action
from territoria.api.ckan.ids import object_id, pk_of
from territoria.api.ckan.packages import access_resource_for
from territoria.api.ckan.shapes import duckdb_type, field_shape
from territoria.catalog import enums
from territoria.catalog.models import Resource
from territoria.datastore.errors import QueryError, QueryTimeout
from territoria.datastore.odsql.render import render_name, render_string
from territoria.datastore.query import MAX_LIMIT, MAX_WINDOW, RecordsQuery
from territoria.datastore.sql_guard import TableSource, check_sql, rewrite_sql, run_sql
from territoria.datastore.versions import VersionInfo
from territoria.governance.gate import access_dataset_for, version_for
from territoria.ingest.publication import get_query_engine, get_store

# CKAN's ckan.datastore.search.rows_max: the most rows one call returns (search and SQL).
ROWS_MAX = 32_000
DEFAULT_LIMIT = 100
RECORDS_FORMATS = ("objects", "lists", "csv", "tsv")


def access_table_for(user, ident: str) -> tuple[Resource, VersionInfo]:
    """The table resource named by a resource id (or, for convenience, a dataset slug) and
    its live version, through the gate. Anything else — missing, hidden, not a table, never
    published — is the same ``Not Found Error``."""
    missing = NotFound(f'Resource "{ident}" was not found.')
    try:
        if pk_of("resource", ident) is not None:
            resource = access_resource_for(user, ident, purpose="records")
        else:
            dataset = access_dataset_for(user, ident, purpose="records")
            table = dataset.table_resource()
            if table is None:
                raise missing
            table.dataset = dataset
            resource = table
    except Http404:
        raise missing from None
    if resource.kind != enums.ResourceKind.TABLE or resource.live_version_id is None:
        raise missing
    info = get_store().open(resource.live_version.key)
    try:
        return resource, version_for(user, resource.dataset, info)
    except Http404:
        raise missing from None


def _value_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise Invalid(f"filters: bad value for {name!r}", filters=[f'Bad value for "{name}"'])


def _filter_clauses(filters: Any, names: list[str]) -> list[str]:
    """CKAN's ``filters`` ({field: value or [values]}) as ODSQL: equality, OR within a list."""
    if filters in (None, ""):
        return []
    if not isinstance(filters, dict):
        raise Invalid("filters: must be an object", filters=["Must be a dict"])
    clauses = []
    for name, value in filters.items():
        if name not in names:
            raise Invalid(f'filters: field "{name}" not in table', filters=[
                f'field "{name}" not in table'])  # fmt: skip
        values = value if isinstance(value, list) else [value]
        tests = [
            f"{render_name(name)} is null"
            if v is None
            else f"{render_name(name)} = {render_string(_value_text(name, v))}"
            for v in values
        ]
        clauses.append("(" + " or ".join(tests) + ")" if tests else "false")
    return clauses


def _search_clauses(q: Any, names: list[str]) -> list[str]:
    """CKAN's ``q``: text searched in every field, or {field: text} searched in each field."""
    if q in (None, ""):
        return []
    if isinstance(q, dict):
        for name in q:
            if name not in names:
                raise Invalid(f'q: field "{name}" not in table', q=[f'field "{name}" not in table'])
        return [f"search({render_name(n)}, {render_string(str(t))})" for n, t in q.items()]
    if not isinstance(q, str):
        raise Invalid("q: must be text or an object", q=["Must be a string or a dict"])
    return [render_string(q)]


def _order_by(sort: Any, names: list[str]) -> str | None:
    """CKAN's ``sort`` ("field [asc|desc], …", names optionally double-quoted) as ODSQL."""
    parts = sort if isinstance(sort, list) else str(sort or "").split(",")
    terms = []
    for part in parts:
        text = str(part).strip()
        if not text:
            continue
        direction = "asc"
        head, _, tail = text.rpartition(" ")
        if head and tail.lower() in ("asc", "desc"):
            text, direction = head.strip(), tail.lower()
        name = text[1:-1] if len(text) > 1 and text[0] == text[-1] == '"' else text
        if name not in names:
            raise Invalid(f'sort: field "{name}" not in table', sort=[
                f'field "{name}" not in table'])  # fmt: skip
        terms.append(f"{render_name(name)} {direction}")
    return ", ".join(terms) or None


@action("datastore_search")
def datastore_search(request: HttpRequest, params: Params) -> dict[str, Any]:
    """Records of a table resource (resource_id, or a dataset name): filters, q, fields,
    sort, limit, offset, include_total, records_format (objects, lists, csv, tsv)."""
    ident = params.text("id") if "resource_id" not in params and "id" in params else None
    ident = ident or params.required("resource_id")
    resource, version = access_table_for(request.user, ident)
    names = version.field_names()
    records_format = params.text("records_format") or "objects"
    if records_format not in RECORDS_FORMATS:
        raise Invalid(records_format=[f"Must be one of {', '.join(RECORDS_FORMATS)}"])
    wanted = params.names("fields")
    for name in wanted:
        if name not in names:
            raise Invalid(f'fields: field "{name}" not in table', fields=[
                f'field "{name}" not in table'])  # fmt: skip
    filters, q = params.structured("filters"), params.structured("q")
    where = _filter_clauses(filters, names) + _search_clauses(q, names)
    limit = params.integer("limit", DEFAULT_LIMIT, maximum=ROWS_MAX)
    offset = params.integer("offset", 0)
    include_total = params.boolean("include_total", True)
    query = RecordsQuery(
        select=", ".join(render_name(n) for n in wanted) or None,
        where=tuple(where),
        order_by=_order_by(params.structured("sort"), names),
        limit=limit,
        offset=offset,
    )
    try:
        records, total = _records(version, query, include_total)
    except QueryError as error:
        if error.param != "where" or isinstance(error, QueryTimeout):
            raise
        key = "q" if q not in (None, "") and filters in (None, "") else "filters"
        raise Invalid(str(error), **{key: [str(error)]}) from None
    shown = wanted or names
    by_name = {f["name"]: f for f in version.fields}
    result: dict[str, Any] = {
        "include_total": include_total,
        "resource_id": object_id("resource", resource.pk),
        "fields": [field_shape(by_name[n]) for n in shown],
        "records_format": records_format,
        "records": _formatted(records, shown, records_format),
        "limit": limit,
        "offset": offset,
        "_links": _links(request, params, ident, limit, offset),
    }
    for name in ("filters", "q", "sort"):
        if name in params:
            result[name] = params.structured(name)
    if include_total:
        result["total"] = total
        result["total_was_estimated"] = False
    return result


def _records(
    version: VersionInfo, query: RecordsQuery, include_total: bool
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of records and the total. Pages within the records API's window come from
    ``records`` (its free counts); larger or deeper ones, up to CKAN's 32,000 rows, from the
    engine's streamed JSON lines, with the total counted apart."""
    engine = get_query_engine()
    assert query.limit is not None
    if query.limit <= MAX_LIMIT and query.offset + query.limit <= MAX_WINDOW:
        page = engine.records(version, query)
        return page.results, page.total_count
    export = engine.export(version, query, "jsonl")
    lines = b"".join(export.chunks).splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    total = None
    if include_total:
        total = engine.records(version, replace(query, limit=0, offset=0)).total_count
    return records, total


def _formatted(records: list[dict[str, Any]], names: list[str], fmt: str) -> Any:
    if fmt == "objects":
        return records
    rows = [[record.get(n) for n in names] for record in records]
    if fmt == "lists":
        return rows
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t" if fmt == "tsv" else ",", lineterminator="\n")
    for row in rows:
        writer.writerow(
            [json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for v in row]
        )
    return out.getvalue()


def _links(request: HttpRequest, params: Params, ident: str, limit: int, offset: int) -> dict:
    """CKAN's ``_links``: the first page and the next one, as GET URLs of this action."""
    base: dict[str, str] = {}
    for name, value in params.values.items():
        if name in ("offset", "resource_id", "id") or value is None:
            continue
        base[name] = value if isinstance(value, str) else json.dumps(value)
    start = {"resource_id": ident, **base}
    following = {**start, "offset": str(offset + limit)}
    return {
        "start": f"{request.path}?{urlencode(start)}",
        "next": f"{request.path}?{urlencode(following)}",
    }


@action("datastore_search_sql", query_params={"sql": "sql"})
def datastore_search_sql(request: HttpRequest, params: Params) -> dict[str, Any]:
    """One SELECT over resources named by id in double quotes (sql); checked, time-
    limited and capped at 32,000 rows."""
    text = params.required("sql")
    checked = check_sql(text)
    sources: dict[str, TableSource] = {}
    for name in checked.tables:
        _, version = access_table_for(request.user, name)
        sources[name] = TableSource(version.parquet, tuple(version.field_names()), version.view)
    statement = rewrite_sql(checked, sources, ROWS_MAX)
    first = sources[checked.tables[0]].parquet
    result = run_sql(statement, first, settings.QUERY_TIMEOUT, ROWS_MAX)
    names = [name for name, _ in result.fields]
    answer: dict[str, Any] = {
        "sql": text,
        "fields": [{"id": name, "type": duckdb_type(kind)} for name, kind in result.fields],
        "records": [dict(zip(names, row, strict=True)) for row in result.records],
    }
    if result.truncated:
        answer["records_truncated"] = True
    return answer
