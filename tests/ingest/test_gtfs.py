"""A GTFS feed becomes a dataset with one table per file; a refused feed changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from territoria.catalog.models import Dataset, Resource, Version
from territoria.ingest.publication import get_store, live_version_info
from territoria.ingest.services import IngestionFailed, do_ingest_file
from tests.datastore.gtfs_feeds import FEED, write_feed


@pytest.fixture
def feed(tmp_path, make_org):
    make_org(slug="eurometropole-de-metz", name="Eurométropole de Metz")
    return lambda **kwargs: write_feed(tmp_path / "gtfs-met.zip", **kwargs)


def _tables(dataset):
    return {r.title: r for r in dataset.resources.filter(kind="table").order_by("id")}


@pytest.mark.django_db
def test_feed_becomes_one_published_table_per_file_stops_first(feed):
    outcome = do_ingest_file(
        feed(), dataset_slug="reseau-met", org_slug="eurometropole-de-metz", access="open"
    )
    dataset = Dataset.objects.get(slug="reseau-met")
    tables = _tables(dataset)
    assert list(tables)[:5] == [
        "stops.txt",
        "routes.txt",
        "agency.txt",
        "trips.txt",
        "stop_times.txt",
    ]
    assert set(tables) == set(FEED)
    assert all(r.live_version is not None and r.format == "gtfs" for r in tables.values())
    # The Explore API serves the first table: the stops, with their coordinates.
    live = live_version_info(dataset)
    assert live is not None and live.row_count == 2
    assert live.schema["territoria:geo"] == {"lat": "stop_lat", "lon": "stop_lon"}
    assert {f["name"]: f["type"] for f in live.fields}["stop_id"] == "string"  # "0001" kept
    assert live.reports["gtfs"]["errors"] == []
    assert outcome.version == tables["stops.txt"].live_version
    assert outcome.versions["stop_times.txt"].row_count == 3
    assert outcome.versions["stop_times.txt"].source == "gtfs-met.zip/stop_times.txt"


@pytest.mark.django_db
def test_new_feed_makes_new_versions_of_the_same_tables(feed):
    do_ingest_file(feed(), dataset_slug="reseau-met", org_slug="eurometropole-de-metz")
    trips = FEED["trips.txt"] + "L1,SEM,T3\n"
    do_ingest_file(feed(replace={"trips.txt": trips}), dataset_slug="reseau-met")
    dataset = Dataset.objects.get(slug="reseau-met")
    assert len(_tables(dataset)) == len(FEED)
    resource = _tables(dataset)["trips.txt"]
    assert resource.versions.count() == 2
    assert resource.live_version.row_count == 3


@pytest.mark.django_db
def test_feed_without_stop_times_is_refused_and_nothing_changes(feed):
    do_ingest_file(feed(), dataset_slug="reseau-met", org_slug="eurometropole-de-metz")
    before = {r.pk: r.live_version_id for r in Resource.objects.all()}
    versions = Version.objects.count()
    on_disk = sorted(p.name for p in (get_store().root / "versions").iterdir())
    with pytest.raises(IngestionFailed) as caught:
        do_ingest_file(feed(drop=["stop_times.txt"]), dataset_slug="reseau-met")
    assert str(caught.value) == (
        "gtfs-met.zip: GTFS feed refused: stop_times.txt is missing"
        " (required by the GTFS reference)"
    )
    assert {r.pk: r.live_version_id for r in Resource.objects.all()} == before
    assert Version.objects.count() == versions
    assert sorted(p.name for p in (get_store().root / "versions").iterdir()) == on_disk


@pytest.mark.django_db
def test_a_file_that_cannot_be_read_leaves_no_dataset_and_no_version(feed):
    broken = {"routes.txt": FEED["routes.txt"] + "L2,MET,L2\n"}  # a short row
    with pytest.raises(
        IngestionFailed, match="^gtfs-met.zip: routes.txt: line 3: 3 fields, expected 5$"
    ):
        do_ingest_file(
            feed(replace=broken), dataset_slug="reseau-met", org_slug="eurometropole-de-metz"
        )
    assert not Dataset.objects.filter(slug="reseau-met").exists()
    assert not list((get_store().root / "versions").iterdir())


@pytest.mark.django_db
def test_ingest_command_refuses_a_feed_in_one_line(feed):
    with pytest.raises(CommandError) as caught:
        call_command(
            "ingest", str(feed(drop=["stop_times.txt"])), "--dataset", "met",
            "--org", "eurometropole-de-metz",
        )  # fmt: skip
    assert "\n" not in str(caught.value)
    assert str(caught.value).endswith("stop_times.txt is missing (required by the GTFS reference)")
    assert not Dataset.objects.filter(slug="met").exists()


@pytest.mark.django_db
def test_ingest_command_publishes_a_feed(feed):
    call_command(
        "ingest", str(feed()), "--dataset", "met", "--org", "eurometropole-de-metz",
    )  # fmt: skip
    tables = _tables(Dataset.objects.get(slug="met"))
    assert set(tables) == set(FEED)
    assert all(resource.live_version_id for resource in tables.values())


@pytest.mark.django_db
def test_every_table_of_a_feed_gets_its_validation_report(feed):
    outcome = do_ingest_file(feed(), dataset_slug="reseau-met", org_slug="eurometropole-de-metz")
    for name, version in outcome.versions.items():
        assert version.reports["validation"]["valid"] is True, name
        assert version.reports["validation"]["schema"]["source"] == "inferred"
        assert version.reports["gtfs"]["feed_checksum"] == outcome.report["feed_checksum"]


@pytest.mark.django_db
def test_a_table_of_a_feed_is_validated_against_its_declared_schema(feed):
    from territoria.ingest.schemas import do_declare_schema

    do_ingest_file(feed(), dataset_slug="reseau-met", org_slug="eurometropole-de-metz")
    stops = _tables(Dataset.objects.get(slug="reseau-met"))["stops.txt"]
    do_declare_schema(
        stops,
        descriptor={
            "name": "arrets",
            "fields": [
                {"name": "stop_id", "type": "string", "constraints": {"pattern": "[0-9]{4}"}},
                {"name": "stop_name", "type": "string"},
                {"name": "stop_lat", "type": "number"},
                {"name": "stop_lon", "type": "number"},
            ],
        },
    )
    stops_file = FEED["stops.txt"] + "X3,Pontiffroy,49.12,6.17\n"
    outcome = do_ingest_file(feed(replace={"stops.txt": stops_file}), dataset_slug="reseau-met")
    report = outcome.versions["stops.txt"].reports["validation"]
    assert report["schema"]["source"] == "declared" and report["schema"]["name"] == "arrets"
    assert (report["valid"], report["invalid_rows"]) == (False, 1)
    assert outcome.versions["routes.txt"].reports["validation"]["schema"]["source"] == "inferred"


@pytest.mark.django_db
def test_the_same_feed_again_makes_no_version_when_asked_to_skip_it(feed):
    first = do_ingest_file(feed(), dataset_slug="reseau-met", org_slug="eurometropole-de-metz")
    versions = Version.objects.count()
    again = do_ingest_file(feed(), dataset_slug="reseau-met", skip_if_unchanged=True)
    assert again.unchanged and again.published
    assert again.version == first.version
    assert again.report["feed_checksum"] == first.report["feed_checksum"]
    assert Version.objects.count() == versions
    changed = feed(replace={"trips.txt": FEED["trips.txt"] + "L1,SEM,T3\n"})
    outcome = do_ingest_file(changed, dataset_slug="reseau-met", skip_if_unchanged=True)
    assert not outcome.unchanged and Version.objects.count() == versions + len(FEED)


@pytest.mark.django_db
def test_a_feed_ingestion_reports_its_progress_and_may_be_cancelled(feed):
    from territoria.datastore.progress import Cancelled, Progress

    progress = Progress()
    do_ingest_file(
        feed(), dataset_slug="reseau-met", org_slug="eurometropole-de-metz", progress=progress
    )
    snapshot = progress.snapshot()
    assert snapshot.stage == "checks" and snapshot.rows_done > 0
    versions = Version.objects.count()
    cancelled = Progress()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        do_ingest_file(feed(), dataset_slug="reseau-met", progress=cancelled)
    assert Version.objects.count() == versions
    assert list((get_store().root / "tmp").iterdir()) == []


@pytest.mark.django_db
def test_a_feed_job_skips_an_unchanged_feed_and_shows_its_progress(feed, tmp_path):
    from territoria.ingest.file_jobs import do_enqueue_ingest
    from territoria.ingest.jobs import run_job

    path = feed()
    arguments = {"dataset_slug": "reseau-met", "org_slug": "eurometropole-de-metz"}
    job = run_job(do_enqueue_ingest(path, queued=False, **arguments).pk)
    assert job.status == "succeeded" and job.rows_done > 0
    again = run_job(do_enqueue_ingest(path, queued=False, skip_if_unchanged=True, **arguments).pk)
    assert (again.status, again.result["unchanged"]) == ("succeeded", True)
    assert again.result["version"] == job.result["version"]
