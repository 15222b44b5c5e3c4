"""A table's version history as the catalog sees it: the versions, a diff of two, a rollback.

The portal's "Versions" pages and the management API both read through here; the diff
itself is computed by ``datastore/diff.py`` over the two Parquet files. Precondition of
every function: the caller got ``dataset`` from the access gate (and, to roll back, was
told by ``gate.can_write_dataset`` that it may write it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from territoria.catalog.enums import ResourceKind, VersionStatus
from territoria.catalog.models import Dataset, Version
from territoria.datastore.diff import VersionDiff, diff_versions
from territoria.ingest.publication import do_rollback, get_store

# A diff joins two whole versions: it gets more time than one page of records.
DIFF_BUDGET_FACTOR = 3
# Versions never change, so neither does the diff of two of them: kept for an hour.
DIFF_CACHE_SECONDS = 3600


def versions_of(dataset: Dataset) -> QuerySet[Version]:
    """The versions of the dataset's table, newest first."""
    return (
        Version.objects.filter(resource__dataset=dataset, resource__kind=ResourceKind.TABLE)
        .select_related("created_by", "resource")
        .order_by("-created_at", "-pk")
    )


def version_of(dataset: Dataset, key: str) -> Version | None:
    return versions_of(dataset).filter(key=key).first()


def restorable(version: Version) -> bool:
    """May ``version`` be published again by a rollback? (It was live, then superseded.)"""
    return version.status == VersionStatus.SUPERSEDED


def default_pair(dataset: Dataset) -> tuple[Version, Version] | None:
    """(old, new) to compare by default: the live version (or the newest) and the one
    before it (the previously published one, else the previous one staged)."""
    versions = versions_of(dataset)
    resource = dataset.table_resource()
    live = resource.live_version if resource is not None else None
    new = live or versions.first()
    if new is None:
        return None
    earlier = versions.exclude(pk=new.pk)
    old = None
    if new.published_at is not None:  # a rollback publishes again: it counts from then
        old = (
            earlier.filter(published_at__lte=new.published_at)
            .order_by("-published_at", "-pk")
            .first()
        )
    if old is None:
        old = earlier.filter(created_at__lte=new.created_at).first()
    return (old, new) if old is not None else None


def do_diff(old: Version, new: Version, *, on: str | None = None, sample: int = 10) -> VersionDiff:
    """The difference from ``old`` to ``new`` on the column ``on`` (None: the default key).

    Raises DiffError (a bad ``on``), QueryTimeout, or KeyError when the store has lost a
    version's files.
    """
    cache_key = f"territoria:diff:{old.key}:{new.key}:{on or ''}:{sample}"
    found = cache.get(cache_key)
    if isinstance(found, VersionDiff):
        return found
    store = get_store()
    result = diff_versions(
        store.open(old.key),
        store.open(new.key),
        key=on,
        sample=sample,
        timeout=settings.QUERY_TIMEOUT * DIFF_BUDGET_FACTOR,
    )
    cache.set(cache_key, result, DIFF_CACHE_SECONDS)
    return result


def do_rollback_to(version: Version, actor=None) -> Version | None:
    """Publish ``version`` again in one atomic switch; None if it may not be restored."""
    if not restorable(version):
        return None
    return do_rollback(version.resource, actor=actor, to=version)
