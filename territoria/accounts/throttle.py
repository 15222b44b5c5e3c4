"""Login throttling: refuse password sign-ins after repeated failures, across processes.

Failures are rows in the database (``SigninFailure``), so every web process behind the
reverse proxy counts the same attempts — a per-process counter would give an attacker
N times the budget. Two keys are counted: the user name (an attack on one account) and the
client address (one machine trying many accounts). While either is over its limit within
the window (``SIGNIN_MAX_FAILURES``, ``SIGNIN_MAX_FAILURES_PER_ADDRESS``,
``SIGNIN_WINDOW_MINUTES``), attempts are refused before the password is even checked, and
refused attempts do not count — so the lock ends when the window has passed. The answer is
the same whether the account exists or not. A successful sign-in clears its user name.

The check lives in an authentication backend, so the portal's form and the admin's login
share it: one door.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone

from territoria.accounts.models import SigninFailure

# Set on the request by the backend when it refuses an attempt, for the form to say why.
THROTTLED_FLAG = "territoria_signin_throttled"


def client_address(request) -> str:
    """The client's address: the socket's, or X-Forwarded-For ``PROXY_HOPS`` hops back.

    Only the entries our own proxies appended are trusted; whatever the client wrote at the
    left of the header is ignored.
    """
    if request is None:
        return ""
    hops = settings.PROXY_HOPS
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _key(kind: str, value: str) -> str:
    """A keyed hash: the table never holds a user name or an address in clear."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{kind}:{digest[:60]}"


def _username_key(username: str) -> str:
    return _key("u", username.strip().casefold())


def _address_key(address: str) -> str:
    return _key("a", address)


def _window_start():
    return timezone.now() - timedelta(minutes=settings.SIGNIN_WINDOW_MINUTES)


def is_throttled(username: str, address: str) -> bool:
    """Has ``username`` or ``address`` reached its limit of failures within the window?"""
    keys = {_username_key(username): settings.SIGNIN_MAX_FAILURES}
    if address:
        keys[_address_key(address)] = settings.SIGNIN_MAX_FAILURES_PER_ADDRESS
    counts = (
        SigninFailure.objects.filter(key__in=keys, at__gte=_window_start())
        .values("key")
        .annotate(n=Count("id"))
    )
    return any(row["n"] >= keys[row["key"]] for row in counts)


def note_failure(username: str, address: str) -> None:
    """Count a failed sign-in against ``username`` and ``address``; sweep expired rows."""
    now = timezone.now()
    rows = [SigninFailure(key=_username_key(username), at=now)]
    if address:
        rows.append(SigninFailure(key=_address_key(address), at=now))
    SigninFailure.objects.bulk_create(rows)
    SigninFailure.objects.filter(at__lt=_window_start()).delete()


def forget_failures(username: str) -> None:
    """A successful sign-in clears the user name's failures (not the address's: one valid
    account must not buy an attacker a fresh budget for guessing others)."""
    SigninFailure.objects.filter(key=_username_key(username)).delete()


class ThrottledModelBackend(ModelBackend):
    """Django's user-name and password backend, behind the throttle.

    Raising ``PermissionDenied`` stops Django from trying other backends; Django then sends
    ``user_login_failed``, which ``signals.py`` records (without counting it again).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if username is None or password is None:
            return None
        if is_throttled(username, client_address(request)):
            if request is not None:
                setattr(request, THROTTLED_FLAG, True)
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
