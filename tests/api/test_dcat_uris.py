"""The stable URIs every dialect names the catalogue's objects with (catalog/uris.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import resolve

from territoria.api.dcat.vocabularies import EXPORT_TYPES, territory_uri
from territoria.api.explore.views import EXPORT_FORMATS
from territoria.catalog import uris
from territoria.catalog.models import Dataset, Resource


def test_uris_are_built_from_the_base_url_setting(settings, make_org):
    settings.BASE_URL = "https://data.grandest.example/"
    org = make_org()
    dataset = Dataset.objects.create(slug="communes", title="Communes", organisation=org)
    resource = Resource.objects.create(dataset=dataset, title="Notice", kind="file")
    assert uris.catalog_uri() == "https://data.grandest.example/catalog"
    assert uris.dataset_uri(dataset) == "https://data.grandest.example/jeux-de-donnees/communes/"
    assert (
        uris.organisation_uri(org)
        == "https://data.grandest.example/organisations/region-grand-est/"
    )
    assert uris.resource_uri(resource) == (
        f"https://data.grandest.example/jeux-de-donnees/communes/#resource-{resource.pk}"
    )
    assert uris.export_uri(dataset, "csv") == (
        "https://data.grandest.example/jeux-de-donnees/communes/#export-csv"
    )


def test_the_uris_of_a_dataset_and_its_organisation_are_their_portal_pages(make_org):
    org = make_org()
    dataset = Dataset.objects.create(slug="communes", title="Communes", organisation=org)
    assert resolve(urlsplit(uris.dataset_uri(dataset)).path).view_name == "portal:dataset"
    assert resolve(urlsplit(uris.organisation_uri(org)).path).view_name == "portal:organisation"
    export = resolve(uris.export_path(dataset, "parquet"))
    assert export.view_name == "explore:export"
    assert export.kwargs == {"dataset_id": "communes", "fmt": "parquet"}


def test_every_export_format_of_the_explore_api_is_described():
    assert set(EXPORT_TYPES) == set(EXPORT_FORMATS)


def test_territory_codes_become_insee_uris_corsica_included():
    assert str(territory_uri("fr:commune:2A004")) == "http://id.insee.fr/geo/commune/2A004"
    assert str(territory_uri("fr:epci:200067213")) == (
        "http://id.insee.fr/geo/intercommunalite/200067213"
    )
    assert territory_uri("fr:canton:6701") is None
