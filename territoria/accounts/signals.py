"""Sign-in events for the audit trail and the throttle, wherever the sign-in happened.

Connected to Django's ``user_logged_in``, ``user_login_failed`` and ``user_logged_out`` so
that the portal, the admin and OpenID Connect are covered alike. The audit entries carry
identifiers only (``user:<pk>``): never the user name typed, an e-mail or an address. A
failed sign-in with an unknown user name has no target at all.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from territoria.accounts.throttle import (
    THROTTLED_FLAG,
    client_address,
    forget_failures,
    note_failure,
)
from territoria.governance.audit import Action, AuditUnavailable, record_event

logger = logging.getLogger(__name__)

OIDC_BACKEND = "territoria.accounts.oidc.OIDCBackend"


def signin_method(user) -> str:
    return "oidc" if getattr(user, "backend", "") == OIDC_BACKEND else "password"


@receiver(user_logged_in, dispatch_uid="territoria.accounts.signin")
def on_signin(sender, request, user, **kwargs) -> None:
    """Clear the user name's failures, then record ``auth.signin``.

    Raises AuditUnavailable: the sign-in views then refuse the session.
    """
    forget_failures(user.get_username())
    record_event(
        Action.SIGNIN,
        actor=user,
        target=f"user:{user.pk}",
        detail={"method": signin_method(user)},
        request=request,
    )


@receiver(user_login_failed, dispatch_uid="territoria.accounts.signin_failed")
def on_signin_failed(sender, credentials, request=None, **kwargs) -> None:
    """Count a password failure for the throttle (unless the throttle refused it), then
    record ``auth.signin_failed``. OpenID Connect failures are sent with ``{"oidc": reason}``
    as credentials by the callback view."""
    throttled = bool(getattr(request, THROTTLED_FLAG, False))
    username = credentials.get("username")
    detail = {"method": "password", "reason": "throttled" if throttled else "credentials"}
    target = ""
    if "oidc" in credentials:
        detail = {"method": "oidc", "reason": str(credentials["oidc"])[:40]}
    elif "oidc_claims" in credentials:  # OIDCBackend refused a verified person: inactive
        detail = {"method": "oidc", "reason": "inactive"}
    elif isinstance(username, str):
        if not throttled:
            note_failure(username, client_address(request))
        user = (
            get_user_model()
            ._default_manager.filter(**{get_user_model().USERNAME_FIELD: username})
            .first()
        )
        target = f"user:{user.pk}" if user is not None else ""
    record_event(Action.SIGNIN_FAILED, target=target, detail=detail, request=request)


@receiver(user_logged_out, dispatch_uid="territoria.accounts.signout")
def on_signout(sender, request, user, **kwargs) -> None:
    """Record ``auth.signout``. A failed audit write does not keep anyone signed in: signing
    out only reduces access, so it is logged and the sign-out goes on."""
    if user is None:
        return
    try:
        record_event(Action.SIGNOUT, actor=user, target=f"user:{user.pk}", request=request)
    except AuditUnavailable:
        logger.exception("auth.signout of user:%s not recorded", user.pk)
