"""Round trip between two instances: what one publishes, the other's harvesters reproduce.

The second instance is a real ``territoria serve`` process with its own home and database
(``harvest_upstream.py``); this test's Django harvests it over HTTP through its CKAN,
Opendatasoft and DCAT dialects, with the tables read by the normal refresh jobs (inline).
"""

from __future__ import annotations

import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from territoria.catalog.models import Dataset
from territoria.ingest.harvest.models import HarvestedDataset, HarvestSource, RunStatus
from territoria.ingest.harvest.run import do_harvest
from tests.ingest.harvest_upstream import ROW_COUNTS, Upstream

KINDS = ["ckan", "ods", "dcat"]


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    instance = Upstream(tmp_path_factory.mktemp("upstream-home"))
    instance.seed()
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def harvesting(settings, db, make_org):
    settings.SOURCES_ALLOW_PRIVATE = True  # the second instance is on the loopback
    settings.HARVEST_TIMEOUT = 10
    return make_org("region-grand-est", "Région Grand Est")


def make_source(kind: str, url: str, organisation, **fields) -> HarvestSource:
    return HarvestSource.objects.create(
        name=f"Eurométropole ({kind})", kind=kind, url=url, organisation=organisation, **fields
    )


def source_url(upstream: Upstream, kind: str) -> str:
    return f"{upstream.url}/catalog.ttl" if kind == "dcat" else upstream.url


def harvested(source: HarvestSource) -> dict[str, Dataset]:
    """Our datasets made by ``source``, by their remote slug."""
    rows = HarvestedDataset.objects.filter(source=source).select_related("dataset")
    return {h.remote_slug: h.dataset for h in rows}


@pytest.mark.parametrize("kind", KINDS)
def test_harvest_reproduces_titles_descriptions_licences_themes_and_rows(
    kind, upstream, harvesting
):
    source = make_source(kind, source_url(upstream, kind), harvesting)
    run = do_harvest(source)
    assert (run.status, run.created, run.failed, run.failures) == (RunStatus.SUCCEEDED, 3, 0, [])
    datasets = harvested(source)
    # The internal dataset is not published, so not harvested (DCAT: the URI's last segment).
    assert set(datasets) == {"qualite-air", "population-communes", "arrets-bus"}
    air = datasets["qualite-air"]
    assert air.title == "Qualité de l'air en Alsace"
    assert air.description == "Mesures **quotidiennes** de NO2 et PM10 par station."
    assert (air.licence, air.themes, air.access_level) == ("odbl", ["ENVI", "HEAL"], "open")
    assert air.organisation == harvesting
    assert datasets["population-communes"].licence == "lov2"
    assert datasets["arrets-bus"].themes == ["TRAN"]
    for slug, rows in ROW_COUNTS.items():
        table = datasets[slug].table_resource()
        assert table.live_version is not None, slug
        assert table.live_version.row_count == rows
    codes = datasets["population-communes"].table_resource().live_version.schema
    assert {"name": "code_insee", "type": "string"}.items() <= codes["fields"][0].items()


def test_ckan_harvest_keeps_link_resources(upstream, harvesting):
    source = make_source("ckan", upstream.url, harvesting)
    do_harvest(source)
    stops = harvested(source)["arrets-bus"]
    resources = sorted((r.kind, r.title, r.format) for r in stops.resources.all())
    assert resources == [
        ("link", "Plan du réseau", "PDF"),
        ("table", "Arrêts de tram et de bus", "CSV"),
    ]
    link = stops.resources.get(kind="link")
    assert link.url == "https://www.cts-strasbourg.eu/plan-du-reseau.pdf"


def test_dcat_harvest_keeps_every_distribution(upstream, harvesting):
    source = make_source("dcat", f"{upstream.url}/catalog.ttl", harvesting)
    do_harvest(source)
    stops = harvested(source)["arrets-bus"]
    with urllib.request.urlopen(f"{upstream.url}/catalog.ttl") as answer:
        turtle = answer.read().decode()
    distributions = turtle.count("a dcat:Distribution")
    assert distributions >= 4  # three exports of each table at least, and the PDF
    assert Dataset.objects.count() == 3
    total = sum(d.resources.count() for d in Dataset.objects.all())
    assert total == distributions
    assert stops.resources.filter(kind="link", format="PDF").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_second_run_reports_everything_unchanged(kind, upstream, harvesting):
    source = make_source(kind, source_url(upstream, kind), harvesting)
    do_harvest(source)
    versions = {d.slug: d.table_resource().live_version_id for d in Dataset.objects.all()}
    source.refresh_from_db()
    run = do_harvest(source)
    assert (run.status, run.created, run.updated, run.unchanged, run.removed, run.failed) == (
        RunStatus.SUCCEEDED, 0, 0, 3, 0, 0,
    )  # fmt: skip
    after = {d.slug: d.table_resource().live_version_id for d in Dataset.objects.all()}
    assert after == versions


