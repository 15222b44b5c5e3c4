"""Background jobs: progress from DuckDB, cancellation, retries with back-off, dead workers,
the real queues (SQLite in this process, Redis with `territoria worker`), and the CLI."""

from __future__ import annotations

import io
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.utils import timezone

from territoria.catalog.models import Version
from territoria.datastore.progress import Cancelled, Progress
from territoria.datastore.versions import VersionStore
from territoria.ingest import jobs
from territoria.ingest.file_jobs import do_enqueue_ingest
from territoria.ingest.job_recovery import recover_stale_jobs
from territoria.ingest.jobs import (
    do_create_job,
    job_kind,
    run_job,
    wait_for_job,
)
from territoria.ingest.models import Job, JobStatus
from territoria.ingest.tasks import huey, start_embedded_worker

CLI = str(Path(sys.executable).with_name("territoria"))


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """2M rows, ~40 MB of French CSV: DuckDB needs a second or two to read it."""
    path = tmp_path_factory.mktemp("big") / "mesures.csv"
    duckdb.connect().execute(
        "COPY (SELECT i AS id, (i % 1000)::VARCHAR || ',5' AS valeur, 'station ' || (i % 97)"
        f" AS station FROM range(2000000) t(i)) TO '{path}' (HEADER, DELIMITER ';', QUOTE '')"
    )
    return path


def test_progress_follows_duckdb_through_the_stages_of_a_read(tmp_path, big_csv):
    seen = []
    progress = Progress(seen.append, interval=0.05)
    info = VersionStore(tmp_path).stage(big_csv, progress=progress)
    assert info.row_count == 2_000_000
    size = big_csv.stat().st_size
    reading = [s for s in seen if s.stage == "read"]
    assert reading, [s.stage for s in seen]
    assert all(s.bytes_total == size for s in reading)
    moving = [s for s in reading if 0 < s.bytes_done < size]
    assert moving, "no snapshot caught DuckDB in the middle of the file"
    assert any(s.rows_estimated and 0 < s.rows_done < 3_000_000 for s in moving)
    assert any(s.eta_seconds is not None for s in moving)
    done = [s.bytes_done for s in reading]
    assert done == sorted(done)  # the bar never goes back
    final = progress.snapshot()
    assert (final.stage, final.rows_done, final.rows_estimated) == ("checks", 2_000_000, False)


