"""OpenID Connect sign-in: a small relying party for ProConnect or any OpenID provider.

The flow (OpenID Connect Core 1.0, authorization code flow, with RFC 7636 PKCE):

1. ``begin_signin`` reads the provider's discovery document and builds the authorization
   URL with a fresh ``state``, ``nonce`` and PKCE verifier; the view keeps them in the
   session.
2. The provider sends the browser back with ``code`` and ``state``; the view checks
   ``state`` against the session and calls ``complete_signin``, which exchanges the code
   (with the PKCE verifier and the client secret), verifies the ID token's signature
   against the provider's JWKS and its ``iss``, ``aud``, ``exp``, ``iat`` and ``nonce``,
   then reads userinfo — JSON, or a signed JWT as ProConnect answers — whose ``sub`` must
   be the ID token's.
3. ``OIDCBackend`` signs in the account linked to (issuer, sub), creating it the first time.

Why a client of our own rather than a framework: the protocol steps are few and each check
above is one visible line here, tested against a real provider (tests/accounts/). The
security-critical part — JWS signatures, algorithms, key sets, claim checks — is delegated
to ``joserfc``. HTTP is the standard library's: two GETs and a POST need nothing more.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from territoria.accounts.models import OIDCIdentity

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = 10  # seconds; the person is waiting on the other side
MAX_BODY = 1024 * 1024
CACHE_SECONDS = 3600  # discovery and JWKS; an unknown key id refreshes the JWKS at once
LEEWAY = 60  # seconds of clock skew tolerated on exp/iat
# Asymmetric signatures only: with HS256 the client secret would be a signing key, and any
# holder of it could mint ID tokens. "none" is never accepted.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
# Claims from userinfo that must not override the verified ID token's.
ID_TOKEN_CLAIMS = {"iss", "sub", "aud", "exp", "iat", "nonce", "azp", "auth_time"}


class OIDCError(Exception):
    """The provider's answer is refused. The message names the check, never a token."""


class ProviderUnavailable(OIDCError):
    """The provider could not be reached or answered with a server error."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    label: str


def configured_provider() -> Provider | None:
    """The provider configured by ``TERRITORIA_OIDC_*``, or None when OIDC is off."""
    if not settings.OIDC_ISSUER:
        return None
    return Provider(
        issuer=settings.OIDC_ISSUER,
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        scopes=settings.OIDC_SCOPES,
        label=settings.OIDC_LABEL,
    )


# -- the provider's documents -----------------------------------------------------------

_cache: dict[str, tuple[float, object]] = {}
_cache_lock = threading.Lock()


def _cached(key: str, fetch, refresh: bool = False):
    with _cache_lock:
        hit = _cache.get(key)
    if hit and not refresh and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = fetch()
    with _cache_lock:
        _cache[key] = (time.monotonic(), value)
    return value


def forget_provider_documents() -> None:
    """Drop cached discovery documents and key sets (tests; a provider's key rotation)."""
    with _cache_lock:
        _cache.clear()


def provider_metadata(provider: Provider) -> dict:
    """The discovery document; its ``issuer`` must be exactly the configured one (§4.3)."""

    def fetch() -> dict:
        url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = _json(*_http(url))
        if document.get("issuer") != provider.issuer:
            raise OIDCError("discovery: issuer differs from the configured one")
        for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(field), str):
                raise OIDCError(f"discovery: no {field}")
        return document

    return _cached(f"metadata {provider.issuer}", fetch)


def _key_set(metadata: dict, refresh: bool = False) -> KeySet:
    def fetch() -> KeySet:
        try:
            return KeySet.import_key_set(_json(*_http(metadata["jwks_uri"])))
        except (JoseError, KeyError, TypeError, ValueError) as error:
            raise OIDCError(f"jwks: unreadable key set ({type(error).__name__})") from None

    return _cached(f"jwks {metadata['jwks_uri']}", fetch, refresh)


def _algorithms(metadata: dict, what: str = "id_token") -> list[str]:
    """Algorithms the provider says it signs ``what`` with (``id_token`` or ``userinfo``),
    asymmetric ones only; RS256 when it says nothing (Discovery §3)."""
    offered = (
        metadata.get(f"{what}_signing_alg_values_supported")
        or metadata.get("id_token_signing_alg_values_supported")
        or ["RS256"]
    )
    allowed = [a for a in offered if a in SIGNING_ALGORITHMS]
    if not allowed:
        raise OIDCError("discovery: no asymmetric signing algorithm offered")
    return allowed


