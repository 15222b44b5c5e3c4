"""Portal pages of a signed-in user's API tokens: list, create (the secret shown once), revoke.

The rules are in ``governance/tokens.py``; these pages only turn them into forms and messages.
They are session features: a request authenticated by an API token is refused here, so that a
token can never be used to mint or revoke tokens through the portal (the management API has
its own, scope-checked door, ``/api/1/tokens``).
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from territoria.governance.models import TokenScope
from territoria.governance.tokens import (
    DEFAULT_TOKEN_DAYS,
    TOKEN_DAY_CHOICES,
    TokenRefused,
    access_token_for,
    do_create_token,
    do_revoke_token,
    scopes_for,
    token_state,
    tokens_of,
)
from territoria.portal.csp import with_csp

SCOPE_HELP = {
    TokenScope.READ: gettext_lazy("read the datasets you may see"),
    TokenScope.WRITE: gettext_lazy("also upload, publish and roll back what you may write"),
    TokenScope.ADMIN: gettext_lazy("everything a steward may do"),
}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “nightly export”."),
    )
    scope = forms.ChoiceField(label=gettext_lazy("Scope"))
    days = forms.TypedChoiceField(
        label=gettext_lazy("Valid for"),
        coerce=int,
        initial=DEFAULT_TOKEN_DAYS,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [
            (s, f"{TokenScope(s).label} — {SCOPE_HELP[TokenScope(s)]}") for s in scopes_for(user)
        ]
        self.fields["days"].choices = [
            (d, ngettext("%(days)s day", "%(days)s days", d) % {"days": d})
            for d in TOKEN_DAY_CHOICES
        ]


def session_only(view):
    """Refuse requests authenticated by an API token: these pages need a signed-in session."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(request, "api_token", None) is not None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _rows(user) -> list[dict]:
    return [{"token": t, "state": token_state(t)} for t in tokens_of(user)]


@session_only
@login_required
@require_http_methods(["GET", "POST"])
@never_cache
@with_csp
def tokens(request):
    """List the user's tokens; on POST, create one and show its secret in this answer only."""
    created = None
    if request.method == "POST":
        form = TokenForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                token, raw = do_create_token(request.user, **form.cleaned_data)
            except TokenRefused as error:
                form.add_error(None, error.message)
            else:
                created = {"token": token, "secret": raw}
                form = TokenForm(user=request.user)
    else:
        form = TokenForm(user=request.user)
    context = {"form": form, "created": created, "rows": _rows(request.user), "nav": "tokens"}
    status = 400 if form.errors else 200
    return render(request, "governance/tokens.html", context, status=status)


@session_only
@login_required
@require_POST
def revoke(request, pk: int):
    token = access_token_for(request.user, pk)
    do_revoke_token(request.user, token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("governance:tokens")
