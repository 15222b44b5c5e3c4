"""URL sources: a table resource fetched from a URL on a schedule (decision 0013).

A producer sets ``Resource.source_url`` and ``refresh_frequency``. Every minute the job
runner (or ``territoria refresh-sources``) queues one *refresh job* per source that is due
(``source_jobs.py``); the job runs ``refresh_source``: a conditional GET (``ingest/fetch.py``),
then a new published version only when the content changed: a 304, or a file whose SHA-256
is the live version's or the last one fetched from that source, changes nothing. A rollback
is therefore kept until the source publishes different content.

Two levels of retry. Within a job, a failure that may pass (connection, timeout, HTTP 5xx or
429: ``FetchUnavailable``) is tried again after 30 s, 60 s… (``TERRITORIA_SOURCES_ATTEMPTS``
attempts). A failure that will not pass (a 4xx, a refused file), or the last attempt's, keeps
the live version, is recorded on the resource (``last_error``, ``failure_count``), and the
source is due again after 5 min, 10 min, 20 min… never later than its own frequency. The
owner organisation's admins and producers get one e-mail when a source breaks and one when
it is late (no successful fetch within twice its frequency), not one per attempt.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from territoria.catalog.enums import RefreshFrequency, ResourceKind
from territoria.catalog.models import Dataset, Resource, Version
from territoria.datastore.progress import Progress
from territoria.datastore.versions import file_checksum
from territoria.ingest.fetch import (
    FetchFailed,
    FetchLimits,
    FetchUnavailable,
    OnBlock,
    check_url,
    fetch,
)
from territoria.ingest.gtfs import feed_checksum
from territoria.ingest.notifications import send_source_alert
from territoria.ingest.services import IngestionFailed, do_ingest_file

logger = logging.getLogger(__name__)

INTERVALS = {
    RefreshFrequency.HOURLY: timedelta(hours=1),
    RefreshFrequency.DAILY: timedelta(days=1),
    RefreshFrequency.WEEKLY: timedelta(weeks=1),
    RefreshFrequency.MONTHLY: timedelta(days=30),
    RefreshFrequency.QUARTERLY: timedelta(days=91),
    RefreshFrequency.ANNUAL: timedelta(days=365),
}
FIRST_RETRY = timedelta(minutes=5)
LATE_AFTER = 2  # intervals without a successful fetch before the source is late


class SourceRefused(Exception):
    """A URL or frequency that cannot be set; ``str()`` says why, in one line."""


class Alert:
    BROKEN = "broken"
    LATE = "late"


@dataclass(frozen=True)
class RefreshOutcome:
    """What one refresh did: ``published`` a new version (``version``: its key), found the
    content ``unchanged``, ``failed`` (``error``), ``skipped`` (another worker has it), or
    ``held`` a new version for a steward's review of personal data (``error`` says so).
    Of a refresh job not over yet (``source_jobs.refresh_outcome``): ``queued``, ``running``,
    ``retrying`` (``error``: the last attempt's), or ``cancelled``."""

    dataset: str
    state: str
    version: str | None = None
    error: str = ""

    def as_result(self) -> dict[str, str | None]:
        """The refresh job's result (JSON)."""
        return {
            "dataset": self.dataset,
            "state": self.state,
            "version": self.version,
            "error": self.error,
        }


def interval(resource: Resource) -> timedelta | None:
    return INTERVALS.get(resource.refresh_frequency)


def next_check_at(resource: Resource) -> datetime | None:
    """When the source is due next (None: no source); a failing source is retried sooner."""
    every = interval(resource)
    if not resource.source_url or every is None:
        return None
    if resource.last_checked_at is None:
        return resource.source_set_at or timezone.now()
    if resource.failure_count:
        every = min(every, FIRST_RETRY * 2 ** min(resource.failure_count - 1, 20))
    return resource.last_checked_at + every


def is_late(resource: Resource, now: datetime | None = None) -> bool:
    """No successful fetch within ``LATE_AFTER`` intervals (counted from when it was set)."""
    every = interval(resource)
    since = [t for t in (resource.last_success_at, resource.source_set_at) if t is not None]
    if not resource.source_url or every is None or not since:
        return False
    return (now or timezone.now()) - max(since) > LATE_AFTER * every


def source_state(resource: Resource | None, now: datetime | None = None) -> str:
    """``none`` (no source), ``waiting`` (not fetched yet), ``ok``, ``failing`` or ``late``."""
    if resource is None or not resource.source_url:
        return "none"
    if resource.failure_count:
        return "failing"
    if is_late(resource, now):
        return "late"
    return "ok" if resource.last_success_at else "waiting"


def public_url(url: str) -> str:
    """``url`` without what may be a secret (user name, password, query string): the form a
    version's source and a non-producer may see."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    query = "…" if parts.query else ""
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def source_resource(dataset: Dataset) -> Resource:
    """The resource a dataset's URL source is set on: its table, created if it has none."""
    resource = dataset.table_resource()
    if resource is None:
        resource = Resource.objects.create(
            dataset=dataset, title=dataset.title, kind=ResourceKind.TABLE
        )
    return resource


def scheduled_sources() -> QuerySet[Resource]:
    return (
        Resource.objects.exclude(source_url="")
        .exclude(refresh_frequency="")
        .select_related("dataset__organisation")
        .order_by("last_checked_at", "pk")
    )


def due_sources(
    now: datetime | None = None, sources: QuerySet[Resource] | None = None
) -> list[Resource]:
    """Those of ``sources`` (default: all scheduled) whose next check has come."""
    now = now or timezone.now()
    sources = scheduled_sources() if sources is None else sources
    # No source is due sooner than FIRST_RETRY after a check: the database filters the rest.
    candidates = sources.filter(
        Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=now - FIRST_RETRY)
    )
    return [r for r in candidates if (due := next_check_at(r)) is not None and due <= now]


