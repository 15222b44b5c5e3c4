"""A steward resolves findings; a version held for them is published once none is left.

Dropping, pseudonymising or generalising a column adds that processing step to the resource
(``datastore/steps.py``) and processes the held version's rows again into a new version,
scanned like any other: the step settles its column there and in every later version.
A legal ground is recorded on the finding and carried to the same column of later versions
(``scan.py``). Every resolution is in the audit log.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from territoria.catalog.enums import VersionStatus
from territoria.catalog.models import Resource, Version
from territoria.datastore.steps import parse_steps
from territoria.governance.audit import Action, record_event
from territoria.governance.personal_data.models import (
    FindingStatus,
    LegalGround,
    PersonalDataFinding,
    Resolution,
)
from territoria.governance.personal_data.perms import check_open_publication, open_findings
from territoria.ingest.publication import do_publish_version, do_record_version, get_store
from territoria.ingest.schemas import validation_checks
from territoria.ingest.steps import raw_source, steps_transform

HELD = "held"  # in Version.reports["personal_data"]: an ingestion asked to publish it


def do_hold_version(version: Version) -> None:
    """Mark ``version`` (staged) as waiting for a steward before its publication."""
    reports = {**(version.reports or {}), "personal_data": {HELD: True}}
    Version.objects.filter(pk=version.pk).update(reports=reports)
    version.reports = reports


def is_held(version: Version) -> bool:
    held = (version.reports or {}).get("personal_data", {}).get(HELD, False)
    return bool(held) and version.status == VersionStatus.STAGED


# What "generalise" may do (datastore/anonymise.py): dates to a month or a year; coordinates
# to the centre of a square grid cell, its side in metres.
GENERALISATIONS = ("year", "month", "grid:200", "grid:1000")


def columns_for(finding: PersonalDataFinding) -> list[str]:
    """The columns a step on ``finding`` changes: coordinates go by pairs."""
    if finding.kind != "coordinates":
        return [finding.column]
    pair = PersonalDataFinding.objects.filter(version=finding.version_id, kind="coordinates")
    return sorted(set(pair.values_list("column", flat=True)) | {finding.column})


def step_for(finding: PersonalDataFinding, resolution: str, to: str = "") -> dict[str, Any]:
    """The processing step that resolves ``finding`` (ops of ``datastore/steps.py``).

    Precondition: ``to`` is one of ``GENERALISATIONS`` for ``generalise``.
    """
    if resolution == Resolution.DROP:
        return {"op": "drop", "fields": columns_for(finding)}
    if resolution == Resolution.PSEUDONYMISE:
        return {"op": "pseudonymise", "field": finding.column}
    if to.startswith("grid:"):
        return {"op": "generalise", "fields": columns_for(finding), "grid": int(to[5:])}
    return {"op": "generalise", "field": finding.column, "to": to or "year"}


def do_resolve_by_step(
    finding: PersonalDataFinding, resolution: str, user, *, to: str = ""
) -> Version:
    """Add the step for ``finding`` to its resource and process the finding's version again.

    Returns the new version (published when the old one was held and nothing is left open).
    Raises IngestError (StepError) when the step does not apply; then nothing changes.
    """
    version = finding.version
    resource = Resource.objects.get(pk=version.resource_id)
    specs = [*(resource.steps or []), step_for(finding, resolution, to)]
    steps = parse_steps(specs)
    info = get_store().open(version.key)
    parquet, schema = raw_source(info)
    staged = get_store().stage(
        parquet,
        source_label=info.source,
        transform=steps_transform(steps, source_schema=schema),
        checks=validation_checks(resource),
    )
    with transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(steps=[s.as_json() for s in steps])
        _resolve(open_findings(version).filter(column=finding.column), user, resolution=resolution)
        new = do_record_version(resource, staged, user)  # scanned: the step settles the column
        if is_held(version):
            do_hold_version(new)
        _release(new, user)
    return new


def do_resolve_by_legal_ground(
    finding: PersonalDataFinding, ground: str, reference: str, user
) -> PersonalDataFinding:
    """Record the legal ground that allows publishing ``finding``'s column as it is.

    Precondition: ``ground`` is a ``LegalGround``; ``reference`` names the text for LAW.
    """
    if ground not in LegalGround.values:
        raise ValueError(f"unknown legal ground {ground!r}")
    with transaction.atomic():
        _resolve(
            PersonalDataFinding.objects.filter(pk=finding.pk, status=FindingStatus.OPEN),
            user,
            resolution=Resolution.LEGAL_GROUND,
            legal_ground=ground,
            legal_reference=reference.strip()[:300],
        )
        _release(finding.version, user)
    finding.refresh_from_db()
    return finding


def _resolve(findings, user, **fields: str) -> None:
    """Resolve ``findings`` (a queryset of open ones) with ``fields``, each one audited."""
    now = timezone.now()
    for finding in findings.select_related("version__resource__dataset"):
        dataset = finding.version.resource.dataset
        record_event(
            Action.PERSONAL_DATA_RESOLVE,
            actor=user,
            target=f"dataset:{dataset.pk}",
            organisation=dataset.organisation_id,
            detail={
                "version": finding.version.key,
                "column": finding.column,
                "kind": finding.kind,
                **fields,
            },
        )
    findings.update(
        status=FindingStatus.RESOLVED,
        resolved_by=user if user is not None and user.is_authenticated else None,
        resolved_at=now,
        **fields,
    )


def _release(version: Version, user) -> None:
    """Publish ``version`` when an ingestion held it and no finding of it is left open."""
    version.refresh_from_db()
    if not is_held(version) or open_findings(version).exists():
        return
    check_open_publication(version)
    do_publish_version(version, actor=user)
