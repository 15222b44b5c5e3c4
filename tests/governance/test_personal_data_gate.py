"""The personal-data gate (decision 0023): findings stored for every new version, open
publication held until a steward resolves them, each resolution path, audit entries, and the
steward-only review page."""

from __future__ import annotations

import io

import duckdb
import pytest
from django.core.management import call_command
from django.urls import reverse

from territoria.catalog.enums import VersionStatus
from territoria.catalog.models import Dataset, Version
from territoria.governance.models.audit import AuditEntry
from territoria.governance.personal_data.models import (
    FindingStatus,
    PersonalDataFinding,
    Resolution,
)
from territoria.governance.personal_data.perms import PersonalDataPending
from territoria.ingest.publication import get_store
from tests.ingest import conftest as ingest_fixtures

# Publishing personal data needs a processing activity (GDPR record): every dataset has one.
pytestmark = pytest.mark.usefixtures("every_dataset_recorded")

CLEAN = "ville;valeur\nLyon;12\nParis;7\n"
PERSONS = (
    "nom;prenom;courriel;date_naissance;ville\n"
    "DUPONT;Marie;marie.dupont@example.fr;12/05/1985;Lyon\n"
    "MARTIN;Jean;jean.martin@example.fr;03/12/1990;Paris\n"
)
EMAILS = "ville;courriel;valeur\nLyon;marie.dupont@example.fr;12\nParis;jean.martin@example.fr;7\n"
BIRTHS = "ville;date_naissance;valeur\nLyon;12/05/1985;12\nParis;03/12/1990;7\n"


# The ingestion tests' real HTTP server, for a URL source.
server, site, url = ingest_fixtures.server, ingest_fixtures.site, ingest_fixtures.url


def _open(version: Version) -> list[tuple[str, str]]:
    found = version.personal_data_findings.filter(status=FindingStatus.OPEN)
    return sorted(found.values_list("column", "kind"))


def _columns(version: Version) -> list[str]:
    info = get_store().open(version.key)
    return [row[0] for row in duckdb.sql(f"DESCRIBE SELECT * FROM '{info.parquet}'").fetchall()]


def _resolve(client, dataset: Dataset, finding: PersonalDataFinding, **fields):
    url = reverse("personal_data:findings", args=[dataset.slug])
    data = {"finding": finding.pk, "to": "year", **fields}
    return client.post(url, data)


@pytest.mark.django_db
def test_every_new_version_is_scanned_and_its_findings_stored(ingest_text):
    outcome = ingest_text(PERSONS, access="internal")
    assert outcome.published
    assert _open(outcome.version) == [
        ("courriel", "email"),
        ("date_naissance", "birth_date"),
        ("nom", "last_name"),
        ("prenom", "first_name"),
    ]
    email = outcome.version.personal_data_findings.get(kind="email")
    assert set(email.examples) == {"m***@e***.fr", "j***@e***.fr"}
    assert (email.matched_count, email.sampled_count) == (2, 2)


@pytest.mark.django_db
def test_open_ingestion_with_personal_data_stays_staged_and_the_live_version_stays(ingest_text):
    first = ingest_text(CLEAN)
    second = ingest_text(PERSONS)
    assert not second.published
    assert second.version.status == VersionStatus.STAGED
    assert "en attente : données personnelles à examiner (4 constats)" in second.held
    assert second.dataset.table_resource().live_version_id == first.version.pk


@pytest.mark.django_db
def test_publishing_a_version_with_open_findings_in_an_open_dataset_is_refused(ingest_text):
    held = ingest_text(PERSONS).version
    from territoria.ingest.publication import do_publish_version

    with pytest.raises(PersonalDataPending, match="données personnelles à examiner"):
        do_publish_version(held)
    held.refresh_from_db()
    assert held.status == VersionStatus.STAGED


@pytest.mark.django_db
def test_a_dataset_with_findings_on_its_live_version_cannot_be_opened(ingest_text):
    dataset = ingest_text(PERSONS, access="internal").dataset
    dataset.access_level = "open"
    with pytest.raises(PersonalDataPending, match="ne peut pas être ouvert"):
        dataset.save()
    assert Dataset.objects.get(pk=dataset.pk).access_level == "internal"


@pytest.mark.django_db
def test_the_cli_says_the_version_waits_for_a_steward(tmp_path, make_org):
    make_org()
    path = tmp_path / "personnes.csv"
    path.write_text(PERSONS, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "ingest", str(path), dataset="personnes", org="region-grand-est", access="open", stdout=out
    )
    assert "staged" in out.getvalue()
    assert "en attente : données personnelles à examiner" in out.getvalue()