def check_source(url: str, frequency: str) -> tuple[str, str]:
    """The cleaned (url, frequency) a producer asked for; raises SourceRefused.

    An empty URL removes the source. A host name is checked when fetched (DNS may change).
    """
    url = url.strip()
    if not url:
        return "", ""
    if len(url) > Resource._meta.get_field("source_url").max_length:
        raise SourceRefused("the URL is too long")
    try:
        check_url(url, allow_private=settings.SOURCES_ALLOW_PRIVATE)
    except FetchFailed as error:
        raise SourceRefused(str(error)) from None
    if frequency not in RefreshFrequency.values:
        raise SourceRefused(f"unknown frequency {frequency!r} (use {', '.join(RefreshFrequency)})")
    return url, frequency


def do_set_source(resource: Resource, url: str, frequency: str) -> Resource:
    """Point ``resource`` at ``url``, fetched every ``frequency``; an empty URL removes it.

    A new URL forgets what was known of the previous one and is due at once. Precondition:
    the caller may write the dataset (``gate.can_write_dataset``). Raises SourceRefused.
    """
    url, frequency = check_source(url, frequency)
    resource.refresh_frequency = frequency
    if url != resource.source_url:
        resource.source_url = url
        resource.source_set_at = timezone.now() if url else None
        resource.source_etag = resource.source_last_modified = ""
        resource.last_checked_at = resource.last_success_at = None
        resource.last_error = resource.source_alert = ""
        resource.failure_count = 0
    resource.save()
    return resource


