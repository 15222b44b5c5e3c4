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
