"""The request being served, for hooks that run far from it (model signals, the gate).

``AuditMiddleware`` sets it for the duration of each request; outside a request (the CLI, a
job worker) it is None and entries carry no actor unless the caller names one.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_request: ContextVar = ContextVar("territoria_audit_request", default=None)


def current_request():
    return _request.get()


@contextmanager
def serving(request):
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)
