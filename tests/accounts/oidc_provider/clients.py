"""The clients and the person registered at the test OpenID provider (shared with the tests)."""

REDIRECT_URI = "http://testserver/compte/oidc/retour/"

# Territoria as an ordinary OIDC client: JSON userinfo.
TERRITORIA = {"name": "territoria", "client_id": "territoria-test", "secret": "territoria-secret"}
# Territoria as a ProConnect client: ProConnect answers userinfo as a signed JWT.
PROCONNECT_LIKE = {
    "name": "proconnect-like",
    "client_id": "territoria-proconnect",
    "secret": "proconnect-secret",
}
# Another relying party of the same provider: its ID tokens must not open Territoria.
OTHER = {"name": "other-service", "client_id": "other-service", "secret": "other-secret"}
CLIENTS = (TERRITORIA, PROCONNECT_LIKE, OTHER)

AGENT = {
    "username": "camille",
    "password": "mot-de-passe-du-fournisseur",
    "email": "camille.martin@mairie-exemple.fr",
    "first_name": "Camille",
    "last_name": "Martin",
}
