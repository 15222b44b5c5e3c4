"""Management API: declared schema (descriptor or URL), validation reports and quality score.

The schema URL is served by a local http.server thread: no test reaches the internet. Loopback
addresses are refused unless ``SOURCES_ALLOW_PRIVATE`` (the fetch of URL sources is reused).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from territoria.governance.models import ApiToken

FIXTURES = Path(__file__).parent.parent / "fixtures" / "schema-equipements"
SCHEMA = json.loads((FIXTURES / "schema.json").read_text())


@pytest.fixture
def write_auth(staff_user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(staff_user, 'ci', scope='write')[1]}"}


@pytest.fixture(scope="module")
def schema_server():
    """http://127.0.0.1:<port>/schema.json answers the fixture schema; /broken.json is not JSON;
    /missing.json is a 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            bodies = {"/schema.json": json.dumps(SCHEMA).encode(), "/broken.json": b"<html>"}
            body = bodies.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(settings):
    settings.SOURCES_ALLOW_PRIVATE = True


@pytest.fixture
def equipements(ingest_text):
    return ingest_text((FIXTURES / "equipements-invalides.csv").read_bytes(), slug="equipements")


def _put(client, auth, body):
    return client.put(
        "/api/1/datasets/equipements/schema",
        data=json.dumps(body),
        content_type="application/json",
        **auth,
    )


@pytest.mark.django_db
def test_declaring_a_schema_url_fetches_it_and_validates_the_live_version(
    client, equipements, write_auth, schema_server, allow_loopback
):
    response = _put(client, write_auth, {"url": f"{schema_server}/schema.json"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["url"] == f"{schema_server}/schema.json"
    assert body["table_schema"]["name"] == "equipements-publics"
    assert body["fetched_at"] is not None
    assert body["validation"]["schema"]["source"] == "declared"
    assert body["validation"]["invalid_rows"] == 3
    assert client.get("/api/1/datasets/equipements/schema").json()["url"] == body["url"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "detail"),
    [("/missing.json", "HTTP 404"), ("/broken.json", "not a JSON document")],
)
def test_an_unusable_schema_url_is_a_400_and_changes_nothing(
    client, equipements, write_auth, schema_server, allow_loopback, path, detail
):
    response = _put(client, write_auth, {"url": f"{schema_server}{path}"})
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert client.get("/api/1/datasets/equipements/schema").json()["table_schema"] == {}


@pytest.mark.django_db
def test_a_schema_url_on_a_private_address_is_refused(
    client, equipements, write_auth, schema_server
):
    response = _put(client, write_auth, {"url": f"{schema_server}/schema.json"})
    assert response.status_code == 400
    assert "127.0.0.1" in response.json()["detail"]
    response = _put(client, write_auth, {"url": "file:///etc/passwd"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_later_upload_is_validated_against_the_declared_schema(
    client, equipements, write_auth, ingest_text
):
    assert _put(client, write_auth, {"table_schema": SCHEMA}).status_code == 200
    outcome = ingest_text(
        "id,code_insee,nom,categorie,capacite,surface,ouverture,accessible,contact,coordonnees\n"
        'E1,67482,Piscine,sport,120,250.5,2020-01-14,true,a@b.fr,"[7.75,48.58]"\n',
        slug="equipements",
    )
    report = client.get(
        f"/api/1/datasets/equipements/versions/{outcome.version.key}/validation"
    ).json()
    assert report["schema"]["name"] == "equipements-publics"
    assert [e["code"] for e in report["errors"]] == ["missing-column"]
    assert report["errors"][0]["message"] == (
        "Le schéma déclare la colonne « telephone », absente du fichier."
    )
    assert report["conformance"] == 1.0


@pytest.mark.django_db
def test_validation_report_speaks_french_with_rows_and_values(client, equipements, write_auth):
    _put(client, write_auth, {"table_schema": SCHEMA})
    key = equipements.version.key
    report = client.get(f"/api/1/datasets/equipements/versions/{key}/validation").json()
    surface = next(
        e for e in report["errors"] if e["code"] == "type-error" and e["field"] == "surface"
    )
    assert surface["title"] == "Type incorrect"
    assert surface["message"] == "Valeurs de « surface » qui ne sont pas du type nombre."
    assert surface["examples"] == [{"row": 4, "value": "abc"}]  # the live version: readable
    assert report["values_masked"] is False


@pytest.mark.django_db
def test_quality_endpoint_explains_the_score(client, equipements):
    body = client.get("/api/1/datasets/equipements/quality").json()
    codes = [c["code"] for c in body["criteria"]]
    assert codes[:9] == [
        "licence",
        "temporal_coverage",
        "spatial_coverage",
        "frequency_set",
        "frequency_kept",
        "description",
        "open_format",
        "resources_reachable",
        "documentation",
    ]
    assert codes[9:] == ["conformance", "completeness", "freshness"]
    assert 0 <= body["score"] <= 100
    assert body["criteria"][0]["label"] == "Licence"


@pytest.mark.django_db
def test_private_dataset_quality_and_schema_answer_404(client, ingest_text):
    ingest_text("a\n1\n", slug="interne", access="internal")
    assert client.get("/api/1/datasets/interne/quality").status_code == 404
    assert client.get("/api/1/datasets/interne/schema").status_code == 404


@pytest.mark.django_db
def test_declaring_a_schema_needs_the_right_to_write(client, equipements, plain_user):
    client.force_login(plain_user)
    response = _put(client, {}, {"table_schema": SCHEMA})
    assert response.status_code == 404  # an open dataset the user may read but not write
