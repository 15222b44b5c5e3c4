"""udata API v1 (data.gouv.fr and its siblings): ``/api/1/datasets/`` pages, then each dataset.

Identity is the dataset ``id`` (an ObjectId), not its ``slug``. A source URL may name an
organisation page (``…/organizations/{slug}/`` or ``?organization=…``) to harvest only its
datasets; the listing then follows ``next_page`` until there is none. udata has no themes:
its tags are keywords. Resources of a tabular format are tables; the rest are links.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from territoria.ingest.harvest.client import HarvestClient
from territoria.ingest.harvest.remote import (
    RemoteDataset,
    RemoteRef,
    RemoteResource,
    is_tabular,
    licence_of,
    themes_of,
)

PAGE_SIZE = 100
MAX_PAGES = 1000  # a server whose next_page never ends cannot keep a run going


def _root_and_filters(source_url: str) -> tuple[str, dict[str, str]]:
    """The portal's root and the listing's filter: an organisation named in the URL."""
    parts = urlsplit(source_url)
    root = f"{parts.scheme}://{parts.netloc}"
    filters = {k: v[0] for k, v in parse_qs(parts.query).items() if k == "organization"}
    segments = [s for s in parts.path.split("/") if s]
    if "organizations" in segments and segments.index("organizations") + 1 < len(segments):
        filters["organization"] = segments[segments.index("organizations") + 1]
    return root, filters


def gather(client: HarvestClient, source_url: str) -> list[RemoteRef]:
    root, filters = _root_and_filters(source_url)
    url: str | None = f"{root}/api/1/datasets/"
    params: dict[str, Any] | None = {**filters, "page_size": PAGE_SIZE, "page": 1}
    refs: list[RemoteRef] = []
    for _ in range(MAX_PAGES):
        if not url:
            break
        page = client.get_json(url, params)
        for shape in page.get("data") or []:
            refs.append(
                RemoteRef(
                    identifier=str(shape["id"]),
                    slug=str(shape.get("slug") or ""),
                    modified=str(shape.get("last_modified") or ""),
                    locator=str(shape["id"]),
                )
            )
        url, params = page.get("next_page"), None  # next_page carries its query string
    return refs


def fetch(client: HarvestClient, source_url: str, ref: RemoteRef) -> RemoteDataset:
    root, _ = _root_and_filters(source_url)
    return dataset_record(client.get_json(f"{root}/api/1/datasets/{quote(ref.locator)}/"))


def _resource(shape: dict[str, Any]) -> RemoteResource:
    fmt = str(shape.get("format") or "").upper()
    return RemoteResource(
        title=str(shape.get("title") or shape.get("url") or ""),
        url=str(shape.get("url") or ""),
        format=fmt,
        description=str(shape.get("description") or ""),
        tabular=is_tabular(fmt) and shape.get("type", "main") == "main",
    )


def dataset_record(shape: dict[str, Any]) -> RemoteDataset:
    """A udata dataset as a RemoteDataset."""
    licence, name, url = licence_of(str(shape.get("license") or ""))
    organisation = shape.get("organization") or {}
    tags = [str(t) for t in shape.get("tags") or []]
    return RemoteDataset(
        identifier=str(shape["id"]),
        slug=str(shape.get("slug") or ""),
        title=str(shape.get("title") or shape.get("slug") or ""),
        description=str(shape.get("description") or ""),
        licence=licence,
        licence_name=name,
        licence_url=url,
        themes=themes_of(tags),
        keywords=tuple(tags),
        publisher=str(organisation.get("name") or ""),
        modified=str(shape.get("last_modified") or ""),
        page_url=str(shape.get("page") or ""),
        resources=tuple(_resource(r) for r in shape.get("resources") or [] if r.get("url")),
    )
