"""Pages read datasets only through the access gate: a hidden dataset leaves no trace."""

import re

import pytest
from django.urls import reverse


@pytest.fixture
def catalogue(make_dataset):
    make_dataset("qualite-eau", title="Qualité de l'eau", themes=["ENVI"], org="eurometropole")
    make_dataset(
        "budget-interne", title="Budget interne de l'eau", access="internal",
        themes=["ECON", "ENVI"], org="eurometropole",
    )  # fmt: skip


def test_anonymous_gets_404_on_an_internal_dataset(client, catalogue):
    response = client.get(reverse("portal:dataset", args=["budget-interne"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "Budget interne" not in html


def test_anonymous_404_looks_like_a_missing_dataset(client, catalogue):
    hidden = client.get(reverse("portal:dataset", args=["budget-interne"]))
    missing = client.get(reverse("portal:dataset", args=["no-such-dataset"]))
    assert hidden.status_code == missing.status_code == 404

    def page(response, slug):  # the same page, but for the path echoed and the CSRF mask
        html = response.content.decode().replace(slug, "SLUG")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert page(hidden, "budget-interne") == page(missing, "no-such-dataset")


def test_search_results_and_facets_ignore_hidden_datasets(client, catalogue):
    response = client.get(reverse("portal:search"), {"q": "eau"})
    html = response.content.decode()
    assert "Qualité de l&#x27;eau" in html
    assert "Budget interne" not in html
    assert "1 jeu de données trouvé" in html
    assert response.context["total"] == 1
    facets = {
        g.kind: {v.value: v.count for v in g.values} for g in response.context["facet_groups"]
    }
    assert facets["theme"] == {"ENVI": 1}  # ECON exists only on the hidden dataset
    assert facets["access"] == {"open": 1}


def test_filtering_on_a_hidden_value_reveals_nothing(client, catalogue):
    response = client.get(reverse("portal:search"), {"theme": "ECON"})
    assert response.context["total"] == 0
    assert "Budget interne" not in response.content.decode()


def test_home_figures_count_only_visible_datasets(client, catalogue):
    response = client.get(reverse("portal:home"))
    assert response.context["dataset_count"] == 1
    html = response.content.decode()
    assert "Budget interne" not in html
    assert '<span class="figure" data-testid="dataset-count">1</span>' in html


def test_organisation_pages_list_only_visible_datasets(client, catalogue):
    page = client.get(reverse("portal:organisation", args=["eurometropole"]))
    assert page.status_code == 200
    assert "Qualité de l&#x27;eau" in page.content.decode()
    assert "Budget interne" not in page.content.decode()
    listing = client.get(reverse("portal:organisations"))
    counts = {o.slug: o.dataset_count for o in listing.context["organisations"]}
    assert counts["eurometropole"] == 1


def test_a_signed_in_citizen_sees_no_more_than_anonymous(citizen_client, catalogue):
    assert citizen_client.get(reverse("portal:dataset", args=["budget-interne"])).status_code == 404
    response = citizen_client.get(reverse("portal:search"))
    assert response.context["total"] == 1


def test_staff_sees_the_internal_dataset_everywhere(staff_client, catalogue):
    page = staff_client.get(reverse("portal:dataset", args=["budget-interne"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Budget interne de l&#x27;eau" in html
    assert '<span class="badge badge-internal">Interne</span>' in html
    search = staff_client.get(reverse("portal:search"), {"q": "eau"})
    assert search.context["total"] == 2
    facets = {g.kind: {v.value: v.count for v in g.values} for g in search.context["facet_groups"]}
    assert facets["theme"] == {"ENVI": 2, "ECON": 1}
    assert facets["access"] == {"open": 1, "internal": 1}
    home = staff_client.get(reverse("portal:home"))
    assert home.context["dataset_count"] == 2
    organisation = staff_client.get(reverse("portal:organisation", args=["eurometropole"]))
    assert "Budget interne" in organisation.content.decode()


def test_open_datasets_carry_no_access_badge(client, catalogue):
    html = client.get(reverse("portal:search")).content.decode()
    assert "badge-open" not in html
    assert "badge-internal" not in html


def test_a_chosen_filter_matching_nothing_can_still_be_removed(client, catalogue):
    response = client.get(reverse("portal:search"), {"access": "internal"})
    assert response.context["total"] == 0
    ((title, value),) = response.context["active_filters"]
    assert (title, value.label, value.count, value.url) == ("Accès", "Interne", 0, "?")
