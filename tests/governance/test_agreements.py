"""Sharing agreements through every dialect and export: a forbidden column is absent
everywhere, the row filter holds in counts and facets, aggregates-only callers get
publishable cells only, and an agreement that ends stops access at the next request."""

from __future__ import annotations

import json
from datetime import timedelta

import duckdb
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.governance.agreements import agreement_for, grant

SLUG = "entreprises-secteur"
EXPLORE = f"/api/explore/v2.1/catalog/datasets/{SLUG}"
HIDDEN = "marge"  # the column the agreement withholds
SECRET_VALUE = "987654"  # only ever in that column


def table() -> str:
    lines = ["commune;departement;secteur;effectif;marge"]
    for commune, dep, sector, count in (
        ("Metz", "57", "industrie", 12),
        ("Metz", "57", "services", 2),
        ("Nancy", "54", "services", 11),
        ("Épinal", "88", "industrie", 4),
    ):
        lines += [f"{commune};{dep};{sector};{10 + i};{SECRET_VALUE}" for i in range(count)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def shared(ingest_text, make_org, add_member):
    """A partners dataset of the region, and a start-up under an agreement on it."""
    dataset = ingest_text(table(), slug=SLUG, access="partners").dataset
    partner = make_org("startup-mobilite", "Startup Mobilité", kind="company")
    user = add_member(User.objects.create_user("partenaire"), partner.slug, "partner")
    client = Client()
    client.force_login(user)
    return dataset, partner, client


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()


def test_a_forbidden_column_is_absent_from_every_dialect_and_export(shared):
    dataset, partner, client = shared
    grant(dataset, partner, allowed_fields=["commune", "departement", "secteur", "effectif"])
    catalog = get_json(client, EXPLORE)
    assert HIDDEN not in {f["name"] for f in catalog["fields"]}
    records = get_json(client, f"{EXPLORE}/records", limit=100)
    assert records["total_count"] == 29
    assert all(HIDDEN not in row for row in records["results"])
    for params in ({"select": HIDDEN}, {"where": f"{HIDDEN} > 0"}, {"group_by": HIDDEN}):
        response = client.get(f"{EXPLORE}/records", params)
        assert response.status_code == 400 and HIDDEN in response.json()["message"]
    assert client.get(f"{EXPLORE}/facets", {"facet": HIDDEN}).status_code == 400
    for fmt in ("csv", "json", "jsonl", "geojson", "xlsx", "parquet"):
        body = b"".join(client.get(f"{EXPLORE}/exports/{fmt}").streaming_content)
        assert SECRET_VALUE.encode() not in body, fmt
        if fmt == "parquet":
            columns = duckdb.read_parquet(_tmp_file(body)).columns
            assert HIDDEN not in columns
    resource_id = _resource_id(client)
    ckan = get_json(client, "/api/3/action/datastore_search", resource_id=resource_id, limit=100)
    assert HIDDEN not in {f["id"] for f in ckan["result"]["fields"]}
    assert all(HIDDEN not in row for row in ckan["result"]["records"])
    refused = client.get(
        "/api/3/action/datastore_search_sql", {"sql": f'SELECT {HIDDEN} FROM "{resource_id}"'}
    )
    assert refused.status_code in (400, 409) and not refused.json()["success"]
    page = client.get(f"/jeux-de-donnees/{SLUG}/")
    assert page.status_code == 200 and HIDDEN not in page.content.decode()


def test_the_row_filter_holds_in_counts_facets_exports_and_sql(shared):
    dataset, partner, client = shared
    grant(dataset, partner, row_filter="departement = '57'")
    assert get_json(client, EXPLORE)["metas"]["default"]["records_count"] == 14
    assert get_json(client, f"{EXPLORE}/records", limit=0)["total_count"] == 14
    facets = get_json(client, f"{EXPLORE}/facets", facet="commune")["facets"][0]["facets"]
    assert {f["name"]: f["count"] for f in facets} == {"Metz": 14}
    csv = b"".join(client.get(f"{EXPLORE}/exports/csv").streaming_content).decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 1 + 14 and "Nancy" not in csv
    resource_id = _resource_id(client)
    ckan = get_json(client, "/api/3/action/datastore_search", resource_id=resource_id)
    assert ckan["result"]["total"] == 14
    sql = f'SELECT count(*) AS n FROM "{resource_id}"'
    counted = get_json(client, "/api/3/action/datastore_search_sql", sql=sql)
    assert counted["result"]["records"] == [{"n": 14}]


def test_aggregates_only_gives_publishable_cells_and_no_rows(shared):
    dataset, partner, client = shared
    grant(dataset, partner, aggregates_only=True, statistical_units="persons")
    cells = get_json(
        client,
        f"{EXPLORE}/records",
        select="count(*) as n, sum(effectif) as total",
        group_by="commune, secteur",
    )["results"]
    # Metz/services (2) and Épinal/industrie (4) are under the 11 persons of the secret.
    assert [(c["commune"], c["secteur"], c["n"]) for c in cells] == [
        ("Metz", "industrie", 12),
        ("Nancy", "services", 11),
    ]
    margins = get_json(client, f"{EXPLORE}/records", select="count(*) as n", group_by="commune")
    assert {m["commune"]: m["n"] for m in margins["results"]} == {"Metz": 12, "Nancy": 11}
    for params in ({}, {"select": "commune, effectif"}, {"select": "max(effectif)"}):
        response = client.get(f"{EXPLORE}/records", params)
        assert response.status_code == 400 and "aggregates only" in response.json()["message"]
    assert client.get(f"{EXPLORE}/exports/csv").status_code == 400
    resource_id = _resource_id(client)
    rows = client.get("/api/3/action/datastore_search", {"resource_id": resource_id})
    assert not rows.json()["success"]
    sql = client.get(
        "/api/3/action/datastore_search_sql",
        {"sql": f'SELECT count(*) FROM "{resource_id}"'},
    )
    assert not sql.json()["success"] and "aggregates only" in json.dumps(sql.json())


def test_businesses_default_to_three_units_and_the_threshold_can_be_set(shared):
    dataset, partner, client = shared
    terms = grant(dataset, partner, aggregates_only=True, statistical_units="businesses")
    query = {"select": "count(*) as n", "group_by": "commune, secteur"}
    cells = get_json(client, f"{EXPLORE}/records", **query)["results"]
    assert {(c["commune"], c["secteur"]) for c in cells} == {
        ("Metz", "industrie"),
        ("Nancy", "services"),
        ("Épinal", "industrie"),
    }
    terms.min_cell_size = 12
    terms.save()
    cells = get_json(client, f"{EXPLORE}/records", **query)["results"]
    assert [(c["commune"], c["n"]) for c in cells] == [("Metz", 12)]


def test_an_agreement_that_ends_stops_access_at_the_next_request(shared):
    dataset, partner, client = shared
    agreement = agreement_for(partner)
    grant(dataset, partner, agreement=agreement)
    assert client.get(f"{EXPLORE}/records").status_code == 200
    agreement.ends_on = timezone.localdate() - timedelta(days=1)
    agreement.save()
    for url in (
        EXPLORE,
        f"{EXPLORE}/records",
        f"{EXPLORE}/exports/csv",
        f"/jeux-de-donnees/{SLUG}/",
    ):
        assert client.get(url).status_code == 404, url
    agreement.ends_on = timezone.localdate() + timedelta(days=10)
    agreement.status = "revoked"
    agreement.save()
    assert client.get(f"{EXPLORE}/records").status_code == 404


def test_a_draft_agreement_opens_nothing(shared):
    dataset, partner, client = shared
    grant(dataset, partner, agreement=agreement_for(partner, status="draft"))
    assert client.get(f"{EXPLORE}/records").status_code == 404


def test_terms_that_do_not_fit_the_data_are_refused_when_saved(shared):
    from django.core.exceptions import ValidationError

    dataset, partner, _ = shared
    terms = grant(dataset, partner, allowed_fields=["commune"])
    terms.row_filter = "nosuchfield = 1"
    with pytest.raises(ValidationError, match="nosuchfield"):
        terms.full_clean()
    terms.row_filter = ""
    terms.allowed_fields = ["commune", "absente"]
    with pytest.raises(ValidationError, match="absente"):
        terms.full_clean()


def _resource_id(client) -> str:
    package = get_json(client, "/api/3/action/package_show", id=SLUG)["result"]
    return package["resources"][0]["id"]


def _tmp_file(body: bytes) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".parquet", delete=False) as handle:
        handle.write(body)
    return handle.name


