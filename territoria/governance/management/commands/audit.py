"""`territoria audit verify [--database-only] [--public-key FILE]`, `audit checkpoint`,
`audit public-key`.

``verify`` exits 0 with a summary ("N entries, M checkpoints, chain intact"), 1 with one line
naming the first broken entry, 2 when it cannot verify (no key to check the signatures with).
What it detects and what it cannot: ``governance/audit/verify.py``.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from territoria.governance.audit.checkpoints import checkpoint_now, read_witness, witness_path
from territoria.governance.audit.keys import AuditKeyMissing, load_public_key_file, public_key
from territoria.governance.audit.verify import verify_log
from territoria.governance.models import AuditCheckpoint


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and signed checkpoints, or sign a checkpoint now."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check the chain, the head and the checkpoints")
        verify.add_argument(
            "--database-only",
            action="store_true",
            help="check the database alone, not against the witness file next to the key "
            "(e.g. for a copy of the database verified on another machine)",
        )
        verify.add_argument(
            "--public-key",
            metavar="FILE",
            help="PEM public key to check signatures with (default: from the key file)",
        )
        sub.add_parser("checkpoint", help="sign a checkpoint of the latest entry now")
        sub.add_parser("public-key", help="print the public key, to pin it elsewhere")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            self.verify(database_only=options["database_only"], key_file=options["public_key"])
        elif action == "checkpoint":
            checkpoint = self._keyed(checkpoint_now)
            if checkpoint is None:
                self.stdout.write("the audit log is empty: nothing to sign")
            else:
                self.stdout.write(
                    f"checkpoint at {checkpoint.sequence} {checkpoint.entry_hash} "
                    f"signature {checkpoint.signature}"
                )
        else:
            self.stdout.write(self._keyed(lambda: public_key(create=False).pem()), ending="")

    def verify(self, *, database_only: bool, key_file: str | None) -> None:
        witness = None if database_only else self._witness()
        try:
            key = load_public_key_file(key_file) if key_file else public_key(create=False)
        except (AuditKeyMissing, OSError, ValueError) as error:
            if AuditCheckpoint.objects.exists() or witness is not None:
                self._exit(2, f"cannot check the checkpoint signatures: {error}")
            key = None  # no checkpoint yet: nothing is signed, the chain is still checked
        report = verify_log(key, witness=witness, checkpoint_every=settings.AUDIT_CHECKPOINT_EVERY)
        if not report.ok:
            self._exit(1, report.summary())
        self.stdout.write(report.summary())

    def _witness(self):
        try:
            return read_witness()
        except (OSError, ValueError, KeyError, TypeError) as error:
            self._exit(1, f"witness file {witness_path()} unreadable: {error}")

    def _keyed(self, work):
        try:
            return work()
        except AuditKeyMissing as error:
            raise CommandError(str(error), returncode=2) from error

    def _exit(self, code: int, message: str):
        self.stderr.write(message)
        sys.exit(code)
