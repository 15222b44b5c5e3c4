"""A remote dataset written into the catalog: metadata, links, the table's URL source.

The harvested dataset belongs to the source's organisation; its slug is the remote one
when free (else suffixed), and then kept: a slug renamed upstream changes ``remote_slug``,
not our URLs. Metadata and resources change in one transaction; the table's data arrives
through a ``refresh_source`` job (``ingest/source_jobs.py``), so it is read, checked and
published exactly like any URL source's, and a failure there never touches the metadata.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from territoria.catalog.enums import AccessLevel, RefreshFrequency, ResourceKind
from territoria.catalog.models import Dataset, Resource
from territoria.catalog.search import index_dataset
from territoria.ingest.harvest.models import HarvestedDataset, HarvestSource
from territoria.ingest.harvest.remote import RemoteDataset, RemoteResource
from territoria.ingest.source_jobs import do_enqueue_refresh
from territoria.ingest.sources import SourceRefused, do_set_source

URL_MAX = Resource._meta.get_field("url").max_length


class ImportRefused(Exception):
    """One-line reason a remote dataset could not be written (shown in the run's report)."""


def free_slug(wanted: str, source: HarvestSource) -> str:
    """``wanted`` as a slug not taken yet: suffixed with the source's id, then a number."""
    base = slugify(wanted)[:90] or f"moissonne-{source.pk}"
    candidates = [base, f"{base}-{source.pk}"] + [f"{base}-{source.pk}-{n}" for n in range(2, 50)]
    taken = set(Dataset.objects.filter(slug__in=candidates).values_list("slug", flat=True))
    for slug in candidates:
        if slug not in taken:
            return slug
    raise ImportRefused(f"no free slug for {wanted!r}")


def _write_metadata(dataset: Dataset, record: RemoteDataset) -> None:
    dataset.title = record.title[:250] or record.slug
    dataset.description = record.description
    dataset.licence = record.licence
    dataset.licence_name = record.licence_name
    dataset.licence_url = record.licence_url[:200]
    dataset.themes = list(record.themes)
    dataset.keywords = [k[:100] for k in record.keywords]
    try:
        dataset.full_clean(exclude=["organisation", "slug"], validate_unique=False)
    except ValidationError as error:
        reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        raise ImportRefused(reasons) from None
    dataset.save()


def _sync_links(dataset: Dataset, links: list[RemoteResource]) -> None:
    """The dataset's link resources become the record's (the harvester owns them)."""
    dataset.resources.exclude(kind=ResourceKind.TABLE).delete()
    Resource.objects.bulk_create(
        Resource(
            dataset=dataset,
            title=link.title[:250],
            kind=ResourceKind.LINK,
            format=link.format[:20],
            url=link.url,
            description=link.description,
        )
        for link in links
        if len(link.url) <= URL_MAX  # longer ones do not fit the catalog's URL field
    )


def _sync_table(dataset: Dataset, table: RemoteResource | None, frequency: str) -> Resource | None:
    """The table resource fetched from ``table``'s URL; returns it when it needs a refresh."""
    resource = dataset.table_resource()
    if table is None:
        if resource is not None and resource.source_url:
            do_set_source(resource, "", "")  # keep the data we have, stop fetching
        return None
    if resource is None:
        resource = Resource.objects.create(dataset=dataset, kind=ResourceKind.TABLE, title="")
    resource.title = table.title[:250]
    resource.format = table.format[:20]
    resource.description = table.description
    try:
        do_set_source(resource, table.url, frequency or RefreshFrequency.DAILY)
    except SourceRefused as error:
        raise ImportRefused(f"{table.url}: {error}") from None
    return resource


def do_import_dataset(
    source: HarvestSource, record: RemoteDataset, known: HarvestedDataset | None, now: datetime
) -> HarvestedDataset:
    """Create or update the dataset of ``record``, then queue its table's refresh.

    Raises ImportRefused (nothing written). An archived dataset listed again is restored.
    """
    # CSV first: the format every portal exports and the reader takes fastest.
    tables = sorted((r for r in record.resources if r.tabular), key=lambda r: r.format != "CSV")
    links = [r for r in record.resources if not r.tabular] + tables[1:]
    with transaction.atomic():
        if known is None:
            dataset = Dataset(
                slug=free_slug(record.slug or record.title, source),
                organisation=source.organisation,
                access_level=source.access_level,
            )
            known = HarvestedDataset(source=source, remote_id=record.identifier[:1000])
        else:
            dataset = known.dataset
            if known.archived_at is not None:
                dataset.access_level = source.access_level
        _write_metadata(dataset, record)
        _sync_links(dataset, links)
        table = _sync_table(dataset, tables[0] if tables else None, source.frequency)
        index_dataset(dataset)
        known.dataset = dataset
        known.remote_slug = record.slug[:300]
        known.remote_url = record.page_url if len(record.page_url) <= 2000 else ""
        known.remote_modified = record.modified[:100]
        known.content_hash = record.content_hash()
        known.last_seen_at = known.synced_at = now
        known.missing_since = known.archived_at = None
        known.save()
    if table is not None:
        do_enqueue_refresh(table)
    return known


def do_archive(harvested: HarvestedDataset, now: datetime) -> None:
    """Hide a dataset gone from its source: ``internal`` access, its versions kept."""
    with transaction.atomic():
        dataset = harvested.dataset
        dataset.access_level = AccessLevel.INTERNAL
        dataset.save(update_fields=["access_level", "modified_at"])
        index_dataset(dataset)
        table = dataset.table_resource()
        if table is not None and table.source_url:
            do_set_source(table, "", "")  # nothing to fetch any more
        harvested.archived_at = now
        harvested.save(update_fields=["archived_at"])
