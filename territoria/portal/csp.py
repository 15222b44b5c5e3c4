"""A strict Content-Security-Policy on portal pages: scripts and styles from our origin only.

The portal needs no inline script or style (data reaches ``preview.js`` through ``data-*``
attributes), so the policy can forbid them: an injected ``<script>`` would not run even if
some text escaped the templates' escaping. Django 5.2 has no CSP support of its own.
"""

from functools import wraps

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def with_csp(view):
    """Decorate a view so that its responses carry the portal's policy."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response

    return wrapped
