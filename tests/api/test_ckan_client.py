"""The real CKAN client, ``ckanapi`` from PyPI, against a live server: it works unchanged.

``ckanapi.RemoteCKAN`` posts JSON to ``/api/action/<name>`` and turns CKAN's error types
back into its exceptions (NotFound, ValidationError, NotAuthorized, SearchError): each is
exercised here over HTTP, through a threaded server on a free port (pytest-django's
``live_server``).
"""

from __future__ import annotations

import pytest

ckanapi = pytest.importorskip(
    "ckanapi", reason="ckanapi is a dev dependency (pip install -e .[dev])"
)

from ckanapi.errors import NotAuthorized, NotFound, SearchError, ValidationError  # noqa: E402

from tests.api.test_ckan_actions import SECRET, build_region  # noqa: E402


@pytest.fixture
def live_region(live_server, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path
    return build_region(tmp_path)


def test_ckanapi_reads_the_catalog_and_the_datastore(live_server, live_region):
    with ckanapi.RemoteCKAN(live_server.url) as portal:
        assert portal.action.status_show()["ckan_version"].startswith("2.")
        assert portal.action.package_list() == ["carres", "communes", "qualite-air"]
        package = portal.action.package_show(id="qualite-air")
        (resource,) = package["resources"]
        assert portal.action.resource_show(id=resource["id"])["package_id"] == package["id"]
        found = portal.action.package_search(q="air", **{"facet.field": ["tags"]})
        assert found["count"] == 2 and found["facets"]["tags"]["air"] == 2
        assert "envi" in portal.action.group_list()
        assert "region-grand-est" in portal.action.organization_list()
        assert portal.action.organization_show(id="ville-de-colmar")["package_count"] == 1
        assert "pollution" in portal.action.tag_list()
        records = portal.action.datastore_search(
            resource_id=resource["id"], filters={"commune": "Metz"}, sort="no2 desc"
        )
        assert [r["no2"] for r in records["records"]] == [25.0, 22.5]
        rows = portal.action.datastore_search_sql(
            sql=f'SELECT count(*) AS n FROM "{resource["id"]}"'
        )
        assert rows["records"] == [{"n": 5}]


def test_ckanapi_gets_its_own_exceptions_and_private_data_stays_hidden(
    live_server, live_region, settings
):
    hidden = live_region.resource_id("budget-interne")
    with ckanapi.RemoteCKAN(live_server.url) as portal:
        with pytest.raises(NotFound):
            portal.action.package_show(id="budget-interne")
        with pytest.raises(NotFound):
            portal.action.datastore_search(resource_id=hidden)
        with pytest.raises(NotFound):
            portal.action.datastore_search_sql(sql=f'SELECT * FROM "{hidden}"')
        with pytest.raises(ValidationError) as refused:
            portal.action.datastore_search_sql(sql="SELECT * FROM read_csv('/etc/passwd')")
        assert "sql" in refused.value.error_dict
        with pytest.raises(NotAuthorized):
            portal.action.package_create(name="nouveau")
        settings.QUERY_TIMEOUT = 0.3
        rid = live_region.resource_id("carres")
        tables = ", ".join(f'"{rid}" t{i}' for i in range(5))
        with pytest.raises(SearchError):
            portal.action.datastore_search_sql(sql=f"SELECT count(*) FROM {tables}")


def test_ckanapi_with_a_token_reads_what_its_user_may_read(live_server, live_region):
    from territoria.governance.models import ApiToken

    _, raw = ApiToken.issue(live_region.steward, "ckanapi", "read")
    # ckanapi sends the key as it is, in Authorization and X-CKAN-API-Key: no scheme.
    for apikey in (raw, f"Bearer {raw}"):
        with ckanapi.RemoteCKAN(live_server.url, apikey=apikey) as portal:
            package = portal.action.package_show(id="budget-interne")
            assert package["private"] is True
            records = portal.action.datastore_search(resource_id=package["resources"][0]["id"])
            assert records["records"] == [{"poste": SECRET, "montant": 12}]


def test_ckanapi_clients_in_many_threads_get_consistent_answers(live_server, live_region):
    from concurrent.futures import ThreadPoolExecutor

    rid = live_region.resource_id("carres")

    def read(offset: int) -> list[int]:
        with ckanapi.RemoteCKAN(live_server.url) as portal:
            found = portal.action.datastore_search(resource_id=rid, offset=offset, limit=10)
            return [r["n"] for r in found["records"]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(read, range(0, 160, 10)))
    assert pages == [list(range(o + 1, o + 11)) for o in range(0, 160, 10)]
