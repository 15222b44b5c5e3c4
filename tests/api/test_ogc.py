"""OGC API – Features over HTTP: documents, collections behind the gate, items and filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, override_settings

from territoria.api.ogc.params import bbox_clause, datetime_clause
from territoria.datastore.errors import QueryError

BASE = "/ogc"
SECRET = "SECRET-PARTENAIRES-7"
COMMUNES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {
                "nom": "Colmar",
                "code": "68066",
                "maj": "2024-03-01",
                "chef_lieu": False,
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[7.3, 48.05], [7.4, 48.05], [7.4, 48.12], [7.3, 48.12], [7.3, 48.05]]
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {"nom": "Metz", "code": "57463", "maj": "2023-06-15", "chef_lieu": True},
            "geometry": {"type": "Point", "coordinates": [6.1757, 49.1193]},
        },
        {
            "type": "Feature",
            "properties": {
                "nom": "Reims",
                "code": "51454",
                "maj": "2022-01-10",
                "chef_lieu": False,
            },
            "geometry": {"type": "Point", "coordinates": [4.0317, 49.2583]},
        },
    ],
}
STATIONS = (
    "station;latitude;longitude;no2;mesure\n"
    "Metz Borny;49,1193;6,1757;22,5;01/03/2024\n"
    "Strasbourg Clemenceau;48,5734;7,7521;41,5;15/06/2023\n"
    "Reims Jean Jaurès;49,2583;4,0317;30,0;10/01/2022\n"
)
# 250 points on a line from (5.0, 48.0): enough for pages beyond the engine's 100 rows.
POINTS = "n;lat;lon\n" + "".join(
    f"{i};{48 + i / 1000:.3f};{5 + i / 1000:.3f}\n" for i in range(1, 251)
)


def build_geo_region(root: Path):
    """Open: a GeoJSON layer (communes), CSV points (stations, points), a table without
    coordinates (budget); partners: stations whose title carries SECRET. Returns the steward."""
    from django.contrib.auth.models import User

    from territoria.accounts.models import Membership
    from territoria.catalog.models import Organisation
    from territoria.ingest.services import do_ingest_file

    Organisation.objects.create(slug="region-grand-est", name="Région Grand Est", kind="region")
    specs = [
        ("communes", "geojson", json.dumps(COMMUNES), "open", "Communes du Grand Est"),
        ("stations", "csv", STATIONS, "open", "Stations de mesure"),
        ("points", "csv", POINTS, "open", "Points"),
        ("budget", "csv", "poste;montant\nvoirie;12\n", "open", "Budget"),
        ("capteurs-partenaires", "csv", STATIONS, "partners", f"Capteurs {SECRET}"),
    ]
    for slug, suffix, text, access, title in specs:
        path = root / f"{slug}.{suffix}"
        path.write_text(text, encoding="utf-8")
        do_ingest_file(
            path,
            dataset_slug=slug,
            org_slug="region-grand-est",
            title=title,
            access=access,
            metadata={"keywords": ["carte"], "description": f"À propos de {title}"},
        )
    steward = User.objects.create_user("steward", "s@example.org", "s3cret-pass")
    organisation = Organisation.objects.get(slug="region-grand-est")
    Membership.objects.create(user=steward, organisation=organisation, role="steward")
    return steward


@pytest.fixture(scope="module")
def geo_region(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("ogc")
    with django_db_blocker.unblock(), override_settings(DATASTORE_ROOT=root), transaction.atomic():
        steward = build_geo_region(root)
        yield root, steward
        transaction.set_rollback(True)


@pytest.fixture
def ogc(geo_region, settings, db):
    settings.DATASTORE_ROOT = geo_region[0]
    return Client()


def get(client, path, **params):
    response = client.get(f"{BASE}{path}", params)
    return response, json.loads(response.content)


def test_landing_page_links_the_definition_conformance_and_collections(ogc):
    response, body = get(ogc, "/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert rels["service-desc"] == "http://testserver/ogc/api"
    assert rels["conformance"] == "http://testserver/ogc/conformance"
    assert rels["data"] == "http://testserver/ogc/collections"
    _, conformance = get(ogc, "/conformance")
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
        in (conformance["conformsTo"])
    )
    response, definition = get(ogc, "/api")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert definition["openapi"] == "3.0.3"
    assert "/collections/{collectionId}/items" in definition["paths"]


def test_collections_are_the_visible_datasets_with_a_geometry(ogc, geo_region, settings):
    response, body = get(ogc, "/collections")
    assert response.status_code == 200
    assert [c["id"] for c in body["collections"]] == ["communes", "points", "stations"]
    assert SECRET not in response.content.decode()
    communes = body["collections"][0]
    assert communes["extent"]["spatial"]["bbox"] == [[4.0317, 48.05, 7.4, 49.2583]]
    assert communes["extent"]["temporal"]["interval"] == [
        ["2022-01-10T00:00:00Z", "2024-03-01T00:00:00Z"]
    ]
    rels = {link["rel"]: link for link in communes["links"]}
    assert rels["items"]["href"] == "http://testserver/ogc/collections/communes/items"
    assert rels["items"]["type"] == "application/geo+json"
    assert rels["alternate"]["href"] == "http://testserver/jeux-de-donnees/communes/"
    assert rels["canonical"]["href"] == f"{settings.BASE_URL}/jeux-de-donnees/communes/"
    ogc.force_login(geo_region[1])
    _, body = get(ogc, "/collections")
    assert "capteurs-partenaires" in [c["id"] for c in body["collections"]]


@pytest.mark.parametrize(
    "path",
    [
        "/collections/capteurs-partenaires",
        "/collections/capteurs-partenaires/items",
        "/collections/capteurs-partenaires/items/1",
        "/collections/budget/items",
        "/collections/absent/items",
    ],
)
def test_hidden_missing_and_flat_datasets_are_the_same_404(ogc, path):
    response, body = get(ogc, path)
    assert response.status_code == 404
    assert body == {"code": "NotFound", "description": "Unknown collection or feature."}


def test_items_of_a_geojson_layer_are_features_with_row_number_ids(ogc):
    response, body = get(ogc, "/collections/communes/items", limit=2)
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert (body["numberMatched"], body["numberReturned"]) == (3, 2)
    assert body["timeStamp"].endswith("Z")
    first, second = body["features"]
    assert first["id"] == 1 and first["geometry"]["type"] == "Polygon"
    assert first["properties"] == {
        "nom": "Colmar",
        "code": "68066",
        "maj": "2024-03-01",
        "chef_lieu": False,
    }
    assert second["geometry"] == {"type": "Point", "coordinates": [6.1757, 49.1193]}
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert "prev" not in rels
    _, rest = get(ogc, rels["next"].removeprefix("http://testserver/ogc"))
    assert [f["properties"]["nom"] for f in rest["features"]] == ["Reims"]
    assert rest["features"][0]["id"] == 3 and "next" not in [x["rel"] for x in rest["links"]]


def test_bbox_datetime_and_property_filters_keep_the_ids_of_the_whole_layer(ogc):
    _, body = get(ogc, "/collections/stations/items", bbox="5,48,8,49.2")
    assert [(f["id"], f["properties"]["station"]) for f in body["features"]] == [
        (1, "Metz Borny"),
        (2, "Strasbourg Clemenceau"),
    ]
    assert body["features"][0]["geometry"] == {"type": "Point", "coordinates": [6.1757, 49.1193]}
    _, body = get(ogc, "/collections/stations/items", datetime="2022-01-01/2023-12-31")
    assert [f["id"] for f in body["features"]] == [2, 3] and body["numberMatched"] == 2
    _, body = get(ogc, "/collections/stations/items", datetime="../2022-12-31")
    assert [f["id"] for f in body["features"]] == [3]
    _, body = get(ogc, "/collections/stations/items", station="Reims Jean Jaurès")
    (reims,) = body["features"]
    assert reims["id"] == 3
    response, single = get(ogc, "/collections/stations/items/3")
    assert response["Content-Type"] == "application/geo+json"
    assert {k: v for k, v in single.items() if k != "links"} == reims
    _, polygons = get(ogc, "/collections/communes/items", bbox="7.35,48.0,7.5,48.1")
    assert [f["properties"]["nom"] for f in polygons["features"]] == ["Colmar"]


def test_large_pages_and_offsets_read_past_the_engines_page_size(ogc):
    _, body = get(ogc, "/collections/points/items", limit=150, offset=20)
    assert body["numberReturned"] == 150 and body["numberMatched"] == 250
    assert [f["id"] for f in body["features"]][:2] == [21, 22]
    assert body["features"][-1]["properties"]["n"] == 170
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert rels["prev"].endswith("limit=150&offset=0")
    _, rest = get(ogc, rels["next"].removeprefix("http://testserver/ogc"))
    assert [f["id"] for f in rest["features"]] == list(range(171, 251))
    _, clamped = get(ogc, "/collections/points/items", limit=50_000)
    assert clamped["numberReturned"] == 250
    _, single = get(ogc, "/collections/points/items/250")
    assert single["properties"] == {"n": 250, "lat": 48.25, "lon": 5.25}


@pytest.mark.parametrize(
    ("params", "fault"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "8,48,5,49"}, "antimeridian"),
        ({"datetime": "hier"}, "RFC 3339"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"statoin": "Metz"}, "unknown parameter"),
        ({"bbox-crs": "EPSG:2154", "bbox": "1,2,3,4"}, "bbox-crs"),
        ({"f": "html"}, "f:"),
    ],
)
def test_malformed_parameters_are_a_400_naming_them(ogc, params, fault):
    response, body = get(ogc, "/collections/stations/items", **params)
    assert response.status_code == 400
    assert body["code"] == "InvalidParameterValue" and fault in body["description"]


def test_a_feature_id_outside_the_layer_is_a_404(ogc):
    for fid in ("0", "4", "abc"):
        response, _ = get(ogc, f"/collections/stations/items/{fid}")
        assert response.status_code == 404


def test_bbox_and_datetime_become_odsql_written_by_us_alone():
    assert bbox_clause("5,48,8,49.5", "geo_shape") == (
        "in_bbox(geo_shape, 48.0000000000, 5.0000000000, 49.5000000000, 8.0000000000)"
    )
    assert bbox_clause("5,48,0,8,49.5,100", "`le point`").startswith("in_bbox(```le point```")
    assert (
        datetime_clause("2024-01-01T10:00:00Z", "mesure") == "mesure = date'2024-01-01T10:00:00Z'"
    )
    assert datetime_clause("../..", "mesure") is None
    with pytest.raises(QueryError):
        datetime_clause("2024-01-01'), true or ('", "mesure")
    with pytest.raises(QueryError):
        bbox_clause("nan,1,2,3", "geo_shape")
