"""A GTFS feed becomes a dataset of tables: one resource per file of the feed.

Every file is read into a staged version before the catalog is touched; then one transaction
records and publishes them all. A refused feed (``stop_times.txt`` missing…) or a file that
cannot be read changes nothing: the staged versions are removed and no catalog row is
written. The feed's report (``readers.gtfs``), with the checksum of the whole feed, is kept
in each version's ``gtfs`` report; each table also gets its ``validation`` report, like any
other version (``schemas.validation_checks``). With ``skip_if_unchanged``, a feed whose
checksum is the live one's makes no version at all.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from territoria.catalog.enums import ResourceKind, VersionStatus
from territoria.catalog.models import Dataset, Resource, Version
from territoria.catalog.search import index_dataset
from territoria.datastore import progress as progress_module
from territoria.datastore.errors import IngestError
from territoria.datastore.progress import Progress
from territoria.datastore.readers.gtfs import open_gtfs
from territoria.datastore.versions import VersionInfo, file_checksum
from territoria.ingest.publication import do_publish_version, do_record_version, get_store
from territoria.ingest.schemas import validation_checks
from territoria.ingest.services import (
    IngestionFailed,
    IngestOutcome,
    ensure_dataset,
    hold_for_personal_data,
)

FEED_CHECKSUM = "feed_checksum"  # in the ``gtfs`` report: SHA-256 of the whole ZIP


@dataclass
class GtfsOutcome(IngestOutcome):
    """The outcome of the first table (``stops.txt``), and every table's version by file."""

    versions: dict[str, Version] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)


def feed_checksum(version: Version | None) -> str | None:
    """The checksum of the GTFS feed ``version`` was read from (None: not from a feed)."""
    report = (version.reports or {}).get("gtfs") if version is not None else None
    return report.get(FEED_CHECKSUM) if isinstance(report, dict) else None


def do_ingest_gtfs(
    path: Path,
    *,
    dataset_slug: str,
    org_slug: str | None = None,
    title: str | None = None,
    access: str | None = None,
    metadata: dict[str, Any] | None = None,
    user=None,
    source_label: str | None = None,
    publish: bool = True,
    skip_if_unchanged: bool = False,
    progress: Progress | None = None,
) -> GtfsOutcome:
    """Check the GTFS feed ``path`` and ingest each of its files as a table of the dataset.

    Raises IngestionFailed with a one-line reason (e.g. ``stop_times.txt is missing``);
    then nothing has changed in the catalog and no version is left on disk. As
    ``do_ingest_file``: ``skip_if_unchanged`` returns the live version when the feed is the
    one it was read from (``unchanged``); ``progress`` follows the work and may cancel it.
    """
    path = Path(path)
    slug = slugify(dataset_slug)
    if not slug:
        raise IngestionFailed(f"invalid dataset slug {dataset_slug!r}")
    dataset = Dataset.objects.filter(slug=slug).first()
    if not org_slug and dataset is None:
        raise IngestionFailed(f"dataset {slug!r} does not exist: give --org to create it")
    with progress_module.use(progress):  # one poller for the feed's every table
        progress_module.enter_stage("checksum", bytes_total=path.stat().st_size)
        checksum = file_checksum(path, progress)
        live = _live_feed_version(dataset)
        if skip_if_unchanged and dataset is not None and feed_checksum(live) == checksum:
            report = live.reports["gtfs"] if live is not None else {}
            return GtfsOutcome(dataset, live, published=True, unchanged=True, report=report)
        staged, report = _stage_feed(path, dataset, source_label or path.name, checksum)
    try:
        versions = _record(slug, staged, org_slug, title, access, metadata, user, publish)
    except BaseException:
        _discard(staged.values())
        raise
    dataset = Dataset.objects.get(slug=slug)
    first = next(iter(versions.values()))
    published = publish and first.status == VersionStatus.PUBLISHED
    return GtfsOutcome(dataset, first, published=published, versions=versions, report=report)


def _live_feed_version(dataset: Dataset | None) -> Version | None:
    """The live version of the dataset's first table (every table came from the same feed)."""
    resource = dataset.table_resource() if dataset is not None else None
    return resource.live_version if resource is not None else None


def _stage_feed(
    path: Path, dataset: Dataset | None, label: str, checksum: str
) -> tuple[dict[str, VersionInfo], dict[str, Any]]:
    """Every file of the feed staged as a version, with the feed's report and each table's
    validation report; nothing is left on disk when one fails (IngestionFailed raised)."""
    store = get_store()
    tables = _tables_of(dataset)
    staged: dict[str, VersionInfo] = {}
    work = Path(tempfile.mkdtemp(prefix="gtfs-", dir=_tmp_root(store.root)))
    try:
        feed = open_gtfs(path, work)
        report = {**feed.report.as_dict(), FEED_CHECKSUM: checksum}
        for name, table in feed.tables.items():
            checks = {**validation_checks(tables.get(name)), "gtfs": lambda *_: report}
            try:
                staged[name] = store.stage(table, source_label=f"{label}/{name}", checks=checks)
            except IngestError as error:  # name the file of the feed at fault
                raise IngestError(f"{name}: {error}", line=error.line) from error
    except IngestError as error:
        _discard(staged.values())
        raise IngestionFailed(f"{label}: {error}") from error
    except BaseException:
        _discard(staged.values())
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return staged, report


def _tables_of(dataset: Dataset | None) -> dict[str, Resource]:
    """The dataset's table resources by title (a feed's file name): their declared schemas
    validate the new versions."""
    if dataset is None:
        return {}
    return {r.title: r for r in dataset.resources.filter(kind=ResourceKind.TABLE).order_by("id")}


@transaction.atomic
def _record(
    slug: str,
    staged: dict[str, VersionInfo],
    org_slug: str | None,
    title: str | None,
    access: str | None,
    metadata: dict[str, Any] | None,
    user,
    publish: bool,
) -> dict[str, Version]:
    dataset = ensure_dataset(slug, org_slug=org_slug, title=title, access=access, metadata=metadata)
    versions: dict[str, Version] = {}
    for name, info in staged.items():
        versions[name] = do_record_version(_resource_for(dataset, name), info, user)
    # Personal data in one table holds the whole feed: all published together or none.
    held = [v for v in versions.values() if publish and hold_for_personal_data(v, dataset)]
    for name, version in versions.items():
        if publish and not held:
            versions[name] = do_publish_version(version, actor=user)
    index_dataset(dataset)
    return versions


def _resource_for(dataset: Dataset, name: str) -> Resource:
    """The table resource titled ``name``; the dataset's first table takes the name of the
    feed's first file when it has never held a version (it was just created)."""
    tables = dataset.resources.filter(kind=ResourceKind.TABLE)
    resource = tables.filter(title=name).first()
    if resource is not None:
        return resource
    blank = tables.order_by("id").first()
    if blank is not None and not blank.versions.exists() and blank.title == dataset.title:
        Resource.objects.filter(pk=blank.pk).update(title=name, format="gtfs")
        blank.refresh_from_db()
        return blank
    return Resource.objects.create(
        dataset=dataset, title=name, kind=ResourceKind.TABLE, format="gtfs"
    )


def _tmp_root(root: Path) -> Path:
    tmp = root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp


def _discard(infos: Any) -> None:
    """Remove staged versions that the catalog never recorded (nobody can reach them)."""
    for info in infos:
        shutil.rmtree(info.parquet.parent, ignore_errors=True)
