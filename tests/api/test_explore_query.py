"""Explore v2.1 over HTTP: geo ODSQL, cursors, lang/timezone, new exports, ETag caching."""

import io
import json

import pytest
from python_calamine import CalamineWorkbook

BASE = "/api/explore/v2.1/catalog/datasets"
STATIONS = (
    "station;latitude;longitude;no2\n"
    "Metz Borny;49,1193;6,1757;22,5\n"
    "Strasbourg Clemenceau;48,5734;7,7521;41,5\n"
    "Reims Jean Jaurès;49,2583;4,0317;30,0\n"
)


@pytest.fixture
def stations(ingest_text):
    ingest_text(STATIONS, slug="stations", access="open")
    ingest_text(STATIONS, slug="stations-internes", access="internal")


def get(client, url, **params):
    response = client.get(url, params)
    body = None
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(response.content)
    return response, body


@pytest.mark.django_db
def test_geo_filter_and_distance_through_the_api(client, stations):
    response, body = get(
        client,
        f"{BASE}/stations/records",
        where="within_distance(geo_point_2d, geom'POINT(6.2 49.1)', 140km)",
        select="station, distance(geo_point_2d, geom'POINT(6.2 49.1)', 'km') as km",
        order_by="km",
    )
    assert response.status_code == 200
    assert [r["station"] for r in body["results"]] == ["Metz Borny", "Strasbourg Clemenceau"]
    assert body["results"][0]["km"] < 5


@pytest.mark.django_db
def test_malformed_geometry_is_a_400_naming_the_fault(client, stations):
    response, body = get(
        client, f"{BASE}/stations/records", where="in_bbox(geo_point_2d, geom'POINT(1)')"
    )
    assert response.status_code == 400
    assert body["error_code"] == "ODSQLError" and body["param"] == "where"
    assert "invalid geometry" in body["message"] and body["position"] == 22


@pytest.mark.django_db
def test_next_link_reads_the_whole_dataset_page_by_page(client, stations):
    url, params, seen = f"{BASE}/stations/records", {"select": "station", "limit": 2}, []
    while True:
        response, body = get(client, url, **params)
        assert response.status_code == 200 and body["total_count"] == 3
        seen += [r["station"] for r in body["results"]]
        if "links" not in body:
            break
        (link,) = body["links"]
        assert link["rel"] == "next" and link["href"].startswith("http://testserver/")
        response = client.get(link["href"])
        body = json.loads(response.content)
        seen += [r["station"] for r in body["results"]]
        assert "links" not in body
        break
    assert seen == ["Metz Borny", "Strasbourg Clemenceau", "Reims Jean Jaurès"]


@pytest.mark.django_db
def test_lang_and_timezone_are_checked(client, stations):
    for param, value in (("timezone", "Nowhere/Atlantis"), ("lang", "xx")):
        response, body = get(client, f"{BASE}/stations/records", **{param: value})
        assert response.status_code == 400 and body["param"] == param


@pytest.mark.django_db
def test_geojson_and_xlsx_exports(client, stations):
    response = client.get(f"{BASE}/stations/exports/geojson", {"select": "station"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(b"".join(response.streaming_content))
    assert data["features"][0] == {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [6.1757, 49.1193]},
        "properties": {"station": "Metz Borny"},
    }
    response = client.get(f"{BASE}/stations/exports/xlsx", {"order_by": "no2 desc"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="stations.xlsx"'
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.get_sheet_by_index(0).to_python()
    assert sheet[0] == ["station", "latitude", "longitude", "no2"]
    assert sheet[1][0] == "Strasbourg Clemenceau" and sheet[1][3] == 41.5


@pytest.mark.django_db
def test_answers_carry_an_etag_and_a_matching_request_gets_a_304(client, stations):
    url = f"{BASE}/stations/records"
    first = client.get(url, {"where": "no2 > 25"})
    etag = first["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    again = client.get(url, {"where": "no2 > 25"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    other = client.get(url, {"where": "no2 > 30"}, headers={"If-None-Match": etag})
    assert other.status_code == 200 and other["ETag"] != etag
    facets = client.get(f"{BASE}/stations/facets")
    export = client.get(f"{BASE}/stations/exports/csv")
    assert len({etag, facets["ETag"], export["ETag"]}) == 3


@pytest.mark.django_db
def test_a_new_version_changes_the_etag(client, stations, ingest_text):
    url = f"{BASE}/stations/records"
    etag = client.get(url)["ETag"]
    ingest_text(STATIONS + "Nancy;48,6921;6,1844;28,0\n", slug="stations", access="open")
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response["ETag"] != etag
    assert json.loads(response.content)["total_count"] == 4


@pytest.mark.django_db
def test_protected_answers_are_private_and_their_etag_is_the_callers(client, stations, staff_user):
    url = f"{BASE}/stations-internes/records"
    assert client.get(url).status_code == 404
    client.force_login(staff_user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
    assert "Cookie" in response["Vary"]
    client.logout()
    # Anonymous with the steward's ETag: still the 404 of a dataset that does not exist.
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 404
