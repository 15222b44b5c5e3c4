"""The hash chain: what exactly is hashed, and the one function that appends.

Each entry's ``hash`` is the SHA-256 of this canonical serialisation (UTF-8, sorted keys, no
spaces)::

    {"action": …, "actor": <user pk | null>, "detail": {…}, "organisation": <pk | null>,
     "prev_hash": <hash of entry n-1, or 64 zeros for entry 1>, "sequence": n,
     "target": "dataset:42", "time": "2026-01-31T09:00:00.000000Z", "v": 1}

so the sequence number and the previous hash are inside what is hashed: an entry cannot be
edited, moved to another place, or have its predecessor removed without a hash changing.

Appends are serialised by the head row (``AuditHead``, pk 1), locked with ``SELECT … FOR
UPDATE`` on PostgreSQL; SQLite has no row locks, but its transactions start ``IMMEDIATE``
(settings.py) and so hold the database's write lock from the start. Either way two processes
or threads can never read the same head and write the same sequence.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from territoria.governance.models import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64
FORMAT_VERSION = 1
HEAD_PK = 1


def canonical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(
    *,
    sequence: int,
    time: datetime,
    action: str,
    actor: int | None,
    organisation: int | None,
    target: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> bytes:
    document = {
        "v": FORMAT_VERSION,
        "sequence": sequence,
        "time": canonical_time(time),
        "action": action,
        "actor": actor,
        "organisation": organisation,
        "target": target,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical_bytes(**fields)).hexdigest()


def entry_hash(entry: AuditEntry) -> str:
    """The hash ``entry`` should carry, recomputed from its stored fields."""
    return compute_hash(
        sequence=entry.sequence,
        time=entry.created_at,
        action=entry.action,
        actor=entry.actor_id,
        organisation=entry.organisation_id,
        target=entry.target,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
    )


def append(
    action: str,
    *,
    actor: int | None,
    organisation: int | None,
    target: str,
    detail: dict[str, Any],
) -> AuditEntry:
    """Write the next entry (and a checkpoint when due) in one transaction or savepoint.

    Works inside a caller's ``atomic`` block: the entry then commits or rolls back with the
    caller's change. Raises whatever the database or the key raises; ``record_event`` turns
    that into ``AuditUnavailable``.
    """
    from territoria.governance.audit.checkpoints import checkpoint_due, make_checkpoint

    with transaction.atomic():
        head = locked_head()
        sequence = head.last_sequence + 1
        entry = AuditEntry(
            sequence=sequence,
            created_at=timezone.now(),
            action=action,
            actor_id=actor,
            organisation_id=organisation,
            target=target,
            detail=detail,
            prev_hash=head.last_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=HEAD_PK).update(last_sequence=sequence, last_hash=entry.hash)
        if checkpoint_due(sequence, settings.AUDIT_CHECKPOINT_EVERY):
            make_checkpoint(head.log_id, sequence, entry.hash)
    return entry


class AuditLogDamaged(Exception):
    """The log cannot be appended to safely (its head row vanished while entries remain)."""


def locked_head() -> AuditHead:
    """The head row, locked until the end of the current transaction; created for a new log.

    Precondition: the caller is inside ``transaction.atomic``.
    """
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditHead.objects.create(
                pk=HEAD_PK, log_id=secrets.token_hex(16), last_sequence=0, last_hash=GENESIS_HASH
            )
    except IntegrityError:
        pass  # another process created it a moment ago (PostgreSQL): take theirs
    else:
        # A fresh head over existing entries would restart the chain and hide the damage.
        if AuditEntry.objects.exists():
            raise AuditLogDamaged("the audit log has entries but no head row")
    return AuditHead.objects.select_for_update().get(pk=HEAD_PK)
