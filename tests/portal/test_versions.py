"""The "Versions" pages (history, diff, publish again) and the URL source page of the portal."""

import re

import pytest
from django.urls import reverse

from territoria.catalog.models import Resource, Version
from territoria.governance.models import AuditEntry

V1 = "code;nom;hauteur\nA1;Tilleul;12\nA2;Érable;8\nA3;Chêne;20\n"
V2 = "code;nom;hauteur\nA1;Tilleul;13\nA2;Érable;8\nA4;Platane;15\n"
V3 = "code;nom;hauteur\nA1;Tilleul;13\nA2;Érable;9\nA4;Platane;15\n"


@pytest.fixture
def producer(db, add_member):
    from django.contrib.auth.models import User

    user = User.objects.create_user("prod", "producteur@colmar.fr")
    return add_member(user, "ville-de-colmar", "producer", kind="commune")


@pytest.fixture
def viewer(db, add_member):
    from django.contrib.auth.models import User

    user = User.objects.create_user("lectrice", "lectrice@colmar.fr")
    return add_member(user, "ville-de-colmar", "viewer", kind="commune")


@pytest.fixture
def arbres(ingest_text, producer):
    """A dataset of Colmar with three published versions, V3 live."""
    outcomes = [
        ingest_text(text, slug="arbres", org="ville-de-colmar", access="internal", user=producer)
        for text in (V1, V2, V3)
    ]
    return [o.version for o in outcomes]


def count(html: str, name: str) -> str:
    """The figure the diff page shows for ``name`` (added, removed, changed)."""
    return re.search(rf'data-count="{name}">\s*([^<\s]+)\s*<', html)[1]


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_versions_page_lists_each_version_and_marks_the_live_one(client, producer, arbres):
    html = signed_in(client, producer).get(reverse("portal:versions", args=["arbres"])).content
    html = html.decode()
    assert "<h1>Versions de arbres</h1>" in html
    assert "3 versions" in html
    assert html.count("<strong>En ligne</strong>") == 1
    assert html.count("Remplacée") == 2
    first, second, live = arbres
    assert f"?old={second.key}&amp;new={live.key}" in html
    assert f"?old={first.key}&amp;new={second.key}" in html


def test_a_producer_sees_who_made_each_version_and_may_publish_one_again(client, producer, arbres):
    html = signed_in(client, producer).get(reverse("portal:versions", args=["arbres"])).content
    html = html.decode()
    assert html.count("<td>prod</td>") == 3
    assert html.count("Publier de nouveau") == 2  # not the live one


def test_each_version_shows_a_summary_of_its_reports(client, viewer, arbres):
    first, second, _ = arbres
    Version.objects.filter(pk=first.pk).update(
        reports={"validation": {"valid": False, "error_count": 3, "invalid_rows": 2}}
    )
    Version.objects.filter(pk=second.pk).update(reports={"validation": {"valid": True}})
    html = signed_in(client, viewer).get(reverse("portal:versions", args=["arbres"])).content
    html = html.decode()
    assert "<strong>Validation</strong> : 3 erreurs, 2 lignes non conformes" in html
    assert "<strong>Validation</strong> : conforme" in html


def test_a_reader_sees_neither_names_nor_buttons(client, viewer, arbres):
    html = signed_in(client, viewer).get(reverse("portal:versions", args=["arbres"])).content
    html = html.decode()
    assert "3 versions" in html
    assert "<td>prod</td>" not in html and "Publier de nouveau" not in html


def test_the_versions_page_of_a_hidden_dataset_is_a_404(client, plain_user, arbres):
    response = signed_in(client, plain_user).get(reverse("portal:versions", args=["arbres"]))
    assert response.status_code == 404


def test_publish_again_switches_the_live_version_and_audits_it(client, producer, arbres):
    first, _, live = arbres
    url = reverse("portal:version_rollback", args=["arbres", first.key])
    response = signed_in(client, producer).post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:versions", args=["arbres"])
    resource = Resource.objects.get(dataset__slug="arbres")
    assert resource.live_version_id == first.pk
    entry = AuditEntry.objects.filter(action="version.rollback").latest("pk")
    assert entry.target == f"version:{first.pk}"
    assert entry.detail["previous"] == live.pk
    page = client.get(response["Location"]).content.decode()
    assert "est de nouveau publiée." in page


def test_the_live_version_cannot_be_published_again(client, producer, arbres):
    live = arbres[-1]
    url = reverse("portal:version_rollback", args=["arbres", live.key])
    response = signed_in(client, producer).post(url, follow=True)
    assert (
        "Seule une version déjà publiée peut être publiée de nouveau." in response.content.decode()
    )
    assert Resource.objects.get(dataset__slug="arbres").live_version_id == live.pk


