"""Opendatasoft Explore v2.1: gather and fetch from ``/api/explore/v2.1/catalog/datasets``.

Identity is ``dataset_uid`` (``da_…``, fixed for the life of the dataset); ``dataset_id`` is
the slug, which an administrator may rename. Themes are the portal's labels (French on most
portals: "Transports, Déplacements") mapped to EU themes when one is named. A dataset with
records is one table, read from its CSV export; attachments are links.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from territoria.ingest.harvest.client import HarvestClient
from territoria.ingest.harvest.remote import (
    RemoteDataset,
    RemoteRef,
    RemoteResource,
    licence_of,
    themes_of,
)

LIMIT = 100  # the Explore API's largest page


def _catalog(source_url: str) -> str:
    return f"{source_url.rstrip('/')}/api/explore/v2.1/catalog/datasets"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def gather(client: HarvestClient, source_url: str) -> list[RemoteRef]:
    """Every dataset the portal lists to an anonymous client, page by page."""
    refs: list[RemoteRef] = []
    offset = 0
    while True:
        page = client.get_json(_catalog(source_url), {"limit": LIMIT, "offset": offset})
        results = page.get("results") or []
        for shape in results:
            meta = (shape.get("metas") or {}).get("default") or {}
            refs.append(
                RemoteRef(
                    identifier=str(shape.get("dataset_uid") or shape["dataset_id"]),
                    slug=str(shape["dataset_id"]),
                    modified=str(meta.get("modified") or ""),
                    locator=str(shape["dataset_id"]),
                )
            )
        offset += len(results)
        if not results or offset >= int(page.get("total_count") or 0):
            return refs


def fetch(client: HarvestClient, source_url: str, ref: RemoteRef) -> RemoteDataset:
    shape = client.get_json(f"{_catalog(source_url)}/{quote(ref.locator)}")
    return dataset_record(shape, source_url)


def dataset_record(shape: dict[str, Any], source_url: str) -> RemoteDataset:
    """An Explore v2.1 dataset as a RemoteDataset."""
    meta = (shape.get("metas") or {}).get("default") or {}
    slug = str(shape["dataset_id"])
    licence, name, url = licence_of(
        str(meta.get("license") or ""), url=str(meta.get("license_url") or "")
    )
    resources = []
    if shape.get("has_records"):
        export = f"{_catalog(source_url)}/{quote(slug)}/exports/csv"
        resources.append(
            RemoteResource(title=str(meta.get("title") or slug), url=export, format="CSV",
                           tabular=True)
        )  # fmt: skip
    for attachment in shape.get("attachments") or []:
        href = attachment.get("url") or attachment.get("href") or ""
        if href.startswith("odsfile://"):  # ODS's internal scheme: served under /attachments
            href = f"{_catalog(source_url)}/{quote(slug)}/attachments/{attachment.get('id')}"
        if href:
            resources.append(
                RemoteResource(title=str(attachment.get("title") or href), url=str(href),
                               format=str(attachment.get("mimetype") or "").upper())
            )  # fmt: skip
    return RemoteDataset(
        identifier=str(shape.get("dataset_uid") or slug),
        slug=slug,
        title=str(meta.get("title") or slug),
        description=str(meta.get("description") or ""),
        licence=licence,
        licence_name=name,
        licence_url=url,
        themes=themes_of(_as_list(meta.get("theme"))),
        keywords=tuple(_as_list(meta.get("keyword"))),
        publisher=str(meta.get("publisher") or ""),
        modified=str(meta.get("modified") or ""),
        page_url=f"{source_url.rstrip('/')}/explore/dataset/{slug}/",
        resources=tuple(resources),
    )
