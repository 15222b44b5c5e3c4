"""Loading the demo region: what it publishes, that it is idempotent, and that the gate holds."""

import io
import json
import tarfile
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from territoria.catalog.models import Dataset, Organisation, Territory
from territoria.demo.loader import do_ensure_demo_users

EXPECTED = {  # slug: (producer, access level)
    "communes-grand-est": ("insee", "open"),
    "epci-grand-est": ("insee", "open"),
    "departements-grand-est": ("insee", "open"),
    "regions-france": ("insee", "open"),
    "frequentation-gares-ter": ("est-rail-voyageurs", "open"),
    "bornes-recharge-vehicules-electriques": ("est-recharge", "open"),
    "qualite-air-mesures-journalieres": ("airest-mesures", "open"),
    "aides-regionales-entreprises": ("region-grand-est", "open"),
    "consommation-energie-batiments-communaux": ("ville-de-metz", "internal"),
    "comptages-routiers-eurometropole": ("eurometropole-de-strasbourg", "partners"),
}
RECORDS = "/api/explore/v2.1/catalog/datasets/{}/records"


def grand_est_communes_from_json(archive) -> list[dict]:
    """communes.json filtered directly: the count the published dataset must match."""
    with tarfile.open(archive) as tar:
        communes = json.load(tar.extractfile("package/data/communes.json"))
    return [c for c in communes if c["type"] == "commune-actuelle" and c.get("region") == "44"]


@pytest.mark.django_db
def test_demo_publishes_each_dataset_at_its_access_level(demo_loads):
    published = {
        d.slug: (d.organisation.slug, d.access_level)
        for d in Dataset.objects.select_related("organisation")
    }
    assert published == EXPECTED
    rows = {d.slug: d.rows for d in demo_loads.first.datasets}
    assert rows["frequentation-gares-ter"] == 150 * 731
    assert rows["departements-grand-est"] == 10
    assert rows["regions-france"] == 18
    assert all(d.new_version for d in demo_loads.first.datasets)


@pytest.mark.django_db
def test_demo_datasets_carry_their_dcat_metadata(demo_loads):
    ter = Dataset.objects.get(slug="frequentation-gares-ter")
    assert ter.themes == ["TRAN"] and ter.domains == ["transport"]
    assert ter.spatial == ["fr:region:44"]
    assert str(ter.temporal_start) == "2023-01-01" and ter.frequency == "MONTHLY"
    assert ter.description.startswith("**Données synthétiques générées pour la démonstration")
    assert " ter " in ter.search_text  # indexed for catalog search
    metz = Dataset.objects.get(slug="consommation-energie-batiments-communaux")
    assert metz.organisation.siren == "215704636"  # Ville de Metz, SIREN from the COG
    assert metz.spatial == ["fr:commune:57463"]
    assert Organisation.objects.get(slug="insee").siren == "120027016"


@pytest.mark.django_db
def test_communes_dataset_has_every_grand_est_commune_of_communes_json(
    demo_loads, referential_archive
):
    expected = len(grand_est_communes_from_json(referential_archive))
    communes = Dataset.objects.get(slug="communes-grand-est").table_resource().live_version
    assert communes.row_count == expected
    assert Territory.objects.filter(level="commune").count() == expected


@pytest.mark.django_db
def test_readers_type_the_french_columns_as_intended(demo_loads):
    expected = {
        "communes-grand-est": {"code_insee": "string", "departement": "string",
                               "population": "integer"},
        "frequentation-gares-ter": {"date": "date", "code_commune": "string",
                                    "taux_regularite": "number"},
        "bornes-recharge-vehicules-electriques": {
            "latitude": "number", "longitude": "number", "puissance_nominale_kw": "number",
            "code_postal": "string", "siret_operateur": "string",
            "date_mise_en_service": "date",
        },
        "qualite-air-mesures-journalieres": {"date": "date", "no2_ug_m3": "number"},
        "aides-regionales-entreprises": {"siret": "string", "montant_eur": "number",
                                         "date_decision": "date", "code_naf": "string"},
    }  # fmt: skip
    for slug, types in expected.items():
        version = Dataset.objects.get(slug=slug).table_resource().live_version
        fields = {f["name"]: f["type"] for f in version.schema["fields"]}
        assert {name: fields.get(name) for name in types} == types, slug


@pytest.mark.django_db
def test_territories_cover_grand_est(demo_loads):
    assert Territory.objects.get(code="fr:region:44").name == "Grand Est"
    assert Territory.objects.filter(level="departement").count() == 10
    assert Territory.objects.get(code="fr:departement:08").name == "Ardennes"
    assert Territory.objects.get(code="fr:epci:246700488").name == "Eurométropole de Strasbourg"
    assert Territory.objects.get(code="fr:commune:08105").name == "Charleville-Mézières"
    assert Territory.objects.filter(level="region").count() == 18