# -- the flow ---------------------------------------------------------------------------


def begin_signin(provider: Provider, redirect_uri: str) -> tuple[str, dict]:
    """Return the authorization URL and what the session must keep until the callback."""
    metadata = provider_metadata(provider)
    pending = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(64),
        "redirect_uri": redirect_uri,
    }
    challenge = hashlib.sha256(pending["verifier"].encode("ascii")).digest()
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": provider.scopes,
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": base64.urlsafe_b64encode(challenge).rstrip(b"=").decode("ascii"),
        "code_challenge_method": "S256",
    }
    endpoint = metadata["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params)}", pending


def complete_signin(provider: Provider, pending: dict, code: str) -> tuple[dict, str]:
    """Exchange ``code``; return the verified claims and the raw ID token.

    Precondition: the caller has matched the callback's ``state`` to ``pending``.
    Raises ``OIDCError`` (or ``ProviderUnavailable``) when any check fails.
    """
    metadata = provider_metadata(provider)
    tokens = exchange_code(provider, metadata, code, pending["verifier"], pending["redirect_uri"])
    raw_id_token = tokens.get("id_token")
    if not isinstance(raw_id_token, str):
        raise OIDCError("token endpoint: no ID token")
    claims = check_id_token(provider, metadata, raw_id_token, pending["nonce"])
    access_token = tokens.get("access_token")
    if metadata.get("userinfo_endpoint") and isinstance(access_token, str):
        info = fetch_userinfo(provider, metadata, access_token, claims["sub"])
        claims.update({k: v for k, v in info.items() if k not in ID_TOKEN_CLAIMS})
    return claims, raw_id_token


def exchange_code(
    provider: Provider, metadata: dict, code: str, verifier: str, redirect_uri: str
) -> dict:
    """POST the code to the token endpoint (client_secret_basic, or _post if that is all the
    provider offers). A code is single-use: the provider refuses a replayed one."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    headers = {}
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in methods:
        # RFC 6749 §2.3.1: each part form-encoded before the Basic encoding.
        pair = f"{_form_escape(provider.client_id)}:{_form_escape(provider.client_secret)}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    else:
        form.update(client_id=provider.client_id, client_secret=provider.client_secret)
    answer = _json(*_http(metadata["token_endpoint"], form=form, headers=headers))
    if str(answer.get("token_type", "")).lower() != "bearer":
        raise OIDCError("token endpoint: token_type is not Bearer")
    return answer


def check_id_token(provider: Provider, metadata: dict, raw: str, nonce: str) -> dict:
    """Verify the ID token's signature and claims (Core §3.1.3.7); return its claims."""
    token = _verified_jwt(metadata, raw, "ID token")
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    _validate(registry, claims, "ID token")
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != provider.client_id:
        raise OIDCError("ID token: several audiences and azp is not this client")
    return dict(claims)


def fetch_userinfo(provider: Provider, metadata: dict, access_token: str, subject: str) -> dict:
    """Read userinfo, as JSON or as a signed JWT (ProConnect); its ``sub`` must be ours."""
    content_type, body = _http(
        metadata["userinfo_endpoint"],
        headers={
            "Authorization": f"Bearer {access_token}",
            "Accept": "application/json, application/jwt",
        },
    )
    if content_type == "application/jwt":
        raw = body.decode("ascii", "replace").strip()
        claims = dict(_verified_jwt(metadata, raw, "userinfo").claims)
        # iss and aud are checked when present (ProConnect sets both).
        registry = jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            sub={"essential": True, "value": subject},
            iss={"value": provider.issuer},
            aud={"value": provider.client_id},
        )
        _validate(registry, claims, "userinfo")
        return claims
    claims = _json(content_type, body)
    if claims.get("sub") != subject:
        raise OIDCError("userinfo: sub differs from the ID token's")
    return claims


def end_session_url(provider: Provider, id_token: str, return_to: str) -> str | None:
    """The provider's RP-initiated logout URL, if it offers one (ProConnect requires it)."""
    try:
        endpoint = provider_metadata(provider).get("end_session_endpoint")
    except OIDCError:
        return None
    if not isinstance(endpoint, str):
        return None
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": return_to,
        "state": secrets.token_urlsafe(16),
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


