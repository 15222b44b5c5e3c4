"""The Data Package of a dataset: its shape, the gate, and ``frictionless validate`` fetching
the package and its CSV from a live server (the rows checked against the schema too)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

frictionless = pytest.importorskip(
    "frictionless", reason="frictionless is a dev dependency (pip install -e .[dev])"
)

# Every type the readers write, in the forms French producers send them.
MESURES = (
    "capteur;horodatage;jour;valeur;compte;actif;code_insee;latitude;longitude\n"
    "Colmar Sud;2024-03-01 10:15:00;01/03/2024;1,5;12;true;68066;48,0794;7,3585\n"
    "Ajaccio;2024-03-02 11:00:30;02/03/2024;2;7;false;2A004;41,9192;8,7386\n"
)
GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"nom": "Metz", "depuis": "2020-01-01"},
            "geometry": {"type": "Point", "coordinates": [6.1757, 49.1193]},
        }
    ],
}


def publish(root: Path) -> None:
    """Two open datasets (a CSV of every type, a GeoJSON layer) and an internal one."""
    from territoria.catalog.models import Organisation
    from territoria.ingest.services import do_ingest_file

    Organisation.objects.create(slug="region-grand-est", name="Région Grand Est", kind="region")
    for slug, name, text, access, title in (
        ("mesures", "mesures.csv", MESURES, "open", "Mesures de l'air"),
        ("mesures-internes", "internes.csv", MESURES, "internal", "Mesures internes"),
        ("lieux", "lieux.geojson", json.dumps(GEOJSON), "open", "Lieux"),
    ):
        path = root / name
        path.write_text(text, encoding="utf-8")
        do_ingest_file(
            path, dataset_slug=slug, org_slug="region-grand-est", title=title, access=access
        )


@pytest.fixture
def published(db, settings, tmp_path):
    publish(tmp_path)


def frictionless_errors(url: str) -> list[str]:
    """What ``frictionless validate`` (its command line, as a re-user runs it) reports."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "frictionless"), "validate", "--json", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(done.stdout)
    errors = [e["message"] for e in report.get("errors", [])]
    for task in report.get("tasks", []):
        assert task["stats"]["rows"] > 0 or task["errors"], task  # the CSV was read
        errors += [e["message"] for e in task["errors"]]
    return errors


@pytest.mark.django_db
def test_the_package_describes_the_csv_export_with_its_schema(client, published, settings):
    response = client.get("/jeux-de-donnees/mesures/datapackage.json")
    assert response.status_code == 200
    package = json.loads(response.content)
    assert package["profile"] == "tabular-data-package" and package["name"] == "mesures"
    assert package["title"] == "Mesures de l'air"
    assert package["id"] == f"{settings.BASE_URL}/jeux-de-donnees/mesures/"
    assert package["licenses"] == [
        {
            "title": "Licence Ouverte / Open Licence 2.0",
            "name": "etalab-2.0",
            "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        }
    ]
    assert package["sources"][0]["path"].startswith("http://testserver/organisations/")
    (resource,) = package["resources"]
    assert resource["path"] == (
        "http://testserver/api/explore/v2.1/catalog/datasets/mesures/exports/csv"
        "?delimiter=%2C&with_bom=false"
    )
    types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    assert types == {
        "capteur": "string",
        "horodatage": "datetime",
        "jour": "date",
        "valeur": "number",
        "compte": "integer",
        "actif": "boolean",
        "code_insee": "string",
        "latitude": "number",
        "longitude": "number",
    }
    # The source's French forms are gone: the export writes ISO dates and "." decimals.
    assert not any("format" in f or "decimalChar" in f for f in resource["schema"]["fields"])


@pytest.mark.django_db
def test_a_dataset_the_caller_may_not_see_has_no_package(client, published):
    hidden = client.get("/jeux-de-donnees/mesures-internes/datapackage.json")
    missing = client.get("/jeux-de-donnees/absent/datapackage.json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


@pytest.fixture
def live_published(live_server, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path
    publish(tmp_path)
    return live_server.url


def test_frictionless_validates_the_packages_and_their_rows_from_a_live_server(
    live_published, tmp_path
):
    for slug in ("mesures", "lieux"):
        assert (
            frictionless_errors(f"{live_published}/jeux-de-donnees/{slug}/datapackage.json") == []
        )
    # The data is checked too: a schema that lies about a column fails.
    package = frictionless.Package(f"{live_published}/jeux-de-donnees/mesures/datapackage.json")
    package.resources[0].schema.set_field_type("jour", "integer")
    report = package.validate()
    assert not report.valid
    assert {e.type for e in report.tasks[0].errors} == {"type-error"}
