"""The audit key: an Ed25519 private key in a file kept apart from the database.

Checkpoints are signed with it; ``territoria audit verify`` checks them against the public key
derived from the same file (or given with ``--public-key``), never against a key stored in
the database, so whoever rewrites the database cannot also re-sign it. The key also derives
the HMAC key that turns client addresses into pseudonyms (``address_pseudonym``): the log
can tell that two reads came from one address without holding the address.

Outside production a missing key file is created (mode 0600, in a 0700 directory) on first
use; in production ``settings.py`` refuses to start without it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

logger = logging.getLogger(__name__)


class AuditKeyMissing(Exception):
    """The key file is absent (and may not be created here) or unreadable."""


@dataclass(frozen=True)
class PublicKey:
    key: Ed25519PublicKey

    @property
    def key_id(self) -> str:
        return key_id(self.key)

    def verify(self, signature_hex: str, message: bytes) -> bool:
        try:
            self.key.verify(bytes.fromhex(signature_hex), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def pem(self) -> str:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def key_path() -> Path:
    return Path(settings.AUDIT_KEY_FILE)


def signing_key(*, create: bool = True) -> Ed25519PrivateKey:
    """The private key from ``AUDIT_KEY_FILE``; created there if allowed and absent.

    Raises AuditKeyMissing when the file is absent in production (or with ``create=False``),
    or cannot be read as an Ed25519 private key.
    """
    path = key_path()
    if not path.exists():
        if not create or settings.PRODUCTION:
            raise AuditKeyMissing(f"audit key file {path} is missing")
        _create_key_file(path)
    try:
        stat = path.stat()
        return _load_private_key(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, ValueError, TypeError) as error:
        raise AuditKeyMissing(f"audit key file {path}: {error}") from error


def public_key(*, create: bool = False) -> PublicKey:
    return PublicKey(signing_key(create=create).public_key())


def load_public_key_file(path: Path) -> PublicKey:
    """A public key (PEM) pinned by an auditor who does not hold the private key."""
    key = serialization.load_pem_public_key(Path(path).read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path}: not an Ed25519 public key")
    return PublicKey(key)


def address_pseudonym(address: str) -> str:
    """A keyed HMAC of a client address: stable for one key, meaningless without it."""
    return hmac.new(_pseudonym_key(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _pseudonym_key() -> bytes:
    # Derived, not the signing key itself: one key file, two independent uses.
    raw = signing_key().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return hashlib.sha256(b"territoria-audit-address-pseudonym\0" + raw).digest()


@functools.lru_cache(maxsize=4)
def _load_private_key(path: str, mtime_ns: int, size: int) -> Ed25519PrivateKey:
    # Cached per (path, mtime, size): a replaced key file is read again, an unchanged one never.
    mode = os.stat(path).st_mode
    if mode & 0o077:
        logger.warning("audit key file %s is readable by others (mode %o)", path, mode & 0o777)
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Written aside, then linked into place: a second process starting at the same moment
    # either links first (and we keep its key) or finds the complete file, never a partial one.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return
    finally:
        tmp.unlink()
    logger.warning("created the audit signing key %s: keep it apart from the database", path)
