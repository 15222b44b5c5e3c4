"""Declared Table Schemas as the catalog sees them: declare one (a file or a URL), and the
validation check every new version of the resource goes through (the rules:
``datastore/validation.py``; decision 0012).

A schema URL (e.g. one of schema.data.gouv.fr) is fetched when it is declared or refreshed,
never while a version is staged: an ingestion does not depend on a third party's server, and
the report names the copy it used (url, name, version). The callers (portal, management API)
got the dataset from the access gate and checked that the user may write it.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from territoria.catalog.models import Resource, Version
from territoria.datastore.validation import (
    Check,
    SchemaError,
    check_table_schema,
    validation_check,
)
from territoria.ingest.fetch import FetchFailed, FetchLimits, fetch
from territoria.ingest.publication import get_store

logger = logging.getLogger(__name__)

FETCH_TIMEOUT = 10  # seconds; schema.data.gouv.fr answers in well under one
MAX_SCHEMA_BYTES = 5 << 20  # the IRVE schema is 23 kB; a 5 MB "schema" is not one


class SchemaRefused(Exception):
    """One-line reason a schema cannot be declared; nothing changed."""


def schema_reference(resource: Resource) -> dict[str, Any]:
    """What the report says about the declared schema: url, name, title, version."""
    descriptor = resource.declared_schema or {}
    reference = {key: descriptor[key] for key in ("name", "title", "version") if key in descriptor}
    if resource.schema_url:
        reference["url"] = resource.schema_url
    return reference


def validation_checks(resource: Resource | None) -> dict[str, Check]:
    """The ``checks`` of ``VersionStore.stage`` for a new version of ``resource`` (None: a new
    dataset): its declared schema, or the inferred one."""
    declared = resource.declared_schema if resource is not None else None
    if not declared:
        return {"validation": validation_check(None)}
    return {"validation": validation_check(declared, reference=schema_reference(resource))}


def fetch_schema(url: str, *, timeout: float = FETCH_TIMEOUT) -> dict[str, Any]:
    """Download the Table Schema at ``url`` and check it.

    The download goes through ``ingest/fetch.py``, as URL sources do: http and https only,
    public addresses only at every redirect (unless ``SOURCES_ALLOW_PRIVATE``), time and size
    caps. Raises SchemaRefused with a one-line reason: refused, unreachable, too big, not
    JSON, not a usable schema.
    """
    limits = FetchLimits(
        timeout=timeout,
        max_bytes=MAX_SCHEMA_BYTES,
        allow_private=settings.SOURCES_ALLOW_PRIVATE,
        total_seconds=3 * timeout,
    )
    with tempfile.TemporaryDirectory(prefix="schema-") as work:
        try:
            fetched = fetch(url, Path(work), limits=limits)
        except FetchFailed as error:
            raise SchemaRefused(f"{url}: {error}") from None
        assert fetched.path is not None  # no validators were sent: never a 304
        return parse_schema(fetched.path.read_bytes(), origin=url)


def parse_schema(
    content: bytes | str | dict[str, Any], *, origin: str = "schema"
) -> dict[str, Any]:
    """``content`` (JSON text or an already decoded object) as a checked Table Schema."""
    if isinstance(content, bytes | str):
        try:
            content = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            raise SchemaRefused(f"{origin}: not a JSON document") from None
    try:
        return check_table_schema(content)
    except SchemaError as error:
        raise SchemaRefused(f"{origin}: {error}") from None


def do_declare_schema(resource: Resource, *, descriptor: Any = None, url: str = "") -> Resource:
    """Declare the schema of ``resource`` (a descriptor, or a URL fetched now) and validate
    its live version against it. Raises SchemaRefused; then nothing changed."""
    if url:
        checked = fetch_schema(url)
    elif descriptor is not None:
        checked = parse_schema(descriptor)
    else:
        raise SchemaRefused("give a schema or its URL")
    with transaction.atomic():
        resource.declared_schema = checked
        resource.schema_url = url
        resource.schema_fetched_at = timezone.now() if url else None
        resource.save(update_fields=["declared_schema", "schema_url", "schema_fetched_at"])
    revalidate_live(resource)
    return resource


def do_clear_schema(resource: Resource) -> Resource:
    """Forget the declared schema; the live version is validated against its inferred one."""
    resource.declared_schema, resource.schema_url, resource.schema_fetched_at = {}, "", None
    resource.save(update_fields=["declared_schema", "schema_url", "schema_fetched_at"])
    revalidate_live(resource)
    return resource


def revalidate_live(resource: Resource) -> Version | None:
    """Validate the live version again (the schema changed) and keep the report on its row.

    The version directory stays as it was staged (immutable); the catalog row holds the
    report against the schema declared now. Returns the version, None if nothing is live.
    """
    version = resource.live_version
    if version is None:
        return None
    try:
        info = get_store().open(version.key)
    except KeyError:
        logger.error("version %s: missing from the datastore", version.key)
        return None
    check = validation_checks(resource)["validation"]
    report = check(info.parquet, info.schema)
    reports = {**(version.reports or {}), "validation": report}
    Version.objects.filter(pk=version.pk).update(reports=reports)
    version.reports = reports
    return version
