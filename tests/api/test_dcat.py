"""The DCAT-AP catalogue: syntaxes, content negotiation, Hydra paging, access, query budget."""

from __future__ import annotations

import warnings

import pytest
from django.contrib.auth.models import User
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from territoria.api.dcat.paging import MAX_PAGE_SIZE
from territoria.api.dcat.vocabularies import HYDRA, SCHEMA
from territoria.catalog.models import Dataset

FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
CONTENT_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


def parse_rdf(data: bytes, rdflib_format: str) -> Graph:
    """rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7.6 deprecates:
    that warning is rdflib's business, not ours (tests turn warnings into errors)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=data, format=rdflib_format)


def parsed(response) -> Graph:
    assert response.status_code == 200, response.content[:500]
    media_type = response["Content-Type"].split(";")[0]
    return parse_rdf(response.content, CONTENT_TYPES[media_type])


def dataset_nodes(graph: Graph) -> set[str]:
    return {str(s) for s in graph.subjects(RDF.type, DCAT.Dataset)}


def uri(slug: str) -> str:
    return f"http://127.0.0.1:8000/jeux-de-donnees/{slug}/"


@pytest.fixture
def catalogue(make_org):
    """25 open datasets, one partners dataset and one internal, of the town of Colmar."""
    org = make_org(slug="ville-de-colmar", name="Ville de Colmar", kind="commune")
    make_org()  # the region, publisher of the instance's catalogue
    for i in range(25):
        Dataset.objects.create(
            slug=f"jeu-{i:02d}", title=f"Jeu {i}", organisation=org, access_level="open"
        )
    Dataset.objects.create(
        slug="budget-partenaires", title="Budget", organisation=org, access_level="partners"
    )
    Dataset.objects.create(
        slug="notes-internes", title="Notes", organisation=org, access_level="internal"
    )
    return org


@pytest.mark.parametrize("ext", FORMATS)
def test_each_extension_serves_its_syntax(client, catalogue, ext):
    response = client.get(f"/catalog.{ext}", {"page_size": 5})
    graph = parse_rdf(response.content, FORMATS[ext])
    assert len(dataset_nodes(graph)) == 5
    assert (URIRef("http://127.0.0.1:8000/catalog"), RDF.type, DCAT.Catalog) in graph


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle", "text/turtle"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/turtle"),
        ("application/json", "application/ld+json"),
        ("*/*", "text/turtle"),
        ("image/png", "text/turtle"),
        ("application/rdf+xml;q=0.5, application/ld+json", "application/ld+json"),
    ],
)
def test_catalog_negotiates_the_syntax_on_accept(client, catalogue, accept, media_type):
    response = client.get("/catalog", {"page_size": 3}, HTTP_ACCEPT=accept)
    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    assert "Accept" in response["Vary"]
    assert len(dataset_nodes(parsed(response))) == 3


def test_catalog_without_accept_is_turtle(client, catalogue):
    response = client.get("/catalog")
    assert response["Content-Type"] == "text/turtle; charset=utf-8"


def test_paging_links_walk_the_whole_catalogue_once(client, catalogue):
    seen: list[str] = []
    url = "http://testserver/catalog.ttl?page_size=10"
    pages = 0
    while url:
        graph = parsed(client.get(url))
        (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
        assert graph.value(view, HYDRA.totalItems) == Literal(25)
        assert str(graph.value(view, HYDRA.first)).endswith("page=1&page_size=10")
        assert str(graph.value(view, HYDRA.last)).endswith("page=3&page_size=10")
        seen += sorted(dataset_nodes(graph))
        pages += 1
        following = graph.value(view, HYDRA.next)
        url = str(following) if following else ""
    assert pages == 3
    assert sorted(seen) == [uri(f"jeu-{i:02d}") for i in range(25)]


def test_middle_page_links_to_its_neighbours_and_keeps_the_profile(client, catalogue):
    graph = parsed(client.get("/catalog.ttl", {"page": 2, "page_size": 10, "profile": "2.1"}))
    (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
    assert str(view) == "http://testserver/catalog.ttl?profile=2.1&page=2&page_size=10"
    assert str(graph.value(view, HYDRA.previous)).endswith("?profile=2.1&page=1&page_size=10")
    assert str(graph.value(view, HYDRA.next)).endswith("?profile=2.1&page=3&page_size=10")


def test_catalog_without_page_is_the_first_page_of_a_hundred(client, make_org):
    org = make_org()
    Dataset.objects.bulk_create(
        Dataset(slug=f"d-{i:03d}", title=f"D {i}", organisation=org, access_level="open")
        for i in range(105)
    )
    graph = parsed(client.get("/catalog"))
    (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
    assert len(dataset_nodes(graph)) == 100
    assert str(graph.value(view, HYDRA.next)).endswith("page=2&page_size=100")
    assert graph.value(view, HYDRA.previous) is None


def test_page_size_is_capped(client, catalogue):
    graph = parsed(client.get("/catalog.ttl", {"page_size": 100_000}))
    (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
    assert graph.value(view, HYDRA.itemsPerPage) == Literal(MAX_PAGE_SIZE)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "abc"}, "page: a positive integer is expected, got 'abc'"),
        ({"page_size": "0"}, "page_size: a positive integer is expected, got '0'"),
        ({"profile": "dcat-ap-9"}, "profile: unknown DCAT-AP profile 'dcat-ap-9'"),
    ],
)
def test_bad_parameters_answer_400_with_a_reason(client, catalogue, query, message):
    response = client.get("/catalog.ttl", query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_page_past_the_end_is_empty_but_still_links_back(client, catalogue):
    graph = parsed(client.get("/catalog.ttl", {"page": 9, "page_size": 10}))
    (view,) = graph.subjects(RDF.type, HYDRA.PartialCollectionView)
    assert dataset_nodes(graph) == set()
    assert str(graph.value(view, HYDRA.previous)).endswith("page=3&page_size=10")


def test_dcat_ap_2_1_variant_adds_schema_org_dates(client, make_org):
    from datetime import date

    Dataset.objects.create(
        slug="periode",
        title="Période",
        organisation=make_org(),
        access_level="open",
        temporal_start=date(2020, 1, 1),
        temporal_end=date(2024, 12, 31),
    )
    modern = parsed(client.get("/jeux-de-donnees/periode/dataset.ttl"))
    legacy = parsed(client.get("/jeux-de-donnees/periode/dataset.ttl", {"version": "2.1"}))
    assert sorted(str(o) for o in modern.objects(None, DCAT.startDate)) == ["2020-01-01"]
    assert list(modern.objects(None, SCHEMA.startDate)) == []
    assert sorted(str(o) for o in legacy.objects(None, SCHEMA.endDate)) == ["2024-12-31"]


# --- Access --------------------------------------------------------------------------------


def test_anonymous_catalogue_lists_open_datasets_only(client, catalogue):
    graph = parsed(client.get("/catalog.ttl", {"page_size": 500}))
    assert len(dataset_nodes(graph)) == 25
    assert uri("budget-partenaires") not in dataset_nodes(graph)
    assert uri("notes-internes") not in dataset_nodes(graph)
    assert "Budget" not in graph.serialize(format="turtle")


def test_member_of_the_owner_sees_its_partners_dataset(client, catalogue, add_member):
    member = add_member(User.objects.create_user("agent"), "ville-de-colmar", "viewer")
    client.force_login(member)
    graph = parsed(client.get("/catalog.ttl", {"page_size": 500}))
    assert uri("budget-partenaires") in dataset_nodes(graph)
    assert uri("notes-internes") in dataset_nodes(graph)
    access = graph.value(URIRef(uri("budget-partenaires")), DCTERMS.accessRights)
    assert str(access).endswith("/access-right/RESTRICTED")


def test_a_bearer_token_sees_what_its_user_sees(client, catalogue, add_member):
    from territoria.governance.tokens import do_create_token

    member = add_member(User.objects.create_user("robot"), "ville-de-colmar", "viewer")
    _, secret = do_create_token(member, name="moisson", scope="read", days=1)
    response = client.get("/catalog.ttl?page_size=500", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert uri("budget-partenaires") in dataset_nodes(parsed(response))


@pytest.mark.parametrize("slug", ["budget-partenaires", "notes-internes", "inexistant"])
def test_dataset_document_of_a_hidden_or_missing_dataset_is_404(client, catalogue, slug):
    for path in ("dataset", "dataset.ttl", "dataset.jsonld", "dataset.rdf"):
        assert client.get(f"/jeux-de-donnees/{slug}/{path}").status_code == 404


def test_dataset_document_describes_the_dataset_for_its_member(client, catalogue, add_member):
    client.force_login(add_member(User.objects.create_user("agent"), "ville-de-colmar"))
    graph = parsed(client.get("/jeux-de-donnees/budget-partenaires/dataset.jsonld"))
    node = URIRef(uri("budget-partenaires"))
    assert graph.value(node, DCTERMS.title) == Literal("Budget", lang="fr")
    publisher = graph.value(node, DCTERMS.publisher)
    assert str(publisher) == "http://127.0.0.1:8000/organisations/ville-de-colmar/"
    assert graph.value(publisher, FOAF.name) == Literal("Ville de Colmar")


def test_organisation_catalogue_lists_its_visible_datasets(client, catalogue, make_org):
    other = make_org(slug="ville-de-mulhouse", name="Ville de Mulhouse", kind="commune")
    Dataset.objects.create(slug="mulhouse", title="M", organisation=other, access_level="open")
    graph = parsed(client.get("/organisations/ville-de-colmar/catalog.ttl?page_size=50"))
    assert len(dataset_nodes(graph)) == 25
    assert uri("mulhouse") not in dataset_nodes(graph)
    assert client.get("/organisations/absente/catalog.ttl").status_code == 404


# --- Query budget --------------------------------------------------------------------------


def test_a_catalogue_page_costs_the_same_queries_for_ten_or_a_hundred_datasets(
    client, ingest_text, make_org, django_assert_max_num_queries
):
    for i in range(3):
        ingest_text(f"code;nom\n6748{i};Ville\n", slug=f"table-{i}", org="ville-de-colmar")
    org = make_org(slug="ville-de-colmar")
    Dataset.objects.bulk_create(
        Dataset(
            slug=f"d-{i:03d}",
            title=f"D {i}",
            organisation=org,
            access_level="open",
            spatial=["fr:commune:68066"],
        )
        for i in range(100)
    )
    # count, datasets + organisations, resources + live versions, territories, publisher
    with django_assert_max_num_queries(5):
        assert len(dataset_nodes(parsed(client.get("/catalog.ttl?page_size=10")))) == 10
    with django_assert_max_num_queries(5):
        assert len(dataset_nodes(parsed(client.get("/catalog.ttl?page_size=100")))) == 100


def test_a_signed_in_page_adds_only_the_gate_queries(
    client, catalogue, add_member, django_assert_max_num_queries
):
    client.force_login(add_member(User.objects.create_user("agent"), "ville-de-colmar"))
    # + session, user, memberships, grants subquery compiled into the count: 9 at most
    with django_assert_max_num_queries(9):
        assert len(dataset_nodes(parsed(client.get("/catalog.ttl?page_size=50")))) == 27
