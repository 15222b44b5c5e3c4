"""One harvest run: gather → fetch → import, with its report (decision 0021).

- Gather: the dialect lists the source's datasets (identifier, slug, modified date). A gather
  that fails fails the run: nothing is imported, nothing archived.
- Fetch: only what may have changed. A dataset listed with the same modified date and slug
  as last time is *unchanged* without a request; otherwise its record is fetched, and a record
  whose content hash is the one imported last time is unchanged too.
- Import: a dataset is found by the source's identifier (``HarvestedDataset.remote_id``), so
  a renamed slug updates the dataset it already made; its metadata and links are written in
  one transaction, and its first tabular resource becomes the table's URL source, read by a
  ``refresh_source`` job, the normal ingestion path (``ingest/sources.py``).
- A source that stops answering (``FetchUnavailable``: silence, refusal, 5xx, the run's
  deadline) stops the run at once: it fails, and the datasets it has not reached keep the
  previous harvest. A record the source refuses (a 4xx) or we refuse fails alone.
- Removal: after a complete run, a dataset no longer listed is *missing*; once missing for
  the source's grace period it is archived: access level ``internal`` (hidden from the public
  by the gate, kept with its versions for the data office) and ``archived_at`` set. Listed
  again, it is restored at the source's access level.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType

from django.utils import timezone

from territoria.ingest.fetch import FetchFailed, FetchUnavailable
from territoria.ingest.harvest import ckan, dcat, ods, udata
from territoria.ingest.harvest.client import HarvestClient
from territoria.ingest.harvest.importer import ImportRefused, do_archive, do_import_dataset
from territoria.ingest.harvest.models import (
    HarvestedDataset,
    HarvestKind,
    HarvestRun,
    HarvestSource,
    RunStatus,
)
from territoria.ingest.harvest.remote import RemoteRef
from territoria.ingest.sources import INTERVALS

logger = logging.getLogger(__name__)

DIALECTS: dict[str, ModuleType] = {
    HarvestKind.CKAN: ckan,
    HarvestKind.UDATA: udata,
    HarvestKind.ODS: ods,
    HarvestKind.DCAT: dcat,
}


class SourceStopped(Exception):
    """The source stopped answering during the run; ``str()`` says how."""


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)

    def fail(self, ref: RemoteRef | None, reason: str) -> None:
        self.failed += 1 if ref is not None else 0
        self.failures.append(
            {"remote_id": ref.identifier if ref else "", "slug": ref.slug if ref else "",
             "reason": reason[:500]}
        )  # fmt: skip


def is_due(source: HarvestSource, now: datetime | None = None) -> bool:
    """An active source with a frequency whose interval has passed since its last run."""
    every = INTERVALS.get(source.frequency)
    if not source.active or every is None:
        return False
    return source.last_run_at is None or source.last_run_at + every <= (now or timezone.now())


def due_sources(now: datetime | None = None) -> list[HarvestSource]:
    sources = HarvestSource.objects.filter(active=True).exclude(frequency="")
    return [s for s in sources.select_related("organisation") if is_due(s, now)]


def _claim(source: HarvestSource, now: datetime) -> bool:
    """Mark the run as started unless another process started one since ``source`` was read."""
    claimed = HarvestSource.objects.filter(pk=source.pk, last_run_at=source.last_run_at)
    if source.last_run_at is None:
        claimed = HarvestSource.objects.filter(pk=source.pk, last_run_at__isnull=True)
    if not claimed.update(last_run_at=now):
        return False
    source.last_run_at = now
    return True


def do_harvest(source: HarvestSource, *, now: datetime | None = None) -> HarvestRun | None:
    """Run one harvest of ``source``; returns its report (None: another run has it)."""
    now = now or timezone.now()
    if not _claim(source, now):
        return None
    run = HarvestRun.objects.create(source=source)
    tally = Tally()
    dialect = DIALECTS[source.kind]
    client = HarvestClient()
    try:
        refs = dialect.gather(client, source.url)
        seen = _harvest_each(source, dialect, client, refs, tally, now)
    except (FetchFailed, SourceStopped) as error:
        tally.fail(None, str(error))
        return _finish(run, tally, RunStatus.FAILED)
    except Exception:  # a listing of an unexpected shape, or a fault of ours: logged
        logger.exception("harvest of %s: the run failed", source)
        tally.fail(None, "the source's answer could not be read (logged)")
        return _finish(run, tally, RunStatus.FAILED)
    tally.removed = _archive_missing(source, seen, now)
    return _finish(run, tally, RunStatus.PARTIAL if tally.failed else RunStatus.SUCCEEDED)


def _harvest_each(
    source: HarvestSource,
    dialect: ModuleType,
    client: HarvestClient,
    refs: list[RemoteRef],
    tally: Tally,
    now: datetime,
) -> set[str]:
    """Fetch and import each listed dataset; returns the identifiers listed. Raises
    SourceStopped when the source stops answering."""
    known = {h.remote_id: h for h in source.datasets.select_related("dataset")}
    seen: set[str] = set()
    for ref in refs:
        if ref.identifier in seen:
            continue
        seen.add(ref.identifier)
        try:
            outcome = _harvest_one(source, dialect, client, ref, known.get(ref.identifier), now)
        except FetchUnavailable as error:
            raise SourceStopped(f"{ref.slug or ref.identifier}: {error}") from None
        except (FetchFailed, ImportRefused) as error:
            tally.fail(ref, str(error))
            continue
        except Exception:  # a fault of ours: logged, and the rest of the run goes on
            logger.exception("harvest of %s: %s failed", source, ref.identifier)
            tally.fail(ref, "the platform could not import this dataset (logged)")
            continue
        setattr(tally, outcome, getattr(tally, outcome) + 1)
    return seen


def _harvest_one(
    source: HarvestSource,
    dialect: ModuleType,
    client: HarvestClient,
    ref: RemoteRef,
    known: HarvestedDataset | None,
    now: datetime,
) -> str:
    """``created``, ``updated`` or ``unchanged``; raises FetchFailed or ImportRefused."""
    current = known is not None and known.archived_at is None
    if (
        current
        and ref.modified
        and (ref.modified, ref.slug)
        == (
            known.remote_modified,
            known.remote_slug,
        )
    ):
        _seen(known, now)
        return "unchanged"
    record = ref.record or dialect.fetch(client, source.url, ref)
    if current and record.content_hash() == known.content_hash:
        _seen(known, now, modified=record.modified)
        return "unchanged"
    do_import_dataset(source, record, known, now)
    return "updated" if known is not None else "created"


def _seen(known: HarvestedDataset, now: datetime, modified: str | None = None) -> None:
    known.last_seen_at = known.synced_at = now
    known.missing_since = None
    fields = ["last_seen_at", "synced_at", "missing_since"]
    if modified is not None:
        known.remote_modified = modified[:100]
        fields.append("remote_modified")
    known.save(update_fields=fields)


def _archive_missing(source: HarvestSource, seen: set[str], now: datetime) -> int:
    """Mark datasets no longer listed as missing; archive those missing for the grace period.
    Returns how many were archived by this run."""
    grace = timedelta(days=source.grace_days)
    archived = 0
    for harvested in source.datasets.filter(archived_at__isnull=True).select_related("dataset"):
        if harvested.remote_id in seen:
            continue
        if harvested.missing_since is None:
            harvested.missing_since = now
            harvested.save(update_fields=["missing_since"])
        if now - harvested.missing_since >= grace:
            do_archive(harvested, now)
            archived += 1
    return archived


def _finish(run: HarvestRun, tally: Tally, status: str) -> HarvestRun:
    run.status = status
    run.finished_at = timezone.now()
    for name in ("created", "updated", "unchanged", "removed", "failed", "failures"):
        setattr(run, name, getattr(tally, name))
    run.save()
    logger.info(
        "harvest of %s: %s (%d created, %d updated, %d unchanged, %d removed, %d failed)",
        run.source, status, run.created, run.updated, run.unchanged, run.removed, run.failed,
    )  # fmt: skip
    return run


def do_harvest_due(now: datetime | None = None) -> list[HarvestRun]:
    """Run every source that is due, one after the other; returns their reports."""
    runs = [do_harvest(source, now=now) for source in due_sources(now)]
    return [run for run in runs if run is not None]
