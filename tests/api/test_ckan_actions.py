"""CKAN Action API: the envelope, every catalog action and its errors, always behind the gate."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, override_settings

from territoria.api.ckan.ids import object_id, pk_of

BASE = "/api/3/action"
SECRET = "SECRET-BUDGET-4242"
STATIONS = (
    "station;commune;code_insee;date;no2;pm10\n"
    "Strasbourg Clemenceau;Strasbourg;67482;01/01/2024;41,5;20\n"
    "Strasbourg Clemenceau;Strasbourg;67482;02/01/2024;38,0;18\n"
    "Metz Borny;Metz;57463;01/01/2024;22,5;\n"
    "Metz Borny;Metz;57463;02/01/2024;25,0;14\n"
    "Reims Jean Jaurès;Reims;51454;01/01/2024;30,0;16\n"
)
COMMUNES = "code_insee;nom;departement\n67482;Strasbourg;67\n57463;Metz;57\n51454;Reims;51\n"


@dataclass
class Region:
    root: Path
    datasets: dict = field(default_factory=dict)  # slug -> Dataset
    steward: object = None

    def resource_id(self, slug: str) -> str:
        return object_id("resource", self.datasets[slug].table_resource().pk)


def build_region(root: Path) -> Region:
    """Four datasets: three open (air quality, communes, 250 numbered rows), one internal."""
    from django.contrib.auth.models import User

    from territoria.accounts.models import Membership
    from territoria.catalog.models import Organisation
    from territoria.ingest.services import do_ingest_file

    region = Region(root)
    for slug, name, kind in (
        ("region-grand-est", "Région Grand Est", "region"),
        ("ville-de-colmar", "Ville de Colmar", "commune"),
    ):
        Organisation.objects.create(slug=slug, name=name, kind=kind)
    numbered = "n;carre\n" + "".join(f"{i};{i * i}\n" for i in range(1, 251))
    specs = [
        ("qualite-air", STATIONS, "open", "region-grand-est", ["air", "pollution"], ["ENVI"]),
        ("communes", COMMUNES, "open", "region-grand-est", ["referentiel"], ["REGI"]),
        ("carres", numbered, "open", "ville-de-colmar", ["air"], ["TECH"]),
        ("budget-interne", f"poste;montant\n{SECRET};12\n", "internal", "ville-de-colmar",
         [SECRET.lower()], ["ECON"]),
    ]  # fmt: skip
    for slug, text, access, org, keywords, themes in specs:
        path = root / f"{slug}.csv"
        path.write_text(text, encoding="utf-8")
        title = f"Budget {SECRET}" if access != "open" else slug.replace("-", " ").title()
        outcome = do_ingest_file(
            path,
            dataset_slug=slug,
            org_slug=org,
            title=title,
            access=access,
            metadata={"keywords": keywords, "themes": themes, "description": f"About {title}"},
        )
        region.datasets[slug] = outcome.dataset
    region.steward = User.objects.create_user("steward", "s@example.org", "s3cret-pass")
    Membership.objects.create(
        user=region.steward,
        organisation=Organisation.objects.get(slug="region-grand-est"),
        role="steward",
    )
    return region


@pytest.fixture(scope="module")
def region(django_db_setup, django_db_blocker, tmp_path_factory):
    root = tmp_path_factory.mktemp("ckan")
    with django_db_blocker.unblock(), override_settings(DATASTORE_ROOT=root), transaction.atomic():
        yield build_region(root)
        transaction.set_rollback(True)


@pytest.fixture
def ckan(region, settings, db):
    """A client for the region's CKAN API (anonymous)."""
    settings.DATASTORE_ROOT = region.root
    return Client()


@pytest.fixture
def steward(ckan, region):
    client = Client()
    client.force_login(region.steward)
    return client


def call(client: Client, action: str, method: str = "get", **params):
    """Call ``action``; returns (status, parsed envelope)."""
    url = f"{BASE}/{action}"
    if method == "post":
        response = client.post(url, json.dumps(params), content_type="application/json")
    else:
        response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["help"].endswith(f"/api/3/action/help_show?name={action}")
    return response.status_code, body


def result(client: Client, action: str, method: str = "get", **params):
    status, body = call(client, action, method, **params)
    assert status == 200 and body["success"] is True, body
    return body["result"]


def test_status_show_answers_in_the_ckan_envelope(ckan):
    status, body = call(ckan, "status_show")
    assert status == 200 and body["success"] is True
    assert body["result"]["ckan_version"] == "2.10.0"
    assert body["result"]["extensions"] == ["datastore"]
    assert body["result"]["locale_default"] == "fr"


def test_the_unversioned_path_serves_the_same_actions(ckan):
    response = ckan.post("/api/action/package_list", "{}", content_type="application/json")
    assert json.loads(response.content)["result"] == ["carres", "communes", "qualite-air"]


