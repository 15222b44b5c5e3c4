"""Keyset cursors: where a reading of a query's rows stopped, as an opaque URL-safe text.

A cursor holds the sort values of the last row read (the file's row number last, so the
order is total), the total of the query (counted once, for the first page) and the
fingerprint of the query and version it belongs to, as base64url JSON. It is not signed:
its values are bound parameters cast to their key's type (``statements.keyset_condition``),
so a forged cursor can only move the page. ``datastore.query`` uses it (decision 0015).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from territoria.datastore.errors import QueryError

MAX_CURSOR_LENGTH = 4_000


def query_fingerprint(parts: list[Any]) -> str:
    """A short hash of what identifies a query (JSON-able ``parts``)."""
    text = json.dumps(parts, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def write_cursor(values: list[Any], fingerprint: str, total: int) -> str:
    """A cursor after the row whose sort values (JSON-ready) are ``values``."""
    data = {"q": fingerprint, "t": total, "v": values}
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def read_cursor(text: str, fingerprint: str, size: int) -> tuple[list[Any], int]:
    """(sort values, total) of a cursor of the query ``fingerprint`` with ``size`` sort keys;
    QueryError(param="cursor") for anything else."""
    fault = QueryError("cursor: not a cursor of this query", param="cursor")
    if len(text) > MAX_CURSOR_LENGTH:
        raise fault
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise fault from None
    if not isinstance(data, dict):
        raise fault
    if data.get("q") != fingerprint:
        raise QueryError(
            "cursor: it belongs to another query, or the dataset has been republished since;"
            " start again without a cursor",
            param="cursor",
        )
    values, total = data.get("v"), data.get("t")
    scalar = (str, int, float, bool, type(None))
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(value, scalar) for value in values)
        or not isinstance(total, int)
        or isinstance(total, bool)
    ):
        raise fault
    return values, total