@pytest.mark.django_db
def test_second_load_creates_nothing(demo_loads):
    assert demo_loads.counts_after_second == demo_loads.counts_after_first
    second = demo_loads.second
    assert second.new_versions == 0
    assert (second.territories_created, second.organisations_created) == (0, 0)
    assert second.users_created == []
    assert [d.rows for d in second.datasets] == [d.rows for d in demo_loads.first.datasets]


@pytest.mark.django_db
def test_demo_accounts_are_a_steward_and_a_superuser(demo_loads):
    users = get_user_model().objects
    steward, admin = users.get(username="steward"), users.get(username="admin")
    assert steward.is_staff and not steward.is_superuser
    assert admin.is_staff and admin.is_superuser
    assert steward.check_password(demo_loads.password)
    assert "$TERRITORIA_DEMO_PASSWORD" in demo_loads.output
    assert demo_loads.password not in demo_loads.output


@pytest.mark.django_db
def test_a_generated_password_is_shown_once_and_never_reset(demo_loads, settings):
    settings.DEMO_PASSWORD = None
    get_user_model().objects.filter(username="steward").delete()  # rolled back after the test
    out = io.StringIO()
    assert do_ensure_demo_users(out) == ["steward"]
    password = out.getvalue().split("mot de passe : ")[1].split(" ")[0]
    steward = get_user_model().objects.get(username="steward")
    assert steward.check_password(password)
    again = io.StringIO()
    assert do_ensure_demo_users(again) == []
    assert again.getvalue() == ""
    steward.refresh_from_db()
    assert steward.check_password(password)


@pytest.mark.django_db
def test_explore_groups_communes_by_departement_as_the_referential_counts(
    demo_loads, referential_archive, client
):
    expected = Counter(c["departement"] for c in grand_est_communes_from_json(referential_archive))
    response = client.get(
        RECORDS.format("communes-grand-est"),
        {"select": "departement, count(*) as n", "group_by": "departement", "limit": 100},
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert {r["departement"]: r["n"] for r in results} == dict(expected)
    assert "08" in {r["departement"] for r in results}  # the code keeps its leading zero


@pytest.mark.django_db
def test_explore_reads_french_numbers_and_dates(demo_loads, client):
    response = client.get(
        RECORDS.format("bornes-recharge-vehicules-electriques"),
        {"where": "code_insee_commune = '08105'", "limit": 1},
    )
    assert response.status_code == 200, response.content
    row = response.json()["results"][0]
    assert row["code_postal"] == "08000"
    assert isinstance(row["latitude"], float) and 49.7 < row["latitude"] < 49.9
    assert isinstance(row["puissance_nominale_kw"], float)
    assert len(row["date_mise_en_service"]) == 10 and row["date_mise_en_service"][4] == "-"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug", ["consommation-energie-batiments-communaux", "comptages-routiers-eurometropole"]
)
def test_protected_datasets_answer_404_to_an_anonymous_client(demo_loads, client, slug):
    assert client.get(RECORDS.format(slug)).status_code == 404
    assert client.get(f"/api/explore/v2.1/catalog/datasets/{slug}").status_code == 404
    listed = client.get("/api/explore/v2.1/catalog/datasets", {"limit": 100}).json()
    assert slug not in {d["dataset_id"] for d in listed["results"]}


@pytest.mark.django_db
def test_the_steward_reads_the_internal_dataset(demo_loads, client):
    client.force_login(get_user_model().objects.get(username="steward"))
    response = client.get(
        RECORDS.format("consommation-energie-batiments-communaux"),
        {"select": "count(*) as n"},
    )
    assert response.status_code == 200, response.content
    expected = next(d.rows for d in demo_loads.first.datasets if d.slug.startswith("conso"))
    assert response.json()["results"][0]["n"] == expected


@pytest.mark.django_db
def test_demo_command_loads_and_prints_the_summary_without_serving(demo_loads, settings):
    settings.HOME = demo_loads.work_dir.parent / "command-home"
    out = io.StringIO()
    call_command("demo", "--no-serve", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert "10 jeux de données" in text and "0 nouvelle(s) version(s)" in text
    assert "frequentation-gares-ter" in text and "109 650" in text
    assert "http://127.0.0.1:8123/api/explore/v2.1/catalog/datasets" in text


@pytest.mark.django_db
def test_demo_command_without_referential_says_what_to_run(settings, tmp_path):
    settings.REFERENTIAL_ARCHIVE = tmp_path / "absent.tgz"
    with pytest.raises(CommandError, match="make demo"):
        call_command("demo", "--no-serve", stdout=io.StringIO())
