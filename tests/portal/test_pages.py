"""What each portal page shows: search with facets and pages, dataset, organisations, errors."""

import re
from datetime import date

import pytest
from django.urls import reverse

from territoria.portal.csp import POLICY

CSV = "commune;code_insee;population;mesure\nStrasbourg;67482;290000;1,5\nColmar;68066;67000;2,25\n"


def test_search_finds_by_folded_text(client, make_dataset):
    make_dataset("reseaux-eaux", title="Réseaux d'eaux usées")
    make_dataset("bornes", title="Bornes de recharge")
    response = client.get(reverse("portal:search"), {"q": "reseau eau"})
    assert [d.slug for d in response.context["datasets"]] == ["reseaux-eaux"]
    assert 'value="reseau eau"' in response.content.decode()


def test_search_facets_filter_with_several_values(client, make_dataset):
    make_dataset("air", themes=["ENVI"])
    make_dataset("bus", themes=["TRAN"])
    make_dataset("budget", themes=["ECON"])
    response = client.get(reverse("portal:search"), {"theme": ["ENVI", "TRAN"]})
    assert sorted(d.slug for d in response.context["datasets"]) == ["air", "bus"]
    active = [(title, v.value) for title, v in response.context["active_filters"]]
    assert active == [("Thèmes", "ENVI"), ("Thèmes", "TRAN")]
    html = response.content.decode()
    assert "Retirer le filtre" in html
    # Each active filter links to the same search without it.
    removal = {v.value: v.url for _, v in response.context["active_filters"]}
    assert removal["ENVI"] == "?theme=TRAN"


def test_facet_links_add_a_value_and_reset_the_page(client, make_dataset):
    make_dataset("air", themes=["ENVI"], domains=["environnement-amenagement"])
    response = client.get(reverse("portal:search"), {"q": "air", "page": "1"})
    groups = {g.kind: g for g in response.context["facet_groups"]}
    (value,) = groups["domain"].values
    assert value.label == "Environnement et aménagement du territoire"
    assert value.count == 1
    assert value.url == "?q=air&domain=environnement-amenagement"
    assert value.active is False


def test_search_pages_twenty_results_at_a_time(client, make_dataset):
    for n in range(25):
        make_dataset(f"jeu-{n:02d}", title=f"Jeu {n:02d}")
    first = client.get(reverse("portal:search"))
    assert len(first.context["datasets"]) == 20
    assert first.context["total"] == 25
    html = first.content.decode()
    assert "Page 1 sur 2" in html
    assert 'href="?page=2"' in html
    assert "Résultats 1–20 sur 25" in html
    second = client.get(reverse("portal:search"), {"page": "2"})
    assert [d.slug for d in second.context["datasets"]] == [f"jeu-{n}" for n in range(20, 25)]
    assert "Page précédente" in second.content.decode()
    nonsense = client.get(reverse("portal:search"), {"page": "abc"})
    assert nonsense.context["window"].number == 1


def test_search_sorts_by_last_update(client, make_dataset):
    make_dataset("ancien", title="A ancien")
    make_dataset("recent", title="Z récent")
    by_date = client.get(reverse("portal:search"), {"sort": "modified"})
    assert [d.slug for d in by_date.context["datasets"]] == ["recent", "ancien"]
    by_title = client.get(reverse("portal:search"), {"sort": "nonsense"})
    assert [d.slug for d in by_title.context["datasets"]] == ["ancien", "recent"]


def test_search_result_shows_organisation_licence_and_excerpt(client, make_dataset):
    make_dataset(
        "velos", title="Stations de vélos", org="ville-de-mulhouse",
        description="Les **stations** de vélos en libre service de la ville.",
    )  # fmt: skip
    html = client.get(reverse("portal:search")).content.decode()
    assert '<a href="/organisations/ville-de-mulhouse/">Ville De Mulhouse</a>' in html
    assert "Licence Ouverte / Open Licence 2.0" in html
    assert "Les stations de vélos en libre service de la ville." in html  # Markdown as text


def test_home_links_themes_into_search(client, make_dataset):
    make_dataset("air", themes=["ENVI"])
    html = client.get(reverse("portal:home")).content.decode()
    assert '<a href="/jeux-de-donnees/?theme=ENVI">Environnement</a>' in html
    assert '<label for="home-q">Rechercher des jeux de données</label>' in html


def test_dataset_page_shows_dcat_metadata(client, make_dataset):
    from territoria.catalog.models import Territory

    Territory.objects.create(
        code="fr:commune:67482", level="commune", insee_code="67482", name="Strasbourg"
    )
    make_dataset(
        "air", title="Qualité de l'air", keywords=["pollution", "NO2"],
        contact_name="Service air", contact_email="air@example.org",
        spatial=["fr:commune:67482", "fr:departement:68"],
        temporal_start=date(2020, 1, 1), temporal_end=date(2024, 12, 31), frequency="MONTHLY",
    )  # fmt: skip
    html = client.get(reverse("portal:dataset", args=["air"])).content.decode()
    assert "<h1>Qualité de l&#x27;air</h1>" in html
    assert '<a href="/jeux-de-donnees/?q=pollution">pollution</a>' in html
    assert '<a href="mailto:air@example.org">Service air</a>' in html
    assert ">Strasbourg</a>" in html
    assert ">fr:departement:68</a>" in html  # unknown to the referential: shown as is
    assert "du 1 janvier 2020 au 31 décembre 2024" in html
    assert "Mensuelle" in html
    assert "Aucune version de ce jeu de données n’a encore été publiée." in html


