"""The quality score of a dataset, 0–100, explained criterion by criterion (decision 0012).

data.gouv.fr (udata) scores nine metadata criteria: licence, temporal coverage, spatial
coverage, frequency set, frequency kept (updated on time), a description of more than 100
characters, open formats, resources reachable and documentation. What it cannot see is the
data itself; we add three criteria read from the live version's validation report
(``datastore/validation.py``): the share of rows that conform to the schema, the share of
filled cells and the freshness of the data against the declared frequency.

Every criterion weighs the same; a metadata criterion is met or not (0 or 1), a data
criterion is a rate between 0 and 1; a criterion that does not apply (freshness of a dataset
without a periodic frequency) is left out of the average. The score is that average × 100,
rounded. Nothing here reads the data: the report was computed when the version was staged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from territoria.catalog.enums import Frequency, ResourceKind
from territoria.catalog.models import Dataset, Resource, Version

# udata's QUALITY_DESCRIPTION_LENGTH: a description that says more than a title.
DESCRIPTION_MIN_LENGTH = 100
# udata's CLOSED_FORMATS, with their newer extensions: a table resource is always open,
# whatever it was uploaded as, since the platform serves it as CSV, JSON and Parquet.
CLOSED_FORMATS = frozenset({"pdf", "doc", "docx", "word", "xls", "xlsx", "excel", "ppt", "pptx"})
PERIODS = {
    Frequency.CONT: timedelta(days=1),
    Frequency.DAILY: timedelta(days=1),
    Frequency.WEEKLY: timedelta(days=7),
    Frequency.MONTHLY: timedelta(days=31),
    Frequency.QUARTERLY: timedelta(days=92),
    Frequency.ANNUAL: timedelta(days=366),
}
# Data older than this many periods is not fresh at all; in between, freshness falls linearly.
STALE_PERIODS = 3

LABELS: dict[str, Promise] = {
    "licence": _("Licence"),
    "temporal_coverage": _("Temporal coverage"),
    "spatial_coverage": _("Spatial coverage"),
    "frequency_set": _("Update frequency set"),
    "frequency_kept": _("Updated on time"),
    "description": _("Description of more than 100 characters"),
    "open_format": _("Open formats"),
    "resources_reachable": _("Resources reachable"),
    "documentation": _("Documentation"),
    "conformance": _("Conformance to the schema"),
    "completeness": _("Completeness of the columns"),
    "freshness": _("Freshness of the data"),
}
# What each criterion checks, said to the producer who wants a better score.
HINTS: dict[str, Promise] = {
    "licence": _("A standard licence, or the name of the licence used."),
    "temporal_coverage": _("The period the data covers."),
    "spatial_coverage": _("The territories the data covers."),
    "frequency_set": _("How often the data is updated."),
    "frequency_kept": _("A version published within the declared frequency."),
    "description": _("A description that says what the data is, how it was made and its limits."),
    "open_format": _("Files in open formats (no PDF, Word or Excel only)."),
    "resources_reachable": _("Every resource can be downloaded (no failing source)."),
    "documentation": _("Each resource described, or its columns documented by a Table Schema."),
    "conformance": _("The share of rows that break no rule of the schema."),
    "completeness": _("The share of cells that hold a value."),
    "freshness": _("How recent the newest data is, compared with the declared frequency."),
}
DATA_CRITERIA = ("conformance", "completeness", "freshness")


@dataclass(frozen=True)
class Criterion:
    code: str
    value: float | None  # 0–1; None: does not apply to this dataset
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(LABELS[self.code])

    @property
    def hint(self) -> str:
        return str(HINTS[self.code])

    @property
    def is_rate(self) -> bool:
        return self.code in DATA_CRITERIA

    @property
    def met(self) -> bool:
        return self.value is not None and self.value >= 1

    @property
    def percent(self) -> int | None:
        return None if self.value is None else round(self.value * 100)


@dataclass(frozen=True)
class Quality:
    score: int
    criteria: list[Criterion]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "criteria": [
                {
                    "code": c.code,
                    "label": c.label,
                    "value": c.value,
                    "met": c.met,
                    "detail": c.detail,
                }
                for c in self.criteria
            ],
        }


def dataset_quality(
    dataset: Dataset,
    *,
    resources: list[Resource] | None = None,
    now: datetime | None = None,
) -> Quality:
    """The quality of ``dataset`` now: one query, its resources with their live versions
    (none when the caller passes them, ``select_related("live_version")``, in id order).

    The latest publication is the live version's (a rollback publishes again). Precondition:
    the caller got ``dataset`` from the access gate.
    """
    now = now or timezone.now()
    if resources is None:
        resources = list(dataset.resources.select_related("live_version").order_by("id"))
    table = next((r for r in resources if r.kind == ResourceKind.TABLE), None)
    live = table.live_version if table is not None else None
    published = live.published_at if live is not None else None
    report = ((live.reports or {}).get("validation") if live is not None else None) or {}
    criteria = [
        *metadata_criteria(dataset, resources, published, now),
        *data_criteria(dataset, report, live, now),
    ]
    applicable = [c.value for c in criteria if c.value is not None]
    score = round(100 * sum(applicable) / len(applicable)) if applicable else 0
    return Quality(score=score, criteria=criteria)


def metadata_criteria(
    dataset: Dataset, resources: list[Resource], published: datetime | None, now: datetime
) -> list[Criterion]:
    """udata's nine criteria, each met (1) or not (0)."""
    period = PERIODS.get(dataset.frequency)
    frequency_set = dataset.frequency != Frequency.UNKNOWN
    if not frequency_set:
        kept = False
    elif period is None:  # irregular, never: no promise to keep
        kept = True
    else:
        kept = published is not None and now - published <= _with_grace(period)
    description = len((dataset.description or "").strip())
    checks = {
        "licence": bool(dataset.licence_is_standard or dataset.licence_name),
        "temporal_coverage": bool(dataset.temporal_start or dataset.temporal_end),
        "spatial_coverage": bool(dataset.spatial),
        "frequency_set": frequency_set,
        "frequency_kept": kept,
        "description": description > DESCRIPTION_MIN_LENGTH,
        "open_format": bool(resources) and all(_open_format(r) for r in resources),
        "resources_reachable": bool(resources) and all(_reachable(r) for r in resources),
        "documentation": bool(resources)
        and all(r.description.strip() or r.declared_schema for r in resources),
    }
    details: dict[str, dict[str, Any]] = {
        "description": {"length": description},
        "frequency_kept": {"published_at": published.isoformat() if published else None},
        "open_format": {"closed": [r.title for r in resources if not _open_format(r)]},
        "resources_reachable": {"unreachable": [r.title for r in resources if not _reachable(r)]},
    }
    return [
        Criterion(code, 1.0 if met else 0.0, details.get(code, {})) for code, met in checks.items()
    ]


