"""Processing steps as the catalog sees them: a resource's steps, checked against its live
version, saved, previewed, and applied to every new version (the rules: datastore/steps.py).

Every version made through steps keeps its rows as read, before the steps, under the store's
``raw/`` directory (``territoria:raw`` in its schema): a preview and a re-processing start from
them, so changed steps never run on rows that earlier steps already changed (decision 0014).
The callers (portal, management API) got the dataset from the access gate and checked that the
user may write it. The key of ``pseudonymise`` steps is handed to the datastore here, from the
settings (``pseudonym_keys``): never in the steps' JSON, a schema or the database.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from territoria.catalog.models import Dataset, Resource, Version
from territoria.datastore.anonymise import PseudonymKeys, master_key, read_key_file
from territoria.datastore.errors import IngestError
from territoria.datastore.readers import ReadResult
from territoria.datastore.steps import (
    PREVIEW_ROWS,
    RAW_KEY,
    Preview,
    Step,
    apply_steps,
    parse_steps,
    plan_steps,
    preview_steps,
)
from territoria.datastore.versions import Transform, VersionInfo
from territoria.ingest.publication import do_record_version, get_store, live_version_info
from territoria.ingest.schemas import validation_checks


def referential_table() -> Path | None:
    """The referential table, if ``territoria referential build`` has written it."""
    path = Path(settings.REFERENTIAL_TABLE)
    return path if path.is_file() else None


def pseudonym_keys(steps: list[Step]) -> PseudonymKeys | None:
    """The platform's pseudonymisation key when ``steps`` pseudonymise, else None:
    ``TERRITORIA_PSEUDONYM_KEY``, or outside production the key file (created once).
    Raises IngestError when there is none (production without the setting) or it is short."""
    if not any(step.op == "pseudonymise" for step in steps):
        return None
    try:
        if settings.PSEUDONYM_KEY:
            return PseudonymKeys(master_key(settings.PSEUDONYM_KEY))
        path = Path(settings.PSEUDONYM_KEY_FILE)
        return PseudonymKeys(read_key_file(path, create=not settings.PRODUCTION))
    except (OSError, ValueError) as error:  # one line for the producer, never the key
        raise IngestError(f"pseudonymisation key: {error} (TERRITORIA_PSEUDONYM_KEY)") from None


def steps_transform(steps: list[Step], source_schema: dict[str, Any] | None = None) -> Transform:
    """The ``VersionStore.stage`` transform that applies ``steps`` and keeps the raw rows."""
    raw_dir = get_store().root / "raw"
    referential = referential_table()
    keys = pseudonym_keys(steps)

    def transform(parquet: Path, result: ReadResult, work: Path) -> ReadResult:
        return apply_steps(
            steps,
            parquet,
            result,
            work,
            referential=referential,
            raw_dir=raw_dir,
            source_schema=source_schema,
            keys=keys,
        )

    return transform


def resource_transform(resource: Resource | None) -> Transform | None:
    """The transform of ``resource``'s steps for a new version, None when it has none."""
    if resource is None or not resource.steps:
        return None
    return steps_transform(parse_steps(resource.steps))


def raw_source(info: VersionInfo) -> tuple[Path, dict[str, Any]]:
    """The Parquet file and schema of the rows ``info`` was made from, before its steps."""
    name = info.schema.get(RAW_KEY)
    if not name:
        return info.parquet, info.schema
    raw_dir = get_store().root / "raw"
    return raw_dir / f"{name}.parquet", json.loads((raw_dir / f"{name}.json").read_text())


def check_steps(dataset: Dataset, specs: Any) -> list[Step]:
    """``specs`` read and checked against the rows of the live version (if there is one).

    Raises StepError naming the first step at fault.
    """
    steps = parse_steps(specs)
    info = live_version_info(dataset)
    if info is not None:
        _, schema = raw_source(info)
        plan_steps(steps, schema, referential=referential_table())
    return steps


def preview(dataset: Dataset, specs: Any, limit: int = PREVIEW_ROWS) -> Preview | None:
    """The first ``limit`` rows of the live version before and after ``specs``; None when
    nothing is published. Raises StepError."""
    info = live_version_info(dataset)
    if info is None:
        return None
    steps = parse_steps(specs)
    parquet, schema = raw_source(info)
    tmp = get_store().root / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=tmp, prefix="preview-") as work:
        return preview_steps(
            steps,
            parquet,
            schema,
            Path(work),
            referential=referential_table(),
            limit=limit,
            keys=pseudonym_keys(steps),
        )


def do_save_steps(
    dataset: Dataset, specs: Any, *, reprocess: bool = False, user=None
) -> tuple[list[Step], Version | None]:
    """Check ``specs`` and store them on the dataset's table: they apply from the next version.

    With ``reprocess``, they also run now on the rows of the live version, into a new *staged*
    version (published by the usual switch), returned. Raises IngestError (StepError naming
    the step at fault); then nothing is saved.
    """
    steps = check_steps(dataset, specs)
    resource = dataset.table_resource()
    if resource is None:
        raise IngestError("this dataset has no table")
    staged = _reprocessed(dataset, resource, steps) if reprocess else None
    with transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(steps=[step.as_json() for step in steps])
        version = do_record_version(resource, staged, user) if staged is not None else None
    resource.steps = [step.as_json() for step in steps]
    return steps, version


def _reprocessed(dataset: Dataset, resource: Resource, steps: list[Step]) -> VersionInfo:
    """A new datastore version: ``steps`` run on the rows the live version was made from,
    validated like any new version (the resource's declared schema, or the inferred one)."""
    info = live_version_info(dataset)
    if info is None:
        raise IngestError("nothing is published yet: there are no rows to process")
    parquet, schema = raw_source(info)
    transform = steps_transform(steps, source_schema=schema)
    checks = validation_checks(resource)  # every version has its report (decision 0012)
    feed_report = (info.reports or {}).get("gtfs")
    if feed_report is not None:  # the same GTFS feed: its report still holds
        checks["gtfs"] = lambda *_: feed_report
    return get_store().stage(parquet, source_label=info.source, transform=transform, checks=checks)
