"""My account, an organisation's members, invitations and membership requests.

An organisation's members page and its actions answer 404 to anyone who may not manage
that organisation (``access_managed_organisation``), exactly as for an unknown one.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from territoria.accounts.forms import InvitationForm, MembershipRequestForm, RoleForm
from territoria.accounts.memberships import (
    MembershipRefused,
    access_managed_organisation,
    check_invitation_for,
    do_accept_invitation,
    do_answer_request,
    do_cancel_invitation,
    do_change_role,
    do_invite,
    do_remove_member,
    do_request_membership,
    find_invitation,
)
from territoria.accounts.models import (
    Invitation,
    Membership,
    MembershipRequest,
    RequestStatus,
)
from territoria.accounts.notifications import send_invitation
from territoria.governance.audit import AuditUnavailable
from territoria.governance.gate import can_manage_organisation
from territoria.portal.csp import with_csp


@login_required
@require_http_methods(["GET", "POST"])
@with_csp
def account(request):
    """My account ("Mon compte"): my memberships, my pending requests, a request to join."""
    user = request.user
    form = MembershipRequestForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            do_request_membership(user, organisation, form.cleaned_data["message"])
        except MembershipRefused as refusal:
            form.add_error("organisation", str(refusal))
        else:
            messages.success(
                request,
                _("Your request to join %(organisation)s was sent to its administrators.")
                % {"organisation": organisation.name},
            )
            return redirect("accounts:account")
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    context = {
        "memberships": [(m, can_manage_organisation(user, m.organisation)) for m in memberships],
        "requests": MembershipRequest.objects.filter(user=user, status=RequestStatus.PENDING)
        .select_related("organisation")
        .order_by("-created_at"),
        "form": form,
        "nav": "account",
    }
    return render(request, "accounts/account.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@with_csp
def members(request, slug):
    """An organisation's members, invitations and requests; POST invites someone."""
    organisation = access_managed_organisation(request.user, slug)
    form = InvitationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, raw = do_invite(
                request.user, organisation, form.cleaned_data["email"], form.cleaned_data["role"]
            )
        except MembershipRefused as refusal:
            form.add_error("role", str(refusal))
        else:
            link = request.build_absolute_uri(reverse("accounts:invitation", args=[raw]))
            sent = send_invitation(invitation, link)
            if sent:
                text = _("Invitation sent to %(email)s. You can also give them this link: %(link)s")
            else:
                text = _("The e-mail could not be sent. Give %(email)s this link: %(link)s")
            messages.success(request, text % {"email": invitation.email, "link": link})
            return redirect("accounts:members", slug=organisation.slug)
    context = {
        "organisation": organisation,
        "members": [
            (m, RoleForm(actor=request.user, initial={"role": m.role}, prefix=f"m{m.pk}"))
            for m in organisation.memberships.select_related("user").order_by(
                "user__last_name", "user__first_name", "user__username"
            )
        ],
        "invitations": organisation.invitations.filter(accepted_at__isnull=True).order_by(
            "-created_at"
        ),
        "requests": [
            (r, RoleForm(actor=request.user, prefix=f"r{r.pk}"))
            for r in organisation.membership_requests.filter(status=RequestStatus.PENDING)
            .select_related("user")
            .order_by("created_at")
        ],
        "form": form,
        "nav": "account",
    }
    return render(request, "accounts/members.html", context, status=400 if form.errors else 200)


def refused_without_audit(view):
    """A membership change that the audit trail cannot record is not made (the services
    roll it back); the person is told so instead of getting a server error."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AuditUnavailable:
            message = _("The change could not be recorded and was not made. Try again later.")
            return render(request, "accounts/unavailable.html", {"message": message}, status=503)

    return wrapped


def _refused(request, refusal: MembershipRefused, slug: str):
    messages.error(request, str(refusal))
    return redirect("accounts:members", slug=slug)


@login_required
@require_POST
@refused_without_audit
def change_role(request, slug, pk):
    organisation = access_managed_organisation(request.user, slug)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation)
    form = RoleForm(request.POST, actor=request.user, prefix=f"m{pk}")
    if not form.is_valid():
        return _refused(request, MembershipRefused(_("Choose a role from the list.")), slug)
    try:
        do_change_role(request.user, membership, form.cleaned_data["role"], request=request)
    except MembershipRefused as refusal:
        return _refused(request, refusal, slug)
    messages.success(request, _("Role changed."))
    return _back_to_members(request, organisation)


@login_required
@require_POST
@refused_without_audit
def remove_member(request, slug, pk):
    organisation = access_managed_organisation(request.user, slug)
    membership = get_object_or_404(Membership, pk=pk, organisation=organisation)
    try:
        do_remove_member(request.user, membership, request=request)
    except MembershipRefused as refusal:
        return _refused(request, refusal, slug)
    messages.success(request, _("Member removed."))
    return _back_to_members(request, organisation)


def _back_to_members(request, organisation):
    """After a change to one's own membership the members page may be out of reach."""
    if can_manage_organisation(request.user, organisation):
        return redirect("accounts:members", slug=organisation.slug)
    return redirect("accounts:account")


@login_required
@require_POST
def cancel_invitation(request, slug, pk):
    organisation = access_managed_organisation(request.user, slug)
    do_cancel_invitation(get_object_or_404(Invitation, pk=pk, organisation=organisation))
    messages.success(request, _("Invitation cancelled."))
    return redirect("accounts:members", slug=slug)


@login_required
@require_POST
@refused_without_audit
def answer_request(request, slug, pk, accept: bool):
    organisation = access_managed_organisation(request.user, slug)
    membership_request = get_object_or_404(MembershipRequest, pk=pk, organisation=organisation)
    role = ""
    if accept:
        form = RoleForm(request.POST, actor=request.user, prefix=f"r{pk}")
        if not form.is_valid():
            return _refused(request, MembershipRefused(_("Choose a role from the list.")), slug)
        role = form.cleaned_data["role"]
    try:
        do_answer_request(request.user, membership_request, accept, role=role, request=request)
    except MembershipRefused as refusal:
        return _refused(request, refusal, slug)
    messages.success(request, _("Request accepted.") if accept else _("Request rejected."))
    return redirect("accounts:members", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
@with_csp
@refused_without_audit
def invitation(request, token):
    """The invitation link: shows the invitation; POST accepts it (signed-in user whose
    e-mail is the invited one). An unknown token answers 404."""
    found = find_invitation(token)
    refusal = None
    try:
        check_invitation_for(request.user, found)
    except MembershipRefused as error:
        refusal = str(error)
    if request.method == "POST" and refusal is None:
        try:
            do_accept_invitation(request.user, found, request=request)
        except MembershipRefused as error:
            refusal = str(error)
        else:
            messages.success(
                request,
                _("You are now a member of %(organisation)s.")
                % {"organisation": found.organisation.name},
            )
            return redirect("accounts:account")
    context = {"invitation": found, "refusal": refusal, "nav": "account"}
    return render(request, "accounts/invitation.html", context, status=403 if refusal else 200)
