"""CKAN's JSON shapes of our catalog: packages, resources, organizations, groups, tags, fields.

Mapping (decision 0016): a dataset is a package (``name`` = slug), its resources are
resources, its organisation the owner organization, each EU data theme a group (``name`` =
the theme code in lower case), each keyword a tag. ``private`` is true for every access level
but ``open``; only callers the gate lets see such a dataset ever get its shape.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from territoria.api.ckan.ids import name_id, object_id
from territoria.catalog import enums
from territoria.catalog.models import Dataset, Organisation, Resource

# Table Schema type -> CKAN DataStore type.
CKAN_TYPES = {
    "string": "text",
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamp",
    "time": "time",
    "year": "int",
    "object": "json",
    "array": "json",
}


def field_shape(field: dict[str, Any]) -> dict[str, Any]:
    shape: dict[str, Any] = {"id": field["name"], "type": CKAN_TYPES.get(field.get("type"), "text")}
    info = {"label": field.get("title") or "", "notes": field.get("description") or ""}
    if any(info.values()):
        shape["info"] = info
    return shape


def duckdb_type(name: str) -> str:
    """The CKAN type of a column of a ``datastore_search_sql`` result (DuckDB's type name)."""
    base = name.split("(")[0].upper()
    if base in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT"):
        return "int"
    if base in ("UINTEGER", "UBIGINT", "UHUGEINT"):
        return "int"
    if base in ("FLOAT", "DOUBLE", "DECIMAL", "REAL"):
        return "numeric"
    if base == "BOOLEAN":
        return "bool"
    if base == "DATE":
        return "date"
    if base.startswith("TIMESTAMP"):
        return "timestamp"
    if base.startswith("TIME"):
        return "time"
    if base.endswith("]") or base.startswith(("STRUCT", "MAP", "LIST")):
        return "json"
    return "text"


def _when(value: Any) -> str | None:
    """CKAN writes its dates naive, in UTC, without a zone."""
    return value.replace(tzinfo=None).isoformat() if value else None


def organization_shape(org: Organisation, package_count: int | None = None) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "id": object_id("organization", org.pk),
        "name": org.slug,
        "title": org.name,
        "display_name": org.name,
        "description": org.description,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": _when(org.created_at),
    }
    if package_count is not None:
        shape["package_count"] = package_count
    return shape


def group_shape(theme: enums.Theme, package_count: int | None = None) -> dict[str, Any]:
    name = theme.value.lower()
    shape: dict[str, Any] = {
        "id": name_id("group", name),
        "name": name,
        "title": str(theme.label),
        "display_name": str(theme.label),
        "description": f"{enums.THEME_URI}{theme.value}",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
    }
    if package_count is not None:
        shape["package_count"] = package_count
    return shape


def tag_shape(name: str) -> dict[str, Any]:
    return {"id": name_id("tag", name), "name": name, "display_name": name, "state": "active",
            "vocabulary_id": None}  # fmt: skip


def resource_shape(request: HttpRequest, resource: Resource, position: int) -> dict[str, Any]:
    dataset = resource.dataset
    queryable = resource.kind == enums.ResourceKind.TABLE and resource.live_version_id is not None
    url = resource.url
    if queryable and not url:
        path = reverse("explore:export", args=[dataset.slug, "csv"])
        url = request.build_absolute_uri(path)
    return {
        "id": object_id("resource", resource.pk),
        "package_id": object_id("package", dataset.pk),
        "name": resource.title,
        "description": resource.description,
        "format": (resource.format or ("CSV" if queryable else "")).upper(),
        "url": url,
        "url_type": "datastore" if queryable else None,
        "datastore_active": queryable,
        "resource_type": resource.kind,
        "mimetype": None,
        "size": None,
        "hash": "",
        "state": "active",
        "position": position,
        "created": _when(resource.created_at),
        "last_modified": _when(resource.modified_at),
        "metadata_modified": _when(resource.modified_at),
    }


def package_shape(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    """The package of ``dataset``. Precondition: the gate let the caller see it."""
    resources = list(dataset.resources.all())
    for resource in resources:
        resource.dataset = dataset  # one query for the resources, none per resource
    themes = [enums.Theme(t) for t in dataset.themes if t in enums.Theme.values]
    standard = dataset.licence in enums.STANDARD_LICENCES
    return {
        "id": object_id("package", dataset.pk),
        "name": dataset.slug,
        "title": dataset.title,
        "notes": dataset.description,
        "type": "dataset",
        "state": "active",
        "private": dataset.access_level != enums.AccessLevel.OPEN,
        "license_id": dataset.licence,
        "license_title": dataset.licence_label,
        "license_url": dataset.licence_link,
        "isopen": standard,
        "author": dataset.organisation.name,
        "author_email": None,
        "maintainer": dataset.contact_name or None,
        "maintainer_email": dataset.contact_email or None,
        "url": request.build_absolute_uri(dataset.get_absolute_url()),
        "version": None,
        "metadata_created": _when(dataset.created_at),
        "metadata_modified": _when(dataset.modified_at),
        "owner_org": object_id("organization", dataset.organisation_id),
        "organization": organization_shape(dataset.organisation),
        "num_resources": len(resources),
        "resources": [resource_shape(request, r, i) for i, r in enumerate(resources)],
        "num_tags": len(dataset.keywords),
        "tags": [tag_shape(k) for k in dataset.keywords],
        "groups": [group_shape(t) for t in themes],
        "extras": [
            {"key": "access_level", "value": dataset.access_level},
            {"key": "frequency", "value": dataset.frequency},
            {"key": "spatial", "value": ",".join(dataset.spatial)},
            {"key": "temporal_start", "value": str(dataset.temporal_start or "")},
            {"key": "temporal_end", "value": str(dataset.temporal_end or "")},
        ],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
