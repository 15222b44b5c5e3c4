"""Uploading through the portal: who may, what is published, and what a failure leaves."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from territoria.ingest.publication import live_version_info

GOOD = b"station;mesure\nStrasbourg;12\nColmar;7\n"
RAGGED = b"station;mesure\nStrasbourg;12\nColmar;7;en trop;encore\n"


def csv_file(content: bytes, name: str = "mesures.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_anonymous_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("portal:upload"))
    assert response.status_code == 302
    assert response["Location"] == "/connexion/?next=/deposer/"


def test_citizen_without_write_right_gets_403(citizen_client):
    response = citizen_client.get(reverse("portal:upload"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_upload_link_is_shown_only_to_those_who_may_upload(client, staff_user, plain_user):
    client.force_login(plain_user)
    assert 'href="/deposer/"' not in client.get("/").content.decode()
    client.force_login(staff_user)
    assert 'href="/deposer/"' in client.get("/").content.decode()


def test_upload_form_is_labelled_in_french(staff_client, make_org):
    make_org()
    html = staff_client.get(reverse("portal:upload")).content.decode()
    assert "<h1>Déposer des données</h1>" in html
    assert "— Un nouveau jeu de données —" in html
    assert "Identifiant du nouveau jeu de données" in html
    assert 'enctype="multipart/form-data"' in html


def test_upload_creates_a_dataset_and_publishes_it(staff_client, make_org):
    make_org(slug="atmo-grand-est", name="ATMO Grand Est")
    response = staff_client.post(
        reverse("portal:upload"),
        {
            "file": csv_file(GOOD),
            "slug": "mesures-air",
            "title": "Mesures de l'air",
            "organisation": "atmo-grand-est",
            "access": "open",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/jeux-de-donnees/mesures-air/"
    page = staff_client.get(response["Location"])
    html = page.content.decode()
    assert "Version publiée : 2 lignes issues de mesures.csv." in html
    dataset = page.context["dataset"]
    assert (dataset.title, dataset.organisation.slug, dataset.access_level) == (
        "Mesures de l'air", "atmo-grand-est", "open",
    )  # fmt: skip
    assert live_version_info(dataset).row_count == 2


def test_new_dataset_is_internal_unless_opened(staff_client, make_org):
    make_org()
    staff_client.post(
        reverse("portal:upload"),
        {"file": csv_file(GOOD), "slug": "brouillon", "title": "Brouillon",
         "organisation": "region-grand-est"},
    )  # fmt: skip
    from territoria.catalog.models import Dataset

    assert Dataset.objects.get(slug="brouillon").access_level == "internal"


def test_upload_adds_a_version_to_an_existing_dataset(staff_client, ingest_text):
    ingest_text(GOOD.decode(), slug="mesures")
    form = staff_client.get(reverse("portal:upload"), {"dataset": "mesures"}).content.decode()
    assert '<option value="mesures" selected>' in form
    response = staff_client.post(
        reverse("portal:upload"),
        {"file": csv_file(GOOD + b"Mulhouse;3\n", "v2.csv"), "dataset": "mesures"},
    )
    assert response.status_code == 302
    page = staff_client.get(response["Location"])
    assert page.context["version"].row_count == 3
    assert page.context["dataset"].access_level == "open"  # "unchanged" kept the level


def test_failed_upload_shows_the_reason_and_keeps_the_published_version(staff_client, ingest_text):
    outcome = ingest_text(GOOD.decode(), slug="mesures")
    live_before = live_version_info(outcome.dataset).key
    response = staff_client.post(
        reverse("portal:upload"), {"file": csv_file(RAGGED, "casse.csv"), "dataset": "mesures"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Le dépôt n’a pas abouti" in html
    assert "Le fichier n’a pas été publié : casse.csv" in html
    (error,) = response.context["form"].errors["file"]
    assert "3" in error  # the line at fault is named
    assert live_version_info(outcome.dataset).key == live_before
    page = staff_client.get(reverse("portal:dataset", args=["mesures"]))
    assert page.context["version"].row_count == 2


def test_new_dataset_needs_slug_title_and_publisher(staff_client, make_org):
    make_org()
    response = staff_client.post(reverse("portal:upload"), {"file": csv_file(GOOD)})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"slug", "title", "organisation"}
    assert "Obligatoire pour créer un nouveau jeu de données." in response.content.decode()


def test_new_dataset_slug_must_be_free(staff_client, make_dataset):
    make_dataset("pris", access="internal")
    response = staff_client.post(
        reverse("portal:upload"),
        {"file": csv_file(GOOD), "slug": "pris", "title": "T", "organisation": "region-grand-est"},
    )
    assert response.context["form"].errors["slug"] == [
        "Ce jeu de données existe déjà : choisissez-le dans la liste ci-dessus."
    ]


def test_unknown_dataset_choice_is_refused(staff_client, db):
    response = staff_client.post(
        reverse("portal:upload"), {"file": csv_file(GOOD), "dataset": "inexistant"}
    )
    assert response.context["form"].errors["dataset"] == ["Jeu de données inconnu."]


def test_failed_upload_does_not_change_the_access_level(staff_client, ingest_text):
    outcome = ingest_text(GOOD.decode(), slug="mesures", access="internal")
    response = staff_client.post(
        reverse("portal:upload"),
        {"file": csv_file(RAGGED), "dataset": "mesures", "access": "open"},
    )
    assert response.status_code == 400
    outcome.dataset.refresh_from_db()
    assert outcome.dataset.access_level == "internal"


def test_failed_new_dataset_creates_nothing(staff_client, make_org, client):
    make_org()
    response = staff_client.post(
        reverse("portal:upload"),
        {"file": csv_file(RAGGED), "slug": "casse", "title": "Cassé",
         "organisation": "region-grand-est", "access": "open"},
    )  # fmt: skip
    assert response.status_code == 400
    from territoria.catalog.models import Dataset

    assert not Dataset.objects.filter(slug="casse").exists()
    client.logout()
    assert "Cassé" not in client.get(reverse("portal:search")).content.decode()


def test_successful_upload_applies_the_access_level_and_reindexes(staff_client, ingest_text):
    ingest_text(GOOD.decode(), slug="mesures", access="internal")
    staff_client.post(
        reverse("portal:upload"),
        {"file": csv_file(GOOD, "v2.csv"), "dataset": "mesures", "access": "open"},
    )
    staff_client.logout()
    search = staff_client.get(reverse("portal:search"), {"access": "open"})
    assert [d.slug for d in search.context["datasets"]] == ["mesures"]


def test_producer_uploads_only_in_its_organisation_and_cannot_open(
    client, plain_user, add_member, make_dataset
):
    add_member(plain_user, "ville-de-metz", "producer", kind="commune")
    make_dataset("budget-metz", org="ville-de-metz", access="internal")
    make_dataset("autre", org="eurometropole", access="open")
    client.force_login(plain_user)
    form = client.get(reverse("portal:upload")).context["form"]
    assert [o.slug for o in form.fields["organisation"].queryset] == ["ville-de-metz"]
    assert [v for v, _ in form.fields["dataset"].widget.choices] == ["", "budget-metz"]
    assert "open" not in [v for v, _ in form.fields["access"].choices]  # a steward's act

    opening = client.post(
        reverse("portal:upload"),
        {"file": csv_file(GOOD), "dataset": "budget-metz", "access": "open"},
    )
    assert "access" in opening.context["form"].errors
    elsewhere = client.post(reverse("portal:upload"), {"file": csv_file(GOOD), "dataset": "autre"})
    assert elsewhere.context["form"].errors["dataset"] == ["Jeu de données inconnu."]
    other_org = client.post(
        reverse("portal:upload"),
        {"file": csv_file(GOOD), "slug": "x", "title": "X", "organisation": "eurometropole"},
    )
    assert "organisation" in other_org.context["form"].errors

    published = client.post(
        reverse("portal:upload"),
        {"file": csv_file(GOOD), "dataset": "budget-metz", "access": "partners"},
    )
    assert published.status_code == 302
    page = client.get(published["Location"])
    assert page.context["version"].row_count == 2
    assert page.context["dataset"].access_level == "partners"
