"""Explore v2.1 routes. Every dataset comes from the access gate; every row from the engine.

Caching. A records, facets or export answer depends only on the published version, the
query and who may see the dataset: its ETag hashes those three, so a newly published version
changes it, and ``If-None-Match`` answers 304 before the engine runs. Open datasets are
``Cache-Control: public`` for a minute; the others ``private`` (no shared cache keeps them).
Inside the process, the engine answers a statement it already ran on the same version from
the answer cache (``datastore/answers.py``, ``TERRITORIA_QUERY_CACHE_MB``).
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from territoria.api.explore.shapes import dataset_shape, error_response
from territoria.catalog.enums import AccessLevel
from territoria.catalog.licences import export_with_reuse_conditions
from territoria.catalog.models import Dataset
from territoria.catalog.search import search_datasets
from territoria.datastore.errors import QueryError, QueryTimeout
from territoria.datastore.exports import FORMATS
from territoria.datastore.query import RecordsQuery
from territoria.datastore.versions import VersionInfo
from territoria.governance.gate import access_dataset_for, readable_version, visible_datasets
from territoria.ingest.publication import get_query_engine, with_live_version_key

EXPORT_FORMATS = tuple(FORMATS)
# Seconds a shared cache may keep an answer about an open dataset: a new version shows
# within a minute, and a client revalidating with If-None-Match gets a 304 for free.
PUBLIC_MAX_AGE = 60
CATALOG_FACET_NAMES = {"theme": "theme", "publisher": "organisation", "license": "licence"}


def _int_param(request: HttpRequest, name: str, default: int | None) -> int | None:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"{name}: expected an integer, got {raw!r}", param=name) from None


def _pairs(request: HttpRequest, name: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for raw in request.GET.getlist(name):
        field, sep, value = raw.partition(":")
        if not sep or not field:
            raise QueryError(f"{name}: expected 'field:value', got {raw!r}", param=name)
        pairs.append((field.strip(), value))
    return tuple(pairs)


def records_query_from(request: HttpRequest, *, default_limit: int | None) -> RecordsQuery:
    """Translate Explore v2.1 query parameters into the engine's query spec (no SQL here)."""
    return RecordsQuery(
        select=request.GET.get("select") or None,
        where=tuple(w for w in request.GET.getlist("where") if w.strip()),
        group_by=request.GET.get("group_by") or None,
        order_by=request.GET.get("order_by") or None,
        limit=_int_param(request, "limit", default_limit),
        offset=_int_param(request, "offset", 0) or 0,
        refine=_pairs(request, "refine"),
        exclude=_pairs(request, "exclude"),
        timezone=request.GET.get("timezone") or None,
        lang=request.GET.get("lang") or None,
        cursor=request.GET.get("cursor") or None,
    )


def _etag(request: HttpRequest, dataset: Dataset, version: VersionInfo, kind: str) -> str:
    """The ETag of an answer: version, request parameters, and who may see the dataset."""
    if dataset.access_level == AccessLevel.OPEN:
        viewer = "public"
    else:
        viewer = f"{dataset.access_level}:{getattr(request.user, 'pk', None)}"
    params = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    # The agreement's terms as compiled: a steward changing them changes every answer.
    terms = repr(version.view.sql()) if version.view is not None else ""
    text = repr((kind, version.key, params, viewer, terms))
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    return etag in [tag.strip().removeprefix("W/") for tag in wanted.split(",")]


def _cached(response: HttpResponse, dataset: Dataset, etag: str) -> HttpResponse:
    response["ETag"] = etag
    if dataset.access_level == AccessLevel.OPEN:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    else:
        response["Cache-Control"] = "private, max-age=0, must-revalidate"
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


def _conditional(request: HttpRequest, dataset: Dataset, version: VersionInfo, kind: str):
    """(etag, a 304 answer if the client has it already, else None)."""
    etag = _etag(request, dataset, version, kind)
    if _not_modified(request, etag):
        return etag, _cached(HttpResponseNotModified(), dataset, etag)
    return etag, None


def _answer(request: HttpRequest, etag: str, build) -> HttpResponse:
    """The JSON answer whose ETag is ``etag``, built by ``build`` once and then kept in the
    answer cache: the ETag already names everything the body depends on (version, agreement
    terms, caller, parameters), and the host is added for the absolute links. A hit costs the
    gate's one query and a look-up (decision 0018). The gate has run before: a caller who
    may no longer see the dataset never reaches this."""
    answers = get_query_engine().answers

    def body() -> list:
        return [(json.dumps(build(), cls=DjangoJSONEncoder).encode("utf-8"),)]

    rows = (
        body()
        if answers is None
        else answers.fetch(("explore", etag, request.scheme, request.get_host()), body)
    )
    return HttpResponse(rows[0][0], content_type="application/json")


