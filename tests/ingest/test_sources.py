"""URL sources, against a real HTTP server in a thread: conditional GET, new versions only on
change, failures kept away from the live version, back-off, alerts, and the SSRF guard.

Each refresh is a job (``source_jobs.py``); jobs run inline here (tests/conftest.py), so
``refresh`` below answers what each job did."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from territoria.catalog.models import Resource
from territoria.ingest.fetch import FetchFailed, FetchLimits, check_url, fetch
from territoria.ingest.services import ensure_dataset
from territoria.ingest.source_jobs import do_enqueue_due_sources, refresh_outcome
from territoria.ingest.sources import (
    SourceRefused,
    alert_late_sources,
    do_set_source,
    next_check_at,
    public_url,
    refresh_source,
    source_state,
)
from tests.ingest.conftest import V1, V2


def refresh_due_sources(**kwargs):
    """Queue (and, inline, run) the refresh jobs that are due; what each one did."""
    return [refresh_outcome(job) for job in do_enqueue_due_sources(**kwargs)]


def fresh(resource: Resource) -> Resource:
    return Resource.objects.select_related("dataset", "live_version").get(pk=resource.pk)


def test_a_new_source_is_due_at_once_then_published(sourced, site):
    (outcome,) = refresh_due_sources()
    assert outcome.state == "published"
    resource = fresh(sourced)
    assert resource.live_version.key == outcome.version
    assert resource.live_version.row_count == 2
    assert resource.live_version.source == public_url(sourced.source_url)
    assert resource.source_etag == '"v1"'
    assert resource.last_success_at == resource.last_checked_at
    assert source_state(resource) == "ok"


def test_an_unchanged_source_answers_304_and_makes_no_version(sourced, site):
    refresh_due_sources()
    (outcome,) = refresh_due_sources(force=True)
    assert outcome.state == "unchanged"
    assert site.requests[-1][1]["If-None-Match"] == '"v1"'
    assert fresh(sourced).versions.count() == 1


def test_the_same_content_without_validators_makes_no_version(sourced, site, url):
    site.serve("/plain.csv", V1)
    do_set_source(sourced, url("/plain.csv"), "HOURLY")
    assert refresh_due_sources()[0].state == "published"
    assert refresh_due_sources(force=True)[0].state == "unchanged"
    assert "If-None-Match" not in site.requests[-1][1]
    assert fresh(sourced).versions.count() == 1


def test_changed_content_is_published_as_a_new_version(sourced, site):
    first = refresh_due_sources()[0].version
    site.serve("/data.csv", V2, ETag='"v2"')
    (outcome,) = refresh_due_sources(force=True)
    resource = fresh(sourced)
    assert outcome.state == "published" and outcome.version != first
    assert resource.live_version.row_count == 3
    assert resource.source_etag == '"v2"'


def test_last_modified_is_sent_back_as_if_modified_since(sourced, site, url):
    stamp = "Wed, 25 Nov 2026 08:00:00 GMT"
    site.serve("/lm.csv", V1, Last_Modified=stamp)
    do_set_source(sourced, url("/lm.csv"), "DAILY")
    refresh_due_sources()
    refresh_due_sources(force=True)
    assert site.requests[-1][1]["If-Modified-Since"] == stamp
    assert fresh(sourced).source_last_modified == stamp


def test_a_source_waits_for_its_frequency(sourced, site):
    now = timezone.now()
    refresh_due_sources(now=now)
    assert refresh_due_sources(now=now + timedelta(minutes=59)) == []
    assert len(site.requests) == 1
    (outcome,) = refresh_due_sources(now=now + timedelta(minutes=61))
    assert outcome.state == "unchanged"


def test_an_http_error_keeps_the_live_version_and_alerts_the_producers_once(
    sourced, site, mailoutbox
):
    live = refresh_due_sources()[0].version
    site.serve("/data.csv", b"oops", status=500)
    (outcome,) = refresh_due_sources(force=True)
    assert outcome.state == "failed"
    assert outcome.error == "HTTP 500 Internal Server Error"
    refresh_due_sources(force=True)
    resource = fresh(sourced)
    assert resource.live_version.key == live
    assert resource.failure_count == 2
    assert resource.last_error == "HTTP 500 Internal Server Error"
    assert source_state(resource) == "failing"
    assert len(mailoutbox) == 1
    (mail,) = mailoutbox
    assert mail.to == ["producteur@colmar.fr"]
    assert "HTTP 500" in mail.body
    assert "/jeux-de-donnees/population/source/" in mail.body
    assert mail.subject == "La source de population ne peut pas être récupérée"


def test_a_recovered_source_clears_its_failure(sourced, site):
    site.serve("/data.csv", b"", status=503)
    refresh_due_sources()
    site.serve("/data.csv", V1, ETag='"v1"')
    (outcome,) = refresh_due_sources(force=True)
    resource = fresh(sourced)
    assert outcome.state == "published"
    assert (resource.failure_count, resource.last_error, resource.source_alert) == (0, "", "")


def test_a_file_that_cannot_be_read_changes_nothing_published(sourced, site, mailoutbox):
    live = refresh_due_sources()[0].version
    site.serve("/data.csv", b"\x00\x01\x02\xff" * 300, ETag='"garbage"')
    (outcome,) = refresh_due_sources(force=True)
    assert outcome.state == "failed"
    assert outcome.error.startswith(public_url(sourced.source_url))
    resource = fresh(sourced)
    assert resource.live_version.key == live
    assert resource.versions.count() == 1
    assert resource.source_etag == '"v1"'  # the refused file will be fetched again
    assert len(mailoutbox) == 1


def test_a_failing_source_is_retried_with_back_off(sourced, site):
    """Between jobs: after a job's last attempt failed, the source is due again after 5 min,
    then 10 min… (the job's own attempts are in test_source_jobs.py)."""
    site.serve("/data.csv", b"", status=500)
    refresh_due_sources()
    checked = fresh(sourced).last_checked_at
    assert next_check_at(fresh(sourced)) == checked + timedelta(minutes=5)
    assert refresh_due_sources(now=checked + timedelta(minutes=4)) == []
    assert refresh_due_sources(now=checked + timedelta(minutes=5))[0].state == "failed"
    checked = fresh(sourced).last_checked_at
    assert next_check_at(fresh(sourced)) == checked + timedelta(minutes=10)


def test_a_late_source_alerts_its_producers_once(sourced, site, mailoutbox):
    now = timezone.now()
    refresh_due_sources(now=now)
    assert alert_late_sources(now + timedelta(hours=1, minutes=59)) == 0
    assert alert_late_sources(now + timedelta(hours=2, minutes=1)) == 1
    assert alert_late_sources(now + timedelta(hours=3)) == 0
    (mail,) = mailoutbox
    assert mail.subject == "La source de population est en retard"
    assert source_state(fresh(sourced), now + timedelta(hours=3)) == "late"


def test_a_source_claimed_by_another_worker_is_skipped(sourced, site):
    stale = fresh(sourced)
    assert refresh_source(fresh(sourced)).state == "published"
    assert refresh_source(stale).state == "skipped"
    assert len(site.requests) == 1


def test_redirects_are_followed_to_the_file(sourced, site, url):
    site.serve("/moved", b"", status=302, Location="/data.csv")
    do_set_source(sourced, url("/moved"), "HOURLY")
    assert refresh_due_sources()[0].state == "published"
    assert [path for path, _ in site.requests] == ["/moved", "/data.csv"]


def test_a_redirect_to_a_local_file_is_refused(sourced, site, url):
    site.serve("/evil", b"", status=302, Location="file:///etc/passwd")
    do_set_source(sourced, url("/evil"), "HOURLY")
    (outcome,) = refresh_due_sources()
    assert outcome.error == "only http and https URLs are fetched, not file"


def test_private_addresses_are_refused_unless_allowed(site, url, tmp_path):
    for address in (
        "http://127.0.0.1/x.csv",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://localhost/",
    ):
        with pytest.raises(FetchFailed, match="not a public address"):
            check_url(address)
    with pytest.raises(FetchFailed, match=r"169\.254\.169\.254 is not a public address"):
        check_url("http://169.254.169.254/latest/meta-data/")
    site.serve("/data.csv", V1)
    with pytest.raises(FetchFailed, match="not a public address"):
        fetch(url("/data.csv"), tmp_path, limits=FetchLimits(allow_private=False))
    assert site.requests == []  # refused before any connection
    fetched = fetch(url("/data.csv"), tmp_path, limits=FetchLimits(allow_private=True))
    assert fetched.path.read_bytes() == V1


def test_a_host_name_is_checked_on_every_address_it_resolves_to(site, url, tmp_path, server):
    port = server.server_address[1]
    with pytest.raises(FetchFailed, match="localhost is not a public address"):
        fetch(f"http://localhost:{port}/data.csv", tmp_path, limits=FetchLimits())


def test_files_over_the_size_cap_are_refused_announced_or_streamed(site, url, tmp_path):
    body = b"a;b\n" + b"1;2\n" * 2000
    site.serve("/announced.csv", body)
    site.serve("/streamed.csv", body, no_length="1")
    limits = FetchLimits(max_bytes=4096, allow_private=True)
    for path in ("/announced.csv", "/streamed.csv"):
        with pytest.raises(FetchFailed, match="exceeds"):
            fetch(url(path), tmp_path, limits=limits)
    assert list(tmp_path.iterdir()) == []  # nothing half-written is left


def test_a_silent_server_times_out(site, url, tmp_path):
    site.serve("/slow.csv", V1)
    site.delay = 1.0
    with pytest.raises(FetchFailed, match=r"no answer within 0\.2 s"):
        fetch(url("/slow.csv"), tmp_path, limits=FetchLimits(timeout=0.2, allow_private=True))


def test_credentials_in_the_url_become_basic_auth_and_are_hidden(site, url, tmp_path):
    address = url("/private.csv").replace("http://", "http://agent:s3cret@") + "?jeton=abc"
    site.serve("/private.csv?jeton=abc", V1)
    fetch(address, tmp_path, limits=FetchLimits(allow_private=True))
    assert site.requests[-1][1]["Authorization"] == "Basic YWdlbnQ6czNjcmV0"
    assert public_url(address) == url("/private.csv") + "?…"
    assert public_url("http://u:p@[2001:db8::1]:8080/a.csv#x") == "http://[2001:db8::1]:8080/a.csv"


def test_setting_a_source_checks_the_url_and_the_frequency(sourced):
    with pytest.raises(SourceRefused, match="only http and https"):
        do_set_source(sourced, "ftp://example.org/data.csv", "DAILY")
    with pytest.raises(SourceRefused, match="unknown frequency"):
        do_set_source(sourced, "https://example.org/data.csv", "SOMETIMES")


def test_a_new_url_forgets_the_state_of_the_old_one(sourced, site):
    refresh_due_sources()
    resource = do_set_source(fresh(sourced), "https://example.org/autre.csv", "WEEKLY")
    assert (resource.source_etag, resource.last_checked_at, resource.last_success_at) == (
        "",
        None,
        None,
    )
    resource = do_set_source(resource, "", "")
    assert (resource.source_url, resource.refresh_frequency) == ("", "")
    assert source_state(resource) == "none"


def test_the_command_refreshes_one_dataset_and_fails_loudly(sourced, site, capsys):
    call_command("refresh-sources", "--dataset", "population")
    assert "population: published" in capsys.readouterr().out
    call_command("refresh_sources", "--dataset", "population")
    assert "no source is due" in capsys.readouterr().out
    site.serve("/data.csv", b"", status=404)
    with pytest.raises(CommandError, match="1 of 1 sources failed"):
        call_command("refresh-sources", "--dataset", "population", "--force")
    with pytest.raises(CommandError, match="no dataset 'absent'"):
        call_command("refresh-sources", "--dataset", "absent")


def test_a_fault_on_one_source_does_not_stop_the_others(sourced, site, url, monkeypatch):
    other = ensure_dataset("arbres", org_slug="ville-de-colmar", access="open")
    site.serve("/arbres.csv", V2)
    do_set_source(other.table_resource(), url("/arbres.csv"), "DAILY")
    calls = []

    def broken_once(path, **kwargs):
        calls.append(kwargs["dataset_slug"])
        if len(calls) == 1:
            raise RuntimeError("a bug")
        return real(path, **kwargs)

    from territoria.ingest import sources

    real = sources.do_ingest_file
    monkeypatch.setattr(sources, "do_ingest_file", broken_once)
    outcomes = {o.dataset: o for o in refresh_due_sources()}
    states = sorted(o.state for o in outcomes.values())
    assert states == ["failed", "published"]
    failed = next(o for o in outcomes.values() if o.state == "failed")
    assert failed.error == "the platform could not process this source (logged)"