def test_cancelling_interrupts_duckdb_and_leaves_no_version(tmp_path, big_csv):
    progress = Progress(interval=0.05)

    def cancel_once_reading() -> None:
        deadline = time.monotonic() + 30
        while progress.snapshot().stage != "read" and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        progress.cancel()

    threading.Thread(target=cancel_once_reading).start()
    store = VersionStore(tmp_path)
    started = time.monotonic()
    with pytest.raises(Cancelled):
        store.stage(big_csv, progress=progress)
    assert progress.cancelled
    assert time.monotonic() - started < 10
    assert list((tmp_path / "versions").iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_job_runs_with_its_progress_written_and_its_result(transactional_db, tmp_path, make_org):
    make_org(slug="atmo")
    source = tmp_path / "air.csv"
    source.write_text("station;mesure\nColmar;12,5\nMetz;7\n")
    job = do_enqueue_ingest(
        source, dataset_slug="air", org_slug="atmo", access="open", queued=False
    )
    assert (job.status, job.organisation.slug, job.queued) == ("queued", "atmo", False)
    job = run_job(job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["row_count"] == 2 and job.result["dataset"] == "air"
    assert job.dataset.slug == "air" and job.attempts == 1
    assert job.bytes_total == source.stat().st_size and job.rows_done == 2
    assert job.fraction == 1.0 and job.eta_seconds is None
    assert job.started_at <= job.heartbeat_at <= job.finished_at
    assert run_job(job.pk) is None  # finished: never run twice


def test_a_refused_file_fails_the_job_with_its_one_line_reason(db, tmp_path, ingest_text):
    ingest_text("a;b\n1;x\n", slug="d")
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;x\n2;y;z\n")
    job = run_job(do_enqueue_ingest(bad, dataset_slug="d", queued=False).pk)
    assert (job.status, job.error) == ("failed", "bad.csv: line 3: 3 fields, expected 2")
    assert Version.objects.count() == 1


def test_an_uploaded_file_is_kept_by_its_job_and_removed_at_its_end(db, tmp_path, ingest_text):
    ingest_text("a;b\n1;x\n", slug="d")
    upload = tmp_path / "upload.csv"
    upload.write_text("a;b\n1;x\n2;y\n")
    job = do_enqueue_ingest(upload, dataset_slug="d", own_file=True)  # immediate: runs now
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["row_count"] == 2
    assert not upload.exists() and not jobs.job_directory(job).exists()


def test_a_queued_job_cancelled_never_runs(db, tmp_path, sqlite_queue, ingest_text):
    ingest_text("a;b\n1;x\n", slug="d")
    source = tmp_path / "new.csv"
    source.write_text("a;b\n2;y\n")
    job = do_enqueue_ingest(source, dataset_slug="d")
    job = jobs.do_cancel_job(job)
    assert (job.status, job.error, job.finished_at is not None) == ("cancelled", "cancelled", True)
    assert run_job(job.pk) is None
    assert Version.objects.count() == 1
    with pytest.raises(jobs.JobNotCancellable):
        jobs.do_cancel_job(job)


class Unreachable(ConnectionError):
    pass


@job_kind("test_unreachable", retry_on=(ConnectionError,), max_attempts=3)
def _fetch_a_closed_port(job: Job, progress: Progress) -> dict:
    """A network source that is down: a real connection to a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    return {}


def test_network_jobs_are_retried_with_exponential_back_off(
    db, sqlite_queue, django_capture_on_commit_callbacks
):
    job = do_create_job("test_unreachable", params={})
    delays = []
    for attempt in (1, 2):
        before = time.time()
        with django_capture_on_commit_callbacks(execute=True):
            job = run_job(job.pk)
        assert (job.status, job.attempts) == ("queued", attempt)
        assert job.error.startswith(f"attempt {attempt} failed: ")
        delays.append(job.next_attempt_at.timestamp() - before)
    assert 29 <= delays[0] <= 31 and 59 <= delays[1] <= 61
    etas = sorted(task.eta.timestamp() for task in sqlite_queue.pending())  # UTC, naive
    assert len(etas) == 2 and 25 <= etas[1] - etas[0] <= 35  # each retry waits on the queue
    job = run_job(job.pk)
    assert (job.status, job.attempts) == ("failed", 3)
    assert "refused" in job.error.lower()


def test_a_dead_workers_job_is_failed_or_queued_again(
    db, sqlite_queue, django_capture_on_commit_callbacks
):
    host = socket.gethostname()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    once = do_create_job("test_unreachable", params={})
    twice = do_create_job("test_unreachable", params={})
    elsewhere = do_create_job("test_unreachable", params={})
    alive = do_create_job("test_unreachable", params={})
    now = timezone.now()
    old = now - timedelta(hours=1)
    Job.objects.filter(pk=once.pk).update(
        status="running", worker=f"{host}:{dead.pid}", attempts=3, heartbeat_at=now
    )
    Job.objects.filter(pk=twice.pk).update(
        status="running", worker=f"{host}:{dead.pid}", attempts=1, heartbeat_at=now
    )
    Job.objects.filter(pk=elsewhere.pk).update(
        status="running", worker="other-host:12", attempts=3, heartbeat_at=old
    )
    Job.objects.filter(pk=alive.pk).update(
        status="running", worker=f"{host}:{os.getpid()}", attempts=1, heartbeat_at=now
    )
    with django_capture_on_commit_callbacks(execute=True):
        changed = {job.pk: job for job in recover_stale_jobs()}
    assert sorted(changed) == sorted([once.pk, twice.pk, elsewhere.pk])
    assert changed[once.pk].status == "failed"
    assert changed[once.pk].error == f"interrupted: the worker {host}:{dead.pid} stopped"
    assert changed[twice.pk].status == "queued"
    assert changed[twice.pk].error.endswith("; queued again")
    assert changed[elsewhere.pk].status == "failed"
    assert Job.objects.get(pk=alive.pk).status == "running"
    assert sqlite_queue.pending_count() == 1  # the one queued again


def test_the_embedded_worker_runs_uploads_from_the_sqlite_queue(
    transactional_db, client, sqlite_queue, staff_user, make_org, big_csv
):
    """As in `territoria serve`: a consumer thread in this process; the API follows the job
    and cancels one in the middle of its read."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_org()
    client.force_login(staff_user)
    consumer = start_embedded_worker(periodic=False)
    try:
        small = client.post(
            "/api/1/datasets",
            {"slug": "mesures", "title": "Mesures", "organisation": "region-grand-est"},
            content_type="application/json",
        )
        assert small.status_code == 201, small.content
        answer = client.post(
            "/api/1/datasets/mesures/upload",
            {"file": SimpleUploadedFile("m.csv", b"id;valeur\n1;1,5\n2;2,5\n")},
            HTTP_PREFER="wait=20",
        )
        assert answer.status_code == 201, answer.content
        assert answer.json()["row_count"] == 2
        assert answer.json()["job"]["status"] == "succeeded"

        with big_csv.open("rb") as handle:
            started = client.post(
                "/api/1/datasets/mesures/upload",
                {"file": SimpleUploadedFile("big.csv", handle.read())},
                HTTP_PREFER="respond-async",
            )
        assert started.status_code == 202, started.content
        url = started["Location"]
        assert url == started.json()["url"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = client.get(url).json()
            if state["status"] != "queued":
                break
            time.sleep(0.05)
        assert state["status"] == "running", state
        cancelled = client.post(url + "/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["cancel_requested"]
        job = wait_for_job(Job.objects.get(pk=state["id"]), 20)
        assert job.status == "cancelled"
        assert Version.objects.filter(resource__dataset__slug="mesures").count() == 1
    finally:
        consumer.stop(graceful=True)


def test_the_cli_runs_its_ingestion_as_a_job_and_prints_its_outcome(db, make_org, tmp_path):
    make_org(slug="atmo")
    source = tmp_path / "air.csv"
    source.write_text("station;mesure\nColmar;12,5\n")
    out = io.StringIO()
    call_command("ingest", str(source), "--dataset", "air", "--org", "atmo", stdout=out)
    assert out.getvalue().splitlines()[-1].endswith(" published, 1 rows, 2 columns")
    job = Job.objects.get()
    assert (job.status, job.queued, job.dataset.slug) == ("succeeded", False, "air")


def test_off_a_terminal_progress_is_a_plain_line_per_stage_and_quarter():
    from territoria.datastore.progress import Snapshot
    from territoria.ingest.management.commands.ingest import ProgressDisplay

    class Pipe(io.StringIO):
        def isatty(self) -> bool:
            return False

    out = Pipe()
    display = ProgressDisplay(_Wrapper(out))
    mb = 1_000_000
    for done in (0, 10 * mb, 30 * mb, 35 * mb, 80 * mb):
        display.show(
            Snapshot(
                "read", done, 80 * mb, done // 20, True, done / (80 * mb), 2.0 if done else None
            )
        )
    display.close()
    assert out.getvalue().splitlines() == [
        "reading: 0% (0 B of 80.0 MB)",
        "reading: 38% (30.0 MB of 80.0 MB, ~1,500,000 rows, ~2 s left)",
        "reading: 100% (80.0 MB of 80.0 MB, ~4,000,000 rows, ~2 s left)",
    ]


class _Wrapper:
    """Django's OutputWrapper over a stream (what a command's ``self.stdout`` is)."""

    def __new__(cls, stream):
        from django.core.management.base import OutputWrapper

        return OutputWrapper(stream)


def _redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_available(), reason="no Redis on 127.0.0.1:6379 (CI has one)")
def test_a_worker_on_redis_runs_a_job_queued_by_the_cli(tmp_path):
    """Production's shape: `territoria ingest --background` queues on Redis, a separate
    `territoria worker` process runs it."""
    home = tmp_path / "home"
    env = {
        "TERRITORIA_HOME": str(home),
        "PATH": "/usr/bin:/bin",
        "TERRITORIA_REDIS_URL": "redis://127.0.0.1:6379/0",
        "TERRITORIA_JOBS_QUEUE": f"territoria-test-{os.getpid()}-{time.monotonic_ns()}",
    }
    source = tmp_path / "arbres.csv"
    source.write_text("id;espece\n1;Tilleul\n2;Platane\n3;Érable\n")

    def run(*args):
        return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)

    assert run("migrate", "--noinput", "-v0").returncode == 0
    queued = run("ingest", str(source), "--dataset", "arbres", "--org", "metz", "--background")
    assert queued.returncode == 0, queued.stderr
    job_id = int(queued.stdout.split()[1])
    worker = subprocess.Popen(
        [CLI, "worker", "--workers", "1", "--no-periodic"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        database = sqlite3.connect(home / "territoria.sqlite3", timeout=10)
        deadline = time.monotonic() + 60
        row = None
        while time.monotonic() < deadline:
            row = database.execute(
                "SELECT status, result, error FROM ingest_job WHERE id = ?", (job_id,)
            ).fetchone()
            if row and row[0] not in ("queued", "running"):
                break
            time.sleep(0.2)
        database.close()
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=30)
    assert row is not None and row[0] == "succeeded", (row, output)
    assert '"row_count": 3' in row[1]
    assert "queue 'territoria-test-" in output[0] and "on Redis" in output[0]
    assert not (home / "jobs.sqlite3").exists()  # Redis held the queue


def test_sources_are_refreshed_and_dead_workers_looked_for_every_minute():
    from datetime import datetime

    for minute in (datetime(2026, 11, 26, 8, 0), datetime(2026, 11, 26, 8, 17)):
        names = sorted(task.name for task in huey.read_periodic(minute))
        assert names == ["territoria.recover_stale_jobs", "territoria.refresh_sources"]