def _next_link(request: HttpRequest, cursor: str) -> str:
    params = request.GET.copy()
    params.pop("offset", None)
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def explore_endpoint(view):
    """Turn gate refusals and query faults into the dialect's error envelope."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return error_response(404, "NotFound", "Unknown dataset or resource.")
        except QueryTimeout as error:
            return error_response(400, "QueryTimeout", str(error), param=error.param)
        except QueryError as error:
            return error_response(
                400,
                "ODSQLError",
                str(error),
                param=error.param,
                position=error.position,
                field=error.field,
            )

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(wrapped)


@explore_endpoint
def catalog_datasets(request):
    """List the datasets the caller may see; ``where`` is a full-text search on metadata."""
    limit = _int_param(request, "limit", 10)
    offset = _int_param(request, "offset", 0) or 0
    if limit is None or not 0 <= limit <= 100:
        raise QueryError("limit: must be between 0 and 100", param="limit")
    if offset < 0:
        raise QueryError("offset: must be positive", param="offset")
    text = " ".join(w.strip().strip("\"'") for w in request.GET.getlist("where"))
    filters: dict[str, list[str]] = {}
    for field, value in _pairs(request, "refine"):
        kind = CATALOG_FACET_NAMES.get(field)
        if kind is None:
            raise QueryError(f"refine: unknown catalog facet {field!r}", param="refine")
        filters.setdefault(kind, []).append(value)
    found = search_datasets(visible_datasets(request.user), text, filters)
    page = with_live_version_key(found.datasets).order_by("title")[offset : offset + limit]
    results = [dataset_shape(d, readable_version(request.user, d)) for d in page]
    return JsonResponse({"total_count": found.total, "results": results})


@explore_endpoint
def catalog_dataset(request, dataset_id: str):
    dataset = access_dataset_for(request.user, dataset_id, purpose="metadata")
    return JsonResponse(dataset_shape(dataset, readable_version(request.user, dataset)))


@explore_endpoint
def records(request, dataset_id: str):
    dataset = access_dataset_for(request.user, dataset_id, purpose="records")
    version = readable_version(request.user, dataset)
    if version is None:
        records_query_from(request, default_limit=10)  # a malformed query is still a 400
        return JsonResponse({"total_count": 0, "results": []})
    etag, unchanged = _conditional(request, dataset, version, "records")
    if unchanged is not None:
        return unchanged

    def build() -> dict:
        query = records_query_from(request, default_limit=10)
        page = get_query_engine().records(version, query)
        body: dict = {"total_count": page.total_count, "results": page.results}
        if page.next_cursor is not None:
            body["links"] = [{"rel": "next", "href": _next_link(request, page.next_cursor)}]
        return body

    return _cached(_answer(request, etag, build), dataset, etag)


@explore_endpoint
def facets(request, dataset_id: str):
    dataset = access_dataset_for(request.user, dataset_id, purpose="facets")
    version = readable_version(request.user, dataset)
    if version is None:
        records_query_from(request, default_limit=None)  # a malformed query is still a 400
        return JsonResponse({"facets": []})
    etag, unchanged = _conditional(request, dataset, version, "facets")
    if unchanged is not None:
        return unchanged

    def build() -> dict:
        query = records_query_from(request, default_limit=None)
        wanted = request.GET.getlist("facet") or None
        return {"facets": get_query_engine().facets(version, query, wanted)}

    return _cached(_answer(request, etag, build), dataset, etag)


@explore_endpoint
def export(request, dataset_id: str, fmt: str):
    dataset = access_dataset_for(request.user, dataset_id, purpose="export")
    if fmt not in EXPORT_FORMATS:
        raise QueryError(
            f"format: unknown export format {fmt!r} (use {', '.join(EXPORT_FORMATS)})",
            param="format",
        )
    query = records_query_from(request, default_limit=None)
    if query.limit is not None and query.limit < 0:
        query = RecordsQuery(**{**query.__dict__, "limit": None})
    version = readable_version(request.user, dataset)
    if version is None:
        raise Http404
    etag, unchanged = _conditional(request, dataset, version, f"export:{fmt}")
    if unchanged is not None:
        return unchanged
    options = {}
    if fmt == "csv":
        # Opendatasoft's CSV: ";" and a BOM unless asked otherwise (Excel opens it as is).
        options["delimiter"] = request.GET.get("delimiter", ";")
        options["bom"] = request.GET.get("with_bom", "true").lower() != "false"
        if len(options["delimiter"]) != 1:
            raise QueryError("delimiter: one character expected", param="delimiter")
    result = get_query_engine().export(version, query, fmt, **options)
    chunks, headers = export_with_reuse_conditions(dataset, fmt, result.chunks)
    response = StreamingHttpResponse(chunks, content_type=result.content_type, headers=headers)
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}.{result.extension}"'
    return _cached(response, dataset, etag)