def test_package_list_shows_open_datasets_only(ckan, steward):
    assert result(ckan, "package_list") == ["carres", "communes", "qualite-air"]
    assert result(ckan, "package_list", limit=1, offset=1) == ["communes"]
    assert "budget-interne" in result(steward, "package_list", include_private="true")
    assert "budget-interne" not in result(ckan, "package_list", include_private="true")


def test_package_show_by_name_and_by_id_with_resources_tags_and_groups(ckan, region):
    package = result(ckan, "package_show", id="qualite-air")
    dataset = region.datasets["qualite-air"]
    assert package["id"] == object_id("package", dataset.pk)
    assert pk_of("package", package["id"]) == dataset.pk
    assert result(ckan, "package_show", method="post", id=package["id"]) == package
    assert package["name"] == "qualite-air" and package["private"] is False
    assert package["organization"]["name"] == "region-grand-est"
    assert package["owner_org"] == package["organization"]["id"]
    assert [t["name"] for t in package["tags"]] == ["air", "pollution"]
    assert [g["name"] for g in package["groups"]] == ["envi"]
    assert package["license_id"] == "lov2" and package["isopen"] is True
    (resource,) = package["resources"]
    assert resource["id"] == region.resource_id("qualite-air")
    assert resource["package_id"] == package["id"]
    assert resource["datastore_active"] is True and resource["format"] == "CSV"
    assert resource["url"].endswith("/api/explore/v2.1/catalog/datasets/qualite-air/exports/csv")


def test_a_private_package_is_not_found_exactly_like_a_missing_one(ckan, steward, region):
    hidden_id = object_id("package", region.datasets["budget-interne"].pk)
    for ident in ("budget-interne", hidden_id):
        status, body = call(ckan, "package_show", id=ident)
        assert status == 404
        assert body == {
            "help": body["help"],
            "success": False,
            "error": {"__type": "Not Found Error", "message": "Not found"},
        }
        assert call(ckan, "package_show", id="jeu-absent")[1] == body
    assert result(steward, "package_show", id=hidden_id)["private"] is True


def test_package_show_without_id_is_a_validation_error(ckan):
    status, body = call(ckan, "package_show")
    assert status == 409
    assert body["error"]["__type"] == "Validation Error"
    assert body["error"]["id"] == ["Missing value"]


def test_package_search_with_text_filters_sort_paging_and_facets(ckan):
    found = result(
        ckan,
        "package_search",
        q="air",
        fq="organization:region-grand-est",
        sort="name desc",
        **{"facet.field": '["organization", "tags", "groups", "res_format"]'},
    )
    assert found["count"] == 1
    assert [p["name"] for p in found["results"]] == ["qualite-air"]
    assert found["facets"]["tags"] == {"air": 1, "pollution": 1}
    assert found["facets"]["groups"] == {"envi": 1}
    items = found["search_facets"]["organization"]["items"]
    assert items == [{"name": "region-grand-est", "display_name": "Région Grand Est", "count": 1}]
    everything = result(ckan, "package_search", rows=2, start=1, sort="name asc")
    assert everything["count"] == 3
    assert [p["name"] for p in everything["results"]] == ["communes", "qualite-air"]
    tagged = result(ckan, "package_search", fq='tags:"air"', sort="name asc")
    assert [p["name"] for p in tagged["results"]] == ["carres", "qualite-air"]


def test_package_search_never_counts_what_the_caller_may_not_see(ckan, steward):
    params = {"facet.field": '["organization", "tags", "groups"]', "q": "budget"}
    found = result(ckan, "package_search", include_private="true", **params)
    assert found["count"] == 0 and found["results"] == []
    assert SECRET.lower() not in json.dumps(found).lower()
    anonymous = result(ckan, "package_search", **{"facet.field": '["organization"]'})
    assert anonymous["facets"]["organization"] == {"region-grand-est": 2, "ville-de-colmar": 1}
    seen = result(steward, "package_search", include_private="true", **params)
    assert [p["name"] for p in seen["results"]] == ["budget-interne"]


def test_package_search_refuses_what_it_cannot_answer(ckan):
    for params in ({"fq": "-organization:x"}, {"fq": "colour:blue"}, {"sort": "size asc"}):
        status, body = call(ckan, "package_search", **params)
        assert status == 409 and body["error"]["__type"] == "Search Query Error", params


