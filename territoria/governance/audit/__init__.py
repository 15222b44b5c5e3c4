"""The audit trail: an append-only, hash-chained log with signed checkpoints.

CONTRACT (callers rely on it; the implementation lives in this package):

    record_event(action: str, *, actor=None, target: str = "", organisation=None,
                 detail: dict | None = None, request=None) -> None

``action`` is a dotted verb (see ``Action``); ``actor`` a user or None (anonymous);
``target`` an identifier such as ``dataset:42`` or ``user:7`` — never a name, an e-mail
or any raw personal data; ``organisation`` the organisation concerned (so that it can read
its members' accesses); ``detail`` small JSON of identifiers. Raises ``AuditUnavailable``
when the entry cannot be written: the caller must then refuse the access.
"""

from territoria.governance.audit.events import Action, AuditUnavailable, record_event

__all__ = ["Action", "AuditUnavailable", "record_event"]
