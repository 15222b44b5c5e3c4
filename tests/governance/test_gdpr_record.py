"""The GDPR record of processing activities (issue 6): who reads and writes it, the DPIA flag,
the CSV export, the printable page, and the rule that personal data need an activity."""

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from territoria.governance.gdpr.dpia import CRITERIA_FIELDS, dpia_required
from territoria.governance.gdpr.models import ProcessingActivity
from territoria.governance.gdpr.publication import (
    ProcessingActivityMissing,
    check_processing_activity,
)
from territoria.governance.personal_data.models import PersonalDataFinding

CSV = "commune;population\nStrasbourg;290000\nColmar;67000\n"


@pytest.fixture
def metz(make_org):
    return make_org(slug="ville-de-metz", name="Ville de Metz", kind="commune")


@pytest.fixture
def activity(metz, ingest_text):
    found = ProcessingActivity.objects.create(
        name="Inscriptions à la cantine",
        controller=metz,
        controller_contact="Hôtel de ville, 1 place d'Armes, 57000 Metz",
        dpo_name="Camille Martin",
        dpo_email="dpo@metz.example",
        purposes="Inscrire les enfants et facturer les repas",
        legal_basis="public_task",
        data_subjects="Enfants scolarisés; leurs parents",
        personal_data="Identité, adresse, quotient familial",
        special_categories=["health"],
        recipients="Service scolaire; trésor public",
        retention="Durée de la scolarité, puis 10 ans (pièces comptables)",
        security_measures="Accès nominatif, journalisation",
        dpia_vulnerable_persons=True,
    )
    found.datasets.add(ingest_text(CSV, slug="cantines", org="ville-de-metz").dataset)
    found.datasets.add(
        ingest_text(CSV, slug="cantines-internes", org="ville-de-metz", access="internal").dataset
    )
    return found


def signed_in(client, add_member, name, org, role, kind=None):
    user = User.objects.create_user(name, f"{name}@example.org", "s3cret-pass")
    add_member(user, org, role, kind=kind)
    client.force_login(user)
    return user


FORM = {
    "name": "Vidéoprotection des parkings",
    "controller_contact": "Mairie de Metz",
    "dpo_name": "Camille Martin",
    "dpo_email": "dpo@metz.example",
    "purposes": "Sécurité des usagers",
    "legal_basis": "public_task",
    "data_subjects": "Usagers des parkings",
    "personal_data": "Images",
    "retention": "30 jours",
    "transfers_outside_eu": "",
    "dpia_systematic_monitoring": "on",
}


def test_a_steward_creates_then_edits_an_activity_linked_to_datasets(
    client, staff_user, metz, ingest_text
):
    dataset = ingest_text(CSV, slug="parkings", org="ville-de-metz").dataset
    client.force_login(staff_user)
    assert client.get(reverse("gdpr:create")).status_code == 200
    created = client.post(
        reverse("gdpr:create"), {**FORM, "controller": metz.pk, "datasets": [dataset.pk]}
    )
    activity = ProcessingActivity.objects.get()
    assert created.status_code == 302
    assert created["Location"] == reverse("gdpr:activity", args=[activity.pk])
    assert list(activity.datasets.all()) == [dataset]
    assert not activity.dpia_required  # one criterion only

    edited = client.post(
        reverse("gdpr:edit", args=[activity.pk]),
        {**FORM, "controller": metz.pk, "dpia_large_scale": "on", "datasets": []},
    )
    activity.refresh_from_db()
    assert edited.status_code == 302
    assert activity.dpia_required
    assert list(activity.datasets.all()) == []


def test_a_transfer_outside_the_eu_needs_its_safeguards(client, staff_user, metz):
    client.force_login(staff_user)
    response = client.post(
        reverse("gdpr:create"),
        {**FORM, "controller": metz.pk, "transfers_outside_eu": "on"},
    )
    assert response.status_code == 400
    assert "Indiquez les garanties qui encadrent les transferts hors de l’UE." in (
        response.content.decode()
    )
    assert not ProcessingActivity.objects.exists()


def test_members_of_the_controller_read_the_record_but_do_not_write_it(
    client, add_member, activity
):
    signed_in(client, add_member, "agent", "ville-de-metz", "producer", kind="commune")
    page = client.get(reverse("gdpr:record")).content.decode()
    assert "Inscriptions à la cantine" in page
    assert client.get(reverse("gdpr:activity", args=[activity.pk])).status_code == 200
    assert client.get(reverse("gdpr:export")).status_code == 200
    assert client.get(reverse("gdpr:create")).status_code == 404
    assert client.get(reverse("gdpr:edit", args=[activity.pk])).status_code == 404
    assert client.post(reverse("gdpr:edit", args=[activity.pk]), FORM).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "other organisation", "citizen"])
