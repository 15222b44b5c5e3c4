"""Catalog rules: identifiers checked, licences classified, search folds accents and plurals."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from territoria.catalog.models import Dataset, Organisation
from territoria.catalog.search import fold, index_dataset, search_datasets, search_terms
from territoria.catalog.validators import check_siren, check_territory_codes


def test_siren_with_right_luhn_key_is_accepted():
    check_siren("200052264")  # Région Grand Est


@pytest.mark.parametrize("value", ["200052265", "12345678", "2000522640", "20005226A"])
def test_siren_with_wrong_key_or_shape_is_refused(value):
    with pytest.raises(ValidationError, match="SIREN"):
        check_siren(value)


def test_territory_codes_accept_corsica_and_refuse_unknown_levels():
    check_territory_codes(["fr:commune:2A004", "fr:departement:2B", "fr:region:44"])
    with pytest.raises(ValidationError, match="fr:canton:1"):
        check_territory_codes(["fr:canton:1"])


def test_fold_removes_accents_and_case():
    assert fold("Qualité de l'ÉAU à Sélestat") == "qualite de l'eau a selestat"


def test_plural_and_singular_give_the_same_term():
    assert search_terms("eaux réseaux bornes") == search_terms("Eau réseau borne")


@pytest.mark.django_db
def test_organisation_full_clean_refuses_bad_siren():
    org = Organisation(slug="x", name="X", kind="commune", siren="123456789")
    with pytest.raises(ValidationError):
        org.full_clean()


@pytest.mark.django_db
def test_non_standard_licence_is_flagged_and_needs_a_name(make_org):
    org = make_org()
    dataset = Dataset(slug="d", title="D", organisation=org, licence="other")
    with translation.override("en"), pytest.raises(ValidationError, match="Name the licence"):
        dataset.full_clean()
    dataset.licence_name = "CC-BY-NC"
    dataset.full_clean()
    assert not dataset.licence_is_standard
    assert Dataset(licence="odbl").licence_is_standard


@pytest.mark.django_db
def test_search_finds_accented_singular_from_plural_query(make_org):
    org = make_org()
    eau = Dataset.objects.create(
        slug="qualite-eau",
        title="Qualité de l'Eau potable",
        organisation=org,
        access_level="open",
        themes=["ENVI"],
    )
    other = Dataset.objects.create(
        slug="gares", title="Gares TER", organisation=org, access_level="open", themes=["TRAN"]
    )
    for d in (eau, other):
        index_dataset(d)
    found = search_datasets(Dataset.objects.all(), "eaux qualites")
    assert list(found.datasets) == [eau]
    assert found.facets["theme"] == [("ENVI", "Environment", 1)] or found.facets["theme"][0][2] == 1


@pytest.mark.django_db
def test_facet_counts_only_count_the_given_queryset(make_org):
    org = make_org()
    for slug, level in (("a", "open"), ("b", "internal"), ("c", "open")):
        index_dataset(
            Dataset.objects.create(
                slug=slug, title=slug, organisation=org, access_level=level, themes=["ECON"]
            )
        )
    found = search_datasets(Dataset.objects.filter(access_level="open"), "")
    assert found.total == 2
    assert [(v, n) for v, _, n in found.facets["theme"]] == [("ECON", 2)]
    assert [(v, n) for v, _, n in found.facets["access"]] == [("open", 2)]
