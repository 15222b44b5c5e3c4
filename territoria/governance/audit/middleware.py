"""Make the request known to audit hooks, and refuse an access whose audit entry failed.

``AuditUnavailable`` becomes a 503 (the access is refused, the data never sent): JSON on the
APIs, a short text elsewhere — no template, since the database may be what failed. The
management API (django-ninja) catches exceptions itself, so ``api/v1.py`` registers the same
answer as an exception handler there.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from territoria.governance.audit import context
from territoria.governance.audit.events import AuditUnavailable


def audit_unavailable_response(request) -> HttpResponse:
    message = _("The audit log is unavailable: access refused. Please try again later.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error_code": "AuditUnavailable", "message": message}, status=503
        )
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "60"
    return response


class AuditMiddleware:
    """Place after the authentication middlewares, so that ``request.user`` is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with context.serving(request):
            return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, AuditUnavailable):
            return audit_unavailable_response(request)
        return None
