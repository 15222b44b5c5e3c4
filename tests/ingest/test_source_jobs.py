"""A URL source's refresh is a background job: listed, followed, cancellable, retried with
back-off on network failures only, one at a time per source; a killed one leaves no half
version and runs again. Against the real HTTP server of conftest.py."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from territoria.catalog.models import Resource, Version
from territoria.datastore.progress import Cancelled, Progress
from territoria.ingest.job_recovery import recover_stale_jobs
from territoria.ingest.jobs import do_cancel_job, retry_delay, run_job
from territoria.ingest.models import Job
from territoria.ingest.publication import get_store
from territoria.ingest.source_jobs import (
    KIND,
    active_refresh_job,
    do_enqueue_due_sources,
    do_enqueue_refresh,
    refresh_outcome,
)
from territoria.ingest.sources import refresh_source
from tests.ingest.conftest import V2


def fresh(resource: Resource) -> Resource:
    return Resource.objects.select_related("dataset", "live_version").get(pk=resource.pk)


def test_a_flaky_source_is_retried_with_back_off_then_published_once(sourced, site, mailoutbox):
    site.fail_first("/data.csv", 503, 502)
    (job,) = do_enqueue_due_sources()
    job.refresh_from_db()
    assert (job.kind, job.status, job.attempts, job.max_attempts) == (KIND, "succeeded", 3, 3)
    assert refresh_outcome(job).state == "published"
    assert [entry["attempt"] for entry in job.attempt_log] == [1, 2]
    assert [entry["retry_in"] for entry in job.attempt_log] == [30, 60]  # 30 s × 2^n
    assert job.attempt_log[0]["error"] == "HTTP 503 Service Unavailable"
    assert job.attempt_log[1]["error"] == "HTTP 502 Bad Gateway"
    resource = fresh(sourced)
    assert resource.versions.count() == 1
    assert resource.live_version.key == job.result["version"]
    assert (resource.failure_count, resource.last_error, resource.source_alert) == (0, "", "")
    assert mailoutbox == []  # a source that came back within its attempts alerts nobody
    assert [path for path, _ in site.requests] == ["/data.csv"] * 3


def test_the_back_off_and_the_attempts_follow_the_settings(sourced, site, settings):
    settings.JOB_RETRY_SECONDS = 5
    settings.SOURCES_ATTEMPTS = 4
    assert [retry_delay(n) for n in (1, 2, 3)] == [5, 10, 20]
    site.fail_first("/data.csv", 500, 429, 500)
    (job,) = do_enqueue_due_sources()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.max_attempts) == ("succeeded", 4, 4)
    assert [entry["retry_in"] for entry in job.attempt_log] == [5, 10, 20]


def test_a_retry_waits_on_the_queue_for_its_delay(
    sourced, site, sqlite_queue, django_capture_on_commit_callbacks
):
    """On the real queue, the next attempt is a message scheduled 30 s later (not run now)."""
    site.fail_first("/data.csv", 503)
    job, new = do_enqueue_refresh(sourced)
    assert new and job.status == "queued" and sqlite_queue.pending_count() == 0  # on commit
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        job = run_job(job.pk)
    assert (job.status, job.attempts, job.error) == (
        "queued",
        1,
        "attempt 1 failed: HTTP 503 Service Unavailable",
    )
    assert 29 <= (job.next_attempt_at - before).total_seconds() <= 31
    (task,) = sqlite_queue.pending()  # the consumer holds it back until its eta
    assert task.args == (job.pk,)
    assert 29 <= task.eta.timestamp() - before.replace(tzinfo=None).timestamp() <= 31
    assert fresh(sourced).failure_count == 0  # not a failure of the source yet


def test_a_source_down_on_every_attempt_fails_its_job_and_alerts_once(sourced, site, mailoutbox):
    site.serve("/data.csv", b"", status=500)
    (job,) = do_enqueue_due_sources()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (
        "failed",
        3,
        "HTTP 500 Internal Server Error",
    )
    assert [entry["retry_in"] for entry in job.attempt_log] == [30, 60, None]
    resource = fresh(sourced)
    assert (resource.failure_count, resource.source_alert) == (1, "broken")
    assert resource.live_version_id is None
    (mail,) = mailoutbox
    assert "HTTP 500" in mail.body


def test_a_missing_file_is_not_retried_and_alerts_at_once(sourced, site, mailoutbox):
    site.serve("/data.csv", b"gone", status=404)
    (job,) = do_enqueue_due_sources()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("failed", 1, "HTTP 404 Not Found")
    assert job.attempt_log == [
        {
            "attempt": 1,
            "at": job.attempt_log[0]["at"],
            "error": "HTTP 404 Not Found",
            "retry_in": None,
        }
    ]
    assert len(site.requests) == 1
    assert fresh(sourced).source_alert == "broken"
    assert len(mailoutbox) == 1


def test_an_unreadable_file_is_not_retried(sourced, site, mailoutbox):
    site.serve("/data.csv", b"\x00\x01\x02\xff" * 300, ETag='"garbage"')
    (job,) = do_enqueue_due_sources()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)
    assert len(site.requests) == 1 and len(mailoutbox) == 1
    assert Version.objects.count() == 0


def test_the_scheduler_never_queues_a_second_job_for_a_source(
    sourced, site, sqlite_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (job,) = do_enqueue_due_sources()
    assert sqlite_queue.pending_count() == 1
    assert do_enqueue_due_sources(force=True) == []  # queued
    Job.objects.filter(pk=job.pk).update(status="running")
    assert do_enqueue_due_sources(force=True) == []  # running
    assert do_enqueue_refresh(sourced) == (Job.objects.get(pk=job.pk), False)
    Job.objects.filter(pk=job.pk).update(status="succeeded")
    assert active_refresh_job(sourced) is None
    (again,) = do_enqueue_due_sources(force=True)
    assert again.pk != job.pk


def test_a_cancelled_refresh_job_never_runs_and_another_may_follow(
    sourced, site, sqlite_queue, mailoutbox
):
    job, _ = do_enqueue_refresh(sourced)
    job = do_cancel_job(job)
    assert run_job(job.pk) is None
    assert refresh_outcome(job).state == "cancelled"
    assert site.requests == [] and Version.objects.count() == 0
    assert do_enqueue_refresh(sourced)[1] is True  # the cancelled one is no obstacle


def test_a_refresh_cancelled_during_its_download_changes_nothing(
    sourced, site, mailoutbox, settings
):
    progress = Progress()
    progress.cancel()  # e.g. the producer pressed "Cancel" while the file was arriving
    with pytest.raises(Cancelled):
        refresh_source(fresh(sourced), progress=progress)
    resource = fresh(sourced)
    assert (resource.failure_count, resource.last_error, resource.live_version_id) == (0, "", None)
    assert list((get_store().root / "versions").glob("*")) == []
    assert mailoutbox == []
    assert list((settings.HOME / "sources").rglob("source-*")) == []  # the partial file too


def test_a_refresh_job_killed_mid_way_leaves_no_version_and_runs_again(
    sourced, site, sqlite_queue, django_capture_on_commit_callbacks
):
    site.serve("/data.csv", V2)
    job, _ = do_enqueue_refresh(sourced)
    # The worker died while DuckDB was writing: its row says "running", its heartbeat stopped,
    # a half-written Parquet file lies in tmp/.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    Job.objects.filter(pk=job.pk).update(
        status="running",
        worker=f"{socket.gethostname()}:{dead.pid}",
        attempts=1,
        stage="read",
        heartbeat_at=timezone.now(),
    )
    half = get_store().root / "tmp" / "deadbeef"
    half.mkdir(parents=True)
    (half / "data.parquet").write_bytes(b"PAR1 half")
    assert Version.objects.count() == 0 and fresh(sourced).live_version_id is None
    assert list((get_store().root / "versions").glob("*")) == []
    with django_capture_on_commit_callbacks(execute=True):
        (recovered,) = recover_stale_jobs()
    assert (recovered.pk, recovered.status) == (job.pk, "queued")
    assert sqlite_queue.pending_count() == 1
    sqlite_queue.immediate = True  # the next worker takes it
    job = run_job(job.pk)
    assert (job.status, job.attempts) == ("succeeded", 2)
    assert fresh(sourced).live_version.row_count == 3
    assert Version.objects.count() == 1


def test_a_refresh_job_is_listed_with_the_source_for_its_producers(client, sourced, producer):
    (job,) = do_enqueue_due_sources()
    client.force_login(producer)
    (listed,) = client.get("/api/1/jobs").json()
    assert (listed["id"], listed["kind"], listed["dataset"]) == (job.pk, KIND, "population")
    assert listed["source"] == sourced.source_url
    assert listed["status"] == "succeeded" and listed["attempt_log"] == []
    page = client.get(f"/taches/{job.pk}/").content.decode()
    assert "Récupération de la source" in page


def test_the_command_runs_the_jobs_here_waiting_out_the_back_off(sourced, site, settings, capsys):
    settings.JOB_RETRY_SECONDS = 0.01
    site.fail_first("/data.csv", 503)
    call_command("refresh-sources")
    out = capsys.readouterr().out
    assert "population: attempt 1 failed: HTTP 503 Service Unavailable; again in" in out
    assert "population: published: " in out
    job = Job.objects.get(kind=KIND)
    assert (job.queued, job.attempts, job.status) == (False, 2, "succeeded")


def test_the_command_queues_the_jobs_with_background(sourced, site, sqlite_queue, capsys):
    call_command("refresh-sources", "--background")
    job = Job.objects.get(kind=KIND)
    assert capsys.readouterr().out.strip() == f"population: job {job.pk} queued"
    assert job.status == "queued" and job.queued


def test_a_job_its_process_left_waiting_is_failed_when_stale(sourced, settings):
    job, _ = do_enqueue_refresh(sourced, queued=False)  # the command was killed before running it
    Job.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS + 5)
    )
    (failed,) = recover_stale_jobs()
    assert (failed.pk, failed.status) == (job.pk, "failed")
    assert failed.error == "interrupted: the process running it stopped"
    assert active_refresh_job(sourced) is None


def test_a_gtfs_feed_fetched_again_unchanged_makes_no_version(sourced, site, url, tmp_path):
    from tests.datastore.gtfs_feeds import FEED, write_feed

    site.serve("/gtfs.zip", write_feed(tmp_path / "gtfs.zip").read_bytes())
    address = url("/gtfs.zip")
    Resource.objects.filter(pk=sourced.pk).update(source_url=address)
    (job,) = do_enqueue_due_sources()
    assert refresh_outcome(job).state == "published"
    versions = Version.objects.count()
    assert versions == len(FEED)
    (again,) = do_enqueue_due_sources(force=True)
    assert refresh_outcome(again).state == "unchanged"  # the feed's checksum, not a table's
    assert Version.objects.count() == versions
