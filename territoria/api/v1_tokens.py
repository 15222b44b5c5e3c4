"""``/api/1/tokens``: the caller's own API tokens — list, create (the secret shown once), revoke.

A thin door onto ``governance/tokens.py``, which holds the rules (who may create which scope,
how long a token lives, what a token may create). Another user's token answers 404.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils import translation
from ninja import Router, Schema, Status
from ninja.security import SessionAuth

from territoria.api.v1 import TokenAuth
from territoria.governance.models import ApiToken, TokenScope
from territoria.governance.tokens import (
    DEFAULT_TOKEN_DAYS,
    TokenRefused,
    access_token_for,
    check_token_revocation,
    do_create_token,
    do_revoke_token,
    token_state,
    tokens_of,
)

router = Router(auth=[TokenAuth(), SessionAuth()], tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    state: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_state(obj: ApiToken) -> str:
        return token_state(obj)


class TokenCreated(TokenOut):
    secret: str


class TokenIn(Schema):
    name: str
    scope: TokenScope = TokenScope.READ
    days: int = DEFAULT_TOKEN_DAYS


class TokenError(Schema):
    error_code: str
    detail: str


def _refused(error: TokenRefused):
    with translation.override("en"):  # API messages are English, like the rest of /api/1/
        return Status(403, {"error_code": error.code, "detail": str(error.message)})


@router.get("", response=list[TokenOut])
def list_tokens(request: HttpRequest):
    """The caller's tokens, newest first; the secrets are never shown again."""
    return tokens_of(request.user)


@router.post("", response={201: TokenCreated, 403: TokenError})
def create_token(request: HttpRequest, payload: TokenIn):
    """Create a token; ``secret`` is in this answer only. Admin scope: stewards only.

    Through a token, the caller needs the ``write`` scope and gets no wider scope, nor a
    longer life, than that token's.
    """
    try:
        token, raw = do_create_token(
            request.user,
            name=payload.name,
            scope=payload.scope,
            days=payload.days,
            via=getattr(request, "api_token", None),
        )
    except TokenRefused as error:
        return _refused(error)
    token.secret = raw  # type: ignore[attr-defined] - read by TokenCreated, never stored
    return Status(201, token)


def _revoke(request: HttpRequest, token_id: int):
    token = access_token_for(request.user, token_id)
    try:
        check_token_revocation(getattr(request, "api_token", None))
    except TokenRefused as error:
        return _refused(error)
    return do_revoke_token(request.user, token)


@router.delete("/{token_id}", response={200: TokenOut, 403: TokenError})
def revoke_token(request: HttpRequest, token_id: int):
    """Revoke one of the caller's tokens (idempotent)."""
    return _revoke(request, token_id)


@router.post("/{token_id}/revoke", response={200: TokenOut, 403: TokenError})
def revoke_token_by_post(request: HttpRequest, token_id: int):
    """The same as ``DELETE /tokens/{token_id}``, for clients that cannot send DELETE."""
    return _revoke(request, token_id)
