"""udata and Opendatasoft shapes a Territoria instance does not produce, from recorded
answers (``harvest_fixtures/``) served by a real local HTTP server; removal after the grace
period, failures of one record, and the run's time limits."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from territoria.catalog.models import Dataset
from territoria.ingest.harvest.models import HarvestedDataset, HarvestSource, RunStatus
from territoria.ingest.harvest.run import do_harvest

FIXTURES = Path(__file__).parent / "harvest_fixtures"
ORG = "agence-regionale-de-sante-grand-est"
UDATA_LIST = f"/api/1/datasets/?organization={ORG}&page_size=100&page=1"
UDATA_NEXT = f"/api/1/datasets/?organization={ORG}&page=2&page_size=1"
WATER = (
    "code_commune;unite;nitrates\n67482;Strasbourg;12,5\n68066;Colmar;18,1\n68224;Mulhouse;9,7\n"
)
STATIONS = "id;na;to\n1;Gare Centrale;40\n2;Homme de Fer;24\n"
ODS = "/api/explore/v2.1/catalog/datasets"


def recorded(name: str, root: str) -> dict:
    return json.loads((FIXTURES / name).read_text().replace("{root}", root))


@pytest.fixture
def udata_site(site, url, settings):
    """The recorded udata portal: two pages of one organisation's datasets, each dataset,
    and the CSV resource of the first."""
    settings.HARVEST_TIMEOUT = 5
    root = url("")
    first, second = (
        recorded("udata_datasets_page1.json", root),
        recorded("udata_datasets_page2.json", root),
    )
    site.serve(UDATA_LIST, json.dumps(first).encode())
    site.serve(UDATA_NEXT, json.dumps(second).encode())
    for page in (first, second):
        for dataset in page["data"]:
            site.serve(f"/api/1/datasets/{dataset['id']}/", json.dumps(dataset).encode())
    site.serve("/files/eau-2023.csv", WATER.encode())
    site.pages_of = {"first": first, "second": second}
    return site


@pytest.fixture
def ods_site(site, url, settings):
    settings.HARVEST_TIMEOUT = 5
    catalogue = recorded("ods_catalog_datasets.json", url(""))
    site.serve(f"{ODS}?limit=100&offset=0", json.dumps(catalogue).encode())
    for shape in catalogue["results"]:
        site.serve(f"{ODS}/{shape['dataset_id']}", json.dumps(shape).encode())
    site.serve(f"{ODS}/stations-velhop/exports/csv", STATIONS.encode())
    return site


def source_of(kind, address, make_org, **fields) -> HarvestSource:
    return HarvestSource.objects.create(
        name=f"Portail {kind}", kind=kind, url=address, organisation=make_org(), **fields
    )


def test_udata_harvest_follows_pages_and_maps_licences_tags_and_resources(
    udata_site, url, make_org
):
    source = source_of("udata", url(f"/fr/organizations/{ORG}/"), make_org)
    run = do_harvest(source)
    assert (run.status, run.created, run.failed) == (RunStatus.SUCCEEDED, 2, 0)
    water = Dataset.objects.get(harvested__remote_id="5e7e104ace2080d9162b61d8")
    assert water.slug == "qualite-de-leau-distribuee-en-alsace"
    assert water.title == "Qualité de l'eau distribuée en Alsace"
    assert (water.licence, water.keywords) == ("lov2", ["eau", "sante", "environnement"])
    assert water.themes == ["HEAL", "ENVI"]
    assert water.table_resource().live_version.row_count == 3
    notice = water.resources.get(kind="link")
    assert (notice.title, notice.format) == ("Notice méthodologique", "PDF")
    glass = Dataset.objects.get(harvested__remote_id="53699233a3a729239d2046eb")
    assert glass.licence == "odbl"
    assert glass.table_resource() is None  # an API resource is a link, not a table
    assert list(glass.resources.values_list("kind", "format")) == [("link", "JSON")]
    origin = water.harvested
    assert (
        origin.remote_url
        == "https://www.data.gouv.fr/fr/datasets/qualite-de-leau-distribuee-en-alsace/"
    )


def test_ods_harvest_maps_french_themes_licence_labels_and_attachments(ods_site, url, make_org):
    source = source_of("ods", url(""), make_org)
    run = do_harvest(source)
    assert (run.status, run.created) == (RunStatus.SUCCEEDED, 2)
    stations = Dataset.objects.get(harvested__remote_id="da_4ksv2q")
    assert (stations.title, stations.licence, stations.themes) == (
        "Stations Vél'hop", "lov2", ["TRAN"],
    )  # fmt: skip
    assert stations.keywords == ["vélo", "mobilité"]
    assert stations.table_resource().live_version.row_count == 2
    plan = stations.resources.get(kind="link")
    assert plan.url == url(f"{ODS}/stations-velhop/attachments/plan_velhop_pdf")
    trees = Dataset.objects.get(harvested__remote_id="da_9xzd71")
    assert (trees.licence, trees.themes, trees.keywords) == ("odbl", ["ENVI"], [])
    assert trees.resources.count() == 0  # no records, no attachment


def test_second_udata_run_fetches_nothing_that_did_not_change(udata_site, url, make_org):
    source = source_of("udata", url(f"/fr/organizations/{ORG}/"), make_org)
    do_harvest(source)
    udata_site.requests.clear()
    source.refresh_from_db()
    run = do_harvest(source)
    assert (run.unchanged, run.updated, run.created) == (2, 0, 0)
    assert [path for path, _ in udata_site.requests] == [UDATA_LIST, UDATA_NEXT]


def test_dataset_gone_from_the_source_is_archived_after_the_grace_period(udata_site, url, make_org):
    source = source_of("udata", url(f"/fr/organizations/{ORG}/"), make_org, grace_days=3)
    do_harvest(source)
    second = udata_site.pages_of["second"]
    udata_site.serve(UDATA_NEXT, json.dumps({**second, "data": [], "total": 1}).encode())
    now = timezone.now()
    source.refresh_from_db()
    run = do_harvest(source, now=now)
    glass = HarvestedDataset.objects.get(remote_id="53699233a3a729239d2046eb")
    assert (run.removed, glass.missing_since, glass.archived_at) == (0, now, None)
    assert glass.dataset.access_level == "open"  # still within its grace period
    source.refresh_from_db()
    later = now + timedelta(days=4)
    run = do_harvest(source, now=later)
    glass.refresh_from_db()
    assert (run.removed, run.unchanged, glass.archived_at) == (1, 1, later)
    assert glass.dataset.access_level == "internal"  # hidden, not deleted
    assert Dataset.objects.count() == 2
    udata_site.serve(UDATA_NEXT, json.dumps(second).encode())  # back at its source
    source.refresh_from_db()
    run = do_harvest(source, now=later + timedelta(days=1))
    glass.refresh_from_db()
    assert (run.updated, glass.archived_at, glass.dataset.access_level) == (1, None, "open")


def test_a_record_the_source_refuses_fails_alone(udata_site, url, make_org):
    udata_site.serve("/api/1/datasets/53699233a3a729239d2046eb/", b"{}", status=404)
    source = source_of("udata", url(f"/fr/organizations/{ORG}/"), make_org)
    run = do_harvest(source)
    assert (run.status, run.created, run.failed) == (RunStatus.PARTIAL, 1, 1)
    failure = {
        "remote_id": "53699233a3a729239d2046eb",
        "slug": "points-de-collecte-du-verre",
        "reason": "HTTP 404 Not Found",
    }
    assert run.failures == [failure]


def test_a_source_that_refuses_connections_fails_the_run_at_once(settings, make_org, db):
    settings.SOURCES_ALLOW_PRIVATE = True
    source = source_of("ckan", "http://127.0.0.1:9", make_org)
    run = do_harvest(source)
    assert (run.status, run.created) == (RunStatus.FAILED, 0)
    assert run.failures[0]["reason"] == "127.0.0.1: connection refused"
    assert run.finished_at is not None


def test_a_run_stops_at_its_deadline(udata_site, url, make_org, settings):
    udata_site.delay = 0.4
    settings.HARVEST_RUN_SECONDS = 0.6  # the first page fits, the second cannot
    source = source_of("udata", url(f"/fr/organizations/{ORG}/"), make_org)
    run = do_harvest(source)
    assert run.status == RunStatus.FAILED
    assert Dataset.objects.count() == 0


def test_private_addresses_are_refused_unless_allowed(settings, make_org, db):
    settings.SOURCES_ALLOW_PRIVATE = False
    source = source_of("ods", "http://127.0.0.1:8000", make_org)
    run = do_harvest(source)
    assert run.status == RunStatus.FAILED
    assert "not a public address" in run.failures[0]["reason"]


def test_a_run_already_under_way_is_not_started_twice(make_org, db):
    source = source_of("ckan", "https://ckan.example.org", make_org)
    stale = HarvestSource.objects.get(pk=source.pk)
    HarvestSource.objects.filter(pk=source.pk).update(last_run_at=timezone.now())
    assert do_harvest(stale) is None


def test_a_listing_of_an_unexpected_shape_fails_the_run_with_a_reason(site, url, make_org):
    site.serve(f"{ODS}?limit=100&offset=0", b'{"total_count": 1, "results": [{"oops": 1}]}')
    source = source_of("ods", url(""), make_org)
    run = do_harvest(source)
    assert run.status == RunStatus.FAILED
    assert run.failures[0]["reason"] == "the source's answer could not be read (logged)"


def test_harvests_are_scheduled_every_ten_minutes_off_the_hour():
    from datetime import datetime

    from territoria.ingest.tasks import huey

    def scheduled(minute):
        return "territoria.harvest_due_sources" in {t.name for t in huey.read_periodic(minute)}

    assert scheduled(datetime(2026, 11, 26, 8, 5)) and scheduled(datetime(2026, 11, 26, 8, 55))
    assert not scheduled(datetime(2026, 11, 26, 8, 0))


def test_a_source_is_due_once_its_frequency_has_passed(make_org, db):
    from territoria.ingest.harvest.run import due_sources

    source = source_of("ckan", "https://ckan.example.org", make_org, frequency="DAILY")
    assert due_sources() == [source]  # never run
    now = timezone.now()
    HarvestSource.objects.filter(pk=source.pk).update(last_run_at=now - timedelta(hours=23))
    assert due_sources(now) == []
    assert due_sources(now + timedelta(hours=2)) == [source]
    HarvestSource.objects.filter(pk=source.pk).update(active=False)
    assert due_sources(now + timedelta(hours=2)) == []
