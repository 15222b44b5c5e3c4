"""The leaks our peers shipped, reproduced against Territoria: each must find nothing.

- CKAN #1580: the dataset autocomplete listed private datasets to anyone;
- CKAN #953: activity streams showed what happened to private datasets;
- facet counts that count what the list hides (a count is a disclosure too);
- API metadata (catalogue listings and records) that hid less than the portal;
- udata #3316: secondary routes (exports, facets, versions, upload, publication, rollback,
  organisation pages, home figures) forgotten by the permission checks;
- error messages that name what they refuse, or answer 400 where 404 is due.

The route inventory (``test_route_inventory.py``) checks every route for markers; these tests
check counts and contents precisely, on the routes where the peers went wrong.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territoria.catalog.models import Dataset, Version
from territoria.governance.models import ApiToken
from tests.governance.world import (
    LEVELS,
    MARKERS,
    MISSING_SLUG,
    OWNER,
    ROLES,
    SLUGS,
    VISIBLE,
    leaked_markers,
    readable_text,
)

pytestmark = pytest.mark.usefixtures("world_datastore")
EXPLORE = "/api/explore/v2.1/catalog/datasets"


def visible_slugs(role: str) -> set[str]:
    return {SLUGS[level] for level in VISIBLE[role]}


def hidden_levels(role: str) -> list[str]:
    return [level for level in LEVELS if level not in VISIBLE[role]]


# --- CKAN #1580: autocomplete ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_autocomplete_suggests_only_visible_datasets(client_as, role):
    client = client_as(role)
    response = client.get(reverse("portal:suggestions"), {"q": "inventaire"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    results = response.json()["results"]
    assert {r["slug"] for r in results} == visible_slugs(role)
    assert all(r["url"] == f"/jeux-de-donnees/{r['slug']}/" for r in results)
    searched = client.get(reverse("portal:suggestions"), {"q": "secret"}).json()["results"]
    assert {r["slug"] for r in searched} == visible_slugs(role) - {SLUGS["open"]}
    assert leaked_markers(readable_text(response), role) == []


def test_autocomplete_matches_word_starts_with_accents_and_plurals_folded(client_as, world):
    client = client_as("steward")
    found = client.get(reverse("portal:suggestions"), {"q": "Invent"}).json()["results"]
    assert len(found) == len(LEVELS)
    assert client.get(reverse("portal:suggestions"), {"q": "nventaire"}).json()["results"] == []
    assert client.get(reverse("portal:suggestions")).json() == {"results": []}


# --- CKAN #953: activity and history -----------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_version_history_is_shown_only_with_its_dataset(client_as, world, role):
    client = client_as(role)
    for level in LEVELS:
        page = client.get(reverse("portal:dataset", args=[SLUGS[level]]))
        versions = client.get(f"/api/1/datasets/{SLUGS[level]}/versions")
        if level in VISIBLE[role]:
            assert page.status_code == versions.status_code == 200
            assert [v["key"] for v in versions.json()] == [world.versions[level].key]
            assert f"{MARKERS[level]}.csv" in page.content.decode()  # the history's source
        else:
            assert page.status_code == versions.status_code == 404
            assert versions.json() == client.get(f"/api/1/datasets/{MISSING_SLUG}/versions").json()


def test_a_dataset_closed_after_publication_takes_its_history_with_it(client_as, world):
    dataset = Dataset.objects.get(slug=SLUGS["open"])
    dataset.access_level = "internal"
    dataset.save()
    client = client_as("anonymous")
    assert client.get(f"/api/1/datasets/{SLUGS['open']}/versions").status_code == 404
    assert client.get(reverse("portal:dataset", args=[SLUGS["open"]])).status_code == 404
    assert client.get(reverse("portal:suggestions"), {"q": "inventaire"}).json()["results"] == []
    assert client_as("region_staff").get(f"/api/1/datasets/{SLUGS['open']}/versions").json()


# --- Facet counts ------------------------------------------------------------------------


def _portal_facets(response) -> dict[str, dict[str, int]]:
    return {g.kind: {v.value: v.count for v in g.values} for g in response.context["facet_groups"]}


@pytest.mark.parametrize("role", ROLES)
def test_portal_search_facets_count_only_visible_datasets(client_as, role):
    response = client_as(role).get(reverse("portal:search"))
    levels = VISIBLE[role]
    facets = _portal_facets(response)
    assert response.context["total"] == len(levels)
    assert facets["access"] == dict.fromkeys(levels, 1)
    assert facets["organisation"] == {OWNER: len(levels)}
    hidden_themes = len(levels - {"open"})
    assert facets["theme"] == {"ENVI": 1, **({"ECON": hidden_themes} if hidden_themes else {})}


@pytest.mark.parametrize("role", ROLES)
def test_filtering_on_a_value_only_hidden_datasets_have_counts_nothing(client_as, role):
    response = client_as(role).get(reverse("portal:search"), {"theme": "ECON"})
    assert response.context["total"] == len(VISIBLE[role] - {"open"})
    refined = client_as(role).get(EXPLORE, {"refine": "theme:ECON"}).json()
    assert refined["total_count"] == len(VISIBLE[role] - {"open"})
    assert leaked_markers(response.content.decode(), role) == []


@pytest.mark.parametrize("role", ["anonymous", "partner_with_grant", "region_staff"])
def test_records_facets_answer_for_visible_datasets_only(client_as, role):
    client = client_as(role)
    for level in LEVELS:
        response = client.get(f"{EXPLORE}/{SLUGS[level]}/facets", {"facet": "commune"})
        if level in VISIBLE[role]:
            assert response.status_code == 200
            (facet,) = response.json()["facets"]
            assert {v["name"]: v["count"] for v in facet["facets"]} == {"Colmar": 1, "Mulhouse": 1}
        else:
            assert response.status_code == 404
            assert response.json() == client.get(f"{EXPLORE}/{MISSING_SLUG}/facets").json()


@pytest.mark.parametrize("role", ROLES)
def test_home_and_organisation_figures_count_only_visible_datasets(client_as, role):
    client = client_as(role)
    home = client.get(reverse("portal:home"))
    assert home.context["dataset_count"] == len(VISIBLE[role])
    listing = client.get(reverse("portal:organisations"))
    counts = {o.slug: o.dataset_count for o in listing.context["organisations"]}
    assert counts[OWNER] == len(VISIBLE[role])
    page = client.get(reverse("portal:organisation", args=[OWNER]))
    assert page.context["window"].total == len(VISIBLE[role])
    for response in (home, listing, page):
        assert leaked_markers(response.content.decode(), role) == []


# --- API metadata ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_listings_hold_only_visible_datasets(client_as, role):
    client = client_as(role)
    explore = client.get(EXPLORE, {"limit": 100}).json()
    assert explore["total_count"] == len(VISIBLE[role])
    assert {d["dataset_id"] for d in explore["results"]} == visible_slugs(role)
    searched = client.get(EXPLORE, {"where": "secret"}).json()
    assert searched["total_count"] == len(VISIBLE[role] - {"open"})
    management = client.get("/api/1/datasets").json()
    assert {d["slug"] for d in management} == visible_slugs(role)


@pytest.mark.parametrize("role", ROLES)
def test_dataset_metadata_of_a_hidden_dataset_is_a_404_like_a_missing_one(client_as, role):
    client = client_as(role)
    missing_explore = client.get(f"{EXPLORE}/{MISSING_SLUG}")
    missing_api = client.get(f"/api/1/datasets/{MISSING_SLUG}")
    for level in hidden_levels(role):
        explore = client.get(f"{EXPLORE}/{SLUGS[level]}")
        api = client.get(f"/api/1/datasets/{SLUGS[level]}")
        assert (explore.status_code, explore.json()) == (404, missing_explore.json())
        assert (api.status_code, api.json()) == (404, missing_api.json())
    for level in VISIBLE[role]:
        shape = client.get(f"{EXPLORE}/{SLUGS[level]}").json()
        assert shape["metas"]["default"]["title"] == f"Inventaire {MARKERS[level]}"


# --- udata #3316: secondary routes -------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_exports_of_hidden_datasets_are_404_in_every_format(client_as, role):
    client = client_as(role)
    for level in hidden_levels(role):
        for fmt in ("csv", "json", "jsonl", "parquet", "xlsx", "geojson"):
            response = client.get(f"{EXPLORE}/{SLUGS[level]}/exports/{fmt}")
            assert response.status_code == 404, (level, fmt)
            assert leaked_markers(readable_text(response), role) == []


@pytest.mark.parametrize("role", ["other_producer", "partner_with_grant", "region_staff"])
def test_writes_on_datasets_the_caller_may_not_write_are_404_and_change_nothing(
    client, world, role
):
    """Upload, publish and rollback, with a write token of a user who is not the owner."""
    raw = ApiToken.issue(world.user(role), "w", scope="write")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    before = Version.objects.count()
    for level in LEVELS:
        slug, key = SLUGS[level], world.versions[level].key
        upload = client.post(
            f"/api/1/datasets/{slug}/upload",
            {"file": SimpleUploadedFile("x.csv", b"a;b\n1;2\n")},
            **auth,
        )
        publish = client.post(f"/api/1/datasets/{slug}/versions/{key}/publish", **auth)
        rollback = client.post(f"/api/1/datasets/{slug}/rollback", **auth)
        assert upload.status_code == publish.status_code == rollback.status_code == 404
    assert Version.objects.count() == before


def test_portal_upload_never_offers_or_accepts_a_dataset_the_user_may_not_write(client_as):
    client = client_as("other_producer")
    form = client.get(reverse("portal:upload"), {"dataset": SLUGS["restricted"]})
    assert leaked_markers(form.content.decode(), "other_producer") == []
    posted = client.post(
        reverse("portal:upload"),
        {"file": SimpleUploadedFile("x.csv", b"a;b\n1;2\n"), "dataset": SLUGS["internal"]},
    )
    assert posted.status_code == 400
    assert "Jeu de données inconnu." in posted.content.decode()


def test_creating_a_dataset_with_a_hidden_identifier_says_nothing_about_it(client, world):
    raw = ApiToken.issue(world.user("other_producer"), "w", scope="write")[1]
    response = client.post(
        "/api/1/datasets",
        {"slug": SLUGS["internal"], "title": "X", "organisation": "ville-de-mulhouse"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": f"identifier {SLUGS['internal']!r} is not available"}


def test_producers_create_datasets_only_for_their_organisation_and_never_open(client, world):
    """CKAN #3837: publication at the open level is a steward's act."""
    raw = ApiToken.issue(world.user("other_producer"), "w", scope="write")[1]

    def create(slug, organisation, access):
        return client.post(
            "/api/1/datasets",
            {"slug": slug, "title": "T", "organisation": organisation, "access_level": access},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )

    assert create("chez-autrui", OWNER, "internal").status_code == 403
    assert create("ouvert", "ville-de-mulhouse", "open").status_code == 403
    assert not Dataset.objects.filter(slug__in=["chez-autrui", "ouvert"]).exists()
    assert create("chez-soi", "ville-de-mulhouse", "internal").status_code == 201


