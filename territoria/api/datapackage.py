"""A dataset as a Frictionless Data Package: ``/jeux-de-donnees/{slug}/datapackage.json``.

The package describes what a re-user downloads: its resource is the CSV export of the
Explore API (comma-separated, UTF-8 without BOM), with the live version's Table Schema
rewritten for that file — so that ``frictionless validate`` on the package checks the data
it fetches against the schema. The version's schema describes its *source* (``decimalChar``
``,``, dates as ``%d/%m/%Y``…); the export writes ISO dates, ``.`` decimals, ``true``/
``false``, a point as ``"lat, lon"`` (Table Schema's ``geopoint`` default is "lon, lat":
declared as a string) and a shape as GeoJSON. Through the gate: a dataset the caller may not
see is a 404, like one that does not exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from territoria.catalog.enums import Licence
from territoria.catalog.models import Dataset
from territoria.catalog.uris import dataset_uri, export_path
from territoria.datastore.versions import VersionInfo
from territoria.governance.gate import access_dataset_for, readable_version

# SPDX identifiers of the standard licences (a Data Package licence ``name``).
LICENCE_NAMES = {Licence.LICENCE_OUVERTE_2: "etalab-2.0", Licence.ODBL: "ODbL-1.0"}
# Field properties that hold for the exported CSV; the others describe the source file.
KEPT_PROPERTIES = ("name", "title", "description", "type", "constraints")
# How the CSV export writes a type that Table Schema would read otherwise.
EXPORTED_TYPES = {"geopoint": "string"}
CSV_EXPORT = {"delimiter": ",", "with_bom": "false"}


def export_field(field: dict[str, Any]) -> dict[str, Any]:
    """A version's field as the CSV export writes it (see the module docstring)."""
    shaped = {key: field[key] for key in KEPT_PROPERTIES if key in field}
    kind = str(field.get("type", "string"))
    shaped["type"] = EXPORTED_TYPES.get(kind, kind)
    if kind == "geopoint":
        shaped["description"] = "Latitude, longitude (WGS 84)."
    return shaped


def export_schema(version: VersionInfo) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": [export_field(f) for f in version.fields]}
    names = set(version.field_names())
    key = version.schema.get("primaryKey")
    keys = [key] if isinstance(key, str) else key
    if isinstance(keys, list) and keys and set(keys) <= names:
        schema["primaryKey"] = keys
    return schema


def _licence(dataset: Dataset) -> dict[str, str]:
    licence = {"title": dataset.licence_label}
    if dataset.licence in LICENCE_NAMES:
        licence["name"] = LICENCE_NAMES[dataset.licence]
    if dataset.licence_link:
        licence["path"] = dataset.licence_link
    return licence


def _sources(request: HttpRequest, dataset: Dataset) -> list[dict[str, str]]:
    organisation = dataset.organisation
    sources = [
        {
            "title": organisation.name,
            "path": request.build_absolute_uri(organisation.get_absolute_url()),
        }
    ]
    table = dataset.table_resource()
    if table is not None and table.source_url:
        sources.append({"title": table.title, "path": table.source_url})
    return sources


def package_shape(request: HttpRequest, dataset: Dataset, version: VersionInfo | None) -> dict:
    """The Data Package of ``dataset``: one tabular resource, the CSV export of its table's
    live version (none before a version is published)."""
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "id": dataset_uri(dataset),  # the dataset's identifier in every dialect (decision 0019)
        "name": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "homepage": request.build_absolute_uri(dataset.get_absolute_url()),
        "keywords": list(dataset.keywords or []),
        "licenses": [_licence(dataset)],
        "sources": _sources(request, dataset),
        "resources": [],
    }
    if version is not None:
        export = export_path(dataset, "csv")
        package["resources"].append(
            {
                "profile": "tabular-data-resource",
                "name": dataset.slug,
                "title": dataset.title,
                "path": request.build_absolute_uri(f"{export}?{urlencode(CSV_EXPORT)}"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": export_schema(version),
            }
        )
    return package


@require_GET
def datapackage(request: HttpRequest, slug: str) -> JsonResponse:
    """The dataset's ``datapackage.json``; 404 when the caller may not see it."""
    try:
        dataset = access_dataset_for(request.user, slug, purpose="metadata")
    except Http404:
        return JsonResponse({"error": "Unknown dataset."}, status=404)
    version = readable_version(request.user, dataset)
    if version is not None and version.view is not None and version.view.aggregates_only:
        version = None  # its rows cannot be downloaded: the package lists no resource
    body = package_shape(request, dataset, version)
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
