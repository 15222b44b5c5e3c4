"""The dataset page shows the quality score criterion by criterion and the validation report,
in French; producers also see the report of a version staged but not yet published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from territoria.ingest.schemas import do_declare_schema

FIXTURES = Path(__file__).parent.parent / "fixtures" / "schema-equipements"


@pytest.fixture
def equipements(ingest_text):
    outcome = ingest_text((FIXTURES / "equipements-invalides.csv").read_bytes(), slug="equipements")
    do_declare_schema(
        outcome.dataset.table_resource(),
        descriptor=json.loads((FIXTURES / "schema.json").read_text()),
    )
    return outcome


@pytest.mark.django_db
def test_dataset_page_explains_the_quality_score(client, equipements):
    page = client.get("/jeux-de-donnees/equipements/").content.decode()
    assert "Score de qualité" in page
    assert 'data-criterion="licence"' in page
    assert "Conformité au schéma" in page
    # One conforming row out of four: a rate, not met/not met.
    criterion = page.split('data-criterion="conformance"')[1].split("</tr>")[0]
    assert "25 %" in criterion
    assert "Fraîcheur des données" in page and "Sans objet" in page


@pytest.mark.django_db
def test_dataset_page_lists_errors_by_type_with_rows_in_french(client, equipements):
    page = client.get("/jeux-de-donnees/equipements/").content.decode()
    assert "Rapport de validation" in page
    assert "Vérifié avec le schéma déclaré « Équipements publics" in page
    assert "Valeurs de « surface » qui ne sont pas du type nombre." in page
    assert "Le schéma déclare la colonne « telephone », absente du fichier." in page
    assert "Lignes partageant la même clé (id)." in page
    enum = page.split('data-error-code="enum-error"')[1].split("</li>")[0]
    cells = [cell.strip() for cell in enum.replace("</td>", "<td>").split("<td>")]
    assert cells[1:6] == ["5", "", "<code>categorie</code>", "", "loisirs"]


@pytest.mark.django_db
def test_producer_sees_the_report_of_a_staged_version(client, equipements, staff_user, ingest_text):
    ingest_text("id,code_insee\nE9,999\n", slug="equipements", publish=False)
    client.force_login(staff_user)
    page = client.get("/jeux-de-donnees/equipements/").content.decode()
    assert "Validation de la version en attente de publication" in page
    client.logout()
    page = client.get("/jeux-de-donnees/equipements/").content.decode()
    assert "en attente de publication" not in page  # a visitor sees the published one only


@pytest.mark.django_db
def test_without_declared_schema_the_page_says_types_were_read_from_the_file(client, ingest_text):
    ingest_text("code;nom\n67482;Strasbourg\n", slug="communes")
    page = client.get("/jeux-de-donnees/communes/").content.decode()
    assert "Aucun schéma n'est déclaré" in page
    assert "La ligne est conforme." in page


@pytest.mark.django_db
def test_producer_declares_a_schema_file_on_the_schema_page(client, ingest_text, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ingest_text((FIXTURES / "equipements-invalides.csv").read_bytes(), slug="equipements")
    client.force_login(staff_user)
    page = client.get("/jeux-de-donnees/equipements/schema/")
    assert page.status_code == 200
    assert "Aucun schéma n'est déclaré" in page.content.decode()
    upload = SimpleUploadedFile("schema.json", (FIXTURES / "schema.json").read_bytes())
    response = client.post("/jeux-de-donnees/equipements/schema/", {"file": upload})
    assert response.status_code == 302
    page = client.get("/jeux-de-donnees/equipements/schema/").content.decode()
    assert "Équipements publics (schéma d&#x27;essai de Territoria)" in page
    assert "Valeurs de « surface » qui ne sont pas du type nombre." in page
    refused = client.post(
        "/jeux-de-donnees/equipements/schema/",
        {"file": SimpleUploadedFile("x.json", b'{"fields": []}')},
    )
    assert refused.status_code == 400
    assert "the schema has no &#x27;fields&#x27; list" in refused.content.decode()


@pytest.mark.django_db
def test_a_visitor_reads_the_schema_but_cannot_change_it(client, equipements):
    page = client.get("/jeux-de-donnees/equipements/schema/").content.decode()
    assert "telephone" in page and "Déclarer un schéma" not in page
    response = client.post("/jeux-de-donnees/equipements/schema/", {"remove": "1"})
    assert response.status_code == 403
    assert equipements.dataset.table_resource().declared_schema != {}


@pytest.mark.django_db
def test_a_gtfs_dataset_shows_its_feed_check_to_readers_and_in_its_versions(
    client, make_org, tmp_path, staff_user
):
    from territoria.ingest.services import do_ingest_file
    from tests.datastore.gtfs_feeds import FEED, write_feed

    make_org(slug="eurometropole-de-metz", name="Eurométropole de Metz")
    # Line 4: a trip of a route the feed does not have; line 5: a trip without its service.
    trips = FEED["trips.txt"] + "L9,SEM,T3\nL1,,T4\n"
    feed = write_feed(tmp_path / "met.zip", replace={"trips.txt": trips})
    do_ingest_file(feed, dataset_slug="met", org_slug="eurometropole-de-metz", access="open")
    page = client.get("/jeux-de-donnees/met/").content.decode()  # a reader, not signed in
    assert "Contrôle du flux GTFS" in page
    report = page.split('data-testid="gtfs-report"')[1].split("</section>")[0]
    assert "2 erreurs. Le flux est publié : corrigez-les dans votre prochain export." in report
    row = report.split('data-error-code="unknown_reference"')[1].split("</tr>")[0]
    assert "<code>trips.txt</code>" in row and "Référence inconnue" in row
    assert "la valeur de route_id est introuvable dans routes.txt." in row
    assert "4" in row.split("<td>")[-1]  # line 4 (the header is line 1)
    blank = report.split('data-error-code="missing_value"')[1].split("</tr>")[0]
    assert "Valeur obligatoire laissée vide" in blank
    assert "service_id est obligatoire selon la référence GTFS mais laissé vide." in blank
    client.force_login(staff_user)
    versions = client.get("/jeux-de-donnees/met/versions/").content.decode()
    assert "Contrôle GTFS" in versions and "2 erreurs, 0 avertissement" in versions


@pytest.mark.django_db
def test_a_valid_gtfs_feed_says_so(client, make_org, tmp_path):
    from territoria.ingest.services import do_ingest_file
    from tests.datastore.gtfs_feeds import write_feed

    make_org(slug="eurometropole-de-metz", name="Eurométropole de Metz")
    feed = write_feed(tmp_path / "met.zip", extra={"notes.txt": "note\nx\n"})
    do_ingest_file(feed, dataset_slug="met", org_slug="eurometropole-de-metz", access="open")
    page = client.get("/jeux-de-donnees/met/").content.decode()
    assert 'data-testid="gtfs-valid"' in page
    assert "<code>notes.txt</code> — hors de la référence GTFS : gardé comme table." in page
