"""``territoria audit verify``: walk the chain, check the checkpoints, name the first fault.

What is detected, with the message naming the first broken entry:

- an edited entry (any field, including its time, actor or detail): ``entry N: hash mismatch
  (edited?)``; an entry edited *and* rehashed on its own: ``entry N: rehashed (edited?)``;
- a deleted entry: ``entry N: missing (deleted?)``; entries moved to other sequence numbers:
  ``entry N: out of order``;
- a truncated tail: the head row (one row, updated by every append, holding the last sequence
  and hash) says how long the log is: ``log truncated after entry N (head says M)``; a signed
  checkpoint beyond the last entry, or the witness file next to the key, say it too;
- a chain rebuilt without the key (every hash recomputed after an edit, head rewritten): the
  checkpoints no longer match (``checkpoint at N: does not match entry N``), and checkpoints
  signed again with another key fail against the public key taken from the key file, never
  from the database (``checkpoint at N: bad signature (rebuilt without the key?)``); deleting
  the checkpoints does not help either: consecutive checkpoints must be at most
  ``AUDIT_CHECKPOINT_EVERY`` entries apart.

What it cannot detect (the residual risk; mitigations in brackets):

- someone with write access to the database who rebuilds or cuts only the entries *after the
  last checkpoint* and rewrites the head accordingly: at most ``AUDIT_CHECKPOINT_EVERY - 1``
  entries are exposed [run ``territoria audit checkpoint`` from cron; the witness file, when
  verify runs where it is, still pins the last checkpoint];
- a cut back to before the last checkpoint that also deletes the later checkpoints and
  rewrites the head, when verify runs without the witness (``--database-only``, or on another
  machine) [keep the witness, or ship ``audit checkpoint`` output to a remote log];
- anyone holding the private key can rebuild everything: the key must live apart from the
  database and its backups (a secret mount, not the database server);
- entries that were never written: a code path that forgets to call ``record_event``.

Lowering ``AUDIT_CHECKPOINT_EVERY`` makes older, wider gaps look like deleted checkpoints:
only raise it, or verify older logs with the value they were written under.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max

from territoria.governance.audit.chain import GENESIS_HASH, HEAD_PK, entry_hash
from territoria.governance.audit.checkpoints import Witness, signed_message
from territoria.governance.audit.keys import PublicKey
from territoria.governance.models import AuditCheckpoint, AuditEntry, AuditHead

CHUNK = 2000


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    problem: str | None = None
    signatures_checked: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if not self.ok:
            return str(self.problem)
        text = f"{self.entries} entries, {self.checkpoints} checkpoints, chain intact"
        return "; ".join([text, *self.notes])


class _Broken(Exception):
    pass


def verify_log(
    public_key: PublicKey | None, *, witness: Witness | None = None, checkpoint_every: int = 0
) -> Report:
    """Check the whole log; the report's ``problem`` names the first fault, or is None.

    ``public_key`` None skips the signatures (only when there are no checkpoints to check or
    the caller says so); ``checkpoint_every`` > 0 also requires checkpoints that close.

    Runs beside live appends without locking them out: what was committed before the head was
    read is checked, later entries are left for the next run. Hence the order of the reads:
    the witness (read by the caller), then the checkpoints, then the head — each written
    after the one that follows it.
    """
    report = Report(signatures_checked=public_key is not None)
    checkpoints = {c.sequence: c for c in AuditCheckpoint.objects.all()}
    head = AuditHead.objects.filter(pk=HEAD_PK).first()
    try:
        limit = head.last_sequence if head is not None else None
        last, last_hash, witnessed_hash = _walk(
            report, limit, checkpoints, public_key, witness, checkpoint_every
        )
        _check_end(head, last, last_hash, checkpoints)
        if witness is not None:
            _check_witness(head, witness, public_key, last, witnessed_hash)
            report.notes.append(f"witness checkpoint at {witness.sequence} found")
    except _Broken as broken:
        report.problem = str(broken)
    report.checkpoints = sum(1 for n in checkpoints if n <= report.entries)
    if public_key is None and checkpoints:
        report.notes.append("signatures not checked")
    return report


def _walk(report, limit, checkpoints, public_key, witness, every) -> tuple[int, str, str | None]:
    expected, prev_hash, last_checkpoint = 1, GENESIS_HASH, 0
    witnessed_hash = None
    entries = AuditEntry.objects.order_by("sequence", "pk")
    if limit is not None:
        entries = entries.filter(sequence__lte=limit)
    for entry in entries.iterator(chunk_size=CHUNK):
        n = entry.sequence
        if n < expected:
            raise _Broken(f"entry {n}: duplicated (inserted?)")
        if n > expected:
            raise _Broken(f"entry {expected}: missing (deleted?)")
        computed = entry_hash(entry)
        if entry.prev_hash != prev_hash:
            if AuditEntry.objects.filter(hash=entry.prev_hash).exclude(pk=entry.pk).exists():
                raise _Broken(f"entry {n}: out of order")
            if computed != entry.hash or n == 1:
                raise _Broken(f"entry {n}: hash mismatch (edited?)")
            # Self-consistent, but its predecessor's hash changed: that one was rehashed.
            raise _Broken(f"entry {n - 1}: rehashed (edited?)")
        if computed != entry.hash:
            raise _Broken(f"entry {n}: hash mismatch (edited?)")
        checkpoint = checkpoints.get(n)
        if checkpoint is not None:
            _check_checkpoint(checkpoint, entry.hash, public_key)
            last_checkpoint = n
        elif every > 0 and n - last_checkpoint >= every:
            raise _Broken(f"checkpoint at {n}: missing (deleted?)")
        if witness is not None and n == witness.sequence:
            witnessed_hash = entry.hash
        prev_hash = entry.hash
        expected += 1
        report.entries += 1
    return expected - 1, prev_hash, witnessed_hash


def _check_checkpoint(checkpoint: AuditCheckpoint, hash_: str, public_key) -> None:
    n = checkpoint.sequence
    if checkpoint.entry_hash != hash_:
        raise _Broken(f"checkpoint at {n}: does not match entry {n} (edited or rebuilt?)")
    if public_key is None:
        return
    if checkpoint.key_id != public_key.key_id or not public_key.verify(
        checkpoint.signature, signed_message(n, checkpoint.entry_hash)
    ):
        raise _Broken(f"checkpoint at {n}: bad signature (rebuilt without the key?)")


def _check_end(head: AuditHead | None, last: int, last_hash: str, checkpoints) -> None:
    if head is None:
        if last or checkpoints:
            raise _Broken(f"head row missing after entry {last} (log truncated or replaced?)")
        return
    if head.last_sequence > last:
        raise _Broken(f"log truncated after entry {last} (head says {head.last_sequence})")
    if head.last_hash != last_hash:
        raise _Broken(f"entry {last}: does not match the head (edited?)")
    beyond = [n for n in checkpoints if n > last]
    if beyond:
        raise _Broken(f"log truncated after entry {last} (checkpoint at {min(beyond)})")
    # Entries past the head: legitimate appends since it was read update it in the same
    # transaction, so reading the highest sequence first, then the head again, tells them apart.
    highest = AuditEntry.objects.aggregate(n=Max("sequence"))["n"] or 0
    now = AuditHead.objects.filter(pk=HEAD_PK).values_list("last_sequence", flat=True).first()
    if highest > (now or 0):
        raise _Broken(f"entry {(now or 0) + 1}: beyond the head (written outside the log?)")


def _check_witness(head, witness: Witness, public_key, last: int, witnessed: str | None) -> None:
    if head is not None and head.log_id != witness.log_id:
        raise _Broken(
            "the witness file belongs to another audit log (database replaced? if it was reset "
            "on purpose, remove the witness file)"
        )
    if public_key is not None and not public_key.verify(
        witness.signature, signed_message(witness.sequence, witness.hash)
    ):
        raise _Broken(f"witness checkpoint at {witness.sequence}: bad signature")
    if witness.sequence > last:
        raise _Broken(
            f"log truncated after entry {last} (witness file has a checkpoint at "
            f"{witness.sequence})"
        )
    if witnessed != witness.hash:
        raise _Broken(
            f"entry {witness.sequence}: does not match the witness file (edited or rebuilt?)"
        )
