"""Hydra paging of the catalogue, as udata does: a page of datasets and links to the others.

A 50,000-dataset catalogue is never one graph: ``/catalog`` answers its first page, whose
``hydra:PartialCollectionView`` names the first, previous, next and last pages and the total,
so a harvester walks it page by page (ckanext-dcat and udata's harvesters follow
``hydra:next``). The page links are addresses of this response and are built from the request;
the URIs of the things described come from ``catalog/uris.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from rdflib import RDF, XSD, Graph, Literal, URIRef

from territoria.api.dcat.vocabularies import HYDRA

DEFAULT_PAGE_SIZE = 100  # udata's default
MAX_PAGE_SIZE = 500  # a page is one graph in memory: about 80 triples a dataset


class PagingError(ValueError):
    """A ``page`` or ``page_size`` parameter that is not a positive integer (message for humans)."""


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    size: int
    total: int  # items in the whole collection

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


def requested_page(params) -> tuple[int, int]:
    """``(page, page_size)`` from the query string; raises PagingError. The size is capped."""
    number = _positive(params, "page", 1)
    size = min(_positive(params, "page_size", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    return number, size


def _positive(params, name: str, default: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise PagingError(f"{name}: a positive integer is expected, got {raw!r}")
    return int(raw)


def add_view(graph: Graph, collection: URIRef, page: Page, request) -> None:
    """The ``hydra:PartialCollectionView`` of ``page`` on ``collection`` (the catalogue)."""
    view = URIRef(page_url(request, page.number, page.size))
    graph.add((collection, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    graph.add((collection, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(page.total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.integer)))
    links = {HYDRA.first: 1, HYDRA.last: page.last}
    if page.number > 1:
        links[HYDRA.previous] = min(page.number - 1, page.last)
    if page.number < page.last:
        links[HYDRA.next] = page.number + 1
    for term, number in links.items():
        graph.add((view, term, URIRef(page_url(request, number, page.size))))


def page_url(request, number: int, size: int) -> str:
    """This request's address for page ``number``, its other parameters kept."""
    params = {k: v for k, v in request.GET.items() if k not in ("page", "page_size")}
    params.update(page=str(number), page_size=str(size))
    return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
