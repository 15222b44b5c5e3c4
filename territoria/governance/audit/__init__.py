"""The audit trail: an append-only, hash-chained log with signed checkpoints (issue 3).

CONTRACT (callers rely on it):

    record_event(action: str, *, actor=None, target: str = "", organisation=None,
                 detail: dict | None = None, request=None) -> AuditEntry

``action`` is a dotted verb (see ``Action``); ``actor`` a user or None (then the signed-in user
of the request, if any); ``target`` an identifier such as ``dataset:42`` or ``user:7`` — never
a name, an e-mail or any raw personal data; ``organisation`` the organisation concerned (so
that it can read its members' accesses); ``detail`` small JSON of identifiers. Raises
``AuditUnavailable`` when the entry cannot be written: the caller must then refuse the access.

One module per role:

=================  ===========================================================================
``events``         action names, ``record_event`` (validation, no personal data)
``chain``          canonical serialisation, SHA-256 chaining, the serialised ``append``
``keys``           the Ed25519 key file kept apart from the database; address pseudonyms
``checkpoints``    signed checkpoints and the witness file next to the key
``verify``         ``territoria audit verify``: what it detects, and what it cannot
``hooks``          signals: access levels of datasets, grants
``context``        the request being served, for hooks far from it
``middleware``     sets the context; ``AuditUnavailable`` → 503
``views``          the stewards' journal and each organisation's
=================  ===========================================================================
"""

from territoria.governance.audit.events import Action, AuditUnavailable, record_event

__all__ = ["Action", "AuditUnavailable", "record_event"]