def _verified_jwt(metadata: dict, raw: str, what: str) -> jwt.Token:
    """Decode ``raw`` with the provider's keys; refetch them once for an unknown key id."""
    algorithms = _algorithms(metadata, "userinfo" if what == "userinfo" else "id_token")
    for refresh in (False, True):
        try:
            return jwt.decode(raw, _key_set(metadata, refresh), algorithms=algorithms)
        except InvalidKeyIdError:
            if refresh:
                raise OIDCError(f"{what}: signed with a key the provider lacks") from None
        except (JoseError, ValueError) as error:
            raise OIDCError(f"{what}: {type(error).__name__}") from None
    raise AssertionError("unreachable")


def _validate(registry: jwt.JWTClaimsRegistry, claims: dict, what: str) -> None:
    try:
        registry.validate(claims)
    except JoseError as error:
        raise OIDCError(f"{what}: {error.error} {error.description or ''}".strip()) from None


# -- HTTP -------------------------------------------------------------------------------


def _check_url(url: str) -> None:
    """HTTPS only, except to this machine (local development and the tests' provider)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    local = host == "localhost"
    with contextlib.suppress(ValueError):
        local = local or ipaddress.ip_address(host).is_loopback
    if parts.scheme != "http" or not local:
        raise OIDCError(f"refused URL scheme for {parts.netloc}: HTTPS is required")


def _http(url: str, form: dict | None = None, headers: dict | None = None) -> tuple[str, bytes]:
    """GET (or POST ``form``) ``url``; return (content type, body). Raises OIDCError."""
    _check_url(url)
    data = urlencode(form).encode() if form is not None else None
    # The scheme was checked above (S310 warns about file: and custom schemes).
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/json"})  # noqa: S310
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            return response.headers.get_content_type(), response.read(MAX_BODY)
    except urllib.error.HTTPError as error:
        where = urlsplit(url).path
        if error.code >= 500:
            raise ProviderUnavailable(f"{where}: HTTP {error.code}") from None
        raise OIDCError(f"{where}: HTTP {error.code} {_oauth_error(error)}".strip()) from None
    except (urllib.error.URLError, OSError) as error:
        raise ProviderUnavailable(f"{urlsplit(url).netloc}: {error}") from None


def _oauth_error(error: urllib.error.HTTPError) -> str:
    """The ``error`` code of an OAuth error answer (e.g. invalid_grant), nothing else."""
    try:
        code = json.loads(error.read(4096)).get("error", "")
    except (ValueError, AttributeError, OSError):
        return ""
    return code if isinstance(code, str) and code.isascii() and len(code) < 64 else ""


def _json(content_type: str, body: bytes) -> dict:
    try:
        value = json.loads(body)
    except ValueError:
        raise OIDCError(f"unreadable answer ({content_type})") from None
    if not isinstance(value, dict):
        raise OIDCError("answer is not a JSON object")
    return value


def _form_escape(value: str) -> str:
    return urlencode({"": value})[1:]


# -- accounts ---------------------------------------------------------------------------


class OIDCBackend(ModelBackend):
    """Signs in the account linked to a verified (issuer, sub).

    Precondition: ``oidc_claims`` come from ``complete_signin``, i.e. from an ID token whose
    signature and claims were verified. Other calls to ``authenticate`` fall through.
    """

    def authenticate(self, request, oidc_issuer=None, oidc_claims=None, **kwargs):
        if oidc_issuer is None or oidc_claims is None:
            return None
        user = do_link_identity(oidc_issuer, oidc_claims)
        return user if self.user_can_authenticate(user) else None


def do_link_identity(issuer: str, claims: dict):
    """Return the account linked to (issuer, sub), created at first sign-in; refresh its
    e-mail and name from the claims. The e-mail is never used to match an existing account:
    that would let a provider's address hand over someone else's Territoria account."""
    user_model = get_user_model()
    subject = str(claims["sub"])
    with transaction.atomic():
        identity = (
            OIDCIdentity.objects.select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is None:
            digest = hashlib.sha256(f"{issuer} {subject}".encode()).hexdigest()[:20]
            user = user_model.objects.create_user(username=f"oidc-{digest}")
            identity = OIDCIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        user = identity.user
        _refresh_profile(user, claims)
        identity.last_signin_at = timezone.now()
        identity.save(update_fields=["last_signin_at"])
    return user


def _refresh_profile(user, claims: dict) -> None:
    email = claims.get("email")
    if isinstance(email, str) and claims.get("email_verified") is not False:
        user.email = email[:254]
    given = claims.get("given_name")
    family = claims.get("family_name") or claims.get("usual_name")  # ProConnect: usual_name
    if isinstance(given, str):
        user.first_name = given[:150]
    if isinstance(family, str):
        user.last_name = family[:150]
    user.save(update_fields=["email", "first_name", "last_name"])
