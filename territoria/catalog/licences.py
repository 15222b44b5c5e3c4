"""Licences of open datasets and the conditions of their reuse.

Two rules of the French code on relations with the administration (CRPA):

- an administration that opens data under a licence uses one of the decree's list (D323-2-1:
  Licence Ouverte 2.0 and ODbL, ``enums.STANDARD_LICENCES``); any other licence must first be
  homologated (D323-2-2). ``check_open_licence`` refuses an open dataset under another
  licence unless a steward recorded the reference of that approval.
- a reuse mentions the source and the date of the last update of the data (L322-1):
  ``reuse_conditions`` says what they are, and ``export_with_reuse_conditions`` puts them on
  every export (HTTP headers; inside the file where the format has a place for it).

This module imports no model: ``catalog/models.py`` calls ``check_open_licence`` from
``Dataset.clean``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from territoria.catalog import enums

# Sentinel: the caller did not read the live version (one query then reads it).
NOT_READ: Any = object()


def check_open_licence(dataset) -> None:
    """Raise ValidationError (on ``licence``) when ``dataset`` is open under a licence off the
    decree's list and no approval reference was recorded. Any other dataset passes: a licence
    binds open data only; partners' data are reused under their agreement."""
    if dataset.access_level != enums.AccessLevel.OPEN:
        return
    if dataset.licence in enums.STANDARD_LICENCES:
        return
    if (dataset.licence_approval_reference or "").strip():
        return
    raise ValidationError(
        {
            "licence": _(
                "An open dataset must be under the Licence Ouverte 2.0 or the ODbL (the "
                "decree's list, CRPA D323-2-1), unless a data steward records the reference "
                "of the approval of its licence."
            )
        }
    )


def reuse_conditions(dataset, live_version=NOT_READ) -> dict[str, Any]:
    """What a re-user must know and mention: the licence (open datasets only), the source and
    the date of the last update (the live version's publication, or else the metadata's).

    ``live_version``: the table's live ``Version`` (or None) when the caller has read it
    already; otherwise one query reads its publication date. Precondition: ``dataset`` comes
    from the access gate, with its organisation.
    """
    if live_version is NOT_READ:
        published = (
            dataset.resources.filter(kind=enums.ResourceKind.TABLE)
            .order_by("id")
            .values_list("live_version__published_at", flat=True)
            .first()
        )
    else:
        published = getattr(live_version, "published_at", None)
    updated: datetime = published or dataset.modified_at
    is_open = dataset.access_level == enums.AccessLevel.OPEN
    source = dataset.organisation.name
    day = timezone.localdate(updated) if timezone.is_aware(updated) else updated.date()
    text = _("Source: %(source)s — last updated: %(date)s") % {
        "source": source,
        "date": formats.date_format(day, "SHORT_DATE_FORMAT"),
    }
    return {
        "open": is_open,
        "licence": dataset.licence_label if is_open else "",
        "licence_url": dataset.licence_link if is_open else "",
        "source": source,
        "updated": updated,
        "updated_on": day,
        "text": text,
    }


def reuse_headers(conditions: dict[str, Any]) -> dict[str, str]:
    """HTTP headers that carry the reuse conditions of an export.

    ``Link: <licence>; rel="license"`` (RFC 8288, the relation of RFC 4946) for open data;
    ``X-Reuse-Conditions`` with RFC 8187 parameters, since a source's name is rarely ASCII:
    ``source*=UTF-8''R%C3%A9gion…; updated=2026-11-27; text*=UTF-8''Source%20%3A…``.
    """
    headers = {}
    if conditions["licence_url"]:
        title = _rfc8187(conditions["licence"])
        headers["Link"] = f'<{conditions["licence_url"]}>; rel="license"; title*={title}'
    parts = [
        f"source*={_rfc8187(conditions['source'])}",
        f"updated={conditions['updated_on'].isoformat()}",
        f"text*={_rfc8187(conditions['text'])}",
    ]
    if conditions["licence"]:
        parts.insert(0, f"licence*={_rfc8187(conditions['licence'])}")
    headers["X-Reuse-Conditions"] = "; ".join(parts)
    return headers


def _rfc8187(text: str) -> str:
    return "UTF-8''" + quote(text, safe="")


def reuse_member(conditions: dict[str, Any]) -> dict[str, Any]:
    """The conditions as a JSON object (a GeoJSON foreign member, RFC 7946 § 6.1)."""
    member = {
        "source": conditions["source"],
        "last_updated": conditions["updated"].isoformat(),
        "text": conditions["text"],
    }
    if conditions["licence"]:
        member = {"licence": conditions["licence"], "licence_url": conditions["licence_url"]} | (
            member
        )
    return member


def export_with_reuse_conditions(
    dataset, fmt: str, chunks: Iterator[bytes]
) -> tuple[Iterator[bytes], dict[str, str]]:
    """(the export's chunks, the headers to add): every export carries the headers; a GeoJSON
    FeatureCollection also gets a ``reuse_conditions`` member, which GeoJSON readers ignore.

    CSV, JSON (an array), JSON Lines stay pure data: a line or a member more would break the
    clients that read them as rows. Parquet and XLSX are written by the datastore; their
    metadata is not ours to change here (decision 0025). Precondition: ``dataset`` comes
    from the access gate.
    """
    conditions = reuse_conditions(dataset)
    if fmt == "geojson":
        chunks = _with_member(chunks, reuse_member(conditions))
    return chunks, reuse_headers(conditions)


def _with_member(chunks: Iterator[bytes], member: dict[str, Any]) -> Iterator[bytes]:
    """The chunks of a JSON object with ``"reuse_conditions": member`` first inside it.

    The stream is closed however the reading ends (its cleanup deletes scratch files)."""
    try:
        first = next(chunks, b"")
        if first.startswith(b"{"):
            inserted = json.dumps({"reuse_conditions": member}, ensure_ascii=False)[1:-1]
            first = b"{" + inserted.encode("utf-8") + b"," + first[1:]
        yield first
        yield from chunks
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
