"""Forms of the account pages: sign-in, invitations, membership requests, roles."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from territoria.accounts.memberships import grantable_roles
from territoria.accounts.models import Role
from territoria.accounts.throttle import THROTTLED_FLAG
from territoria.governance.gate import visible_organisations


class SigninForm(AuthenticationForm):
    """Django's sign-in form, saying so when the throttle refused the attempt.

    The throttling message is the same whether the user name exists or not.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-in attempts. For your security, sign-in is suspended: "
            "try again in %(minutes)s minutes."
        ),
    }

    throttled = False

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, THROTTLED_FLAG, False):
                self.throttled = True
                raise ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": settings.SIGNIN_WINDOW_MINUTES},
                ) from None
            raise


def _role_field(actor, initial=Role.VIEWER) -> forms.ChoiceField:
    allowed = grantable_roles(actor)
    return forms.ChoiceField(
        label=_("Role"),
        choices=[(value, label) for value, label in Role.choices if value in allowed],
        initial=initial,
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field(actor)


class RoleForm(forms.Form):
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field(actor)


class MembershipRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        to_field_name="slug",
        empty_label=_("— Choose an organisation —"),
    )
    message = forms.CharField(
        label=_("Message to the organisation's administrators (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = visible_organisations(user).order_by("name")
