"""Explore v2.1 dialect: shapes, ODSQL through HTTP, errors, exports — all behind the gate."""

import csv
import io
import json

import duckdb
import pytest

BASE = "/api/explore/v2.1/catalog/datasets"
STATIONS = (
    "station;commune;code_insee;date;no2;pm10\n"
    "Strasbourg Clemenceau;Strasbourg;67482;01/01/2024;41,5;20\n"
    "Strasbourg Clemenceau;Strasbourg;67482;02/01/2024;38,0;18\n"
    "Metz Borny;Metz;57463;01/01/2024;22,5;\n"
    "Metz Borny;Metz;57463;02/01/2024;25,0;14\n"
    "Reims Jean Jaurès;Reims;51454;01/01/2024;30,0;16\n"
)


@pytest.fixture
def air(ingest_text):
    ingest_text(STATIONS, slug="qualite-air", access="open")
    ingest_text("a;b\n1;secret\n", slug="budget-interne", access="internal")


def get(client, url, **params):
    response = client.get(url, params)
    return response, json.loads(response.content) if response["Content-Type"].startswith(
        "application/json"
    ) else None


@pytest.mark.django_db
def test_catalog_lists_only_open_datasets_to_anonymous(client, air):
    response, body = get(client, BASE)
    assert response.status_code == 200
    assert [d["dataset_id"] for d in body["results"]] == ["qualite-air"]
    assert body["total_count"] == 1
    fields = {f["name"]: f["type"] for f in body["results"][0]["fields"]}
    assert fields["code_insee"] == "text" and fields["no2"] == "double"
    assert fields["date"] == "date"


@pytest.mark.django_db
def test_catalog_shows_everything_to_staff(client, air, staff_user):
    client.force_login(staff_user)
    _, body = get(client, BASE)
    assert body["total_count"] == 2


@pytest.mark.django_db
def test_records_filter_and_order(client, air):
    _, body = get(
        client,
        f"{BASE}/qualite-air/records",
        where='commune = "Strasbourg" and no2 > 39',
        select="station, date, no2",
    )
    assert body == {
        "total_count": 1,
        "results": [{"station": "Strasbourg Clemenceau", "date": "2024-01-01", "no2": 41.5}],
    }


@pytest.mark.django_db
def test_records_group_by_with_aggregates(client, air):
    _, body = get(
        client,
        f"{BASE}/qualite-air/records",
        select="commune, count(*) as n, avg(no2) as no2_moyen, max(pm10) as pm10_max",
        group_by="commune",
        order_by="commune",
    )
    assert body["results"] == [
        {"commune": "Metz", "n": 2, "no2_moyen": 23.75, "pm10_max": 14},
        {"commune": "Reims", "n": 1, "no2_moyen": 30.0, "pm10_max": 16},
        {"commune": "Strasbourg", "n": 2, "no2_moyen": 39.75, "pm10_max": 20},
    ]
    assert body["total_count"] == 3


@pytest.mark.django_db
def test_codes_keep_their_leading_zeros_through_the_api(client, ingest_text):
    ingest_text("code;nom\n08105;Charleville\n2A004;Ajaccio\n", slug="codes")
    _, body = get(client, f"{BASE}/codes/records", where='code = "08105"')
    assert body["results"] == [{"code": "08105", "nom": "Charleville"}]


@pytest.mark.django_db
def test_malformed_where_is_a_400_with_position(client, air):
    response, body = get(client, f"{BASE}/qualite-air/records", where="no2 > > 3")
    assert response.status_code == 400
    assert body["error_code"] == "ODSQLError"
    assert body["param"] == "where"
    assert isinstance(body["position"], int)
    assert "where" in body["message"]


@pytest.mark.django_db
def test_unknown_field_is_named(client, air):
    response, body = get(client, f"{BASE}/qualite-air/records", where="ozone > 3")
    assert response.status_code == 400
    assert body["field"] == "ozone"
    assert "ozone" in body["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "/records", "/facets", "/exports/csv"])
def test_unknown_and_internal_datasets_answer_the_same_404(client, air, suffix):
    for slug in ("nexiste-pas", "budget-interne"):
        response, body = get(client, f"{BASE}/{slug}{suffix}")
        assert response.status_code == 404
        assert body == {"error_code": "NotFound", "message": "Unknown dataset or resource."}


@pytest.mark.django_db
def test_staff_reads_internal_records(client, air, staff_user):
    client.force_login(staff_user)
    _, body = get(client, f"{BASE}/budget-interne/records")
    assert body["results"] == [{"a": 1, "b": "secret"}]


@pytest.mark.django_db
def test_facets_count_values(client, air):
    _, body = get(client, f"{BASE}/qualite-air/facets", facet="commune")
    commune = next(f for f in body["facets"] if f["name"] == "commune")
    assert [(v["name"], v["count"]) for v in commune["facets"]] == [
        ("Metz", 2),
        ("Strasbourg", 2),
        ("Reims", 1),
    ]


@pytest.mark.django_db
def test_refine_and_exclude(client, air):
    _, body = get(client, f"{BASE}/qualite-air/records", refine="commune:Metz")
    assert body["total_count"] == 2
    _, body = get(client, f"{BASE}/qualite-air/records", exclude="commune:Metz")
    assert body["total_count"] == 3


@pytest.mark.django_db
def test_csv_export_is_streamed_with_french_defaults(client, air):
    response = client.get(f"{BASE}/qualite-air/exports/csv", {"where": 'commune = "Metz"'})
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["station", "commune", "code_insee", "date", "no2", "pm10"]
    assert len(rows) == 3
    assert rows[1][2] == "57463"


@pytest.mark.django_db
def test_json_jsonl_and_parquet_exports(client, air, tmp_path):
    body = b"".join(client.get(f"{BASE}/qualite-air/exports/json").streaming_content)
    assert len(json.loads(body)) == 5
    lines = b"".join(client.get(f"{BASE}/qualite-air/exports/jsonl").streaming_content)
    assert [json.loads(x)["commune"] for x in lines.splitlines()][:2] == ["Strasbourg"] * 2
    parquet = tmp_path / "x.parquet"
    parquet.write_bytes(
        b"".join(client.get(f"{BASE}/qualite-air/exports/parquet").streaming_content)
    )
    assert duckdb.connect().execute(
        f"SELECT count(*), sum(no2) FROM read_parquet('{parquet}')"
    ).fetchone() == (5, 157.0)


@pytest.mark.django_db
def test_unknown_export_format_is_a_400(client, air):
    response, body = get(client, f"{BASE}/qualite-air/exports/docx")
    assert response.status_code == 400
    assert body["param"] == "format"


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "storage": "ok"}