def data_criteria(
    dataset: Dataset, report: dict[str, Any], live: Version | None, now: datetime
) -> list[Criterion]:
    """Conformance and completeness from the validation report, freshness from the data's
    newest date (or, without a date column, the version's date) against the frequency."""
    if not report:
        return [
            Criterion("conformance", 0.0, {"reason": "no-data"}),
            Criterion("completeness", 0.0, {"reason": "no-data"}),
            Criterion("freshness", None, {"reason": "no-data"}),
        ]
    schema = report.get("schema", {})
    conformance = Criterion(
        "conformance",
        float(report.get("conformance", 0.0)),
        {
            "source": schema.get("source", "inferred"),
            "invalid_rows": report.get("invalid_rows", 0),
            "row_count": report.get("row_count", 0),
            "error_count": report.get("error_count", 0),
        },
    )
    completeness = Criterion("completeness", float(report.get("completeness", 0.0)))
    return [conformance, completeness, _freshness(dataset, report, live, now)]


def _freshness(
    dataset: Dataset, report: dict[str, Any], live: Version | None, now: datetime
) -> Criterion:
    period = PERIODS.get(dataset.frequency)
    if period is None:
        return Criterion("freshness", None, {"reason": "no-period"})
    newest = report.get("newest_date")
    if newest:
        reference, basis = date.fromisoformat(newest), "data"
    elif live is not None:
        reference, basis = timezone.localdate(live.created_at), "version"
    else:
        return Criterion("freshness", None, {"reason": "no-data"})
    age = timezone.localdate(now) - reference
    grace = _with_grace(period)
    if age <= grace:
        value = 1.0
    else:
        stale = period * STALE_PERIODS
        value = max(0.0, 1 - (age - grace) / (stale - grace))
    detail = {"basis": basis, "newest": reference.isoformat(), "age_days": age.days}
    return Criterion("freshness", round(value, 4), detail)


def _with_grace(period: timedelta) -> timedelta:
    """A period and its tolerance: a tenth of it, at least a day (a nightly job may run late)."""
    return period + max(timedelta(days=1), period / 10)


def _open_format(resource: Resource) -> bool:
    if resource.kind == ResourceKind.TABLE:
        return True
    return bool(resource.format) and resource.format.lower().lstrip(".") not in CLOSED_FORMATS


def _reachable(resource: Resource) -> bool:
    """A table is reachable when a version is live; a URL source when its last fetch worked."""
    if resource.source_url and resource.failure_count:
        return False
    if resource.kind == ResourceKind.TABLE:
        return resource.live_version_id is not None
    return bool(resource.url)