def test_a_reader_may_not_publish_again_and_a_stranger_gets_404(client, viewer, plain_user, arbres):
    url = reverse("portal:version_rollback", args=["arbres", arbres[0].key])
    assert signed_in(client, viewer).post(url).status_code == 403
    assert signed_in(client, plain_user).post(url).status_code == 404
    assert client.get(url).status_code == 405
    assert Resource.objects.get(dataset__slug="arbres").live_version_id == arbres[-1].pk


def test_the_diff_page_compares_the_live_version_with_the_previous_one(client, viewer, arbres):
    response = signed_in(client, viewer).get(reverse("portal:version_diff", args=["arbres"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lignes rapprochées sur la colonne <code>code</code>." in html
    assert (count(html, "added"), count(html, "removed"), count(html, "changed")) == ("0", "0", "1")
    assert "<td>8</td>" in html and "<td>9</td>" in html  # hauteur of A2, before and after


def test_the_diff_page_compares_two_chosen_versions_on_a_chosen_column(client, viewer, arbres):
    first, _, live = arbres
    url = reverse("portal:version_diff", args=["arbres"])
    query = {"old": first.key, "new": live.key, "on": "nom"}
    html = signed_in(client, viewer).get(url, query).content.decode()
    assert "Lignes rapprochées sur la colonne <code>nom</code>." in html
    assert (count(html, "added"), count(html, "removed")) == ("1", "1")  # Platane, Chêne
    assert "<td>Platane</td>" in html and "<td>Chêne</td>" in html


def test_the_diff_form_offers_every_version_with_the_compared_ones_chosen(client, viewer, arbres):
    first, _, live = arbres
    url = reverse("portal:version_diff", args=["arbres"])
    html = signed_in(client, viewer).get(url, {"old": first.key, "new": live.key}).content.decode()
    old = html.split('<select id="diff-old" name="old">')[1].split("</select>")[0]
    new = html.split('<select id="diff-new" name="new">')[1].split("</select>")[0]
    for select, chosen in ((old, first), (new, live)):
        assert select.count("<option") == len(arbres)
        assert f'<option value="{chosen.key}" selected>' in select


def test_a_key_column_that_cannot_match_rows_is_explained_in_french(
    client, viewer, arbres, ingest_text
):
    repeated = ingest_text(
        "code;espece\nA1;Tilleul\nA2;Tilleul\n", slug="arbres", org="ville-de-colmar"
    ).version
    url = reverse("portal:version_diff", args=["arbres"])
    signed_in(client, viewer)
    response = client.get(url, {"old": arbres[-1].key, "new": repeated.key, "on": "espece"})
    assert response.status_code == 400
    assert "Cette colonne ne figure pas dans les deux versions." in response.content.decode()
    response = client.get(url, {"old": repeated.key, "new": repeated.key, "on": "espece"})
    assert response.status_code == 400
    assert "Cette colonne est vide ou répétée dans certaines lignes" in response.content.decode()


def test_an_unknown_version_key_is_a_404(client, viewer, arbres):
    url = reverse("portal:version_diff", args=["arbres"])
    response = signed_in(client, viewer).get(url, {"old": "nope", "new": arbres[0].key})
    assert response.status_code == 404


def test_a_dataset_with_one_version_has_nothing_to_compare(client, ingest_text):
    ingest_text(V1, slug="seul")
    html = client.get(reverse("portal:version_diff", args=["seul"])).content.decode()
    assert "Ce jeu de données a moins de deux versions" in html


def test_the_dataset_page_links_to_its_versions_and_to_its_source(client, producer, arbres):
    html = signed_in(client, producer).get(reverse("portal:dataset", args=["arbres"])).content
    assert b'href="/jeux-de-donnees/arbres/versions/"' in html
    assert b'href="/jeux-de-donnees/arbres/source/"' in html


def test_the_versions_page_costs_the_same_queries_for_more_versions(
    client, producer, arbres, ingest_text, django_assert_max_num_queries
):
    signed_in(client, producer)
    url = reverse("portal:versions", args=["arbres"])
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for height in range(3):
        ingest_text(V1 + f"A9;If;{height}\n", slug="arbres", org="ville-de-colmar")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- The URL source page ---------------------------------------------------------------


def test_a_producer_sets_a_url_source(client, producer, arbres):
    url = reverse("portal:dataset_source", args=["arbres"])
    response = signed_in(client, producer).post(
        url, {"url": "https://data.colmar.fr/arbres.csv?jeton=abc", "frequency": "DAILY"}
    )
    assert response.status_code == 302
    resource = Resource.objects.get(dataset__slug="arbres")
    assert resource.source_url == "https://data.colmar.fr/arbres.csv?jeton=abc"
    assert resource.refresh_frequency == "DAILY"
    html = client.get(url).content.decode()
    assert "Source enregistrée : elle sera récupérée d’ici une minute." in html
    assert 'data-state="waiting"' in html
    assert "jeton=abc" in html  # the producer sees the whole URL


def test_a_reader_sees_the_source_without_its_secrets_and_no_form(client, viewer, arbres):
    Resource.objects.filter(dataset__slug="arbres").update(
        source_url="https://agent:pw@data.colmar.fr/arbres.csv?cle=XYZSECRET",
        refresh_frequency="WEEKLY",
    )
    response = signed_in(client, viewer).get(reverse("portal:dataset_source", args=["arbres"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<code>https://data.colmar.fr/arbres.csv?…</code>" in html
    assert "XYZSECRET" not in html and "agent" not in html
    assert "Enregistrer la source" not in html
    assert "Seuls les producteurs de Ville De Colmar peuvent modifier la source." in html
    post = client.post(reverse("portal:dataset_source", args=["arbres"]), {"url": ""})
    assert post.status_code == 403


def test_a_url_that_cannot_be_fetched_is_refused_in_french(client, producer, arbres):
    url = reverse("portal:dataset_source", args=["arbres"])
    signed_in(client, producer)
    response = client.post(url, {"url": "ftp://data.colmar.fr/a.csv", "frequency": "DAILY"})
    assert response.status_code == 400
    response = client.post(url, {"url": "http://192.168.1.10/a.csv", "frequency": "DAILY"})
    assert "Cette adresse ne peut pas être récupérée" in response.content.decode()
    response = client.post(url, {"url": "https://data.colmar.fr/a.csv", "frequency": ""})
    assert "Choisissez à quelle fréquence le fichier est récupéré." in response.content.decode()
    assert Resource.objects.get(dataset__slug="arbres").source_url == ""


def test_fetch_now_reports_a_failure_and_keeps_the_live_version(client, producer, arbres, settings):
    settings.SOURCES_ALLOW_PRIVATE = True
    settings.SOURCES_TIMEOUT = 2
    Resource.objects.filter(dataset__slug="arbres").update(
        source_url="http://127.0.0.1:9/arbres.csv", refresh_frequency="DAILY"
    )
    url = reverse("portal:dataset_source", args=["arbres"])
    response = signed_in(client, producer).post(url, {"refresh": "1"}, follow=True)
    html = response.content.decode()
    assert "La source n’a pas pu être récupérée : 127.0.0.1: connection refused" in html
    assert 'data-state="failing"' in html
    assert Resource.objects.get(dataset__slug="arbres").live_version_id == arbres[-1].pk


def test_the_source_page_asks_to_sign_in(client, ingest_text):
    ingest_text(V1, slug="public")
    response = client.get(reverse("portal:dataset_source", args=["public"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_fetch_now_queues_a_job_and_leads_to_it(client, producer, arbres, tmp_path, monkeypatch):
    from territoria.ingest.models import Job
    from territoria.ingest.tasks import huey
    from territoria.portal import sources

    huey.immediate = False  # no worker: the job stays queued
    saved = huey.storage
    huey.storage = huey.storage_class(huey.name, filename=str(tmp_path / "jobs.sqlite3"))
    monkeypatch.setattr(sources, "REFRESH_WAIT_SECONDS", 0.0)
    try:
        Resource.objects.filter(dataset__slug="arbres").update(
            source_url="https://data.colmar.fr/arbres.csv", refresh_frequency="DAILY"
        )
        url = reverse("portal:dataset_source", args=["arbres"])
        response = signed_in(client, producer).post(url, {"refresh": "1"})
        job = Job.objects.get(kind="refresh_source")
        assert response["Location"] == reverse("portal:job", args=[job.pk])
        again = client.post(url, {"refresh": "1"}, follow=True)
        assert Job.objects.filter(kind="refresh_source").count() == 1
        html = again.content.decode()
        assert "La source est déjà en cours de récupération." in html
        assert "Récupération de la source https://data.colmar.fr/arbres.csv" in html
        page = client.get(url).content.decode()
        assert f'<a href="/taches/{job.pk}/">Une récupération est en cours : la suivre</a>' in page
    finally:
        huey.storage = saved
