"""Where a harvested dataset comes from, on its page; the stewards' harvest page; the admin
and the ``territoria harvest`` command."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from territoria.ingest.harvest.models import HarvestedDataset, HarvestRun, HarvestSource

SYNCED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def source(db, make_org):
    return HarvestSource.objects.create(
        name="data.gouv.fr", kind="udata", url="https://www.data.gouv.fr/", organisation=make_org()
    )


@pytest.fixture
def harvested(ingest_text, source):
    dataset = ingest_text("code;nom\n67482;Strasbourg\n", slug="communes").dataset
    return HarvestedDataset.objects.create(
        source=source, remote_id="5e7e104ace2080d9162b61d8", dataset=dataset,
        remote_slug="communes-alsace", remote_url="https://www.data.gouv.fr/fr/datasets/communes-alsace/",
        last_seen_at=SYNCED, synced_at=SYNCED,
    )  # fmt: skip


def test_dataset_page_says_where_a_harvested_dataset_comes_from_and_when(client, harvested):
    page = client.get("/jeux-de-donnees/communes/").content.decode()
    assert 'data-testid="harvest-origin"' in page
    assert "Moissonné depuis" in page
    assert 'href="https://www.data.gouv.fr/fr/datasets/communes-alsace/"' in page
    assert ">data.gouv.fr</a>" in page
    assert "14 mars 2026" in page  # 10:30 in Paris


def test_dataset_page_of_a_dataset_not_harvested_says_nothing_of_it(client, ingest_text, db):
    ingest_text("code;nom\n67482;Strasbourg\n", slug="local")
    page = client.get("/jeux-de-donnees/local/").content.decode()
    assert "harvest-origin" not in page


def test_harvest_page_is_for_stewards_only(client, plain_user, staff_user, source):
    assert client.get("/moissonnage/").status_code == 404
    client.force_login(plain_user)
    assert client.get("/moissonnage/").status_code == 404
    HarvestRun.objects.create(
        source=source, status="partial", created=2, failed=1,
        failures=[{"remote_id": "x", "slug": "verre", "reason": "HTTP 404 Not Found"}],
    )  # fmt: skip
    client.force_login(staff_user)
    page = client.get("/moissonnage/").content.decode()
    assert "data.gouv.fr" in page
    assert "Partiellement échoué" in page
    assert "verre : HTTP 404 Not Found" in page


def test_admin_lists_harvest_sources_for_stewards(client, staff_user, source):
    client.force_login(staff_user)
    page = client.get("/admin/harvest/harvestsource/").content.decode()
    assert "data.gouv.fr" in page
    assert client.get("/admin/harvest/harvestrun/add/").status_code == 403


def test_harvest_command_reports_each_run_and_fails_when_one_failed(settings, source, capsys):
    settings.SOURCES_ALLOW_PRIVATE = True
    HarvestSource.objects.filter(pk=source.pk).update(url="http://127.0.0.1:9/")
    with pytest.raises(CommandError, match="a harvest failed"):
        call_command("harvest", "--source", str(source.pk))
    out = capsys.readouterr().out
    assert "data.gouv.fr: failed — 0 created, 0 updated, 0 unchanged, 0 removed, 0 failed" in out
    assert "127.0.0.1: connection refused" in out


def test_harvest_command_due_runs_only_sources_whose_frequency_has_passed(source, capsys):
    call_command("harvest", "--due")  # no frequency: never due
    assert capsys.readouterr().out == ""
    assert HarvestRun.objects.count() == 0