@pytest.fixture
def shared_points(ingest_text, make_org, add_member):
    """A partners dataset with coordinates: an OGC collection and a Data Package."""
    lines = ["commune;latitude;longitude;marge"]
    lines += [f"Metz;49.1{i};6.17;{SECRET_VALUE}" for i in range(5)]
    lines += [f"Nancy;48.69;6.1{i};{SECRET_VALUE}" for i in range(3)]
    dataset = ingest_text("\n".join(lines) + "\n", slug="sites", access="partners").dataset
    partner = make_org("startup-mobilite", "Startup Mobilité", kind="company")
    user = add_member(User.objects.create_user("partenaire"), partner.slug, "partner")
    client = Client()
    client.force_login(user)
    return dataset, partner, client


def test_ogc_features_and_the_data_package_obey_the_terms(shared_points):
    dataset, partner, client = shared_points
    grant(
        dataset,
        partner,
        allowed_fields=["commune", "latitude", "longitude"],
        row_filter="commune = 'Metz'",
    )
    items = get_json(client, "/ogc/collections/sites/items", limit=100)
    assert items["numberMatched"] == 5
    assert {f["properties"].get("commune") for f in items["features"]} == {"Metz"}
    assert all(HIDDEN not in f["properties"] for f in items["features"])
    package = get_json(client, "/jeux-de-donnees/sites/datapackage.json")
    (resource,) = package["resources"]
    assert HIDDEN not in {f["name"] for f in resource["schema"]["fields"]}
