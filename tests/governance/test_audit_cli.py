"""`territoria audit verify` as an operator runs it, on a copy of a real SQLite audit log.

The log is written by four ``territoria`` processes at once (appends serialised across
processes), copied, and each copy tampered with by plain SQL — edit, delete, reorder,
truncate, rebuild without the key — then verified by the console script: exit 1 and the
first broken entry named on stderr.
"""

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from territoria.governance.audit.chain import compute_hash
from territoria.governance.audit.checkpoints import signed_message
from territoria.governance.audit.keys import key_id

TERRITORIA = str(Path(sys.executable).with_name("territoria"))
PROCESSES, PER_PROCESS = 4, 10
APPEND = (
    "from territoria.governance.audit import Action, record_event\n"
    f"for n in range({PER_PROCESS}):\n"
    "    record_event(Action.DATASET_READ, actor=n + 1, target=f'dataset:{n % 3 + 1}')\n"
)


def _env(home: Path, database: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(TERRITORIA_HOME=str(home), TERRITORIA_AUDIT_CHECKPOINT_EVERY="10")
    if database is not None:
        env["DATABASE_URL"] = f"sqlite:///{database}"
    return env


@pytest.fixture(scope="module")
def live_log(tmp_path_factory) -> Path:
    """A migrated home whose audit log was written by several processes at once."""
    home = tmp_path_factory.mktemp("audit-home")
    env = _env(home)
    subprocess.run([TERRITORIA, "migrate", "-v0"], env=env, check=True, timeout=120)
    writers = [
        subprocess.Popen([TERRITORIA, "shell", "-c", APPEND], env=env, stderr=subprocess.PIPE)
        for _ in range(PROCESSES)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    return home


@pytest.fixture
def copy(live_log, tmp_path):
    """A copy of the log's database, and a way to run SQL on it and verify it."""
    target = tmp_path / "copy.sqlite3"
    with sqlite3.connect(live_log / "territoria.sqlite3") as source, sqlite3.connect(target) as out:
        source.backup(out)
    return LogCopy(live_log, target)


class LogCopy:
    def __init__(self, home: Path, path: Path):
        self.home, self.path = home, path

    def sql(self, statement: str, *params) -> list[tuple]:
        with sqlite3.connect(self.path) as db:
            return db.execute(statement, params).fetchall()

    def verify(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [TERRITORIA, "audit", "verify", *args],
            env=_env(self.home, self.path),
            capture_output=True,
            text=True,
            timeout=120,
        )


def test_processes_appending_at_once_leave_one_intact_chain(copy):
    total = PROCESSES * PER_PROCESS
    assert copy.sql("SELECT COUNT(*), MIN(sequence), MAX(sequence) FROM governance_auditentry") == [
        (total, 1, total)
    ]
    result = copy.verify()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{total} entries, {total // 10} checkpoints, chain intact; "
        f"witness checkpoint at {total} found"
    )


def test_an_edited_entry_fails_verify(copy):
    copy.sql("UPDATE governance_auditentry SET actor_id = 99 WHERE sequence = 7")
    result = copy.verify()
    assert (result.returncode, result.stderr.strip()) == (1, "entry 7: hash mismatch (edited?)")


def test_a_deleted_entry_fails_verify(copy):
    copy.sql("DELETE FROM governance_auditentry WHERE sequence = 12")
    result = copy.verify()
    assert (result.returncode, result.stderr.strip()) == (1, "entry 12: missing (deleted?)")


def test_reordered_entries_fail_verify(copy):
    copy.sql("UPDATE governance_auditentry SET sequence = -1 WHERE sequence = 21")
    copy.sql("UPDATE governance_auditentry SET sequence = 21 WHERE sequence = 22")
    copy.sql("UPDATE governance_auditentry SET sequence = 22 WHERE sequence = -1")
    result = copy.verify()
    assert (result.returncode, result.stderr.strip()) == (1, "entry 21: out of order")


def test_a_truncated_log_fails_verify(copy):
    copy.sql("DELETE FROM governance_auditentry WHERE sequence > 35")
    result = copy.verify()
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "log truncated after entry 35 (head says 40)",
    )


def test_a_log_rebuilt_without_the_key_fails_verify(copy):
    copy.sql("UPDATE governance_auditentry SET target = 'dataset:99' WHERE sequence = 3")
    prev = copy.sql("SELECT hash FROM governance_auditentry WHERE sequence = 2")[0][0]
    rows = copy.sql(
        "SELECT id, sequence, created_at, action, actor_id, organisation_id, target, detail "
        "FROM governance_auditentry WHERE sequence >= 3 ORDER BY sequence"
    )
    hashes = {}
    for pk, sequence, created_at, action, actor, organisation, target, detail in rows:
        moment = datetime.fromisoformat(created_at).replace(tzinfo=UTC)
        digest = compute_hash(
            sequence=sequence,
            time=moment,
            action=action,
            actor=actor,
            organisation=organisation,
            target=target,
            detail=json.loads(detail),
            prev_hash=prev,
        )
        copy.sql(
            "UPDATE governance_auditentry SET prev_hash = ?, hash = ? WHERE id = ?",
            prev,
            digest,
            pk,
        )
        hashes[sequence], prev = digest, digest
    copy.sql("UPDATE governance_audithead SET last_hash = ?", prev)
    forged = Ed25519PrivateKey.generate()
    for (sequence,) in copy.sql("SELECT sequence FROM governance_auditcheckpoint"):
        copy.sql(
            "UPDATE governance_auditcheckpoint SET entry_hash = ?, key_id = ?, signature = ? "
            "WHERE sequence = ?",
            hashes[sequence],
            key_id(forged.public_key()),
            forged.sign(signed_message(sequence, hashes[sequence])).hex(),
            sequence,
        )
    result = copy.verify("--database-only")
    assert (result.returncode, result.stderr.strip()) == (
        1,
        "checkpoint at 10: bad signature (rebuilt without the key?)",
    )
