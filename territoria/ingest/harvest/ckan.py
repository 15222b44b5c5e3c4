"""CKAN Action API: gather with ``package_search``, fetch with ``package_show``.

Identity is the package ``id`` (a UUID CKAN never changes), not its ``name``, which the
publisher may rename. ``package_search`` pages by ``rows``/``start`` and gives each package's
``metadata_modified``: a package whose date has not moved is not fetched again.
"""

from __future__ import annotations

from typing import Any

from territoria.ingest.fetch import FetchFailed
from territoria.ingest.harvest.client import HarvestClient
from territoria.ingest.harvest.remote import (
    RemoteDataset,
    RemoteRef,
    RemoteResource,
    is_tabular,
    licence_of,
    themes_of,
)

ROWS = 100


def _api(source_url: str, action: str) -> str:
    return f"{source_url.rstrip('/')}/api/3/action/{action}"


def _result(answer: Any, action: str) -> Any:
    if not isinstance(answer, dict) or not answer.get("success"):
        error = answer.get("error") if isinstance(answer, dict) else None
        raise FetchFailed(f"{action}: {error or 'not a CKAN answer'}")
    return answer["result"]


def gather(client: HarvestClient, source_url: str) -> list[RemoteRef]:
    """Every public package of the portal, page by page."""
    refs: list[RemoteRef] = []
    start = 0
    while True:
        params = {"rows": ROWS, "start": start, "sort": "name asc"}
        page = _result(client.get_json(_api(source_url, "package_search"), params), "search")
        results = page.get("results") or []
        for package in results:
            refs.append(
                RemoteRef(
                    identifier=str(package["id"]),
                    slug=str(package.get("name") or ""),
                    modified=str(package.get("metadata_modified") or ""),
                    locator=str(package["id"]),
                )
            )
        start += len(results)
        if not results or start >= int(page.get("count") or 0):
            return refs


def fetch(client: HarvestClient, source_url: str, ref: RemoteRef) -> RemoteDataset:
    package = _result(
        client.get_json(_api(source_url, "package_show"), {"id": ref.locator}), "package_show"
    )
    return package_record(package, source_url)


def _resource(resource: dict[str, Any]) -> RemoteResource:
    fmt = str(resource.get("format") or "").upper()
    return RemoteResource(
        title=str(resource.get("name") or resource.get("url") or ""),
        url=str(resource.get("url") or ""),
        format=fmt,
        description=str(resource.get("description") or ""),
        tabular=bool(resource.get("datastore_active")) or is_tabular(fmt),
    )


def _page_url(package: dict[str, Any], source_url: str) -> str:
    """The package's page: CKAN's ``/dataset/{name}``, or ``url`` when it is on the portal
    itself (``url`` is otherwise the publisher's own site)."""
    url = str(package.get("url") or "")
    if url.startswith(source_url.rstrip("/") + "/"):
        return url
    return f"{source_url.rstrip('/')}/dataset/{package.get('name')}"


def package_record(package: dict[str, Any], source_url: str) -> RemoteDataset:
    """A CKAN package as a RemoteDataset (groups are read as themes, tags as keywords)."""
    licence, name, url = licence_of(
        str(package.get("license_id") or ""),
        str(package.get("license_title") or ""),
        url=str(package.get("license_url") or ""),
    )
    groups = [g.get("name", "") for g in package.get("groups") or []]
    groups += [g.get("title", "") for g in package.get("groups") or []]
    organisation = package.get("organization") or {}
    return RemoteDataset(
        identifier=str(package["id"]),
        slug=str(package.get("name") or ""),
        title=str(package.get("title") or package.get("name") or ""),
        description=str(package.get("notes") or ""),
        licence=licence,
        licence_name=name,
        licence_url=url,
        themes=themes_of(groups),
        keywords=tuple(str(t.get("name")) for t in package.get("tags") or [] if t.get("name")),
        publisher=str(organisation.get("title") or ""),
        modified=str(package.get("metadata_modified") or ""),
        page_url=_page_url(package, source_url),
        resources=tuple(_resource(r) for r in package.get("resources") or [] if r.get("url")),
    )
