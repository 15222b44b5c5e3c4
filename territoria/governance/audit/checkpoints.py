"""Signed checkpoints: every ``AUDIT_CHECKPOINT_EVERY`` entries, and on demand.

A checkpoint is an Ed25519 signature, by the key file's private key, over::

    b"territoria-audit-checkpoint:v1:<sequence>:<hash of that entry>"

It is stored in the database (``AuditCheckpoint``) and, once committed, copied to a *witness*
file next to the key (``<key>.checkpoint.json``, the latest checkpoint of this log only). The
witness is what lets ``verify`` see a log cut back to before its last checkpoint even when
the cut also removed those checkpoints and rewrote the head row. With several web machines,
each keeps the latest checkpoint it made itself: still a lower bound the log must reach.
Where the key directory is read-only, the witness is not written (an error is logged) and
verify relies on the database alone, as with ``--database-only``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.db import transaction

from territoria.governance.audit.keys import key_id, key_path, signing_key
from territoria.governance.models import AuditCheckpoint

logger = logging.getLogger(__name__)


def checkpoint_due(sequence: int, every: int) -> bool:
    return every > 0 and sequence % every == 0


def signed_message(sequence: int, entry_hash: str) -> bytes:
    return f"territoria-audit-checkpoint:v1:{sequence}:{entry_hash}".encode()


@dataclass(frozen=True)
class Witness:
    log_id: str
    sequence: int
    hash: str
    key_id: str
    signature: str


def make_checkpoint(log_id: str, sequence: int, entry_hash: str) -> AuditCheckpoint:
    """Sign and store a checkpoint of entry ``sequence``.

    Precondition: the caller holds the head lock and ``entry_hash`` is that entry's hash.
    Raises AuditKeyMissing when the key cannot be read: the append then fails with it.
    """
    key = signing_key()
    checkpoint = AuditCheckpoint.objects.create(
        sequence=sequence,
        entry_hash=entry_hash,
        key_id=key_id(key.public_key()),
        signature=key.sign(signed_message(sequence, entry_hash)).hex(),
    )
    witness = Witness(log_id, sequence, entry_hash, checkpoint.key_id, checkpoint.signature)
    transaction.on_commit(lambda: write_witness(witness))
    return checkpoint


def checkpoint_now() -> AuditCheckpoint | None:
    """Checkpoint the latest entry now (``audit checkpoint``); None if the log is empty."""
    from territoria.governance.audit.chain import locked_head

    with transaction.atomic():
        head = locked_head()
        if head.last_sequence == 0:
            return None
        existing = AuditCheckpoint.objects.filter(sequence=head.last_sequence).first()
        if existing is not None:
            return existing
        return make_checkpoint(head.log_id, head.last_sequence, head.last_hash)


def witness_path() -> Path:
    path = key_path()
    return path.with_name(path.stem + ".checkpoint.json")


def read_witness() -> Witness | None:
    path = witness_path()
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return Witness(**{name: data[name] for name in Witness.__dataclass_fields__})


def write_witness(witness: Witness) -> None:
    """Replace the witness if ``witness`` is later in the same log; never fails the caller.

    A witness of another log is left alone (and reported by verify): overwriting it would let
    someone who replaced the whole database erase the evidence as soon as it checkpoints.
    """
    path = witness_path()
    try:
        with open(path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # processes on this machine write one at a time
            current = read_witness()
            if current is not None and current.log_id != witness.log_id:
                logger.error("audit witness %s belongs to another log: not replaced", path)
                return
            if current is not None and current.sequence >= witness.sequence:
                return
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(witness), sort_keys=True))
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
    except (OSError, ValueError, KeyError):
        # The checkpoint itself is committed; only the outside copy is missing.
        logger.exception("could not write the audit witness %s", path)