def refresh_source(
    resource: Resource,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    retry_unavailable: bool = False,
) -> RefreshOutcome:
    """Fetch one source now and publish its content if it changed.

    Claims the source first (a conditional update of ``last_checked_at``): when another
    worker claimed it since ``resource`` was read, does nothing and answers ``skipped``.
    A failure is recorded on the resource (and alerted), except, with ``retry_unavailable``
    (a refresh job with attempts left), a ``FetchUnavailable``, raised for the job to retry.
    ``progress`` follows the download and the reading, and may cancel them (``Cancelled``
    raised; nothing is published, nothing is recorded as a failure).
    """
    now = now or timezone.now()
    slug = resource.dataset.slug
    claimed = Resource.objects.filter(pk=resource.pk, source_url=resource.source_url)
    if resource.last_checked_at is None:
        claimed = claimed.filter(last_checked_at__isnull=True)
    else:
        claimed = claimed.filter(last_checked_at=resource.last_checked_at)
    if not resource.source_url or not claimed.update(last_checked_at=now):
        return RefreshOutcome(slug, "skipped")
    resource.last_checked_at = now
    work_root = settings.HOME / "sources"
    work_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_root) as work:
        try:
            fetched = fetch(
                resource.source_url,
                Path(work),
                etag=resource.source_etag,
                last_modified=resource.source_last_modified,
                limits=_limits(),
                on_block=_download_progress(progress),
            )
        except FetchUnavailable as error:
            if retry_unavailable:
                raise
            return do_record_source_failure(resource, str(error))
        except FetchFailed as error:
            return do_record_source_failure(resource, str(error))
        if fetched.path is None or _already_have(resource, fetched.path):
            _succeeded(resource, now, fetched.etag, fetched.last_modified)
            return RefreshOutcome(slug, "unchanged")
        try:
            outcome = do_ingest_file(
                fetched.path,
                dataset_slug=slug,
                source_label=public_url(resource.source_url),
                progress=progress,
            )
        except IngestionFailed as error:
            return do_record_source_failure(resource, str(error))
    _succeeded(resource, now, fetched.etag, fetched.last_modified)
    if outcome.held:  # staged, waiting for a steward: personal data (decision 0023)
        return RefreshOutcome(slug, "held", version=outcome.version.key, error=outcome.held)
    return RefreshOutcome(slug, "published", version=outcome.version.key)


def _limits() -> FetchLimits:
    return FetchLimits(
        timeout=settings.SOURCES_TIMEOUT,
        max_bytes=settings.SOURCES_MAX_MB * 1024 * 1024,
        allow_private=settings.SOURCES_ALLOW_PRIVATE,
    )


def _download_progress(progress: Progress | None) -> OnBlock | None:
    """The fetch's ``on_block`` for a job: the ``download`` stage, in bytes; a cancelled job
    stops the download at the next block."""
    if progress is None:
        return None

    def follow(done: int, total: int | None) -> None:
        if progress.snapshot().stage != "download":
            progress.stage("download", bytes_total=total)
        progress.advance(bytes_done=done)
        progress.check_cancelled()

    return follow


def _already_have(resource: Resource, path: Path) -> bool:
    """The content is the live version's, or the last one fetched from this source (a GTFS
    feed is compared whole: its tables' versions keep the checksum of the feed)."""
    checksum = file_checksum(path)
    label = public_url(resource.source_url)
    last = (
        resource.versions.filter(Q(source=label) | Q(source__startswith=f"{label}/"))
        .order_by("-created_at", "-pk")
        .first()
    )
    return checksum in {_content_checksum(resource.live_version), _content_checksum(last)}


def _content_checksum(version: Version | None) -> str | None:
    """The checksum of the file a version was read from: the feed's for a GTFS table."""
    if version is None:
        return None
    return feed_checksum(version) or version.checksum


def _succeeded(resource: Resource, now: datetime, etag: str, last_modified: str) -> None:
    Resource.objects.filter(pk=resource.pk).update(
        last_success_at=now,
        source_etag=etag[:500],
        source_last_modified=last_modified[:100],
        last_error="",
        failure_count=0,
        source_alert="",
    )


def do_record_source_failure(resource: Resource, reason: str) -> RefreshOutcome:
    """Record a failed refresh on the resource; alert the producers when it starts failing."""
    reason = reason[:1000]
    Resource.objects.filter(pk=resource.pk).update(
        last_error=reason, failure_count=F("failure_count") + 1
    )
    resource.refresh_from_db()
    logger.warning("source of %s failed: %s", resource.dataset.slug, reason)
    if resource.source_alert != Alert.BROKEN:
        Resource.objects.filter(pk=resource.pk).update(source_alert=Alert.BROKEN)
        send_source_alert(resource, Alert.BROKEN)
    return RefreshOutcome(resource.dataset.slug, "failed", error=reason)


def alert_late_sources(now: datetime | None = None, *, dataset_slug: str | None = None) -> int:
    """Alert, once, the producers of each source that is late; returns how many were."""
    now = now or timezone.now()
    sources = scheduled_sources().filter(source_alert="")
    if dataset_slug is not None:
        sources = sources.filter(dataset__slug=dataset_slug)
    late = 0
    for resource in sources:
        if not is_late(resource, now):
            continue
        if Resource.objects.filter(pk=resource.pk, source_alert="").update(source_alert=Alert.LATE):
            send_source_alert(resource, Alert.LATE)
            late += 1
    return late
