"""The RDF vocabularies of the DCAT-AP catalogue and our values mapped onto their URIs.

Controlled values use the EU Publications Office's authority tables (DCAT-AP mandates them
for themes, frequencies, access rights, languages and file types) and IANA's media types.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

from territoria.catalog.enums import THEME_URI, AccessLevel

DCATAP = Namespace("http://data.europa.eu/r5r/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SCHEMA = Namespace("http://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

AUTHORITY = "http://publications.europa.eu/resource/authority/"
THEME_SCHEME = URIRef(AUTHORITY + "data-theme")
FREQUENCY = Namespace(AUTHORITY + "frequency/")
ACCESS_RIGHT = Namespace(AUTHORITY + "access-right/")
LANGUAGE = Namespace(AUTHORITY + "language/")
FILE_TYPE = Namespace(AUTHORITY + "file-type/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

FRENCH = LANGUAGE["FRA"]

# Access levels → the EU access-right table: open data is PUBLIC; a dataset shared under an
# agreement with named organisations is RESTRICTED; one kept inside its owner is NON_PUBLIC.
ACCESS_RIGHTS = {
    AccessLevel.OPEN: ACCESS_RIGHT["PUBLIC"],
    AccessLevel.PARTNERS: ACCESS_RIGHT["RESTRICTED"],
    AccessLevel.RESTRICTED: ACCESS_RIGHT["RESTRICTED"],
    AccessLevel.INTERNAL: ACCESS_RIGHT["NON_PUBLIC"],
}

# Export formats of the Explore API → (EU file type, IANA media type, label). JSON Lines has
# neither an EU file type nor a registered media type: it is described by its title only.
EXPORT_TYPES: dict[str, tuple[str | None, str | None, str]] = {
    "csv": ("CSV", "text/csv", "CSV"),
    "json": ("JSON", "application/json", "JSON"),
    "jsonl": (None, None, "JSON Lines"),
    "geojson": ("GEOJSON", "application/geo+json", "GeoJSON"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet", "Parquet"),
    "xlsx": (
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "XLSX",
    ),
}

# Formats a producer writes on a file or link resource → EU file type and IANA media type.
FILE_TYPES: dict[str, tuple[str, str | None]] = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "geojson": ("GEOJSON", "application/geo+json"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet"),
    "xlsx": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "xls": ("XLS", "application/vnd.ms-excel"),
    "ods": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "pdf": ("PDF", "application/pdf"),
    "zip": ("ZIP", "application/zip"),
    "gtfs": ("GTFS", None),
    "xml": ("XML", "application/xml"),
    "html": ("HTML", "text/html"),
    "shp": ("SHP", None),
    "txt": ("TXT", "text/plain"),
}

# Territory levels of ``fr:<level>:<code>`` → INSEE's linked-data paths (id.insee.fr/geo/…).
INSEE_GEO_LEVELS = {
    "region": "region",
    "departement": "departement",
    "epci": "intercommunalite",
    "commune": "commune",
}


def theme_uri(code: str) -> URIRef:
    return URIRef(THEME_URI + code)


def media_type_uri(media_type: str) -> URIRef:
    return URIRef(IANA_MEDIA_TYPES + media_type)


def territory_uri(code: str) -> URIRef | None:
    """``fr:commune:67482`` → ``http://id.insee.fr/geo/commune/67482``; None if unknown."""
    parts = code.split(":")
    if len(parts) != 3 or parts[1] not in INSEE_GEO_LEVELS:
        return None
    return URIRef(f"http://id.insee.fr/geo/{INSEE_GEO_LEVELS[parts[1]]}/{parts[2]}")
