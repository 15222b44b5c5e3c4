"""Joining and leaving organisations: invitations, membership requests, roles, removals.

``do_*`` functions change memberships and record them in the audit trail inside the same
transaction (if the audit write fails, the change is rolled back). They raise
``MembershipRefused`` with a message for the person when the change is not allowed.
Who may manage an organisation is the gate's decision (``can_manage_organisation``);
``access_managed_organisation`` is how views ask it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from territoria.accounts.models import (
    Invitation,
    Membership,
    MembershipRequest,
    RequestStatus,
    Role,
)
from territoria.catalog.models import Organisation
from territoria.governance.audit import Action, record_event
from territoria.governance.gate import can_manage_organisation, forget_memberships, is_steward


class MembershipRefused(Exception):
    """The change is not allowed; ``str()`` says why, in the person's language."""


def access_managed_organisation(user, slug: str) -> Organisation:
    """The organisation ``slug`` if ``user`` may manage its members; Http404 otherwise
    (someone who may not manage it learns nothing from the members page)."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not can_manage_organisation(user, organisation):
        raise Http404("organisation not found")
    return organisation


def grantable_roles(actor) -> list[str]:
    """Roles ``actor`` may give: all but ``steward``, which only stewards give (a steward
    membership anywhere opens every dataset of the platform)."""
    return [r for r in Role.values if r != Role.STEWARD or is_steward(actor)]


def check_may_grant(actor, role: str) -> None:
    if role not in grantable_roles(actor):
        raise MembershipRefused(_("Only data stewards may give the steward role."))


def hash_invitation_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# -- invitations ------------------------------------------------------------------------


def do_invite(actor, organisation: Organisation, email: str, role: str) -> tuple[Invitation, str]:
    """Create an invitation; return it with the raw token (shown once, never stored).

    Precondition: ``actor`` may manage ``organisation``. A pending invitation of the same
    address to the same organisation is replaced.
    """
    check_may_grant(actor, role)
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        Invitation.objects.filter(
            organisation=organisation, email__iexact=email, accepted_at__isnull=True
        ).delete()
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=hash_invitation_token(raw),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
    return invitation, raw


def find_invitation(raw: str) -> Invitation:
    """The invitation of a link's token; Http404 for an unknown token."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=hash_invitation_token(raw))
        .first()
    )
    if invitation is None:
        raise Http404("invitation not found")
    return invitation


def check_invitation_for(user, invitation: Invitation) -> None:
    """May ``user`` accept ``invitation``? Raises MembershipRefused with the reason."""
    if invitation.accepted_at is not None:
        raise MembershipRefused(_("This invitation has already been used."))
    if invitation.is_expired():
        raise MembershipRefused(
            _("This invitation has expired. Ask the organisation for a new one.")
        )
    if not user.email or user.email.casefold() != invitation.email.casefold():
        raise MembershipRefused(
            _(
                "This invitation was sent to another e-mail address than your account's. "
                "Sign in with the account of the invited address."
            )
        )


def do_accept_invitation(user, invitation: Invitation, request=None) -> Membership:
    """Join the organisation with the invited role (an existing membership keeps its role)."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        check_invitation_for(user, invitation)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        membership = _join(
            user,
            user,
            invitation.organisation,
            invitation.role,
            {"invitation": invitation.pk},
            request,
        )
    forget_memberships(user)
    return membership


def do_cancel_invitation(invitation: Invitation) -> None:
    """Precondition: the caller may manage the invitation's organisation."""
    invitation.delete()


# -- membership requests ----------------------------------------------------------------


def do_request_membership(user, organisation: Organisation, message: str = "") -> MembershipRequest:
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise MembershipRefused(_("You are already a member of this organisation."))
    pending = MembershipRequest.objects.filter(
        user=user, organisation=organisation, status=RequestStatus.PENDING
    )
    if pending.exists():
        raise MembershipRefused(_("Your request to join this organisation is already pending."))
    return MembershipRequest.objects.create(user=user, organisation=organisation, message=message)


def do_answer_request(
    actor,
    membership_request: MembershipRequest,
    accept: bool,
    role: str = Role.VIEWER,
    request=None,
) -> None:
    """Accept (with ``role``) or reject a pending request.

    Precondition: ``actor`` may manage the request's organisation.
    """
    if accept:
        check_may_grant(actor, role)
    with transaction.atomic():
        answered = MembershipRequest.objects.select_for_update().get(pk=membership_request.pk)
        if answered.status != RequestStatus.PENDING:
            raise MembershipRefused(_("This request has already been answered."))
        answered.status = RequestStatus.ACCEPTED if accept else RequestStatus.REJECTED
        answered.decided_at = timezone.now()
        answered.decided_by = actor
        answered.save(update_fields=["status", "decided_at", "decided_by"])
        if accept:
            detail = {"request": answered.pk}
            _join(actor, answered.user, answered.organisation, role, detail, request)
    if accept and answered.user_id == actor.pk:
        forget_memberships(actor)


# -- roles and removals -----------------------------------------------------------------


def do_change_role(actor, membership: Membership, role: str, request=None) -> None:
    """Give ``membership`` the role ``role``; records ``membership.role``.

    Precondition: ``actor`` may manage the membership's organisation. Steward memberships
    are changed by stewards only; an organisation keeps at least one admin.
    """
    if role == membership.role:
        return
    _check_may_change(actor, membership)
    check_may_grant(actor, role)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        previous = membership.role
        if previous == Role.ADMIN:
            _check_not_last_admin(membership)
        membership.role = role
        membership.save(update_fields=["role"])
        record_event(
            Action.MEMBERSHIP_ROLE,
            actor=actor,
            target=f"user:{membership.user_id}",
            organisation=membership.organisation,
            detail={"role": role, "previous": previous},
            request=request,
        )
    if membership.user_id == actor.pk:
        forget_memberships(actor)


def do_remove_member(actor, membership: Membership, request=None) -> None:
    """Remove ``membership``; records ``membership.remove``. Same rules as a role change."""
    _check_may_change(actor, membership)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Role.ADMIN:
            _check_not_last_admin(membership)
        record_event(
            Action.MEMBERSHIP_REMOVE,
            actor=actor,
            target=f"user:{membership.user_id}",
            organisation=membership.organisation,
            detail={"previous": membership.role},
            request=request,
        )
        membership.delete()
    if membership.user_id == actor.pk:
        forget_memberships(actor)


def _check_may_change(actor, membership: Membership) -> None:
    if membership.role == Role.STEWARD and not is_steward(actor):
        raise MembershipRefused(_("Only data stewards may change a steward's membership."))


def _check_not_last_admin(membership: Membership) -> None:
    admins = Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
    if not admins.exclude(pk=membership.pk).exists():
        raise MembershipRefused(_("An organisation keeps at least one administrator."))


def _join(actor, user, organisation: Organisation, role: str, detail: dict, request) -> Membership:
    """Make ``user`` a member with ``role`` unless already one; record ``membership.role``.

    Precondition: inside a transaction, so that a failed audit write undoes the membership.
    """
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if created:
        record_event(
            Action.MEMBERSHIP_ROLE,
            actor=actor,
            target=f"user:{user.pk}",
            organisation=organisation,
            detail={"role": role, "previous": None, **detail},
            request=request,
        )
    return membership
