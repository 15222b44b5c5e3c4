"""The personal-data scan of every new version, stored as findings (decision 0023).

``do_scan_version`` runs when the catalog records a version (``ingest/publication.py``
``do_record_version``: the one place every upload, URL refresh, GTFS table and re-processing
passes). A finding a steward already settled for the same column of the same resource is
resolved again without asking: a legal ground recorded once covers the next refresh, and a
column the resource's steps drop, pseudonymise or generalise stays handled.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from territoria.catalog.models import Version
from territoria.datastore.personal_data import Finding, scan_parquet
from territoria.datastore.versions import VersionStore
from territoria.governance.personal_data.models import (
    FindingStatus,
    PersonalDataFinding,
    Resolution,
)

# The processing steps that settle a finding on the column they name (datastore/steps.py).
STEP_RESOLUTIONS = {
    "drop": Resolution.DROP,
    "pseudonymise": Resolution.PSEUDONYMISE,
    "generalise": Resolution.GENERALISE,
}


@transaction.atomic
def do_scan_version(version: Version) -> list[PersonalDataFinding]:
    """Scan ``version``'s rows and store its findings (replacing earlier ones of it).

    Precondition: the version's directory is in the store. Returns the stored findings.
    """
    info = VersionStore(settings.DATASTORE_ROOT).open(version.key)
    found = scan_parquet(info.parquet, version.schema)
    PersonalDataFinding.objects.filter(version=version).delete()
    settled = _settled(version)
    rows = [_row(version, finding, settled) for finding in found]
    PersonalDataFinding.objects.bulk_create(rows)
    return rows


def _row(
    version: Version, finding: Finding, settled: dict[str, dict[str, Any]]
) -> PersonalDataFinding:
    row = PersonalDataFinding(
        version=version,
        column=finding.column,
        kind=finding.kind,
        confidence=finding.confidence,
        matched_count=finding.matched_count,
        sampled_count=finding.sampled_count,
        examples=list(finding.examples),
        reason=finding.reason[:200],
    )
    earlier = settled.get(f"{finding.column}/{finding.kind}") or settled.get(finding.column)
    if earlier is not None:
        row.status = FindingStatus.RESOLVED
        row.resolved_at = timezone.now()
        for name, value in earlier.items():
            setattr(row, name, value)
    return row


def _settled(version: Version) -> dict[str, dict[str, Any]]:
    """How earlier decisions settle findings of ``version``: by "column/kind" for legal
    grounds, by column for the resource's steps."""
    settled: dict[str, dict[str, Any]] = {}
    grounds = (
        PersonalDataFinding.objects.filter(
            version__resource_id=version.resource_id,
            resolution=Resolution.LEGAL_GROUND,
        )
        .exclude(version=version)
        .order_by("resolved_at")
        .values("column", "kind", "legal_ground", "legal_reference", "resolved_by_id")
    )
    for ground in grounds:
        settled[f"{ground['column']}/{ground['kind']}"] = {
            "resolution": Resolution.LEGAL_GROUND,
            "legal_ground": ground["legal_ground"],
            "legal_reference": ground["legal_reference"],
            "resolved_by_id": ground["resolved_by_id"],
        }
    for step in version.resource.steps or []:
        resolution = STEP_RESOLUTIONS.get(step.get("op", ""))
        if resolution is None:
            continue
        for column in [*step.get("fields", []), step.get("field")]:
            if column:
                settled[column] = {"resolution": resolution}
    return settled
