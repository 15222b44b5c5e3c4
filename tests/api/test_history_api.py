"""Management API for the version history (one version, diff, rollback to a version) and for
URL sources (``/api/1/datasets/{slug}/source``)."""

import pytest

from territoria.catalog.models import Resource, Version
from territoria.governance.models import ApiToken

V1 = "code;nom;hauteur\nA1;Tilleul;12\nA2;Érable;8\nA3;Chêne;20\n"
V2 = "code;nom;hauteur\nA1;Tilleul;13\nA2;Érable;8\nA4;Platane;15\n"


@pytest.fixture
def write_token(staff_user):
    return ApiToken.issue(staff_user, "ci", scope="write")[1]


@pytest.fixture
def read_token(staff_user):
    return ApiToken.issue(staff_user, "ro", scope="read")[1]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def arbres(ingest_text, staff_user):
    return [
        ingest_text(text, slug="arbres", access="internal", user=staff_user).version
        for text in (V1, V2)
    ]


def test_a_version_shows_its_reports_status_and_author_to_a_writer(client, arbres, write_token):
    first, live = arbres
    answer = client.get(f"/api/1/datasets/arbres/versions/{live.key}", **bearer(write_token))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["key"], body["live"], body["restorable"]) == (live.key, True, False)
    assert body["row_count"] == 3 and body["status"] == "published"
    assert body["created_by"] == "steward"
    assert isinstance(body["reports"], dict)
    old = client.get(f"/api/1/datasets/arbres/versions/{first.key}", **bearer(write_token))
    assert (old.json()["live"], old.json()["restorable"]) == (False, True)


def test_the_version_list_carries_the_reports(client, arbres, write_token):
    first, _ = arbres
    Version.objects.filter(pk=first.pk).update(reports={"test": {"checked": 7}})
    listed = client.get("/api/1/datasets/arbres/versions", **bearer(write_token)).json()
    assert listed[0]["reports"]["validation"]["valid"] is True  # every version is validated
    assert listed[1]["reports"] == {"test": {"checked": 7}}


def test_a_reader_of_an_open_dataset_does_not_see_who_made_a_version(client, ingest_text):
    version = ingest_text(V1, slug="ouvert").version
    body = client.get(f"/api/1/datasets/ouvert/versions/{version.key}").json()
    assert body["created_by"] is None


def test_versions_of_a_hidden_dataset_are_404(client, arbres):
    assert client.get(f"/api/1/datasets/arbres/versions/{arbres[0].key}").status_code == 404
    assert client.get("/api/1/datasets/arbres/diff").status_code == 404


def test_the_diff_defaults_to_the_live_version_and_the_one_before(client, arbres, write_token):
    first, live = arbres
    body = client.get("/api/1/datasets/arbres/diff", **bearer(write_token)).json()
    assert (body["old"], body["new"], body["key"]) == (first.key, live.key, "code")
    assert (body["added"], body["removed"], body["changed"], body["unchanged"]) == (1, 1, 1, 1)
    assert body["changed_columns"] == [{"name": "hauteur", "count": 1}]
    assert body["added_sample"] == [{"code": "A4", "nom": "Platane", "hauteur": 15}]
    assert body["changed_sample"] == [
        {"key": "A1", "changes": [{"field": "hauteur", "old": 12, "new": 13}]}
    ]


def test_the_diff_takes_versions_a_key_column_and_a_sample_size(client, arbres, write_token):
    first, live = arbres
    query = f"old={live.key}&new={first.key}&on=nom&sample=0"
    body = client.get(f"/api/1/datasets/arbres/diff?{query}", **bearer(write_token)).json()
    assert (body["key"], body["added"], body["removed"]) == ("nom", 1, 1)
    assert body["added_sample"] == []


def test_a_bad_key_column_is_a_400_with_a_code(client, arbres, write_token, ingest_text):
    answer = client.get("/api/1/datasets/arbres/diff?on=inconnue", **bearer(write_token))
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "unknown-key"
    assert answer.json()["field"] == "inconnue"


def test_a_dataset_with_one_version_has_nothing_to_diff(client, ingest_text):
    ingest_text(V1, slug="seul")
    body = client.get("/api/1/datasets/seul/diff").json()
    assert (body["old"], body["new"], body["added"]) == (None, None, 0)


def test_rollback_to_an_earlier_version(client, ingest_text, staff_user, write_token):
    versions = [
        ingest_text(text, slug="arbres", user=staff_user).version
        for text in (V1, V2, V1 + "A5;If;2\n")
    ]
    url = f"/api/1/datasets/arbres/versions/{versions[0].key}/rollback"
    answer = client.post(url, **bearer(write_token))
    assert answer.status_code == 200
    assert answer.json()["key"] == versions[0].key
    assert Resource.objects.get(dataset__slug="arbres").live_version_id == versions[0].pk
    again = client.post(url, **bearer(write_token))
    assert again.status_code == 400
    assert again.json()["detail"] == "this version is the live one"


def test_rollback_needs_a_write_token(client, arbres, read_token):
    url = f"/api/1/datasets/arbres/versions/{arbres[0].key}/rollback"
    assert client.post(url, **bearer(read_token)).status_code == 403
    assert client.post(url).status_code == 401


