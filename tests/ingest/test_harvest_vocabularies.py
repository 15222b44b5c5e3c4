"""Licences and themes as portals write them, mapped to ours; DCAT catalogue addresses."""

import pytest

from territoria.ingest.harvest.dcat import catalogue_url
from territoria.ingest.harvest.remote import RemoteDataset, licence_of, themes_of


@pytest.mark.parametrize(
    ("hints", "url", "code"),
    [
        (("fr-lo",), "", "lov2"),
        (("lov2",), "", "lov2"),
        (("Licence Ouverte v2.0 (Etalab)",), "", "lov2"),
        (("",), "https://www.etalab.gouv.fr/licence-ouverte-open-licence", "lov2"),
        (("odc-odbl",), "", "odbl"),
        (("Open Database License (ODbL)",), "", "odbl"),
        (("",), "http://opendatacommons.org/licenses/odbl/1-0/", "odbl"),
    ],
)
def test_standard_licences_are_recognised_by_id_label_or_url(hints, url, code):
    assert licence_of(*hints, url=url) == (code, "", "")


def test_other_licences_keep_their_name_and_url():
    assert licence_of("cc-by", "Creative Commons Attribution", url="https://cc.org/by/4.0/") == (
        "other", "cc-by", "https://cc.org/by/4.0/",
    )  # fmt: skip
    assert licence_of("") == ("other", "Unspecified licence", "")


def test_themes_are_read_from_codes_uris_and_french_labels():
    values = [
        "envi",
        "http://publications.europa.eu/resource/authority/data-theme/TRAN",
        "Économie, Finances",
        "Santé",
        "Transports, Déplacements",
        "sans rapport",
    ]
    assert themes_of(values) == ("ENVI", "TRAN", "ECON", "HEAL")


def test_content_hash_changes_with_what_is_imported_only():
    one = RemoteDataset(identifier="a", slug="a", title="Eau")
    assert one.content_hash() == RemoteDataset(identifier="a", slug="a", title="Eau").content_hash()
    assert one.content_hash() != RemoteDataset(identifier="a", slug="b", title="Eau").content_hash()


def test_dcat_root_address_reads_its_turtle_catalogue():
    assert catalogue_url("https://data.example.fr") == "https://data.example.fr/catalog.ttl"
    assert catalogue_url("https://data.example.fr/") == "https://data.example.fr/catalog.ttl"
    assert catalogue_url("https://x.fr/catalog.jsonld") == "https://x.fr/catalog.jsonld"