@pytest.mark.parametrize("kind", ["ckan", "ods", "dcat"])
def test_renamed_slug_upstream_updates_and_never_duplicates(kind, upstream, harvesting):
    source = make_source(kind, source_url(upstream, kind), harvesting)
    do_harvest(source)
    before = harvested(source)["arrets-bus"]
    rename = "from territoria.catalog.models import Dataset; d = Dataset.objects.get(slug={!r}); d.slug = {!r}; d.save()"  # noqa: E501
    upstream.shell(rename.format("arrets-bus", "arrets-tram-bus"))
    try:
        source.refresh_from_db()
        run = do_harvest(source)
    finally:
        upstream.shell(rename.format("arrets-tram-bus", "arrets-bus"))
    assert (run.created, run.updated, run.unchanged, run.failed) == (0, 1, 2, 0)
    after = harvested(source)
    assert set(after) == {"qualite-air", "population-communes", "arrets-tram-bus"}
    assert after["arrets-tram-bus"].pk == before.pk
    assert after["arrets-tram-bus"].slug == "arrets-bus"  # our URL stays
    assert Dataset.objects.count() == 3
    assert before.table_resource().live_version.row_count == 3


class Stalling(BaseHTTPRequestHandler):
    """Relays the catalogue's first answer from the second instance, then stops answering
    (a portal that hangs in the middle of a run: real sockets, no reply)."""

    def do_GET(self):  # noqa: N802 - http.server's name
        server = self.server
        server.calls += 1
        if server.calls > server.answered:
            time.sleep(server.stall)
            return
        with urllib.request.urlopen(f"{server.upstream}{self.path}", timeout=10) as answer:
            body = answer.read()
        text = body.replace(server.upstream.encode(), server.own.encode())
        self.send_response(200)
        self.send_header("Content-Type", answer.headers.get("Content-Type", ""))
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        return


@pytest.fixture
def stalling(upstream):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    httpd.daemon_threads = True
    httpd.upstream, httpd.own = upstream.url, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.calls, httpd.answered, httpd.stall = 0, 100, 5.0
    httpd.upstream_shell = upstream.shell
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("kind", ["ckan", "ods"])
def test_source_that_stops_answering_fails_the_run_within_its_timeout(
    kind, stalling, harvesting, settings
):
    source = make_source(kind, stalling.own, harvesting, grace_days=0)
    first = do_harvest(source)
    assert (first.status, first.created) == (RunStatus.SUCCEEDED, 3)
    rows = {d.slug: d.table_resource().live_version_id for d in Dataset.objects.all()}
    # Every dataset changes upstream, then the portal hangs after answering the list.
    touch = (
        "from territoria.catalog.models import Dataset\nfor d in Dataset.objects.all(): d.save()"
    )
    stalling.upstream_shell(touch)
    settings.HARVEST_TIMEOUT = 1
    stalling.calls, stalling.answered = 0, 1
    source.refresh_from_db()
    started = time.monotonic()
    run = do_harvest(source)
    assert time.monotonic() - started < 4
    assert (run.status, run.removed) == (RunStatus.FAILED, 0)
    assert "no answer within 1 s" in run.failures[0]["reason"]
    assert {d.slug: d.table_resource().live_version_id for d in Dataset.objects.all()} == rows
    assert set(Dataset.objects.values_list("access_level", flat=True)) == {"open"}
    assert not HarvestedDataset.objects.filter(archived_at__isnull=False).exists()


def test_dcat_catalogue_that_stops_answering_fails_the_run_within_its_timeout(
    stalling, harvesting, settings
):
    source = make_source("dcat", f"{stalling.own}/catalog.ttl", harvesting)
    assert do_harvest(source).created == 3
    settings.HARVEST_TIMEOUT = 1
    stalling.calls, stalling.answered = 0, 0  # silence from the first page on
    source.refresh_from_db()
    started = time.monotonic()
    run = do_harvest(source)
    assert time.monotonic() - started < 3
    assert (run.status, run.removed, run.unchanged) == (RunStatus.FAILED, 0, 0)
    assert Dataset.objects.filter(access_level="open").count() == 3


@pytest.mark.parametrize("syntax", ["jsonld", "rdf"])
def test_dcat_harvest_reads_json_ld_and_rdf_xml_alike(syntax, upstream, harvesting):
    source = make_source("dcat", f"{upstream.url}/catalog.{syntax}", harvesting)
    run = do_harvest(source)
    assert (run.status, run.created, run.failures) == (RunStatus.SUCCEEDED, 3, [])
    air = harvested(source)["qualite-air"]
    assert (air.title, air.licence, air.themes) == (
        "Qualité de l'air en Alsace", "odbl", ["ENVI", "HEAL"],
    )  # fmt: skip
    assert air.table_resource().live_version.row_count == 5


def test_dcat_harvest_follows_hydra_pages(upstream, harvesting):
    source = make_source("dcat", f"{upstream.url}/catalog.ttl?page_size=1", harvesting)
    run = do_harvest(source)
    assert (run.status, run.created, run.failures) == (RunStatus.SUCCEEDED, 3, [])
    assert set(harvested(source)) == {"qualite-air", "population-communes", "arrets-bus"}
