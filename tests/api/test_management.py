"""Management API: token auth and scopes, uploads, publication, rollback, OpenAPI."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from territoria.governance.models import ApiToken


@pytest.fixture
def write_token(staff_user):
    return ApiToken.issue(staff_user, "ci", scope="write")[1]


@pytest.fixture
def read_token(staff_user):
    return ApiToken.issue(staff_user, "ro", scope="read")[1]


def upload(client, slug, content, token, scheme="Bearer", **extra):
    return client.post(
        f"/api/1/datasets/{slug}/upload",
        {"file": SimpleUploadedFile("data.csv", content), **extra},
        HTTP_AUTHORIZATION=f"{scheme} {token}",
    )


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/1/openapi.json")
    assert response.status_code == 200
    assert "/api/1/datasets/{slug}/upload" in response.json()["paths"]
    assert client.get("/api/1/docs").status_code == 200


@pytest.mark.django_db
def test_upload_with_write_token_publishes_a_version(client, ingest_text, write_token):
    ingest_text("a;b\n1;x\n", slug="d", access="internal")
    response = upload(client, "d", b"a;b\n1;x\n2;y\n", write_token, scheme="Apikey")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["row_count"] == 2 and body["status"] == "published"
    records = client.get(
        "/api/explore/v2.1/catalog/datasets/d/records",
        HTTP_AUTHORIZATION=f"Bearer {write_token}",
    ).json()
    assert records["total_count"] == 2


@pytest.mark.django_db
def test_broken_upload_is_a_400_and_keeps_the_live_version(client, ingest_text, write_token):
    ingest_text("a;b\n1;x\n", slug="d", access="open")
    response = upload(client, "d", b"a;b\n1;x\n2;y;z\n", write_token)
    assert response.status_code == 400
    assert response.json() == {"detail": "data.csv: line 3: 3 fields, expected 2"}
    records = client.get("/api/explore/v2.1/catalog/datasets/d/records").json()
    assert records["total_count"] == 1


@pytest.mark.django_db
def test_read_token_cannot_write(client, ingest_text, read_token):
    ingest_text("a;b\n1;x\n", slug="d", access="open")
    assert upload(client, "d", b"a;b\n2;y\n", read_token).status_code == 403


@pytest.mark.django_db
def test_anonymous_cannot_write_and_bad_token_is_refused(client, ingest_text):
    ingest_text("a;b\n1;x\n", slug="d", access="open")
    response = client.post(
        "/api/1/datasets/d/upload", {"file": SimpleUploadedFile("x.csv", b"a\n1\n")}
    )
    assert response.status_code == 401
    assert upload(client, "d", b"a\n1\n", "trt_not-a-token").status_code == 401


@pytest.mark.django_db
def test_non_staff_writer_sees_404_on_datasets_it_cannot_see(client, ingest_text, plain_user):
    ingest_text("a;b\n1;x\n", slug="secret", access="internal")
    raw = ApiToken.issue(plain_user, "w", scope="write")[1]
    assert upload(client, "secret", b"a;b\n2;y\n", raw).status_code == 404
    assert client.get("/api/1/datasets/secret").status_code == 404
    assert client.get("/api/1/datasets/secret/versions").status_code == 404


@pytest.mark.django_db
def test_create_dataset_then_publish_and_rollback(client, make_org, write_token):
    make_org(slug="ville-de-metz", name="Ville de Metz", kind="commune")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {write_token}"}
    created = client.post(
        "/api/1/datasets",
        {
            "slug": "arbres",
            "title": "Arbres d'alignement",
            "organisation": "ville-de-metz",
            "access_level": "open",
            "themes": ["ENVI"],
        },
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    first = upload(client, "arbres", b"id;espece\n1;Tilleul\n", write_token).json()
    second = upload(client, "arbres", b"id;espece\n1;Tilleul\n2;Platane\n", write_token).json()
    versions = client.get("/api/1/datasets/arbres/versions").json()
    assert [v["key"] for v in versions] == [second["key"], first["key"]]
    rolled = client.post("/api/1/datasets/arbres/rollback", **auth)
    assert rolled.json()["key"] == first["key"]
    again = client.post(f"/api/1/datasets/arbres/versions/{second['key']}/publish", **auth)
    assert again.json()["status"] == "published"


@pytest.mark.django_db
def test_create_dataset_refuses_unknown_theme(client, make_org, write_token):
    make_org(slug="o")
    response = client.post(
        "/api/1/datasets",
        {"slug": "x", "title": "X", "organisation": "o", "themes": ["NOPE"]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {write_token}",
    )
    assert response.status_code == 400
    assert "NOPE" in response.json()["detail"]
