"""What is recorded: the action names, and ``record_event``, the one way to write an entry."""

from __future__ import annotations

import ipaddress
import logging
import re
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from territoria.governance.audit import context

logger = logging.getLogger(__name__)

ACTION_NAME = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
TARGET = re.compile(r"^([a-z][a-z_]*:[0-9A-Za-z_-]{1,64})?$")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Action(models.TextChoices):
    DATASET_READ = "dataset.read", _("Read of a protected dataset")
    DATASET_ACCESS_LEVEL = "dataset.access_level", _("Access level set")
    GRANT_CREATE = "grant.create", _("Grant created")
    GRANT_UPDATE = "grant.update", _("Grant changed")
    GRANT_DELETE = "grant.delete", _("Grant removed")
    AGREEMENT_SAVE = "agreement.save", _("Sharing agreement saved")
    PROCESSING_ACTIVITY_SAVE = "gdpr.activity_save", _("Processing activity saved")
    MEMBERSHIP_ROLE = "membership.role", _("Role changed")
    MEMBERSHIP_REMOVE = "membership.remove", _("Member removed")
    # S105 takes these action names for passwords.
    TOKEN_CREATE = "token.create", _("API token created")  # noqa: S105
    TOKEN_REVOKE = "token.revoke", _("API token revoked")  # noqa: S105
    VERSION_PUBLISH = "version.publish", _("Version published")
    VERSION_ROLLBACK = "version.rollback", _("Version rolled back")
    SIGNIN = "auth.signin", _("Sign-in")
    SIGNIN_FAILED = "auth.signin_failed", _("Failed sign-in")
    SIGNOUT = "auth.signout", _("Sign-out")
    PERSONAL_DATA_RESOLVE = "personal_data.resolve", _("Personal-data finding resolved")
    ACCESS_REQUEST_CREATE = "access_request.create", _("Access requested")
    ACCESS_REQUEST_APPROVE = "access_request.approve", _("Access request approved")
    ACCESS_REQUEST_REFUSE = "access_request.refuse", _("Access request refused")
    ACCESS_REQUEST_WITHDRAW = "access_request.withdraw", _("Access request withdrawn")


class AuditUnavailable(Exception):
    """The audit entry could not be written; the access it records must be refused."""


def record_event(action, *, actor=None, target="", organisation=None, detail=None, request=None):
    """Append one entry to the audit log; raise ``AuditUnavailable`` if it cannot be written.

    ``actor`` is a user, a user pk or None; when None, the signed-in user of ``request`` (or of
    the request being served, see ``audit.context``) stands in, so a hook deep in a model
    signal still names who acted. ``organisation`` is an organisation or its pk. ``detail``
    holds identifiers only: strings, integers, booleans, None and lists of them — a value that
    looks like an e-mail or an IP address is refused (a programming error, ValueError). From the
    request the entry keeps the API token's pk and a keyed pseudonym of the client address
    (``keys.address_pseudonym``), never the address itself.

    Precondition for callers: nothing the entry records has been shown to anyone yet, so that
    refusing the access on ``AuditUnavailable`` is still possible. Returns the entry.
    """
    from territoria.governance.audit.chain import append

    action = str(action)
    if not ACTION_NAME.match(action):
        raise ValueError(f"audit action {action!r}: expected a dotted name such as dataset.read")
    if not TARGET.match(target):
        raise ValueError(f"audit target {target!r}: expected kind:identifier, e.g. dataset:42")
    request = request if request is not None else context.current_request()
    fields = dict(detail or {})
    check_identifiers(fields)
    try:
        if request is not None:
            fields = {**request_detail(request), **fields}
        return append(
            action,
            actor=_actor_pk(actor, request),
            organisation=_pk(organisation),
            target=target,
            detail=fields,
        )
    except Exception as error:
        # Whatever failed (database, lock timeout, key file), the access must be refused.
        logger.exception("audit log unavailable: %s %s refused", action, target)
        raise AuditUnavailable(str(error)) from error


def request_detail(request) -> dict[str, Any]:
    """Identifiers of how the request came: its token (pk) and a pseudonym of its address."""
    from territoria.governance.audit.keys import address_pseudonym

    detail: dict[str, Any] = {}
    token = getattr(request, "api_token", None)
    if token is not None:
        detail["token"] = token.pk
    address = request.META.get("REMOTE_ADDR")
    if address:
        detail["address"] = address_pseudonym(address)
    return detail


def check_identifiers(detail: dict[str, Any]) -> None:
    """Refuse detail values that are not small identifiers (the log holds no personal data)."""
    for name, value in detail.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is not None and not isinstance(item, str | int | bool):
                raise ValueError(f"audit detail {name!r}: identifiers only, got {type(item)}")
            if isinstance(item, str) and (EMAIL.search(item) or _is_address(item)):
                raise ValueError(f"audit detail {name!r}: no e-mail or IP address in the log")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _pk(value) -> int | None:
    if value is None:
        return None
    return int(getattr(value, "pk", value))


def _actor_pk(actor, request) -> int | None:
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is None or not getattr(actor, "is_authenticated", True):
        return None
    return _pk(actor)
