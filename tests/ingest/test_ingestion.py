"""Ingestion through the catalog: versions, the publish switch, failures that change nothing."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from territoria.catalog.models import Dataset, Version
from territoria.ingest.publication import do_rollback, get_store, live_version_info
from territoria.ingest.services import IngestionFailed

FRENCH_CSV = (
    "Code INSEE;Commune;Code postal;Population;Surface (km²);Date de mise à jour;SIRET\n"
    "01001;L'Abergement-Clémenciat;01400;860;15,95;01/02/2024;21010001200017\n"
    "2A004;Ajaccio;20000;73000;82,03;15/03/2024;21200004400013\n"
    "08105;Charleville-Mézières;08000;46000;31,44;31/12/2023;21080105700016\n"
).encode("cp1252")


def _rows(version):
    con = duckdb.connect()
    return con.execute(f"SELECT * FROM read_parquet('{version.parquet}')").fetchall()


@pytest.mark.django_db
def test_french_csv_keeps_codes_numbers_and_dates_as_written(ingest_text):
    outcome = ingest_text(FRENCH_CSV, slug="communes")
    info = live_version_info(outcome.dataset)
    types = {f["name"]: f["type"] for f in info.fields}
    assert types == {
        "code_insee": "string",
        "commune": "string",
        "code_postal": "string",
        "population": "integer",
        "surface_km2": "number",
        "date_de_mise_a_jour": "date",
        "siret": "string",
    }
    rows = _rows(info)
    assert [r[0] for r in rows] == ["01001", "2A004", "08105"]
    assert rows[0][1] == "L'Abergement-Clémenciat"
    assert [r[2] for r in rows] == ["01400", "20000", "08000"]
    assert [r[4] for r in rows] == [15.95, 82.03, 31.44]
    assert str(rows[2][5]) == "2023-12-31"
    assert rows[0][6] == "21010001200017"


@pytest.mark.django_db
def test_failed_ingestion_keeps_published_version(ingest_text):
    good = ingest_text(FRENCH_CSV, slug="communes")
    broken = FRENCH_CSV + b"67482;Strasbourg;67000;290000;78,26;01/01/2024;1;extra\n"
    with pytest.raises(IngestionFailed, match=r"line 5: 8 fields, expected 7"):
        ingest_text(broken, slug="communes")
    dataset = Dataset.objects.get(slug="communes")
    assert dataset.table_resource().live_version == good.version
    assert Version.objects.filter(resource__dataset=dataset).count() == 1
    assert live_version_info(dataset).row_count == 3
    assert not any((get_store().root / "tmp").iterdir())


@pytest.mark.django_db
def test_new_version_supersedes_and_rollback_restores(ingest_text):
    first = ingest_text("a;b\n1;x\n", slug="d")
    second = ingest_text("a;b\n1;x\n2;y\n", slug="d")
    resource = second.dataset.table_resource()
    assert resource.live_version == second.version
    first.version.refresh_from_db()
    assert first.version.status == "superseded"
    restored = do_rollback(resource)
    assert restored == first.version
    assert live_version_info(second.dataset).row_count == 1


@pytest.mark.django_db
def test_unchanged_source_is_not_staged_twice(ingest_text):
    first = ingest_text("a;b\n1;x\n", slug="d")
    again = ingest_text("a;b\n1;x\n", slug="d", skip_if_unchanged=True)
    assert again.unchanged and again.version == first.version
    assert Version.objects.count() == 1


@pytest.mark.django_db
def test_ingest_command_reports_a_one_line_reason(tmp_path, make_org):
    make_org(slug="region")
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b;c\n1;2;3\n1;2\n")
    with pytest.raises(CommandError) as caught:
        call_command("ingest", str(bad), "--dataset", "x", "--org", "region")
    assert str(caught.value) == "bad.csv: line 3: 2 fields, expected 3"
    assert "\n" not in str(caught.value)


def test_ingest_cli_exits_non_zero_and_keeps_previous_version(tmp_path):
    """The installed console script, in a fresh data directory, end to end."""
    env = {"TERRITORIA_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    cli = str(Path(sys.executable).with_name("territoria"))
    good = tmp_path / "mesures.csv"
    good.write_bytes("station;date;valeur\nA;01/02/2024;12,5\n".encode("cp1252"))
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"station;date;valeur\nA;01/02/2024;12,5\nB;02/02/2024\n")

    def run(*args):
        return subprocess.run([cli, *args], env=env, capture_output=True, text=True, check=False)

    assert run("migrate", "--noinput").returncode == 0
    ok = run("ingest", str(good), "--dataset", "mesures", "--org", "atmo", "--access", "open")
    assert ok.returncode == 0, ok.stderr
    assert "1 rows" in ok.stdout
    failed = run("ingest", str(bad), "--dataset", "mesures")
    assert failed.returncode != 0
    assert failed.stderr.strip().splitlines() == [
        "CommandError: broken.csv: line 3: 2 fields, expected 3"
    ]
    shell = run(
        "shell",
        "-v",
        "0",
        "-c",
        "from territoria.catalog.models import Dataset;"
        "from territoria.ingest.publication import live_version_info;"
        "print(live_version_info(Dataset.objects.get(slug='mesures')).row_count)",
    )
    assert shell.stdout.strip() == "1"


def test_killed_ingestion_leaves_published_version_and_can_be_rerun(tmp_path):
    """SIGKILL in the middle of reading a big file: the live version is untouched."""
    import signal
    import time

    home = tmp_path / "home"
    env = {"TERRITORIA_HOME": str(home), "PATH": "/usr/bin:/bin"}
    cli = str(Path(sys.executable).with_name("territoria"))
    small = tmp_path / "small.csv"
    small.write_text("id;valeur\n1;1,5\n")
    big = tmp_path / "big.csv"
    duckdb.connect().execute(
        f"COPY (SELECT i AS id, (i % 1000)::VARCHAR || ',5' AS valeur FROM range(4000000) t(i)) "
        f"TO '{big}' (HEADER, DELIMITER ';', QUOTE '')"
    )

    def run(*args):
        return subprocess.run([cli, *args], env=env, capture_output=True, text=True, check=False)

    assert run("migrate", "--noinput").returncode == 0
    assert (
        run("ingest", str(small), "--dataset", "m", "--org", "o", "--access", "open").returncode
        == 0
    )
    proc = subprocess.Popen([cli, "ingest", str(big), "--dataset", "m"], env=env)
    tmp_dir = home / "datastore" / "tmp"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (tmp_dir.exists() and any(tmp_dir.iterdir())):
        time.sleep(0.01)
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the ingestion finished before it could be killed"

    probe = (
        "from territoria.catalog.models import Dataset, Version;"
        "from territoria.ingest.publication import live_version_info;"
        "print(live_version_info(Dataset.objects.get(slug='m')).row_count, Version.objects.count())"
    )
    assert run("shell", "-v", "0", "-c", probe).stdout.split() == ["1", "1"]
    rerun = run("ingest", str(big), "--dataset", "m")
    assert rerun.returncode == 0, rerun.stderr
    assert run("shell", "-v", "0", "-c", probe).stdout.split() == ["4000000", "2"]
