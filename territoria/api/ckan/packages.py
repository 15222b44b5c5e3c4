"""CKAN's catalog actions: status, packages, package search, organizations, groups, tags, resources.

Every dataset comes from the gate (``visible_datasets``, ``access_dataset_for``); what it
hides answers ``Not Found Error`` exactly as what does not exist. ``package_list`` and
``package_search`` list open datasets only unless ``include_private`` is set, as CKAN does
for the private datasets a member may see.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest

from territoria.api.ckan.envelope import Invalid, NotFound, Params, SearchQueryError, action
from territoria.api.ckan.ids import pk_of
from territoria.api.ckan.shapes import (
    group_shape,
    organization_shape,
    package_shape,
    resource_shape,
    tag_shape,
)
from territoria.catalog import enums
from territoria.catalog.models import Dataset, DatasetFacet, Resource
from territoria.catalog.search import search_datasets
from territoria.governance.gate import access_dataset_for, visible_datasets, visible_organisations

CKAN_VERSION = "2.10.0"  # the Action API level these actions follow
MAX_ROWS = 1000  # CKAN's ckan.search.rows_max
LIST_LIMIT = 1000


def access_package_for(user, ident: str, *, purpose: str = "metadata") -> Dataset:
    """The dataset named by a package id (UUID) or name (slug), through the gate; Http404."""
    pk = pk_of("package", ident)
    slug = ident
    if pk is not None:
        slug = Dataset.objects.filter(pk=pk).values_list("slug", flat=True).first() or ""
    if not slug:
        raise Http404("package not found")
    return access_dataset_for(user, slug, purpose=purpose)


def access_resource_for(user, ident: str, *, purpose: str) -> Resource:
    """The resource with this id (UUID), its dataset through the gate; Http404 otherwise."""
    pk = pk_of("resource", ident)
    resource = Resource.objects.filter(pk=pk).first() if pk is not None else None
    if resource is None:
        raise Http404("resource not found")
    slug = Dataset.objects.filter(pk=resource.dataset_id).values_list("slug", flat=True).get()
    resource.dataset = access_dataset_for(user, slug, purpose=purpose)
    return resource


def _listed(request: HttpRequest, params: Params) -> QuerySet[Dataset]:
    visible = visible_datasets(request.user)
    if not params.boolean("include_private", False):
        visible = visible.filter(access_level=enums.AccessLevel.OPEN)
    return visible


@action("status_show")
def status_show(request: HttpRequest, params: Params) -> dict[str, Any]:
    """The site's title, URL, default locale, extensions and the CKAN API level
    followed."""
    return {
        "ckan_version": CKAN_VERSION,
        "site_title": "Territoria",
        "site_description": "",
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "error_emails_to": None,
        "locale_default": "fr",
        "extensions": ["datastore"],
    }


@action("package_list")
def package_list(request: HttpRequest, params: Params) -> list[str]:
    """Names of the open datasets (include_private=true: every dataset the caller may
    see); limit, offset."""
    limit = params.integer("limit", LIST_LIMIT, minimum=0, maximum=LIST_LIMIT)
    offset = params.integer("offset", 0)
    names = _listed(request, params).order_by("slug").values_list("slug", flat=True)
    return list(names[offset : offset + limit])


@action("package_show")
def package_show(request: HttpRequest, params: Params) -> dict[str, Any]:
    """A dataset by id or name (id), with its resources, tags, groups and organization."""
    dataset = access_package_for(request.user, params.required("id"))
    return package_shape(request, dataset)


@action("resource_show")
def resource_show(request: HttpRequest, params: Params) -> dict[str, Any]:
    """A resource by id."""
    resource = access_resource_for(request.user, params.required("id"), purpose="metadata")
    ids = list(resource.dataset.resources.values_list("pk", flat=True))
    return resource_shape(request, resource, ids.index(resource.pk))


# --- package_search ----------------------------------------------------------------------

# CKAN's Solr field -> our facet kind (catalog/search.py). tags are keywords, counted here.
SEARCH_FIELDS = {
    "organization": "organisation",
    "groups": "theme",
    "res_format": "format",
    "license_id": "licence",
    "tags": "tags",
}
SORTS = {
    "name": "slug",
    "title_string": "title",
    "title": "title",
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
    "score": None,
}
_FIELD_QUERY = re.compile(r'([+-]?)([A-Za-z_]+):(?:"([^"]*)"|(\S+))')


def _field_queries(text: str, param: str) -> tuple[str, list[tuple[str, str]]]:
    """Split Solr-like ``text`` into free words and ``(field, value)`` pairs."""
    pairs: list[tuple[str, str]] = []

    def take(match: re.Match[str]) -> str:
        sign, field, quoted, bare = match.groups()
        if sign == "-":
            raise SearchQueryError(f"{param}: negated terms are not supported ({match[0]})")
        if field not in SEARCH_FIELDS and field != "name":
            known = ", ".join(sorted([*SEARCH_FIELDS, "name"]))
            raise SearchQueryError(f"{param}: unknown field {field!r} (use {known})")
        pairs.append((field, quoted if quoted is not None else bare))
        return " "

    rest = _FIELD_QUERY.sub(take, text.replace("*:*", " "))
    words = [w for w in rest.split() if w not in ("AND", "&&", "+")]
    if any(w in ("OR", "NOT", "||") for w in words):
        raise SearchQueryError(f"{param}: only AND of terms is supported")
    return " ".join(words), pairs


def _ordering(sort: str) -> list[str]:
    ordering: list[str] = []
    for part in sort.split(","):
        words = part.split()
        if not words:
            continue
        field, direction = words[0], (words[1].lower() if len(words) > 1 else "asc")
        if field not in SORTS or direction not in ("asc", "desc") or len(words) > 2:
            raise SearchQueryError(f"sort: cannot sort by {part.strip()!r}")
        column = SORTS[field]
        if column is not None:
            ordering.append(("-" if direction == "desc" else "") + column)
    return [*ordering, "title", "pk"]


def _with_tags(datasets: QuerySet[Dataset], tags: list[str]) -> QuerySet[Dataset]:
    """Keywords are a JSON list: matched here, portably (SQLite has no JSON containment)."""
    if not tags:
        return datasets
    wanted = set(tags)
    pks = [pk for pk, kws in datasets.values_list("pk", "keywords") if wanted <= set(kws or [])]
    return datasets.filter(pk__in=pks)


@action("package_search")
def package_search(request: HttpRequest, params: Params) -> dict[str, Any]:
    """Search datasets: q (text; field:value terms), fq (organization, groups, tags,
    res_format, license_id, name), sort, rows, start, facet.field, facet.limit,
    include_private."""
    text, pairs = _field_queries(params.text("q"), "q")
    for fq in [params.text("fq"), *params.names("fq_list")]:
        more_text, more = _field_queries(fq, "fq")
        if more_text:
            raise SearchQueryError(f"fq: expected field:value terms, got {more_text!r}")
        pairs += more
    rows = params.integer("rows", 10, maximum=MAX_ROWS)
    start = params.integer("start", 0)
    sort = params.text("sort") or "score desc, metadata_modified desc"
    filters: dict[str, list[str]] = {}
    tags: list[str] = []
    listed = _listed(request, params)
    for field, value in pairs:
        if field == "tags":
            tags.append(value)
        elif field == "name":
            listed = listed.filter(slug=value)
        elif field == "groups":
            filters.setdefault("theme", []).append(value.upper())
        else:
            filters.setdefault(SEARCH_FIELDS[field], []).append(value.lower())
    found = search_datasets(_with_tags(listed, tags), text, filters)
    page = found.datasets.order_by(*_ordering(sort)).prefetch_related("resources")
    results = [package_shape(request, d) for d in page[start : start + rows]]
    facets, search_facets = _facets(found, params)
    return {
        "count": found.total,
        "sort": sort,
        "results": results,
        "facets": facets,
        "search_facets": search_facets,
    }


def _facets(found, params: Params) -> tuple[dict[str, Any], dict[str, Any]]:
    limit = params.integer("facet.limit", 50, minimum=-1)
    facets: dict[str, Any] = {}
    search_facets: dict[str, Any] = {}
    for name in params.names("facet.field"):
        if name not in SEARCH_FIELDS:
            raise SearchQueryError(f"facet.field: unknown facet {name!r}")
        if name == "tags":
            counts = Counter(
                k for kws in found.datasets.values_list("keywords", flat=True) for k in kws or []
            )
            items = [(k, k, n) for k, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))]
        else:
            items = found.facets.get(SEARCH_FIELDS[name], [])
            if name == "groups":
                items = [(value.lower(), label, n) for value, label, n in items]
            elif name == "res_format":
                items = [(value.upper(), label.upper(), n) for value, label, n in items]
        if limit >= 0:
            items = items[:limit]
        facets[name] = {value: n for value, _, n in items}
        search_facets[name] = {
            "title": name,
            "items": [{"name": v, "display_name": label, "count": n} for v, label, n in items],
        }
    return facets, search_facets


# --- organizations, groups, tags ----------------------------------------------------------


def _page(params: Params, items: list[Any]) -> list[Any]:
    limit = params.integer("limit", LIST_LIMIT, maximum=LIST_LIMIT)
    offset = params.integer("offset", 0)
    return items[offset : offset + limit]


def _sorted_by(params: Params, items: list[dict[str, Any]], default: str) -> list[dict[str, Any]]:
    words = (params.text("sort") or default).split()
    field, direction = words[0], (words[1].lower() if len(words) > 1 else "asc")
    if field not in ("name", "title", "package_count") or direction not in ("asc", "desc"):
        raise Invalid(f"sort: cannot sort by {' '.join(words)!r}", sort=["Invalid sort"])
    return sorted(items, key=lambda i: (i.get(field, 0), i["name"]), reverse=direction == "desc")


@action("organization_list")
def organization_list(request: HttpRequest, params: Params) -> list[Any]:
    """Organization names (all_fields=true: objects with package_count); sort, limit,
    offset, organizations."""
    counts = dict(
        visible_datasets(request.user)
        .order_by()
        .values_list("organisation")
        .annotate(n=Count("pk"))
        .values_list("organisation", "n")
    )
    orgs = visible_organisations(request.user)
    wanted = params.names("organizations")
    if wanted:
        orgs = orgs.filter(slug__in=wanted)
    shapes = [organization_shape(o, counts.get(o.pk, 0)) for o in orgs]
    shapes = _page(params, _sorted_by(params, shapes, "title asc"))
    if params.boolean("all_fields", False):
        return shapes
    return [s["name"] for s in shapes]


@action("organization_show")
def organization_show(request: HttpRequest, params: Params) -> dict[str, Any]:
    """An organization by id or name, with package_count (include_datasets=true: its
    datasets)."""
    ident = params.required("id")
    pk = pk_of("organization", ident)
    orgs = visible_organisations(request.user)
    org = (orgs.filter(pk=pk) if pk is not None else orgs.filter(slug=ident)).first()
    if org is None:
        raise NotFound("Not found")
    datasets = visible_datasets(request.user).filter(organisation=org)
    shape = organization_shape(org, datasets.count())
    if params.boolean("include_datasets", False):
        page = datasets.order_by("slug").prefetch_related("resources")[:LIST_LIMIT]
        shape["packages"] = [package_shape(request, d) for d in page]
    return shape


@action("group_list")
def group_list(request: HttpRequest, params: Params) -> list[Any]:
    """The EU data themes as groups (all_fields=true: objects with package_count); sort,
    limit, offset, groups."""
    counts = dict(
        DatasetFacet.objects.filter(
            kind="theme", dataset__in=visible_datasets(request.user).values("pk")
        )
        .values_list("value")
        .annotate(n=Count("dataset", distinct=True))
        .values_list("value", "n")
    )
    themes = list(enums.Theme)
    wanted = {name.lower() for name in params.names("groups")}
    if wanted:
        themes = [t for t in themes if t.value.lower() in wanted]
    shapes = [group_shape(t, counts.get(t.value, 0)) for t in themes]
    shapes = _page(params, _sorted_by(params, shapes, "title asc"))
    if params.boolean("all_fields", False):
        return shapes
    return [s["name"] for s in shapes]


@action("tag_list")
def tag_list(request: HttpRequest, params: Params) -> list[Any]:
    """Keywords of the datasets the caller may see; query filters them, all_fields=true
    gives objects."""
    query = params.text("query").strip().lower()
    names = {
        k
        for kws in visible_datasets(request.user).values_list("keywords", flat=True)
        for k in kws or []
        if query in k.lower()
    }
    ordered = sorted(names, key=str.lower)
    if params.boolean("all_fields", False):
        return [tag_shape(name) for name in ordered]
    return ordered
