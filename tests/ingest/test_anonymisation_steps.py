"""Anonymisation steps in the catalog: re-applied to every new version with the platform's key
(``TERRITORIA_PSEUDONYM_KEY`` or its key file), which appears in no stored JSON and no page."""

import json

import duckdb
import pytest

from territoria.catalog.models import Resource, Version
from territoria.datastore.anonymise import master_key, pseudonym, recipient_key
from territoria.ingest.publication import live_version_info

# Publishing personal data needs a processing activity (GDPR record): every dataset has one.
pytestmark = pytest.mark.usefixtures("every_dataset_recorded")

SECRET = "a-platform-secret-of-forty-characters-00"
CSV = (
    "nir;nom;age;naissance\n"
    "1 85 05 57 463 001 29;Martin;34;15/03/1990\n"
    "2 90 12 67 482 002 51;Bernard;71;31/12/1952\n"
)
STEPS = [
    {"op": "pseudonymise", "field": "nir", "recipient": "insee"},
    {"op": "drop", "fields": ["nom"]},
    {"op": "generalise", "field": "age", "bands": 10},
    {"op": "generalise", "field": "naissance", "to": "year"},
]


@pytest.fixture
def keyed(settings):
    settings.PSEUDONYM_KEY = SECRET
    return recipient_key(master_key(SECRET), "insee")


def rows(dataset):
    info = live_version_info(dataset)
    return duckdb.sql(f"SELECT * FROM read_parquet('{info.parquet}')").fetchall()


def secrets_of(key: bytes) -> list[str]:
    return [SECRET, key.hex(), master_key(SECRET).hex()]


def test_the_steps_anonymise_every_new_version_with_stable_pseudonyms(ingest_text, keyed):
    dataset = ingest_text(CSV, slug="patients", access="internal").dataset
    Resource.objects.filter(dataset=dataset).update(steps=STEPS)
    ingest_text(CSV, slug="patients", access="internal")
    first = rows(dataset)
    assert first == [
        (pseudonym("185055746300129", keyed), "30-39", 1990),
        (pseudonym("290126748200251", keyed), "70-79", 1952),
    ]
    ingest_text(
        CSV + "1 85 05 57 463 001 29;Martin;35;15/03/1990\n", slug="patients", access="internal"
    )
    second = rows(dataset)
    assert second[:2] == first and second[2][0] == first[0][0]  # the same person, the same id
    stored = [json.dumps(v.schema) for v in Version.objects.filter(resource__dataset=dataset)]
    stored.append(json.dumps(Resource.objects.get(dataset=dataset).steps))
    stored.append((live_version_info(dataset).parquet.parent / "version.json").read_text())
    for secret in secrets_of(keyed):
        assert not any(secret in text for text in stored)


def test_outside_production_the_key_file_is_created_once_and_reused(
    ingest_text, settings, tmp_path
):
    settings.PSEUDONYM_KEY = ""
    settings.PSEUDONYM_KEY_FILE = tmp_path / "keys" / "pseudonym.key"
    dataset = ingest_text(CSV, slug="patients", access="internal").dataset
    Resource.objects.filter(dataset=dataset).update(steps=STEPS[:1])
    ingest_text(CSV, slug="patients", access="internal")
    assert settings.PSEUDONYM_KEY_FILE.stat().st_mode & 0o777 == 0o600
    key = recipient_key(master_key(settings.PSEUDONYM_KEY_FILE.read_text()), "insee")
    assert rows(dataset)[0][0] == pseudonym("185055746300129", key)
    ingest_text(CSV, slug="patients", access="internal")
    assert rows(dataset)[0][0] == pseudonym("185055746300129", key)


def test_in_production_without_a_key_the_version_fails_and_the_published_one_stays(
    ingest_text, settings, tmp_path
):
    from territoria.ingest.services import IngestionFailed

    settings.PSEUDONYM_KEY = ""
    settings.PRODUCTION = True
    settings.PSEUDONYM_KEY_FILE = tmp_path / "missing.key"
    dataset = ingest_text(CSV, slug="patients", access="internal").dataset
    before = live_version_info(dataset).key
    Resource.objects.filter(dataset=dataset).update(steps=STEPS[:1])
    with pytest.raises(IngestionFailed, match="pseudonymisation key: .*missing"):
        ingest_text(CSV, slug="patients", access="internal")
    assert live_version_info(dataset).key == before
    assert not settings.PSEUDONYM_KEY_FILE.exists()


def test_no_page_nor_api_shows_the_key(client, staff_user, ingest_text, keyed):
    dataset = ingest_text(CSV, slug="patients", access="internal").dataset
    Resource.objects.filter(dataset=dataset).update(steps=STEPS)
    ingest_text(CSV, slug="patients", access="internal")
    client.force_login(staff_user)
    preview = client.post(
        "/api/1/datasets/patients/steps/preview",
        json.dumps({"steps": STEPS, "limit": 1}),
        content_type="application/json",
    )
    assert preview.json()["after"]["rows"] == [[pseudonym("185055746300129", keyed), "30-39", 1990]]
    pages = [
        preview.content.decode(),
        client.get("/api/1/datasets/patients/steps").content.decode(),
        client.get("/jeux-de-donnees/patients/etapes/").content.decode(),
        client.get("/jeux-de-donnees/patients/").content.decode(),
        client.get("/api/explore/v2.1/catalog/datasets/patients/records").content.decode(),
    ]
    assert '"recipient": "insee"' in pages[1]
    for secret in secrets_of(keyed):
        assert not any(secret in page for page in pages)