@pytest.mark.django_db
def test_a_legal_ground_resolves_audits_and_publishes_the_held_version(
    ingest_text, client, staff_user
):
    held = ingest_text(PERSONS, slug="elus").version
    client.force_login(staff_user)
    for finding in held.personal_data_findings.all():
        response = _resolve(
            client, held.resource.dataset, finding, resolution="legal_ground",
            legal_ground="crpa_elected", legal_reference="Répertoire national des élus",
        )  # fmt: skip
        assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == VersionStatus.PUBLISHED
    assert _open(held) == []
    finding = held.personal_data_findings.get(kind="email")
    assert (finding.resolution, finding.legal_ground) == ("legal_ground", "crpa_elected")
    assert finding.resolved_by == staff_user
    events = AuditEntry.objects.filter(action="personal_data.resolve")
    assert events.count() == 4
    assert {e.detail["column"] for e in events} == {"nom", "prenom", "courriel", "date_naissance"}


@pytest.mark.django_db
def test_a_legal_ground_covers_the_same_columns_of_the_next_version(ingest_text, staff_user):
    from territoria.governance.personal_data.resolve import do_resolve_by_legal_ground

    held = ingest_text(PERSONS, slug="elus").version
    for finding in held.personal_data_findings.all():
        do_resolve_by_legal_ground(finding, "crpa_elected", "", staff_user)
    refreshed = ingest_text(PERSONS.replace("Lyon", "Lille"), slug="elus")
    assert refreshed.published
    assert _open(refreshed.version) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "column", "resolution", "kept"),
    [
        (EMAILS, "courriel", Resolution.DROP, ["ville", "valeur"]),
        (EMAILS, "courriel", Resolution.PSEUDONYMISE, ["ville", "courriel", "valeur"]),
        (BIRTHS, "date_naissance", Resolution.GENERALISE, ["ville", "date_naissance", "valeur"]),
    ],
)
def test_a_processing_step_resolves_and_the_processed_version_is_published(
    ingest_text, client, staff_user, content, column, resolution, kept
):
    held = ingest_text(content).version
    finding = held.personal_data_findings.get(column=column)
    client.force_login(staff_user)
    assert (
        _resolve(client, held.resource.dataset, finding, resolution=resolution).status_code == 302
    )
    finding.refresh_from_db()
    assert (finding.status, finding.resolution) == (FindingStatus.RESOLVED, resolution)
    resource = held.resource
    resource.refresh_from_db()
    assert resource.steps[-1]["op"] == resolution
    live = resource.live_version
    assert live is not None and live.pk != held.pk
    assert _columns(live) == kept
    assert _open(live) == []
    event = AuditEntry.objects.get(action="personal_data.resolve")
    assert event.detail["resolution"] == resolution


@pytest.mark.django_db
def test_the_review_page_is_for_stewards_only(ingest_text, client, staff_user, plain_user):
    dataset = ingest_text(PERSONS).dataset
    hidden = ingest_text(PERSONS, slug="interne", access="internal").dataset
    url = reverse("personal_data:findings", args=[dataset.slug])
    assert client.get(url)["Location"] == dataset.get_absolute_url()
    client.force_login(plain_user)
    assert client.get(url)["Location"] == dataset.get_absolute_url()
    assert client.post(url, {"finding": 1}).status_code == 302
    assert client.get(reverse("personal_data:findings", args=[hidden.slug])).status_code == 404
    client.force_login(staff_user)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "m***@e***.fr" in text
    assert "marie.dupont@example.fr" not in text
    assert "en attente" in text


@pytest.mark.django_db
def test_a_legal_ground_by_law_needs_its_reference(ingest_text, client, staff_user):
    held = ingest_text(EMAILS).version
    finding = held.personal_data_findings.get()
    client.force_login(staff_user)
    _resolve(client, held.resource.dataset, finding, resolution="legal_ground", legal_ground="law")
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


@pytest.mark.django_db
def test_data_without_personal_data_publishes_in_an_open_dataset(ingest_text):
    outcome = ingest_text(
        "nom;code_insee;code_postal\nLaval;53130;53000\nVienne;38544;38200\n", slug="communes"
    )
    assert outcome.published
    assert outcome.version.personal_data_findings.count() == 0


@pytest.mark.django_db
def test_the_management_api_answers_409_to_publishing_a_held_version(
    ingest_text, client, staff_user
):
    held = ingest_text(PERSONS).version
    client.force_login(staff_user)
    url = f"/api/1/datasets/{held.resource.dataset.slug}/versions/{held.key}/publish"
    response = client.post(url)
    assert response.status_code == 409
    assert response.json()["code"] == "personal_data_pending"
    assert "données personnelles à examiner" in response.json()["detail"]


@pytest.mark.django_db
def test_a_url_source_with_personal_data_is_held_not_published(ingest_text, site, url):
    from territoria.ingest.sources import do_set_source, refresh_source

    dataset = ingest_text(CLEAN, slug="source-personnes").dataset
    site.serve("/personnes.csv", PERSONS.encode("utf-8"), ETag='"p1"')
    resource = do_set_source(dataset.table_resource(), url("/personnes.csv"), "HOURLY")
    outcome = refresh_source(resource)
    assert outcome.state == "held"
    assert "données personnelles à examiner" in outcome.error
    assert dataset.table_resource().live_version.row_count == 2
    assert dataset.table_resource().live_version.key != outcome.version
