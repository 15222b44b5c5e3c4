"""The dataset page's chart builder and map: what the server offers them, and how."""

import json
import re
from html import unescape

import pytest

from territoria.portal.visualise import (
    chart_fields,
    chart_state,
    map_points,
    policy_with_tiles,
    tiles_origin,
)

SHOPS_CSV = (
    "commune;categorie;montant;population;date_creation;latitude;longitude\n"
    "Metz;Commerce;12,5;118000;03/04/2019;49.1193;6.1757\n"
    "Nancy;Santé;20;104000;15/06/2020;48.6921;6.1844\n"
    "Reims;Commerce;7,25;180000;01/01/2021;49.2583;4.0317\n"
)
FIELDS = [
    {"name": "commune", "type": "string"},
    {"name": "categorie", "type": "string", "title": "Catégorie"},
    {"name": "montant", "type": "number"},
    {"name": "population", "type": "integer"},
    {"name": "date_creation", "type": "date"},
    {"name": "contour", "type": "geojson"},
]


def config(response, attribute: str) -> dict:
    """The JSON a script reads from a ``data-*`` attribute of the page."""
    found = re.search(rf'{attribute}="([^"]*)"', response.content.decode())
    assert found, f"{attribute} not in the page"
    return json.loads(unescape(found.group(1)))


def chart_config(response) -> dict:
    return config(response, r"data-chart\s+data-records-url=\"[^\"]*\"\s+data-config")


def test_chart_groups_by_text_dates_and_integers_and_measures_numbers():
    groups, measures = chart_fields(FIELDS)
    assert [g["name"] for g in groups] == ["commune", "categorie", "population", "date_creation"]
    assert [m["name"] for m in measures] == ["montant", "population"]
    assert groups[1] == {"name": "categorie", "title": "Catégorie", "type": "string"}


def test_chart_state_reads_the_query_string_and_checks_every_value():
    groups, measures = chart_fields(FIELDS)
    asked = {"chart": "pie", "chart_by": "categorie", "chart_agg": "avg", "chart_of": "montant"}
    state = chart_state(asked, groups, measures)
    assert state.as_json() == {"kind": "pie", "by": "categorie", "agg": "avg", "of": "montant"}
    hostile = {"chart": "<svg>", "chart_by": "nope", "chart_agg": "drop", "chart_of": "x"}
    assert chart_state(hostile, groups, measures).as_json() == {
        "kind": "bar",
        "by": "commune",
        "agg": "count",
        "of": None,
    }
    # A sum needs a numeric field: the first one when the one asked for is not numeric.
    state = chart_state({"chart_agg": "sum", "chart_of": "commune"}, groups, measures)
    assert (state.agg, state.of) == ("sum", "montant")
    # Counting ignores the numeric field.
    assert chart_state({"chart_of": "montant"}, groups, measures).of is None


def test_no_chart_without_a_field_to_group_by():
    assert chart_state({}, *chart_fields([{"name": "x", "type": "number"}])) is None


def test_map_points_come_from_the_schema_geo_description():
    fields = [{"name": n} for n in ("lat", "lon", "geo_point_2d", "geo_shape")]
    assert map_points({"fields": fields, "territoria:geo": {"lat": "lat", "lon": "lon"}}) == {
        "kind": "latlon",
        "lat": "lat",
        "lon": "lon",
    }
    geojson = {"shape": "geo_shape", "point": "geo_point_2d"}
    assert map_points({"fields": fields, "territoria:geo": geojson}) == {
        "kind": "point",
        "point": "geo_point_2d",
    }
    assert map_points({"fields": fields}) is None
    # A description naming a column the schema lacks is ignored rather than trusted.
    assert map_points({"fields": fields, "territoria:geo": {"lat": "y", "lon": "x"}}) is None


def test_a_tile_server_is_allowed_as_an_image_source_and_nothing_else():
    assert tiles_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert tiles_origin("javascript:alert(1)") is None
    policy = "default-src 'self'; img-src 'self' data:; connect-src 'self'"
    assert policy_with_tiles(policy, "https://tiles.example.org/{z}/{x}/{y}.png") == (
        "default-src 'self'; img-src 'self' data: https://tiles.example.org; connect-src 'self'"
    )
    assert policy_with_tiles(policy, "not a url") == policy


@pytest.fixture
def shops(ingest_text):
    return ingest_text(SHOPS_CSV, slug="commerces", title="Commerces")


