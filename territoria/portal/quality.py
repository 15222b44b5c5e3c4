"""The quality score and the validation report on the dataset page (context for
``portal/_quality.html`` and ``portal/_validation_report.html``).

Everyone who sees the dataset sees its score and the report of its live version (with example
values: its rows are readable anyway). Those who may write it also see the report of a newer
version that was staged but not published, e.g. one they must fix first. A dataset read from
a GTFS feed shows the feed's check too (``portal/_gtfs_report.html``), to all who see it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import JSONField, OuterRef, Subquery

from territoria.catalog.enums import ResourceKind, VersionStatus
from territoria.catalog.gtfs_report import readable_gtfs_report
from territoria.catalog.models import Dataset, Version
from territoria.catalog.quality import dataset_quality
from territoria.catalog.validation_report import readable_report


def quality_context(dataset: Dataset, *, may_write: bool) -> dict[str, Any]:
    """One query: the resources, their live versions and, for the table, its latest staged
    version (its key, date and reports, read only for those who may write).

    Precondition: ``dataset`` comes from the access gate; ``may_write`` from the gate too.
    """
    staged = Version.objects.filter(resource=OuterRef("pk"), status=VersionStatus.STAGED).order_by(
        "-created_at", "-id"
    )
    resources = list(
        dataset.resources.select_related("live_version")
        .annotate(
            staged_key=Subquery(staged.values("key")[:1]),
            staged_at=Subquery(staged.values("created_at")[:1]),
            staged_source=Subquery(staged.values("source")[:1]),
            staged_reports=Subquery(staged.values("reports")[:1], output_field=JSONField()),
        )
        .order_by("id")
    )
    resource = next((r for r in resources if r.kind == ResourceKind.TABLE), None)
    live = resource.live_version if resource is not None else None
    context: dict[str, Any] = {
        "quality": dataset_quality(dataset, resources=resources),
        "validation": _report(live.reports if live else None),
        "validation_version": live,
        "gtfs": readable_gtfs_report((live.reports or {}).get("gtfs")) if live else None,
        "declared_schema": resource.declared_schema if resource is not None else {},
        "schema_url": resource.schema_url if resource is not None else "",
        "staged_validation": None,
        "staged_version": None,
    }
    newer = resource is not None and resource.staged_key is not None
    if newer and live is not None:
        newer = resource.staged_at > live.created_at
    if may_write and newer:
        context["staged_validation"] = _report(resource.staged_reports)
        context["staged_version"] = {
            "key": resource.staged_key,
            "source": resource.staged_source,
            "created_at": resource.staged_at,
        }
    return context


def _report(reports: dict[str, Any] | None) -> dict[str, Any] | None:
    """The validation report with its sentences; example values shown (see the docstring)."""
    return readable_report((reports or {}).get("validation"), show_values=True)
