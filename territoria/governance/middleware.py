"""Authenticate API calls carrying ``Authorization: Bearer <token>`` or ``Apikey <token>``.

CKAN clients (``ckanapi``, CKAN 2.10's own) send the bare token in ``Authorization`` or in
``X-CKAN-API-Key``; a bare value is taken as a token only when it has our prefix, so that
another scheme (``Basic …``) is never read as one.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.utils import timezone

from territoria.governance.models import TOKEN_PREFIX, ApiToken, hash_token

SCHEMES = ("bearer", "apikey")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def token_from_header(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in SCHEMES and value.strip():
        return value.strip()
    if scheme.startswith(TOKEN_PREFIX) and not value:
        return scheme
    return None


class TokenAuthenticationMiddleware:
    """Sets ``request.user`` and ``request.api_token`` from a token header.

    A header with an unknown, expired or revoked token is refused outright (401) rather than
    silently treated as anonymous, so a client never mistakes a public answer for its own.
    Token-authenticated requests carry no cookie, hence are exempt from CSRF.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_token = None
        header = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key", "")
        raw = token_from_header(header) if header else None
        if raw is not None:
            token = (
                ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
            )
            if token is None or not token.is_usable() or not token.user.is_active:
                return JsonResponse(
                    {"error_code": "InvalidToken", "message": "invalid, expired or revoked token"},
                    status=401,
                )
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
            request.user = token.user
            request.api_token = token
            request._dont_enforce_csrf_checks = True
        elif not hasattr(request, "user"):
            request.user = AnonymousUser()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A token authenticates reads anywhere, but writes only on API views.

        Views protected by CSRF (portal forms, the admin, the token pages) rely on a browser
        session. A token sent to them with an unsafe method would let whoever holds a read-only
        token act there as its user — upload through the portal form, mint a write token —
        since the scope is checked by the API views only. API views are CSRF-exempt (they do
        not read cookies) and check the token's scope themselves (``api/v1.check_write``).
        """
        token = getattr(request, "api_token", None)
        if token is None or request.method in SAFE_METHODS:
            return None
        if getattr(view_func, "csrf_exempt", False):
            return None
        return JsonResponse(
            {
                "error_code": "TokenNotAccepted",
                "message": "this route needs a signed-in session, not an API token",
            },
            status=403,
        )
