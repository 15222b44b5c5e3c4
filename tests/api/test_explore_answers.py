"""The records API's cost per request: one catalog query, and DuckDB only for a new question."""

import json

import pytest

from territoria.datastore.answers import shared_answer_cache

BASE = "/api/explore/v2.1/catalog/datasets"
CSV = "commune;code_insee;population\nStrasbourg;67482;290000\nColmar;68066;67000\n"
MORE = CSV + "Mulhouse;68224;108000\n"


@pytest.fixture
def cache(settings):
    settings.QUERY_CACHE_MB = 8
    answers = shared_answer_cache(settings.QUERY_CACHE_MB * 2**20)
    assert answers is not None
    answers.clear()
    return answers


def _body(response) -> dict:
    assert response.status_code == 200, response.content
    return json.loads(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, params",
    [
        ("records", {"where": "population > 100000", "limit": "1"}),
        ("facets", {"facet": "commune"}),
        ("records", {"select": "count(*) as n", "group_by": "commune"}),
    ],
)
def test_an_open_dataset_answers_with_one_catalog_query(
    client, ingest_text, django_assert_num_queries, path, params
):
    """The gate reads the dataset, its organisation and its live version's key at once."""
    ingest_text(CSV, slug="communes")
    with django_assert_num_queries(1):
        response = client.get(f"{BASE}/communes/{path}", params)
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_same_question_is_answered_from_the_cache(client, ingest_text, cache):
    ingest_text(CSV, slug="communes")
    params = {"where": "population > 100000", "limit": "1"}
    first = _body(client.get(f"{BASE}/communes/records", params))
    misses = cache.misses
    again = _body(client.get(f"{BASE}/communes/records", params))
    assert (
        again
        == first
        == {
            "total_count": 1,
            "results": [{"commune": "Strasbourg", "code_insee": "67482", "population": 290000}],
        }
    )
    assert cache.misses == misses and cache.hits >= 1


@pytest.mark.django_db
def test_a_new_version_is_answered_at_once(client, ingest_text, cache):
    ingest_text(CSV, slug="communes")
    params = {"where": "population > 100000"}
    assert _body(client.get(f"{BASE}/communes/records", params))["total_count"] == 1
    assert (
        _body(client.get(f"{BASE}/communes/facets"))["facets"]
        == _body(client.get(f"{BASE}/communes/facets"))["facets"]
    )
    ingest_text(MORE, slug="communes")
    assert _body(client.get(f"{BASE}/communes/records", params))["total_count"] == 2


@pytest.mark.django_db
def test_the_cache_can_be_turned_off(client, ingest_text, settings):
    settings.QUERY_CACHE_MB = 0
    ingest_text(CSV, slug="communes")
    for _ in range(2):
        body = _body(client.get(f"{BASE}/communes/records", {"order_by": "commune"}))
        assert [r["commune"] for r in body["results"]] == ["Colmar", "Strasbourg"]


@pytest.mark.django_db
def test_a_protected_answer_is_not_served_to_whom_may_not_see_it(
    client, ingest_text, staff_user, cache
):
    """The cache sits behind the gate: a cached answer still needs the gate's yes."""
    ingest_text(CSV, slug="interne", access="internal")
    client.force_login(staff_user)
    assert _body(client.get(f"{BASE}/interne/records"))["total_count"] == 2
    client.logout()
    response = client.get(f"{BASE}/interne/records")
    assert response.status_code == 404
    assert b"Strasbourg" not in response.content


@pytest.mark.django_db
def test_the_catalog_reads_live_versions_with_the_datasets(
    client, ingest_text, django_assert_max_num_queries
):
    for n in range(5):
        ingest_text(CSV, slug=f"communes-{n}")
    # the search's facet counts and labels, the count, the page of datasets with their live
    # version keys: none per dataset (it was two each, the resource and its live version)
    with django_assert_max_num_queries(4):
        body = _body(client.get(BASE))
    assert all(d["metas"]["default"]["records_count"] == 2 for d in body["results"])


@pytest.mark.django_db
def test_a_repeated_question_is_answered_without_the_engine(client, ingest_text, cache, settings):
    """The whole JSON answer is kept under its ETag (version, caller, parameters) and host:
    the second request is one look-up (no statement, no page built), and another host gets
    links of its own."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "portail.example"]
    ingest_text(MORE, slug="communes")
    params = {"order_by": "commune", "limit": "1"}
    first = client.get(f"{BASE}/communes/records", params)
    misses, hits = cache.misses, cache.hits
    again = client.get(f"{BASE}/communes/records", params)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert cache.misses == misses and cache.hits == hits + 1
    elsewhere = _body(client.get(f"{BASE}/communes/records", params, HTTP_HOST="portail.example"))
    assert elsewhere["links"][0]["href"].startswith("http://portail.example/")
    assert _body(first)["links"][0]["href"].startswith("http://testserver/")
