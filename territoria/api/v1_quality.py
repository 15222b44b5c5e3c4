"""``/api/1/datasets/{slug}/…``: quality score, validation reports and the declared schema.

GET ``…/quality``: the score 0–100 and each criterion (``catalog/quality.py``). GET
``…/versions/{key}/validation``: the validation report of a version with a sentence per error
(``catalog/validation_report.py``); example values are masked for callers who may not write
the dataset, unless the version is the live one (its rows are readable anyway). GET
``…/schema`` shows the declared Table Schema to whoever sees the dataset; PUT declares one (a
descriptor or a URL, fetched now) and validates the live version against it, DELETE forgets
it — both for those who may write the dataset.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from territoria.api.v1 import WRITE_AUTH, ErrorOut, check_write
from territoria.catalog.models import Resource, Version
from territoria.catalog.quality import dataset_quality
from territoria.catalog.validation_report import readable_report
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.schemas import SchemaRefused, do_clear_schema, do_declare_schema

router = Router(tags=["quality"])


class CriterionOut(Schema):
    code: str
    label: str
    value: float | None
    met: bool
    detail: dict[str, Any]


class QualityOut(Schema):
    score: int
    criteria: list[CriterionOut]


class SchemaOut(Schema):
    url: str
    table_schema: dict[str, Any]
    fetched_at: datetime | None
    validation: dict[str, Any] | None = None  # the live version's report against it


class SchemaIn(Schema):
    url: str = ""
    table_schema: dict[str, Any] | None = None


def _schema_out(resource: Resource) -> dict[str, Any]:
    """The declared schema and the live version's report (its rows are readable anyway)."""
    live = resource.live_version
    report = (live.reports or {}).get("validation") if live is not None else None
    return {
        "url": resource.schema_url,
        "table_schema": resource.declared_schema,
        "fetched_at": resource.schema_fetched_at,
        "validation": readable_report(report, show_values=True),
    }


@router.get("/{slug}/quality", response=QualityOut)
def get_quality(request: HttpRequest, slug: str):
    """The quality score of the dataset and what makes it, criterion by criterion."""
    dataset = access_dataset_for(request.user, slug, purpose="quality")
    return dataset_quality(dataset).as_dict()


@router.get("/{slug}/versions/{key}/validation", response=dict[str, Any])
def get_validation(request: HttpRequest, slug: str, key: str):
    """The validation report of one version, each error with its sentence (French first)."""
    dataset = access_dataset_for(request.user, slug, purpose="versions")
    version = get_object_or_404(Version, resource__dataset=dataset, key=key)
    is_live = version.resource.live_version_id == version.pk
    report = (version.reports or {}).get("validation")
    show = is_live or can_write_dataset(request.user, dataset)
    return readable_report(report, show_values=show) or {}


@router.get("/{slug}/schema", response={200: SchemaOut, 404: ErrorOut})
def get_schema(request: HttpRequest, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="schema")
    resource = dataset.table_resource()
    if resource is None:
        return Status(404, {"detail": "this dataset has no table"})
    return _schema_out(resource)


@router.put(
    "/{slug}/schema", response={200: SchemaOut, 400: ErrorOut, 404: ErrorOut}, auth=WRITE_AUTH
)
def put_schema(request: HttpRequest, slug: str, payload: SchemaIn):
    """Declare the Table Schema: ``table_schema`` (the descriptor) or ``url`` (fetched now)."""
    dataset = access_dataset_for(request.user, slug, purpose="schema")
    check_write(request, dataset)
    resource = dataset.table_resource()
    if resource is None:
        return Status(404, {"detail": "this dataset has no table"})
    try:
        do_declare_schema(resource, descriptor=payload.table_schema, url=payload.url.strip())
    except SchemaRefused as error:
        return Status(400, {"detail": str(error)})
    resource.refresh_from_db()
    return _schema_out(resource)


@router.delete("/{slug}/schema", response={200: SchemaOut, 404: ErrorOut}, auth=WRITE_AUTH)
def delete_schema(request: HttpRequest, slug: str):
    """Forget the declared schema: versions are validated against their inferred one."""
    dataset = access_dataset_for(request.user, slug, purpose="schema")
    check_write(request, dataset)
    resource = dataset.table_resource()
    if resource is None:
        return Status(404, {"detail": "this dataset has no table"})
    do_clear_schema(resource)
    resource.refresh_from_db()
    return _schema_out(resource)