def test_dataset_description_is_markdown_without_scripts(client, make_dataset):
    make_dataset(
        "doc",
        description="# Titre\n\nDu **gras** et [un lien](https://example.org).\n\n"
        '<script>alert("x")</script><img src=x onerror="alert(1)">',
    )
    html = client.get(reverse("portal:dataset", args=["doc"])).content.decode()
    assert "<h2>Titre</h2>" in html
    assert "<strong>gras</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">un lien</a>' in html
    assert "alert" not in html
    assert "onerror" not in html


def test_non_standard_licence_is_flagged(client, make_dataset):
    make_dataset("autre", licence="other", licence_name="Licence maison")
    html = client.get(reverse("portal:dataset", args=["autre"])).content.decode()
    assert "Licence maison" in html
    assert "licence non standard" in html
    make_dataset("standard")
    assert (
        "licence non standard"
        not in client.get(reverse("portal:dataset", args=["standard"])).content.decode()
    )


def test_dataset_page_with_data_has_preview_fields_exports_and_api(client, ingest_text):
    ingest_text(CSV, slug="population", title="Population des communes")
    response = client.get(reverse("portal:dataset", args=["population"]))
    html = response.content.decode()
    assert response.context["version"].row_count == 2
    assert '<dd data-testid="row-count">' in html
    assert 'data-records-url="/api/explore/v2.1/catalog/datasets/population/records"' in html
    fields = [f["name"] for f in response.context["fields"]]
    assert fields == ["commune", "code_insee", "population", "mesure"]
    assert "<code>code_insee</code>" in html
    assert "&quot;name&quot;: &quot;commune&quot;" in html  # data-fields, JSON in an attribute
    for fmt in ("csv", "json", "jsonl", "parquet"):
        assert f'href="/api/explore/v2.1/catalog/datasets/population/exports/{fmt}"' in html
    assert (
        "curl &#x27;http://testserver/api/explore/v2.1/catalog/datasets/population/records"
        "?limit=10&#x27;" in html
    )
    assert 'src="/static/portal/js/preview.js"' in html
    assert "<script>" not in html  # nothing inline: the page runs under a strict CSP


def test_dataset_history_lists_published_versions(client, ingest_text):
    ingest_text(CSV, slug="population")
    ingest_text(CSV + "Mulhouse;68224;108000;3\n", slug="population")
    response = client.get(reverse("portal:dataset", args=["population"]))
    history = list(response.context["history"])
    assert [v.row_count for v in history] == [3, 2]
    assert [v.status for v in history] == ["published", "superseded"]
    html = response.content.decode()
    assert "Publiée" in html and "Remplacée" in html
    assert response.context["version"].row_count == 3


def test_organisation_page_shows_its_identity_and_datasets(client, make_org, make_dataset):
    organisation = make_org(slug="cea", name="Collectivité européenne d'Alsace", kind="departement")
    organisation.siren = "200094332"
    organisation.description = "La **CeA** publie ses données."
    organisation.save()
    make_dataset("routes", title="Routes départementales", org="cea")
    html = client.get(reverse("portal:organisation", args=["cea"])).content.decode()
    assert "<h1>Collectivité européenne d&#x27;Alsace</h1>" in html
    assert "Département" in html
    assert "200094332" in html
    assert "<strong>CeA</strong>" in html
    assert "Routes départementales" in html
    assert "1 jeu de données" in html


def test_organisation_list_counts_datasets(client, make_org, make_dataset):
    make_org(slug="vide", name="Organisation sans données", kind="association")
    make_dataset("routes", org="cea")
    response = client.get(reverse("portal:organisations"))
    html = response.content.decode()
    assert "Organisation sans données" in html
    assert "0 jeu de données" in html
    assert "Association" in html


def test_unknown_organisation_is_404(client, db):
    assert client.get(reverse("portal:organisation", args=["nope"])).status_code == 404


def test_404_page_has_the_site_layout(client, db):
    response = client.get("/jeux-de-donnees/inexistant/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Territoria — Grand Est" in html
    assert '<a class="skip-link" href="#main">' in html


def test_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Une erreur s’est produite" in html or "Something went wrong" in html
    assert "Territoria — Grand Est" in html


@pytest.mark.parametrize(
    "name, args", [("home", []), ("search", []), ("organisations", []), ("login", [])]
)
def test_pages_carry_a_strict_content_security_policy(client, db, name, args):
    response = client.get(reverse(f"portal:{name}", args=args))
    assert response["Content-Security-Policy"] == POLICY
    assert "script-src 'self'" in POLICY and "unsafe-inline" not in POLICY


def test_every_page_has_one_h1_and_labelled_inputs(client, make_dataset):
    make_dataset("air", themes=["ENVI"])
    for url in [
        "/",
        "/jeux-de-donnees/",
        "/jeux-de-donnees/air/",
        "/organisations/",
        "/connexion/",
    ]:
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        for input_id in re.findall(r'<(?:input|select)[^>]*\sid="([^"]+)"', html):
            assert f'for="{input_id}"' in html, (url, input_id)