def test_anybody_else_gets_404_everywhere(client, add_member, plain_user, activity, who):
    if who == "other organisation":
        signed_in(client, add_member, "voisin", "ville-de-nancy", "admin", kind="commune")
    elif who == "citizen":
        client.force_login(plain_user)
    for url in (
        reverse("gdpr:record"),
        reverse("gdpr:activity", args=[activity.pk]),
        reverse("gdpr:export"),
        reverse("gdpr:create"),
        reverse("gdpr:edit", args=[activity.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_the_dpia_flag_rises_at_two_criteria_and_not_at_one():
    activity = ProcessingActivity(name="t")
    assert not dpia_required(activity)
    activity.dpia_large_scale = True
    assert not dpia_required(activity)
    activity.dpia_matching = True
    assert dpia_required(activity)
    assert len(CRITERIA_FIELDS) == 9


def test_the_record_page_shows_the_dpia_flag(client, staff_user, activity):
    client.force_login(staff_user)
    assert 'data-dpia="not-required"' in client.get(reverse("gdpr:record")).content.decode()
    activity.dpia_sensitive_data = True
    activity.save()
    page = client.get(reverse("gdpr:record")).content.decode()
    assert 'data-dpia="required"' in page
    assert "AIPD requise" in page


def test_the_csv_export_has_every_column_in_french_for_excel(client, add_member, activity):
    signed_in(client, add_member, "agent", "ville-de-metz", "viewer", kind="commune")
    response = client.get(reverse("gdpr:export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="registre-rgpd-')
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, row = rows
    assert len(rows) == 2
    values = dict(zip(header, row, strict=True))
    assert header[:3] == [
        "Traitement",
        "Responsable du traitement",
        "Coordonnées du responsable du traitement",
    ]
    assert values["Traitement"] == "Inscriptions à la cantine"
    assert values["Responsable du traitement"] == "Ville de Metz"
    assert values["E-mail du DPO"] == "dpo@metz.example"
    assert (
        values["Base légale"]
        == "Mission d’intérêt public ou exercice de l’autorité publique (art. 6.1.e)"
    )
    assert values["Catégories particulières de données (art. 9)"] == "Données de santé"
    assert values["Transferts hors de l’UE"] == "non"
    assert values["Données concernant des personnes vulnérables"] == "oui"
    assert values["Surveillance systématique"] == "non"
    assert values["Critères d’AIPD remplis"] == "1"
    assert values["AIPD requise"] == "non"
    # Members see their organisation's datasets, open or internal: both named, title and slug.
    assert values["Jeux de données"] == "cantines (cantines), cantines-internes (cantines-internes)"


def test_the_csv_export_names_only_the_datasets_the_reader_may_see(
    client, add_member, activity, ingest_text, make_org
):
    make_org(slug="ville-de-nancy", name="Ville de Nancy", kind="commune")
    hidden = ingest_text(CSV, slug="secret-nancy", org="ville-de-nancy", access="internal")
    activity.datasets.add(hidden.dataset)
    signed_in(client, add_member, "agent", "ville-de-metz", "viewer", kind="commune")
    text = client.get(reverse("gdpr:export")).content.decode("utf-8-sig")
    assert "secret-nancy" not in text
    page = client.get(reverse("gdpr:activity", args=[activity.pk])).content.decode()
    assert "secret-nancy" not in page
    record = client.get(reverse("gdpr:record")).content.decode()
    assert '<td class="number">2</td>' in record  # of three: the hidden one is not counted


def test_the_printable_page_holds_the_whole_activity_and_needs_no_script(
    client, staff_user, activity
):
    client.force_login(staff_user)
    page = client.get(reverse("gdpr:activity", args=[activity.pk])).content.decode()
    assert "gdpr/record.css" in page  # its @media print rules hide the menus
    assert "<script" not in page
    for text in (
        "Inscriptions à la cantine",
        "Ville de Metz",
        "Camille Martin",
        "dpo@metz.example",
        "Inscrire les enfants et facturer les repas",
        "Données de santé",
        "Durée de la scolarité, puis 10 ans (pièces comptables)",
        "Accès nominatif, journalisation",
        "Données concernant des personnes vulnérables",
        "CNIL, délibération n° 2018-327",
        'href="/jeux-de-donnees/cantines/"',
    ):
        assert text in page, text


def test_the_print_style_sheet_hides_the_menus():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("gdpr/record.css")).read_text(encoding="utf-8")
    assert "@media print" in css
    assert ".site-header, .site-footer" in css


def test_a_version_without_personal_data_needs_no_activity(ingest_text):
    outcome = ingest_text(CSV, slug="sans-donnees-personnelles")
    check_processing_activity(outcome.dataset, outcome.version)  # raises nothing


def _finding(version, **fields) -> PersonalDataFinding:
    return PersonalDataFinding.objects.create(
        version=version, column="courriel", kind="email", confidence=0.98, **fields
    )


@pytest.mark.parametrize("level", ["open", "partners", "internal", "restricted"])
def test_personal_data_are_not_published_at_any_level_without_an_activity(ingest_text, level):
    outcome = ingest_text(CSV, slug="inscrits", access=level, publish=False)
    _finding(outcome.version)
    with pytest.raises(ProcessingActivityMissing) as refused:
        check_processing_activity(outcome.dataset, outcome.version)
    assert str(refused.value).startswith(
        "Le jeu de données « inscrits » contient des données personnelles : il ne peut être "
        "publié qu’une fois rattaché à un traitement du registre RGPD."
    )


def test_personal_data_resolved_on_a_legal_ground_still_need_their_activity(ingest_text):
    outcome = ingest_text(CSV, slug="elus", publish=False)
    _finding(outcome.version, status="resolved", resolution="legal_ground", legal_ground="law")
    with pytest.raises(ProcessingActivityMissing):
        check_processing_activity(outcome.dataset, outcome.version)


def test_linking_an_activity_lets_personal_data_be_published(ingest_text, activity):
    outcome = ingest_text(CSV, slug="inscrits", org="ville-de-metz", publish=False)
    _finding(outcome.version)
    activity.datasets.add(outcome.dataset)
    check_processing_activity(outcome.dataset, outcome.version)  # raises nothing


def test_a_false_positive_needs_no_activity(ingest_text):
    outcome = ingest_text(CSV, slug="communes", publish=False)
    _finding(
        outcome.version, status="resolved", resolution="legal_ground", legal_ground="not_personal"
    )
    check_processing_activity(outcome.dataset, outcome.version)  # raises nothing
