"""Ingestion as the catalog sees it: a file becomes a staged version, then (optionally) live.

The datastore core does the reading; this module creates the catalog objects around it and
guarantees that a failure changes nothing that is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from territoria.catalog.enums import AccessLevel, OrganisationKind, ResourceKind
from territoria.catalog.models import Dataset, Organisation, Resource, Version
from territoria.catalog.search import index_dataset
from territoria.datastore.errors import IngestError
from territoria.datastore.progress import Progress
from territoria.datastore.readers.gtfs import is_gtfs
from territoria.datastore.versions import file_checksum
from territoria.ingest.publication import do_publish_version, do_record_version, get_store
from territoria.ingest.schemas import validation_checks
from territoria.ingest.steps import resource_transform


class IngestionFailed(Exception):
    """One-line reason an ingestion was refused; nothing published has changed."""


@dataclass
class IngestOutcome:
    dataset: Dataset
    version: Version
    published: bool
    unchanged: bool = False  # the source was identical to the live version: nothing staged
    held: str = ""  # why publishing waits for a steward (personal data, decision 0023)


def ensure_dataset(
    slug: str,
    *,
    org_slug: str | None = None,
    title: str | None = None,
    access: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Dataset:
    """Return the dataset ``slug``, creating it (and its table resource) when it is new.

    An existing dataset keeps its metadata unless ``title``/``access``/``metadata`` are given.
    """
    if access is not None and access not in AccessLevel.values:
        raise IngestionFailed(f"unknown access level {access!r} (use {', '.join(AccessLevel)})")
    dataset = Dataset.objects.filter(slug=slug).first()
    if dataset is None:
        if not org_slug:
            raise IngestionFailed(f"dataset {slug!r} does not exist: give --org to create it")
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                slug=org_slug,
                name=org_slug.replace("-", " ").title(),
                kind=OrganisationKind.PUBLIC_BODY,
            )
        dataset = Dataset(slug=slug, organisation=organisation, title=title or slug)
    elif org_slug and dataset.organisation.slug != org_slug:
        raise IngestionFailed(f"dataset {slug!r} belongs to {dataset.organisation.slug!r}")
    if title:
        dataset.title = title
    if access:
        dataset.access_level = access
    for name, value in (metadata or {}).items():
        setattr(dataset, name, value)
    try:
        dataset.full_clean(exclude=["organisation"], validate_unique=False)
    except ValidationError as error:  # e.g. an open dataset off the licence list (CRPA D323-2-1)
        raise IngestionFailed(f"dataset {slug!r}: {' '.join(error.messages)}") from error
    dataset.save()
    if not dataset.resources.filter(kind=ResourceKind.TABLE).exists():
        Resource.objects.create(dataset=dataset, title=dataset.title, kind=ResourceKind.TABLE)
    return dataset


def do_ingest_file(
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
) -> IngestOutcome:
    """Read ``path`` into a new version of the dataset's table and publish it.

    Raises IngestionFailed with a one-line reason (e.g. ``line 3412: 14 fields, expected 11``);
    then no version is recorded and the live version stays as it was. ``progress`` (see
    ``datastore/progress.py``) follows the reading and may cancel it (``Cancelled`` raised).
    """
    path = Path(path)
    if is_gtfs(path):  # several tables: one resource per file of the feed
        from territoria.ingest.gtfs import do_ingest_gtfs  # imports this module

        return do_ingest_gtfs(
            path, dataset_slug=dataset_slug, org_slug=org_slug, title=title, access=access,
            metadata=metadata, user=user, source_label=source_label, publish=publish,
            skip_if_unchanged=skip_if_unchanged, progress=progress,
        )  # fmt: skip
    slug = slugify(dataset_slug)
    if not slug:
        raise IngestionFailed(f"invalid dataset slug {dataset_slug!r}")
    existing = Dataset.objects.filter(slug=slug).first()
    resource = existing.table_resource() if existing else None
    if existing is None and not org_slug:
        raise IngestionFailed(f"dataset {slug!r} does not exist: give --org to create it")
    if access is not None and access not in AccessLevel.values:
        raise IngestionFailed(f"unknown access level {access!r} (use {', '.join(AccessLevel)})")
    live = resource.live_version if resource is not None else None
    if skip_if_unchanged and live is not None and file_checksum(path) == live.checksum:
        return IngestOutcome(existing, live, published=True, unchanged=True)
    # Read first: a refused file must not create or change any catalog object.
    try:
        info = get_store().stage(
            path,
            source_label=source_label or path.name,
            transform=resource_transform(resource),  # the resource's processing steps
            checks=validation_checks(resource),  # its declared Table Schema (decision 0012)
            progress=progress,
        )
    except IngestError as error:
        raise IngestionFailed(f"{source_label or path.name}: {error}") from error
    with transaction.atomic():
        dataset = ensure_dataset(
            slug, org_slug=org_slug, title=title, access=access, metadata=metadata
        )
        resource = dataset.table_resource()
        assert resource is not None
        version = do_record_version(resource, info, user)
        if not resource.format:
            Resource.objects.filter(pk=resource.pk).update(format=info.source_format)
        held = hold_for_personal_data(version, dataset) if publish else ""
        if publish and not held:
            version = do_publish_version(version, actor=user)
        index_dataset(dataset)
    return IngestOutcome(dataset, version, published=publish and not held, held=held)


def hold_for_personal_data(version: Version, dataset: Dataset) -> str:
    """The one line telling why ``version`` stays staged, "" when it may be published: in an
    open dataset, personal data found by the scan waits for a steward (decision 0023); the
    live version stays as it was."""
    from territoria.governance.personal_data.perms import held_for_review, pending_message
    from territoria.governance.personal_data.resolve import do_hold_version

    if not held_for_review(version, dataset):
        return ""
    do_hold_version(version)
    return pending_message(version, version.personal_data_findings.filter(status="open").count())
