"""OpenID Connect sign-in against a real provider (django-oauth-toolkit, in its own process).

Every step crosses HTTP: Territoria reads the discovery document and the JWKS, the test
plays the browser at the provider's authorization and sign-in pages, Territoria exchanges
the code at the token endpoint and reads userinfo. Nothing of the protocol is mocked.
"""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.urls import reverse

from territoria.accounts import oidc
from territoria.accounts.models import OIDCIdentity
from territoria.governance.audit import Action
from tests.accounts.conftest import sign_in_at_provider
from tests.accounts.oidc_provider.clients import (
    AGENT,
    OTHER,
    PROCONNECT_LIKE,
    REDIRECT_URI,
    TERRITORIA,
)


def start(client, next_url="/organisations/"):
    """Click the OIDC button; return the provider's authorization URL."""
    response = client.get(reverse("accounts:oidc_start"), {"next": next_url})
    assert response.status_code == 302
    return response["Location"]


def come_back(client, callback_url):
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT_URI
    return client.get(parts.path, parse_qs(parts.query))


def test_sign_in_with_the_provider_creates_the_account_and_signs_in(client, oidc_settings, audit):
    authorize = start(client)
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]

    response = come_back(client, sign_in_at_provider(authorize))

    assert response.status_code == 302
    assert response["Location"] == "/organisations/"
    identity = OIDCIdentity.objects.select_related("user").get()
    user = identity.user
    assert int(client.session["_auth_user_id"]) == user.pk
    assert identity.issuer == oidc_settings().OIDC_ISSUER
    assert (user.email, user.first_name, user.last_name) == (
        AGENT["email"],
        AGENT["first_name"],
        AGENT["last_name"],
    )
    assert not user.has_usable_password()
    signin = audit.of(Action.SIGNIN)[0]
    assert signin["target"] == f"user:{user.pk}"
    assert signin["detail"] == {"method": "oidc"}
    html = client.get("/").content.decode()
    assert "Se déconnecter" in html


def test_the_second_sign_in_finds_the_same_account_by_subject(client, oidc_settings):
    come_back(client, sign_in_at_provider(start(client)))
    first = OIDCIdentity.objects.get().user_id
    client.post(reverse("portal:logout"))
    come_back(client, sign_in_at_provider(start(client)))
    assert OIDCIdentity.objects.get().user_id == first
    assert User.objects.count() == 1
    assert int(client.session["_auth_user_id"]) == first


