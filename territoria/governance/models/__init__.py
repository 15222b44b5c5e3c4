"""Governance models, one module per concept: tokens, grants, audit log."""

from territoria.governance.models.audit import AuditCheckpoint, AuditEntry, AuditHead
from territoria.governance.models.grants import DatasetGrant
from territoria.governance.models.tokens import TOKEN_PREFIX, ApiToken, TokenScope, hash_token

__all__ = [
    "TOKEN_PREFIX",
    "ApiToken",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditHead",
    "DatasetGrant",
    "TokenScope",
    "hash_token",
]
