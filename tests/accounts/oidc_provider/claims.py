"""Claims of the test provider: standard e-mail and profile, and ProConnect's signed userinfo."""

import json

from jwcrypto import jwt
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings

from tests.accounts.oidc_provider.clients import PROCONNECT_LIKE


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {
        "sub": "openid",
        "email": "email",
        "email_verified": "email",
        "given_name": "profile",
        "family_name": "profile",
        "usual_name": "profile",
    }

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "email": user.email,
            "email_verified": True,
            "given_name": user.first_name,
        }
        # ProConnect names the family name ``usual_name``; other providers ``family_name``.
        if request.client.name == PROCONNECT_LIKE["name"]:
            claims["usual_name"] = user.last_name
        else:
            claims["family_name"] = user.last_name
        return claims

    def get_userinfo_claims(self, request):
        """JSON claims, except for the ProConnect-like client: a JWT signed like the ID token."""
        claims = super().get_userinfo_claims(request)
        if request.client.name != PROCONNECT_LIKE["name"]:
            return claims
        claims.update(iss=oauth2_settings.oidc_issuer(request), aud=request.client.client_id)
        key = request.client.jwk_key
        token = jwt.JWT(
            header=json.dumps({"alg": "RS256", "typ": "JWT", "kid": key.thumbprint()}),
            claims=json.dumps(claims),
        )
        token.make_signed_token(key)
        return token.serialize()