def test_a_writer_sets_reads_and_removes_a_url_source(client, arbres, write_token):
    payload = {"url": "https://data.colmar.fr/arbres.csv?cle=XYZ", "frequency": "DAILY"}
    answer = client.put(
        "/api/1/datasets/arbres/source",
        payload,
        content_type="application/json",
        **bearer(write_token),
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["url"], body["frequency"], body["state"]) == (payload["url"], "DAILY", "waiting")
    assert body["next_check_at"] is not None
    assert client.get("/api/1/datasets/arbres/source", **bearer(write_token)).json() == body
    gone = client.delete("/api/1/datasets/arbres/source", **bearer(write_token))
    assert gone.status_code == 204
    after = client.get("/api/1/datasets/arbres/source", **bearer(write_token)).json()
    assert (after["url"], after["state"]) == ("", "none")


def test_anyone_who_sees_the_dataset_sees_the_source_without_its_secrets(client, ingest_text):
    ingest_text(V1, slug="ouvert")
    Resource.objects.filter(dataset__slug="ouvert").update(
        source_url="https://agent:pw@data.colmar.fr/a.csv?cle=XYZ",
        refresh_frequency="HOURLY",
        last_error="HTTP 500",
        failure_count=1,
    )
    body = client.get("/api/1/datasets/ouvert/source").json()
    assert body["url"] == "https://data.colmar.fr/a.csv?…"
    assert (body["state"], body["last_error"]) == ("failing", "")


def test_a_source_that_cannot_be_fetched_is_refused(client, arbres, write_token):
    for url, frequency, reason in (
        ("file:///etc/passwd", "DAILY", "only http and https URLs are fetched, not file"),
        ("http://169.254.169.254/latest", "DAILY", "169.254.169.254 is not a public address"),
        ("https://data.colmar.fr/a.csv", "SOUVENT", "unknown frequency 'SOUVENT'"),
    ):
        answer = client.put(
            "/api/1/datasets/arbres/source",
            {"url": url, "frequency": frequency},
            content_type="application/json",
            **bearer(write_token),
        )
        assert answer.status_code == 400
        assert answer.json()["detail"].startswith(reason)


def test_a_refresh_without_a_source_is_a_400_and_a_reader_may_not_refresh(
    client, arbres, write_token, read_token
):
    answer = client.post("/api/1/datasets/arbres/source/refresh", **bearer(write_token))
    assert answer.status_code == 400
    assert (
        client.post("/api/1/datasets/arbres/source/refresh", **bearer(read_token)).status_code
        == 403
    )


def test_a_refresh_runs_the_fetch_and_reports_it(client, arbres, write_token, settings):
    settings.SOURCES_ALLOW_PRIVATE = True
    Resource.objects.filter(dataset__slug="arbres").update(
        source_url="http://127.0.0.1:9/arbres.csv", refresh_frequency="DAILY"
    )
    answer = client.post("/api/1/datasets/arbres/source/refresh", **bearer(write_token))
    body = answer.json()
    assert answer.status_code == 200
    assert (body["state"], body["error"]) == ("failed", "127.0.0.1: connection refused")
    assert body["source"]["failure_count"] == 1


def test_a_refresh_queues_a_job_and_a_second_one_follows_it(
    client, arbres, write_token, sqlite_queue
):
    Resource.objects.filter(dataset__slug="arbres").update(
        source_url="https://data.colmar.fr/arbres.csv", refresh_frequency="DAILY"
    )
    headers = {**bearer(write_token), "HTTP_PREFER": "respond-async"}
    first = client.post("/api/1/datasets/arbres/source/refresh", **headers)
    assert first.status_code == 202
    job = first.json()
    assert (job["kind"], job["status"], job["dataset"]) == ("refresh_source", "queued", "arbres")
    assert job["source"] == "https://data.colmar.fr/arbres.csv"
    assert (job["attempts"], job["max_attempts"]) == (0, 3)
    assert first["Location"] == f"/api/1/jobs/{job['id']}"
    second = client.post("/api/1/datasets/arbres/source/refresh", **headers)
    assert (second.status_code, second.json()["id"]) == (202, job["id"])
    listed = client.get("/api/1/jobs?status=queued", **bearer(write_token)).json()
    assert [j["id"] for j in listed] == [job["id"]]


def test_a_finished_refresh_answers_with_its_job(client, arbres, write_token, settings):
    settings.SOURCES_ALLOW_PRIVATE = True
    settings.SOURCES_ATTEMPTS = 2
    Resource.objects.filter(dataset__slug="arbres").update(
        source_url="http://127.0.0.1:9/arbres.csv", refresh_frequency="DAILY"
    )
    body = client.post("/api/1/datasets/arbres/source/refresh", **bearer(write_token)).json()
    assert (body["state"], body["job"]["status"], body["job"]["attempts"]) == (
        "failed",
        "failed",
        2,
    )
    log = body["job"]["attempt_log"]
    assert [(e["error"], e["retry_in"]) for e in log] == [
        ("127.0.0.1: connection refused", 30),
        ("127.0.0.1: connection refused", None),
    ]
