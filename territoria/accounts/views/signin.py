"""Signing in and out: password (throttled, see ``throttle.py``) and OpenID Connect.

Each sign-in is recorded by ``signals.py``. If that audit write fails, the session is not
opened: the person sees that sign-in is unavailable for now (503).
"""

from __future__ import annotations

import hmac
import logging
import time

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from territoria.accounts import oidc
from territoria.accounts.forms import SigninForm
from territoria.governance.audit import AuditUnavailable
from territoria.portal.csp import with_csp

logger = logging.getLogger(__name__)

PENDING_KEY = "territoria_oidc_pending"
ID_TOKEN_KEY = "territoria_oidc_id_token"  # noqa: S105 — a session key name
PENDING_SECONDS = 600  # an unfinished sign-in at the provider expires after 10 minutes
MAX_PENDING = 5  # sign-ins started in several tabs


def _unavailable(request):
    """The audit trail could not record the sign-in: no session is opened."""
    request.session.flush()
    return _signin_error(
        request, _("Sign-in is unavailable for the moment. Please try again later."), 503
    )


def _signin_error(request, message: str, status: int):
    return render(
        request,
        "accounts/signin_error.html",
        {"message": message, "nav": "login"},
        status=status,
    )


@method_decorator(with_csp, name="dispatch")
class SigninView(LoginView):
    """The portal's sign-in page (``portal:login``): password form, and the OIDC button."""

    template_name = "portal/login.html"
    form_class = SigninForm
    redirect_authenticated_user = True
    extra_context = {"nav": "login"}

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except AuditUnavailable:
            return _unavailable(request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        provider = oidc.configured_provider()
        context["oidc_label"] = provider.label if provider else None
        return context


@require_POST
def signout(request):
    """Sign out (``portal:logout``); after an OIDC sign-in, at the provider too if it offers
    RP-initiated logout (ProConnect requires services to end its session as well)."""
    id_token = request.session.get(ID_TOKEN_KEY)
    logout(request)
    home = request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
    provider = oidc.configured_provider()
    if id_token and provider is not None:
        url = oidc.end_session_url(provider, id_token, home)
        if url:
            return HttpResponseRedirect(url)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def _safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _redirect_uri(request) -> str:
    return settings.OIDC_REDIRECT_URI or request.build_absolute_uri(
        reverse("accounts:oidc_callback")
    )


@require_safe
def oidc_start(request):
    """Send the browser to the provider, keeping state, nonce and PKCE verifier."""
    provider = oidc.configured_provider()
    if provider is None:
        raise Http404("OpenID Connect is not configured")
    try:
        url, pending = oidc.begin_signin(provider, _redirect_uri(request))
    except oidc.OIDCError as error:
        logger.warning("OIDC sign-in could not start: %s", error)
        return _signin_error(request, _provider_unavailable_message(provider), 502)
    pending.update(next=_safe_next(request, request.GET.get("next")), started=time.time())
    flows = [f for f in request.session.get(PENDING_KEY, []) if _fresh(f)]
    request.session[PENDING_KEY] = [*flows[-(MAX_PENDING - 1) :], pending]
    return HttpResponseRedirect(url)


@require_safe
@with_csp
def oidc_callback(request):
    """The provider's redirect: check state, exchange the code, verify, sign in."""
    provider = oidc.configured_provider()
    if provider is None:
        raise Http404("OpenID Connect is not configured")
    pending = _pop_pending(request, request.GET.get("state", ""))
    try:
        if pending is None:
            _failed(request, "state")
            return _signin_error(request, _("This sign-in link is invalid or has expired."), 400)
        if "error" in request.GET or not request.GET.get("code"):
            _failed(request, "provider_refused")
            return _signin_error(request, _("The identity provider did not sign you in."), 400)
        try:
            claims, id_token = oidc.complete_signin(provider, pending, request.GET["code"])
        except oidc.ProviderUnavailable as error:
            logger.warning("OIDC provider unavailable: %s", error)
            _failed(request, "unavailable")
            return _signin_error(request, _provider_unavailable_message(provider), 502)
        except oidc.OIDCError as error:
            logger.warning("OIDC sign-in refused: %s", error)
            _failed(request, "verification")
            return _signin_error(
                request, _("The answer of the identity provider could not be verified."), 400
            )
        user = authenticate(request, oidc_issuer=provider.issuer, oidc_claims=claims)
        if user is None:
            return _signin_error(request, _("This account is disabled."), 403)
        login(request, user)
    except AuditUnavailable:
        return _unavailable(request)
    request.session[ID_TOKEN_KEY] = id_token
    return redirect(pending["next"] or settings.LOGIN_REDIRECT_URL)


def _provider_unavailable_message(provider: oidc.Provider) -> str:
    return _("%(provider)s cannot be reached for the moment. Please try again later.") % {
        "provider": provider.label
    }


def _fresh(flow: dict) -> bool:
    return time.time() - flow.get("started", 0) < PENDING_SECONDS


def _pop_pending(request, state: str) -> dict | None:
    """Take the pending sign-in of ``state`` out of the session: a state is used once."""
    flows = request.session.get(PENDING_KEY, [])
    found = None
    for flow in flows:
        if state and hmac.compare_digest(flow["state"], state):
            found = flow
    if found is None:
        return None
    request.session[PENDING_KEY] = [f for f in flows if f is not found and _fresh(f)]
    return found if _fresh(found) else None


def _failed(request, reason: str) -> None:
    """Tell the audit trail (through Django's signal, as for passwords) that it failed."""
    user_login_failed.send(sender=__name__, credentials={"oidc": reason}, request=request)