def test_signing_out_ends_the_session_at_the_provider_too(client, oidc_settings, oidc_provider):
    come_back(client, sign_in_at_provider(start(client)))
    response = client.post(reverse("portal:logout"))
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    logout = urlsplit(response["Location"])
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == f"{oidc_provider.issuer}/logout/"
    query = parse_qs(logout.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert query["id_token_hint"][0].count(".") == 2
    # the provider accepts the logout and sends the browser back to Territoria
    answer = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    assert answer.headers["Location"].startswith("http://testserver/?state=")


def test_an_account_with_the_same_email_is_not_taken_over(client, oidc_settings):
    local = User.objects.create_user("camille-locale", AGENT["email"], "s3cret-pass")
    come_back(client, sign_in_at_provider(start(client)))
    assert int(client.session["_auth_user_id"]) != local.pk
    assert OIDCIdentity.objects.get().user != local


def test_proconnect_signed_userinfo_is_verified_and_read(client, oidc_settings):
    """ProConnect answers userinfo as a JWT signed with its key, and names the family name
    ``usual_name``: the provider is configured to do the same for this client."""
    oidc_settings(client=PROCONNECT_LIKE)
    authorize = start(client)
    response = come_back(client, sign_in_at_provider(authorize))
    assert response.status_code == 302
    user = OIDCIdentity.objects.get().user
    assert (user.email, user.last_name) == (AGENT["email"], AGENT["last_name"])


def test_the_sign_in_button_appears_only_when_a_provider_is_configured(client, oidc_settings):
    html = client.get(reverse("portal:login"), {"next": "/deposer/"}).content.decode()
    assert "Se connecter avec ProConnect" in html
    assert 'href="/compte/oidc/connexion/?next=/deposer/"' in html
    oidc_settings().OIDC_ISSUER = ""
    assert "ProConnect" not in client.get(reverse("portal:login")).content.decode()
    assert client.get(reverse("accounts:oidc_start")).status_code == 404


def test_a_bad_state_is_refused(client, oidc_settings, audit):
    callback = sign_in_at_provider(start(client))
    forged = callback.replace("state=", "state=x")
    response = come_back(client, forged)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert "invalide ou a expiré" in response.content.decode()
    assert audit.of(Action.SIGNIN_FAILED)[0]["detail"] == {"method": "oidc", "reason": "state"}


def test_a_callback_from_another_browser_is_refused(client, client_factory, oidc_settings):
    """Login CSRF: a code and state obtained in the attacker's browser open nothing in the
    victim's, whose session never started that sign-in."""
    callback = sign_in_at_provider(start(client_factory()))
    response = come_back(client, callback)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_replayed_callback_is_refused(client, oidc_settings):
    callback = sign_in_at_provider(start(client))
    assert come_back(client, callback).status_code == 302
    client.post(reverse("portal:logout"))
    assert come_back(client, callback).status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_provider_refuses_a_code_used_twice(oidc_settings, client):
    """Even with the state still at hand, the provider answers invalid_grant to a replay."""
    provider = oidc.configured_provider()
    url, pending = oidc.begin_signin(provider, REDIRECT_URI)
    code = parse_qs(urlsplit(sign_in_at_provider(url)).query)["code"][0]
    claims, _ = oidc.complete_signin(provider, pending, code)
    assert claims["email"] == AGENT["email"]
    with pytest.raises(oidc.OIDCError, match="invalid_grant"):
        oidc.complete_signin(provider, pending, code)


def test_a_code_without_the_pkce_verifier_is_refused_by_the_provider(oidc_settings):
    provider = oidc.configured_provider()
    url, pending = oidc.begin_signin(provider, REDIRECT_URI)
    code = parse_qs(urlsplit(sign_in_at_provider(url)).query)["code"][0]
    with pytest.raises(oidc.OIDCError, match="invalid_grant"):
        oidc.complete_signin(provider, {**pending, "verifier": "x" * 64}, code)


def _tokens_for(client_settings, oidc_settings):
    """A real ID token from the provider, obtained as the client ``client_settings``."""
    oidc_settings(client=client_settings)
    provider = oidc.configured_provider()
    url, pending = oidc.begin_signin(provider, REDIRECT_URI)
    code = parse_qs(urlsplit(sign_in_at_provider(url)).query)["code"][0]
    metadata = oidc.provider_metadata(provider)
    tokens = oidc.exchange_code(provider, metadata, code, pending["verifier"], REDIRECT_URI)
    return tokens["id_token"], pending["nonce"]


def test_an_id_token_issued_to_another_client_is_refused(oidc_settings):
    id_token, nonce = _tokens_for(OTHER, oidc_settings)
    oidc_settings()  # back to Territoria's own client
    provider = oidc.configured_provider()
    metadata = oidc.provider_metadata(provider)
    with pytest.raises(oidc.OIDCError, match="aud"):
        oidc.check_id_token(provider, metadata, id_token, nonce)


def test_a_tampered_id_token_is_refused(oidc_settings):
    id_token, nonce = _tokens_for(TERRITORIA, oidc_settings)
    provider = oidc.configured_provider()
    metadata = oidc.provider_metadata(provider)
    assert oidc.check_id_token(provider, metadata, id_token, nonce)["sub"]
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(oidc.OIDCError, match="BadSignature"):
        oidc.check_id_token(provider, metadata, f"{header}.{forged}.{signature}", nonce)
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    with pytest.raises(oidc.OIDCError):
        oidc.check_id_token(provider, metadata, f"{unsigned}.{payload}.", nonce)


def test_an_id_token_with_another_nonce_is_refused(oidc_settings):
    id_token, _ = _tokens_for(TERRITORIA, oidc_settings)
    provider = oidc.configured_provider()
    metadata = oidc.provider_metadata(provider)
    with pytest.raises(oidc.OIDCError, match="nonce"):
        oidc.check_id_token(provider, metadata, id_token, "another-nonce")


def test_a_provider_whose_discovery_names_another_issuer_is_refused(oidc_settings):
    """OIDC Discovery §4.3: the document's issuer must be exactly the configured one."""
    settings = oidc_settings()
    settings.OIDC_ISSUER += "/"  # the provider says ".../o": not the same issuer
    with pytest.raises(oidc.OIDCError, match="issuer"):
        oidc.provider_metadata(oidc.configured_provider())


def test_an_unreachable_provider_is_a_clear_error(client, settings, db):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"  # discard port: nothing listens
    settings.OIDC_CLIENT_ID = settings.OIDC_CLIENT_SECRET = "x"
    settings.OIDC_LABEL = "ProConnect"
    oidc.forget_provider_documents()
    response = client.get(reverse("accounts:oidc_start"))
    assert response.status_code == 502
    assert "ProConnect" in response.content.decode()


def test_plain_http_is_refused_for_a_remote_provider():
    with pytest.raises(oidc.OIDCError, match="HTTPS"):
        oidc._check_url("http://auth.example.fr/.well-known/openid-configuration")
    oidc._check_url("https://auth.example.fr/.well-known/openid-configuration")
    oidc._check_url("http://localhost:8080/o")


def test_symmetric_and_unsigned_algorithms_are_never_accepted():
    with pytest.raises(oidc.OIDCError, match="asymmetric"):
        oidc._algorithms({"id_token_signing_alg_values_supported": ["HS256", "none"]})
    metadata = {
        "id_token_signing_alg_values_supported": ["RS256", "HS256"],
        "userinfo_signing_alg_values_supported": ["ES256"],
    }
    assert oidc._algorithms(metadata) == ["RS256"]
    assert oidc._algorithms(metadata, "userinfo") == ["ES256"]
