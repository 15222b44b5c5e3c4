"""Hot pages have a query budget (STYLE.md, habit 7): a regression shows up here first."""

from django.urls import reverse

CSV = "commune;population\nStrasbourg;290000\nColmar;67000\n"


def test_search_page_query_budget(client, make_dataset, django_assert_max_num_queries):
    for n in range(30):
        make_dataset(f"jeu-{n}", themes=["ENVI", "TRAN"], org=f"org-{n % 5}")
    # facet counts, facet labels (organisations, territories), count, page of results
    with django_assert_max_num_queries(5):
        response = client.get(reverse("portal:search"), {"q": "jeu", "theme": "ENVI"})
    assert response.context["total"] == 30


def test_home_page_query_budget(client, make_dataset, django_assert_max_num_queries):
    for n in range(10):
        make_dataset(f"jeu-{n}", themes=["ENVI"], org=f"org-{n % 3}")
    # the search's four (facets, two label lists, count), organisations count, latest datasets
    with django_assert_max_num_queries(6):
        client.get(reverse("portal:home"))


def test_dataset_page_query_budget(client, ingest_text, django_assert_max_num_queries):
    ingest_text(CSV, slug="population")
    ingest_text(CSV + "Mulhouse;108000\n", slug="population")
    # gate (with the live version's key: decision 0018), history (territories only when
    # there is coverage), the quality criteria: resources with their live and latest staged
    # versions (one query), where a harvested dataset comes from (one indexed query)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("portal:dataset", args=["population"]))
    assert response.status_code == 200


def test_signed_in_dataset_page_query_budget(
    staff_client, ingest_text, django_assert_max_num_queries
):
    ingest_text(CSV, slug="population")
    # + session, user and the user's memberships (the gate reads them once per request)
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("portal:dataset", args=["population"]))
    assert response.status_code == 200


def test_organisation_page_query_budget(client, make_dataset, django_assert_max_num_queries):
    for n in range(25):
        make_dataset(f"jeu-{n}", org="cea")
    # organisation, dataset count, page of datasets
    with django_assert_max_num_queries(3):
        client.get(reverse("portal:organisation", args=["cea"]))
