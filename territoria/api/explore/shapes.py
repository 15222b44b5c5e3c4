"""JSON shapes of the Explore v2.1 dialect: datasets, fields and errors per Opendatasoft."""

from typing import Any

from django.http import JsonResponse

from territoria.catalog.models import Dataset
from territoria.datastore.versions import VersionInfo

# Table Schema type -> Opendatasoft field type.
ODS_TYPES = {
    "string": "text",
    "integer": "int",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}


def field_shape(field: dict[str, Any]) -> dict[str, Any]:
    annotations: dict[str, Any] = {}
    if field.get("territoria:facet"):
        annotations["facet"] = []
    return {
        "name": field["name"],
        "label": field.get("title") or field["name"],
        "type": ODS_TYPES.get(field.get("type", "string"), "text"),
        "description": field.get("description"),
        "annotations": annotations,
    }


def dataset_shape(dataset: Dataset, version: VersionInfo | None) -> dict[str, Any]:
    fields = [field_shape(f) for f in version.fields] if version else []
    return {
        "dataset_id": dataset.slug,
        "dataset_uid": f"da_{dataset.pk}",
        "has_records": bool(version and version.row_count),
        "data_visible": True,
        "visibility": "domain" if dataset.access_level == "open" else "restricted",
        "features": ["analyze"]
        + (["timeserie"] if any(f["type"] == "date" for f in fields) else []),
        "fields": fields,
        "attachments": [],
        "metas": {
            "default": {
                "title": dataset.title,
                "description": dataset.description,
                "theme": list(dataset.themes),
                "keyword": list(dataset.keywords),
                "license": dataset.licence_label,
                "license_url": dataset.licence_link,
                "publisher": dataset.organisation.name,
                "territory": list(dataset.spatial),
                "modified": dataset.modified_at.isoformat(),
                "data_processed": version.created_at if version else None,
                "records_count": version.row_count if version else 0,
                "update_frequency": dataset.frequency,
                "access_level": dataset.access_level,
            }
        },
    }


def error_response(status: int, error_code: str, message: str, **extra: Any) -> JsonResponse:
    """Opendatasoft's error envelope: ``{"error_code": …, "message": …}`` plus our positions."""
    body = {"error_code": error_code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JsonResponse(body, status=status)
