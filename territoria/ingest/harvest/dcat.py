"""DCAT-AP catalogues (Turtle, RDF/XML, JSON-LD) read with rdflib, following Hydra pages.

Gather reads the whole catalogue, page after page (``hydra:next``, or the older
``hydra:nextPage``), into one graph and maps each ``dcat:Dataset`` at once: a catalogue
carries every description, so the fetch step has nothing left to ask. Identity is the
dataset's ``dct:identifier`` when it has one, else its URI (DCAT-AP's rule, and udata's
harvester's): a renamed landing page does not make a new dataset.
"""

from __future__ import annotations

import warnings
from urllib.parse import urljoin, urlsplit

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF
from rdflib.term import Node

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

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
MAX_PAGES = 1000
FORMATS = {".ttl": "turtle", ".rdf": "xml", ".xml": "xml", ".jsonld": "json-ld", ".json": "json-ld"}


def _format(url: str, body: bytes) -> str:
    """rdflib's parser for ``body``: told by the URL's extension, else by the first byte."""
    path = urlsplit(url).path
    for suffix, name in FORMATS.items():
        if path.endswith(suffix):
            return name
    head = body.lstrip()[:1]
    return {b"{": "json-ld", b"[": "json-ld", b"<": "xml"}.get(head, "turtle")


def catalogue_url(source_url: str) -> str:
    """The catalogue's document: the source URL itself, or ``/catalog.ttl`` under a root."""
    if urlsplit(source_url).path.rstrip("/") in ("",):
        return urljoin(source_url, "/catalog.ttl")
    return source_url


def _next_page(graph: Graph, url: str) -> str | None:
    for predicate in (HYDRA.next, HYDRA.nextPage):
        for target in graph.objects(None, predicate):
            return urljoin(url, str(target))
    return None


def _parse(body: bytes, syntax: str, url: str) -> Graph:
    page = Graph()
    try:
        with warnings.catch_warnings():
            # rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which it deprecates.
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            page.parse(data=body, format=syntax, publicID=url)
    except Exception as error:  # rdflib raises many kinds for a malformed document
        raise FetchFailed(f"{url}: not a readable RDF document ({error})") from None
    return page


def read_catalogue(client: HarvestClient, source_url: str) -> Graph:
    """The union of every page of the catalogue. Raises FetchFailed (unreadable RDF too)."""
    graph, url, visited = Graph(), catalogue_url(source_url), set()
    while url and url not in visited and len(visited) < MAX_PAGES:
        visited.add(url)
        body = client.get_bytes(url)
        page = _parse(body, _format(url, body), url)
        graph += page
        url = _next_page(page, url)
    return graph


def _text(graph: Graph, subject: Node, predicate: URIRef) -> str:
    """The French literal, else one without a language, else any; "" when none."""
    values = [v for v in graph.objects(subject, predicate) if isinstance(v, Literal)]
    for wanted in ("fr", None):
        for value in values:
            if value.language == wanted:
                return str(value)
    return str(values[0]) if values else ""


def _name(graph: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, Literal):
        return str(node)
    for predicate in (FOAF.name, DCTERMS.title):
        if text := _text(graph, node, predicate):
            return text
    return str(node) if isinstance(node, URIRef) else ""


def _licence(graph: Graph, dataset: Node, distributions: list[Node]) -> tuple[str, str, str]:
    nodes = list(graph.objects(dataset, DCTERMS.license))
    for distribution in distributions:
        nodes += list(graph.objects(distribution, DCTERMS.license))
    if not nodes:
        return licence_of("")
    node = nodes[0]
    url = str(node) if isinstance(node, URIRef) else ""
    return licence_of(_name(graph, node) if not url else "", url=url)


def _format_of(graph: Graph, distribution: Node) -> str:
    for predicate in (DCTERMS.format, DCAT.mediaType):
        for value in graph.objects(distribution, predicate):
            text = _name(graph, value) if not isinstance(value, URIRef) else str(value)
            return text.rstrip("/").rsplit("/", 1)[-1].upper()
    return ""


def _distribution(graph: Graph, node: Node) -> RemoteResource | None:
    url = next(iter(graph.objects(node, DCAT.downloadURL)), None) or next(
        iter(graph.objects(node, DCAT.accessURL)), None
    )
    if url is None:
        return None
    fmt = _format_of(graph, node)
    return RemoteResource(
        title=_text(graph, node, DCTERMS.title) or str(url),
        url=str(url),
        format=fmt,
        description=_text(graph, node, DCTERMS.description),
        tabular=is_tabular(fmt),
    )


def _slug(identifier: str, landing: str) -> str:
    for text in (landing, identifier):
        tail = urlsplit(text).path.rstrip("/").rsplit("/", 1)[-1] if text else ""
        if tail:
            return tail
    return identifier


def dataset_record(graph: Graph, node: Node) -> RemoteDataset:
    """The ``dcat:Dataset`` ``node`` of ``graph`` as a RemoteDataset."""
    identifier = _text(graph, node, DCTERMS.identifier) or (
        str(node) if not isinstance(node, BNode) else ""
    )
    if not identifier:
        raise FetchFailed("a dataset has neither a URI nor a dct:identifier")
    distributions = list(graph.objects(node, DCAT.distribution))
    licence, licence_name, licence_url = _licence(graph, node, distributions)
    landing = str(next(iter(graph.objects(node, DCAT.landingPage)), "") or "")
    resources = [_distribution(graph, d) for d in distributions]
    return RemoteDataset(
        identifier=identifier,
        slug=_slug(identifier, landing),
        title=_text(graph, node, DCTERMS.title) or identifier,
        description=_text(graph, node, DCTERMS.description),
        licence=licence,
        licence_name=licence_name,
        licence_url=licence_url,
        themes=themes_of(sorted(str(t) for t in graph.objects(node, DCAT.theme))),
        keywords=tuple(sorted(str(k) for k in graph.objects(node, DCAT.keyword))),
        publisher=_name(graph, next(iter(graph.objects(node, DCTERMS.publisher)), None)),
        modified=_text(graph, node, DCTERMS.modified),
        page_url=landing,
        resources=tuple(sorted((r for r in resources if r), key=lambda r: (r.title, r.url))),
    )


def gather(client: HarvestClient, source_url: str) -> list[RemoteRef]:
    graph = read_catalogue(client, source_url)
    refs = []
    for node in sorted(set(graph.subjects(RDF.type, DCAT.Dataset)), key=str):
        try:
            record = dataset_record(graph, node)
        except FetchFailed as error:  # fails alone, in the run's report (see fetch)
            refs.append(RemoteRef(str(node), "", locator=str(error)))
            continue
        refs.append(RemoteRef(record.identifier, record.slug, record.modified, record=record))
    return refs


def fetch(client: HarvestClient, source_url: str, ref: RemoteRef) -> RemoteDataset:
    if ref.record is None:  # gathered whole (see the module's docstring), or unreadable
        raise FetchFailed(ref.locator)
    return ref.record