def test_organization_list_and_show_count_visible_datasets_only(ckan, steward, region):
    assert result(ckan, "organization_list") == ["region-grand-est", "ville-de-colmar"]
    orgs = result(ckan, "organization_list", all_fields="true", sort="package_count desc")
    assert [(o["name"], o["package_count"]) for o in orgs] == [
        ("region-grand-est", 2),
        ("ville-de-colmar", 1),
    ]
    shown = result(ckan, "organization_show", id="ville-de-colmar", include_datasets="true")
    assert shown["package_count"] == 1
    assert [p["name"] for p in shown["packages"]] == ["carres"]
    assert result(steward, "organization_show", id=shown["id"])["package_count"] == 2
    status, body = call(ckan, "organization_show", id="organisation-absente")
    assert status == 404 and body["error"]["__type"] == "Not Found Error"


def test_group_list_is_the_eu_themes_with_visible_counts(ckan):
    names = result(ckan, "group_list")
    assert len(names) == 13 and "envi" in names
    groups = {g["name"]: g for g in result(ckan, "group_list", all_fields="true")}
    assert groups["envi"]["package_count"] == 1
    assert groups["econ"]["package_count"] == 0  # the internal budget is not counted
    assert groups["envi"]["title"] == "Environment" or groups["envi"]["title"] == "Environnement"


def test_tag_list_lists_keywords_of_visible_datasets(ckan, steward):
    assert result(ckan, "tag_list") == ["air", "pollution", "referentiel"]
    assert result(ckan, "tag_list", query="poll") == ["pollution"]
    assert SECRET.lower() in result(steward, "tag_list")
    (tag,) = result(ckan, "tag_list", query="referentiel", all_fields="true")
    assert tag["name"] == "referentiel" and len(tag["id"]) == 36


def test_resource_show_and_a_hidden_resource_is_not_found(ckan, steward, region):
    resource = result(ckan, "resource_show", id=region.resource_id("qualite-air"))
    assert resource["name"] and resource["datastore_active"] is True
    hidden = region.resource_id("budget-interne")
    status, body = call(ckan, "resource_show", id=hidden)
    assert status == 404 and body["error"]["__type"] == "Not Found Error"
    missing = object_id("resource", 999_999)
    assert call(ckan, "resource_show", id=missing)[1]["error"] == body["error"]
    assert result(steward, "resource_show", id=hidden)["id"] == hidden


def test_unknown_write_and_malformed_calls_get_ckan_errors(ckan):
    status, body = call(ckan, "no_such_action")
    assert status == 400 and body["success"] is False
    assert body["error"] == {
        "__type": "Bad Request",
        "message": "Bad request - Action name not known: no_such_action",
    }
    status, body = call(ckan, "package_create", method="post", name="x")
    assert status == 403 and body["error"]["__type"] == "Authorization Error"
    response = ckan.post(f"{BASE}/package_show", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["message"].startswith("Bad request - JSON Error")
    status, body = call(ckan, "package_list", limit="-3")
    assert status == 409 and "limit" in body["error"]


def test_help_show_documents_each_action(ckan):
    assert "filters" in result(ckan, "help_show", name="datastore_search")
    status, body = call(ckan, "help_show", name="package_create")
    assert status == 404 and body["error"]["__type"] == "Not Found Error"


def test_no_action_shows_anything_of_a_hidden_dataset_to_anonymous(ckan, region):
    """Every action, pointed at the internal dataset where it can be, in GET and POST."""
    package = object_id("package", region.datasets["budget-interne"].pk)
    resource = region.resource_id("budget-interne")
    calls = [
        ("status_show", {}),
        ("package_list", {"include_private": True, "limit": 1000}),
        ("package_show", {"id": package}),
        ("package_show", {"id": "budget-interne"}),
        ("package_search", {"q": "budget", "include_private": True, "rows": 1000,
                            "facet.field": ["organization", "tags", "groups", "license_id"]}),
        ("package_search", {"fq": "tags:" + SECRET.lower(), "include_private": True}),
        ("resource_show", {"id": resource}),
        ("organization_list", {"all_fields": True}),
        ("organization_show", {"id": "ville-de-colmar", "include_datasets": True}),
        ("group_list", {"all_fields": True}),
        ("tag_list", {"all_fields": True}),
        ("datastore_search", {"resource_id": resource}),
        ("datastore_search", {"resource_id": "budget-interne", "q": SECRET}),
        ("datastore_search_sql", {"sql": f'SELECT * FROM "{resource}"'}),
        ("datastore_search_sql", {"sql": 'SELECT * FROM "budget-interne"'}),
    ]  # fmt: skip
    for name, params in calls:
        for method in ("get", "post"):
            sent = params if method == "post" else {
                k: json.dumps(v) if isinstance(v, list | bool) else v for k, v in params.items()
            }  # fmt: skip
            status, body = call(ckan, name, method, **sent)
            shown = json.dumps(body.get("result", body.get("error")), ensure_ascii=False)
            assert SECRET.lower() not in shown.lower(), (name, method, body)
            assert "Budget" not in shown, (name, method, body)  # the hidden title
            assert status in (200, 404), (name, status, body)
