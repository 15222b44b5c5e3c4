"""Governance models, one module per concept: tokens, agreements and their grants, audit log."""

from territoria.governance.models.access_requests import AccessRequest, RequestStatus
from territoria.governance.models.agreements import (
    AgreementStatus,
    LegalBasis,
    SharingAgreement,
    StatisticalUnits,
    agreements_in_force,
)
from territoria.governance.models.audit import AuditCheckpoint, AuditEntry, AuditHead
from territoria.governance.models.grants import DatasetGrant
from territoria.governance.models.tokens import TOKEN_PREFIX, ApiToken, TokenScope, hash_token

__all__ = [
    "AccessRequest",
    "RequestStatus",
    "AgreementStatus",
    "LegalBasis",
    "SharingAgreement",
    "StatisticalUnits",
    "agreements_in_force",
    "TOKEN_PREFIX",
    "ApiToken",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditHead",
    "DatasetGrant",
    "TokenScope",
    "hash_token",
]
