"""API tokens as a service: create (the secret is shown once), list, revoke.

The portal pages (``governance/views.py``) and the management API (``api/v1_tokens.py``) are two
doors onto these functions; the rules live here once:

- a token never grants more than its user has: the gate still decides every read and write,
  the scope only narrows what the token may attempt (read < write < admin);
- an ``admin`` token is a steward's tool (the gate's ``is_steward``);
- every token expires, within ``MAX_TOKEN_DAYS``: a forgotten token stops working by itself;
- a token may create another only if it has the ``write`` scope, and never one of a wider scope
  or living longer than itself — otherwise a leaked read token could mint a write token;
- a revocation is recorded in the audit trail (the creation is recorded by ``ApiToken.issue``).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoria.governance.audit import Action, record_event
from territoria.governance.gate import is_steward
from territoria.governance.models import ApiToken, TokenScope

DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
TOKEN_DAY_CHOICES = (30, 90, 180, 365)


class TokenRefused(Exception):
    """A token request the rules refuse. ``code`` is stable (API clients), ``message`` human."""

    def __init__(self, code: str, message) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


def scopes_for(user) -> list[str]:
    """The scopes ``user`` may give a new token, narrowest first."""
    scopes = [TokenScope.READ, TokenScope.WRITE]
    if is_steward(user):
        scopes.append(TokenScope.ADMIN)
    return [str(s) for s in scopes]


def check_token_request(user, *, name: str, scope: str, days: int, via=None) -> None:
    """Raise ``TokenRefused`` unless ``user`` may create such a token.

    ``via`` is the token that authenticates the request (None for a signed-in session).
    """
    if not name.strip() or len(name) > 100:
        raise TokenRefused("InvalidName", _("Give the token a name of 1 to 100 characters."))
    if scope not in TokenScope.values:
        raise TokenRefused("InvalidScope", _("Unknown scope: use read, write or admin."))
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise TokenRefused(
            "InvalidExpiry",
            _("A token lives from 1 to %(days)s days.") % {"days": MAX_TOKEN_DAYS},
        )
    if scope not in scopes_for(user):
        raise TokenRefused("ScopeNotAllowed", _("Only data stewards may create admin tokens."))
    if via is not None:
        if not via.allows(TokenScope.WRITE):
            raise TokenRefused("TokenReadOnly", _("A read-only token cannot create tokens."))
        if not via.allows(scope):
            raise TokenRefused(
                "ScopeNotAllowed", _("A token cannot create a token of a wider scope.")
            )


def do_create_token(user, *, name: str, scope: str, days: int, via=None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns (token, raw secret). Raises ``TokenRefused``.

    The secret is returned once and never stored (only its hash is).
    """
    check_token_request(user, name=name, scope=scope, days=days, via=via)
    expires_at = timezone.now() + timedelta(days=days)
    if via is not None and via.expires_at is not None:
        expires_at = min(expires_at, via.expires_at)
    return ApiToken.issue(user, name.strip(), scope, expires_at)


def tokens_of(user) -> QuerySet[ApiToken]:
    """The tokens of ``user``, newest first (revoked and expired ones included)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def access_token_for(user, pk: int) -> ApiToken:
    """Return ``user``'s own token ``pk``; raise Http404 for anybody else's (or none)."""
    token = tokens_of(user).filter(pk=pk).first()
    if token is None:
        raise Http404("token not found")
    return token


def check_token_revocation(via) -> None:
    """Raise ``TokenRefused`` if the token ``via`` (None: a session) may not revoke tokens.

    A read-only token must not be able to revoke its user's other tokens.
    """
    if via is not None and not via.allows(TokenScope.WRITE):
        raise TokenRefused("TokenReadOnly", _("A read-only token cannot revoke tokens."))


def do_revoke_token(user, token: ApiToken) -> ApiToken:
    """Revoke ``token`` (idempotent) and record it; the caller checked ``access_token_for``.

    Revocation and audit entry commit together: if the entry cannot be written
    (``AuditUnavailable``), the token stays as it was and the error propagates.
    """
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(Action.TOKEN_REVOKE, actor=user, target=f"token:{token.pk}")
    return token


def token_state(token: ApiToken) -> str:
    """``active``, ``expired`` or ``revoked``."""
    if token.revoked_at is not None:
        return "revoked"
    return "active" if token.is_usable() else "expired"
