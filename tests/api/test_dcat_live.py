"""The DCAT-AP catalogue over real HTTP: each syntax parses, and a harvester walks the pages."""

from __future__ import annotations

import urllib.request
import warnings

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCAT

from territoria.api.dcat.vocabularies import HYDRA
from territoria.catalog.models import Dataset

pytestmark = pytest.mark.django_db(transaction=True)

SYNTAXES = {
    "/catalog.ttl": "turtle",
    "/catalog.jsonld": "json-ld",
    "/catalog.rdf": "xml",
    "/jeux-de-donnees/ouvert-0/dataset.ttl": "turtle",
    "/jeux-de-donnees/ouvert-0/dataset.jsonld": "json-ld",
    "/jeux-de-donnees/ouvert-0/dataset.rdf": "xml",
}


def get(url: str, accept: str = "*/*") -> tuple[str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our live server
        return response.headers["Content-Type"], response.read()


def parse(body: bytes, rdflib_format: str) -> Graph:
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated class
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=body, format=rdflib_format)


@pytest.fixture
def published(make_org):
    org = make_org()
    for i in range(12):
        Dataset.objects.create(
            slug=f"ouvert-{i}", title=f"Ouvert {i}", organisation=org, access_level="open"
        )
    Dataset.objects.create(slug="cache", title="Caché", organisation=org, access_level="partners")


def test_each_serialisation_fetched_over_http_parses(live_server, published):
    for path, rdflib_format in SYNTAXES.items():
        _, body = get(live_server.url + path)
        graph = parse(body, rdflib_format)
        assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) >= 1, path


def test_content_negotiation_over_http(live_server, published):
    content_type, body = get(live_server.url + "/catalog", accept="application/ld+json")
    assert content_type == "application/ld+json; charset=utf-8"
    assert len(set(parse(body, "json-ld").subjects(RDF.type, DCAT.Dataset))) == 12


def test_a_harvester_following_hydra_next_gets_every_open_dataset(live_server, published):
    url, found = live_server.url + "/catalog.rdf?page_size=5", set()
    while url:
        graph = parse(get(url)[1], "xml")
        found |= {
            str(s).rstrip("/").rsplit("/", 1)[1] for s in graph.subjects(RDF.type, DCAT.Dataset)
        }
        (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
        following = graph.value(view, HYDRA.next)
        url = str(following) if following else ""
    assert found == {f"ouvert-{i}" for i in range(12)}


def test_download_urls_are_fetched_where_the_catalogue_was_read(live_server, ingest_text):
    """Identifiers keep TERRITORIA_BASE_URL; download addresses follow the caller's address."""
    ingest_text("code;nom\n67482;Strasbourg\n", slug="communes")
    graph = parse(get(live_server.url + "/jeux-de-donnees/communes/dataset.ttl")[1], "turtle")
    csv = URIRef("http://127.0.0.1:8000/jeux-de-donnees/communes/#export-csv")
    download = str(graph.value(csv, DCAT.downloadURL))
    assert download == f"{live_server.url}/api/explore/v2.1/catalog/datasets/communes/exports/csv"
    content_type, body = get(download)
    assert content_type.startswith("text/csv")
    assert "Strasbourg" in body.decode("utf-8-sig")
