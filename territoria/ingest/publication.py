"""Where datastore versions meet the catalog: the store, staging rows and the one publish switch."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from territoria.catalog.enums import ResourceKind, VersionStatus
from territoria.catalog.models import Dataset, Resource, Version
from territoria.datastore.answers import shared_answer_cache
from territoria.datastore.query import QueryEngine
from territoria.datastore.versions import VersionInfo, VersionStore
from territoria.governance.audit import Action, record_event
from territoria.governance.personal_data.scan import do_scan_version


def get_store() -> VersionStore:
    return VersionStore(settings.DATASTORE_ROOT)


def get_query_engine() -> QueryEngine:
    """The engine every read dialect queries versions with: the configured time budget and
    the process's answer cache (decision 0018)."""
    answers = shared_answer_cache(settings.QUERY_CACHE_MB * 2**20)
    return QueryEngine(timeout=settings.QUERY_TIMEOUT, answers=answers)


# The name under which ``with_live_version_key`` puts the key on each dataset.
LIVE_VERSION_KEY = "live_table_version_key"


def _table_resources(dataset) -> QuerySet[Resource]:
    """The dataset's table resources, the one the records API serves first (as
    ``Dataset.table_resource``); ``dataset`` is a Dataset or an ``OuterRef``."""
    return Resource.objects.filter(dataset=dataset, kind=ResourceKind.TABLE).order_by("id")


def with_live_version_key(datasets: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """``datasets``, each with the key of its table's live version (None when nothing is
    published), read in the same query: every reader of a dataset's rows asks for it next.
    Two queries fewer per records request than ``table_resource().live_version`` (decision
    0018)."""
    live_key = _table_resources(OuterRef("pk")).values("live_version__key")[:1]
    return datasets.annotate(**{LIVE_VERSION_KEY: Subquery(live_key)})


def live_version_key(dataset: Dataset) -> str | None:
    """The key of the published version of the dataset's table, None if there is none.

    Free when ``dataset`` comes from ``with_live_version_key`` (the gate's
    ``access_dataset_for`` does it): then as of that query. Otherwise one query.
    """
    if LIVE_VERSION_KEY in dataset.__dict__:
        return dataset.__dict__[LIVE_VERSION_KEY]
    return _table_resources(dataset).values_list("live_version__key", flat=True).first()


def live_version_info(dataset: Dataset) -> VersionInfo | None:
    """The published version of the dataset's table, or None if nothing is published yet.
    Raises KeyError when the catalog names a version the store does not have.

    Precondition: the caller got ``dataset`` from the access gate.
    """
    key = live_version_key(dataset)
    if key is None:
        return None
    return get_store().open(key)


def do_record_version(resource: Resource, info: VersionInfo, user=None) -> Version:
    """Record a staged datastore version in the catalog (not yet visible), and its
    personal-data findings (decision 0023)."""
    version = Version.objects.create(
        resource=resource,
        key=info.key,
        status=VersionStatus.STAGED,
        row_count=info.row_count,
        byte_size=info.byte_size,
        checksum=info.checksum,
        source=info.source[:500],
        source_format=info.source_format,
        schema=info.schema,
        reports=info.reports,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    do_scan_version(version)
    return version


def do_publish_version(version: Version, actor=None) -> Version:
    """Make ``version`` the live one of its resource: one row update inside one transaction.

    The previous live version is kept (status superseded) for rollback. The switch and its
    audit entry commit together; if the entry cannot be written (``AuditUnavailable``),
    nothing changes. ``actor``: the user publishing (None: the request's user, or the CLI).
    Raises PersonalDataPending when the dataset is open and the version has personal-data
    findings no steward resolved (decision 0023), and ProcessingActivityMissing when the
    version holds personal data and the dataset serves no activity of the GDPR record, at
    any access level (decision 0025).
    """
    # Imported here: the gate (imported by perms) imports this module.
    from territoria.governance.gdpr.publication import check_processing_activity
    from territoria.governance.personal_data.perms import check_open_publication

    check_open_publication(version)
    check_processing_activity(version.resource.dataset, version)
    return _switch_live(version, actor, Action.VERSION_PUBLISH)


@transaction.atomic
def _switch_live(version: Version, actor, action: str) -> Version:
    resource = Resource.objects.select_for_update().get(pk=version.resource_id)
    if resource.live_version_id == version.pk:
        return version
    previous = resource.live_version_id
    if previous is not None:
        Version.objects.filter(pk=previous).update(status=VersionStatus.SUPERSEDED)
    now = timezone.now()
    Version.objects.filter(pk=version.pk).update(status=VersionStatus.PUBLISHED, published_at=now)
    Resource.objects.filter(pk=resource.pk).update(live_version=version, modified_at=now)
    Dataset.objects.filter(pk=resource.dataset_id).update(modified_at=now)
    record_event(
        action,
        actor=actor,
        target=f"version:{version.pk}",
        organisation=Dataset.objects.values_list("organisation_id", flat=True).get(
            pk=resource.dataset_id
        ),
        detail={"dataset": resource.dataset_id, "previous": previous},
    )
    version.refresh_from_db()
    return version


def do_rollback(resource: Resource, actor=None, to: Version | None = None) -> Version | None:
    """Publish again the version that was live before the current one, or the earlier
    version ``to`` (one that was published, then superseded); None if there is none."""
    current = resource.live_version_id
    earlier = resource.versions.exclude(pk=current).filter(status=VersionStatus.SUPERSEDED)
    if to is not None:
        earlier = earlier.filter(pk=to.pk)
    previous = earlier.order_by("-published_at", "-id").first()
    if previous is None:
        return None
    return _switch_live(previous, actor, Action.VERSION_ROLLBACK)