def test_dataset_page_offers_the_chart_reproduced_from_its_url(client, shops):
    response = client.get(
        "/jeux-de-donnees/commerces/",
        {"chart": "line", "chart_by": "date_creation", "chart_agg": "sum", "chart_of": "montant"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'src="/static/portal/js/chart.js"' in page
    assert re.search(r'<option value="line" selected>', page)
    assert re.search(r'<option value="date_creation" selected>', page)
    assert re.search(r'<option value="sum" selected>', page)
    assert re.search(r'<option value="montant" selected>', page)
    chart = chart_config(response)
    assert chart["state"] == {"kind": "line", "by": "date_creation", "agg": "sum", "of": "montant"}
    assert chart["params"] == ["chart", "chart_by", "chart_agg", "chart_of"]
    # The chart reads the public records API, not a private endpoint.
    assert 'data-records-url="/api/explore/v2.1/catalog/datasets/commerces/records"' in page


def test_default_chart_counts_rows_by_a_facet_field(client, shops):
    chart = chart_config(client.get("/jeux-de-donnees/commerces/"))
    # commune and categorie both facet here; the first in schema order wins.
    assert chart["state"] == {"kind": "bar", "by": "commune", "agg": "count", "of": None}
    assert [m["name"] for m in chart["measures"]] == [
        "montant",
        "population",
        "latitude",
        "longitude",
    ]


def test_dataset_with_coordinates_gets_a_map_with_leaflet_from_our_origin(client, shops):
    response = client.get("/jeux-de-donnees/commerces/")
    page = response.content.decode()
    assert 'src="/static/leaflet/leaflet.js"' in page
    assert 'href="/static/leaflet/leaflet.css"' in page
    map_config = config(response, r"data-map\s+data-records-url=\"[^\"]*\"\s+data-config")
    assert map_config == {
        "points": {"kind": "latlon", "lat": "latitude", "lon": "longitude", "label": "commune"},
        "tiles": "",
        "attribution": "",
    }
    # No tile server by default: the policy stays 'self' only.
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]
    leaflet = client.get("/static/leaflet/leaflet.js")
    assert leaflet.status_code == 200
    assert b"Leaflet" in b"".join(leaflet.streaming_content)[:200]
    leaflet.close()


def test_a_configured_tile_server_reaches_the_map_and_the_policy(client, shops, settings):
    settings.MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILES_ATTRIBUTION = "© Contributeurs OpenStreetMap"
    response = client.get("/jeux-de-donnees/commerces/")
    map_config = config(response, r"data-map\s+data-records-url=\"[^\"]*\"\s+data-config")
    assert map_config["tiles"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert map_config["attribution"] == "© Contributeurs OpenStreetMap"
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.org;" in policy
    assert "script-src 'self';" in policy


def test_dataset_without_coordinates_has_no_map_and_no_leaflet(client, ingest_text):
    ingest_text("commune;categorie\nMetz;Commerce\nNancy;Santé\n", slug="sans-coordonnees")
    page = client.get("/jeux-de-donnees/sans-coordonnees/").content.decode()
    assert "data-map" not in page
    assert "leaflet" not in page
    assert "data-chart" in page


def test_dataset_without_version_has_neither_chart_nor_map(client, make_dataset):
    make_dataset("vide", title="Vide")
    page = client.get("/jeux-de-donnees/vide/").content.decode()
    assert "data-chart" not in page
    assert "data-map" not in page


def test_the_chart_api_call_answers_the_group_by_the_page_asks_for(client, shops):
    """What chart.js sends for 'average amount by category, largest first'."""
    response = client.get(
        "/api/explore/v2.1/catalog/datasets/commerces/records",
        {
            "group_by": "`categorie` as x",
            "select": "avg(`montant`) as y",
            "order_by": "y desc",
            "limit": "20",
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "total_count": 2,
        "results": [{"x": "Santé", "y": 20.0}, {"x": "Commerce", "y": 9.875}],
    }


def test_the_map_api_calls_answer_the_extent_and_the_points_of_a_view(client, shops):
    """What map.js sends: the data's extent, then the points inside the view."""
    url = "/api/explore/v2.1/catalog/datasets/commerces/records"
    select = "min(latitude) as s, max(latitude) as n, min(longitude) as w, max(longitude) as e"
    extent = client.get(url, {"select": select}).json()
    assert extent["results"] == [{"s": 48.6921, "n": 49.2583, "w": 4.0317, "e": 6.1844}]
    view = client.get(
        url,
        {
            "select": "`latitude`, `longitude`, `commune`",
            "where": "`latitude` >= 48.5 and `latitude` <= 49.2 and `longitude` >= 5.5"
            " and `longitude` <= 6.5",
            "limit": "100",
            "offset": "0",
        },
    ).json()
    assert view["total_count"] == 2
    assert [r["commune"] for r in view["results"]] == ["Metz", "Nancy"]


def test_geojson_dataset_gets_a_map_of_its_point_column_and_no_chart_of_geometries(
    client, ingest_text
):
    feature = {
        "type": "Feature",
        "properties": {"nom": "Metz"},
        "geometry": {"type": "Point", "coordinates": [6.1757, 49.1193]},
    }
    ingest_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), slug="lieux")
    response = client.get("/jeux-de-donnees/lieux/")
    map_config = config(response, r"data-map\s+data-records-url=\"[^\"]*\"\s+data-config")
    assert map_config["points"] == {"kind": "point", "point": "geo_point_2d", "label": "nom"}
    chart = chart_config(response)
    assert [g["name"] for g in chart["groups"]] == ["nom"]
    assert chart["measures"] == []
