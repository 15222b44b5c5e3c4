"""Where datastore versions meet the catalog: the store, staging rows and the one publish switch."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from territoria.catalog.enums import VersionStatus
from territoria.catalog.models import Dataset, Resource, Version
from territoria.datastore.versions import VersionInfo, VersionStore


def get_store() -> VersionStore:
    return VersionStore(settings.DATASTORE_ROOT)


def live_version_info(dataset: Dataset) -> VersionInfo | None:
    """The published version of the dataset's table, or None if nothing is published yet.

    Precondition: the caller got ``dataset`` from the access gate.
    """
    resource = dataset.table_resource()
    if resource is None or resource.live_version_id is None:
        return None
    return get_store().open(resource.live_version.key)


def do_record_version(resource: Resource, info: VersionInfo, user=None) -> Version:
    """Record a staged datastore version in the catalog (not yet visible)."""
    return Version.objects.create(
        resource=resource,
        key=info.key,
        status=VersionStatus.STAGED,
        row_count=info.row_count,
        byte_size=info.byte_size,
        checksum=info.checksum,
        source=info.source[:500],
        source_format=info.source_format,
        schema=info.schema,
        created_by=user if user is not None and user.is_authenticated else None,
    )


@transaction.atomic
def do_publish_version(version: Version) -> Version:
    """Make ``version`` the live one of its resource: one row update inside one transaction.

    The previous live version is kept (status superseded) for rollback.
    """
    resource = Resource.objects.select_for_update().get(pk=version.resource_id)
    if resource.live_version_id == version.pk:
        return version
    if resource.live_version_id is not None:
        Version.objects.filter(pk=resource.live_version_id).update(status=VersionStatus.SUPERSEDED)
    now = timezone.now()
    Version.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED, published_at=now)
    Resource.objects.filter(pk=resource.pk).update(live_version=version, modified_at=now)
    Dataset.objects.filter(pk=resource.dataset_id).update(modified_at=now)
    version.refresh_from_db()
    return version


def do_rollback(resource: Resource) -> Version | None:
    """Publish again the version that was live before the current one; None if there is none."""
    current = resource.live_version_id
    previous = (
        resource.versions.exclude(pk=current)
        .filter(status=VersionStatus.SUPERSEDED)
        .order_by("-published_at", "-id")
        .first()
    )
    if previous is None:
        return None
    return do_publish_version(previous)