# --- Error messages ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_bad_query_on_a_hidden_dataset_is_a_404_naming_nothing(client_as, role):
    client = client_as(role)
    bad = {"where": "nosuchfield = 1"}
    missing = client.get(f"{EXPLORE}/{MISSING_SLUG}/records", bad)
    for level in LEVELS:
        response = client.get(f"{EXPLORE}/{SLUGS[level]}/records", bad)
        if level in VISIBLE[role]:
            assert response.status_code == 400
            assert response.json()["error_code"] == "ODSQLError"
        else:
            assert (response.status_code, response.json()) == (404, missing.json())
        assert leaked_markers(readable_text(response), role) == []
    for path in ("exports/csv", "facets"):
        response = client.get(f"{EXPLORE}/{SLUGS['internal']}/{path}", bad)
        if "internal" not in VISIBLE[role]:
            assert response.status_code == 404
            assert "Inventaire" not in response.content.decode()


# --- sitemaps: published for crawlers, so open data only, whoever asks ---------------------


@pytest.mark.parametrize("role", ROLES)
def test_sitemap_lists_only_open_datasets_whoever_asks(client_as, role):
    response = client_as(role).get("/sitemap.xml")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert f"/jeux-de-donnees/{SLUGS['open']}/" in body
    for level in LEVELS:
        if level != "open":
            assert f"/jeux-de-donnees/{SLUGS[level]}/" not in body
    assert body.rstrip().endswith("</urlset>")


def test_robots_points_to_the_sitemap_and_keeps_crawlers_out_of_private_areas(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /compte/" in text
