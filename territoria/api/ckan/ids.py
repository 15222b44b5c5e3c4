"""CKAN-like identifiers: every package, resource and organisation has a UUID string.

CKAN clients expect ids shaped like UUIDs and look objects up by them. Ours are derived from
the primary key, reversibly, so no column (and no migration) is needed: the first 64 bits
say what kind of object it is, the last 48 bits carry the key, the version nibble is 8
(RFC 9562 "custom"). ``pk_of`` refuses any other shape, so a guessed or foreign id is just
an unknown one. Group (theme) and tag ids are name-based UUIDs (uuid5): their names are
their keys. Ids are stable for the life of an instance, not across instances (harvesters
keep the source's own identifiers). See decision 0016.
"""

from __future__ import annotations

import uuid

_PREFIX = {
    "package": "d47a5e70-0000-8000-8000-",
    "resource": "7e5c0a9e-0000-8000-8000-",
    "organization": "0a9a1e00-0000-8000-8000-",
}
_NAMES = uuid.UUID("8c6b1f0e-3a4d-5e2f-9b7c-1d2e3f405162")  # namespace of our uuid5 ids
_MAX_KEY = (1 << 48) - 1


def object_id(kind: str, pk: int) -> str:
    """The UUID of the object of ``kind`` (package, resource, organization) with key ``pk``."""
    return f"{_PREFIX[kind]}{pk:012x}"


def pk_of(kind: str, text: object) -> int | None:
    """The key inside an id of ``kind``, or None when ``text`` is not one."""
    if not isinstance(text, str) or len(text) != 36 or not text.startswith(_PREFIX[kind]):
        return None
    tail = text[len(_PREFIX[kind]) :]
    if any(c not in "0123456789abcdef" for c in tail):
        return None
    pk = int(tail, 16)
    return pk if 0 < pk <= _MAX_KEY else None


def name_id(kind: str, name: str) -> str:
    """The UUID of a named object (a group or a tag)."""
    return str(uuid.uuid5(_NAMES, f"{kind}:{name}"))
