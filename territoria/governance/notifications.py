"""E-mails of access requests: a new request to the stewards and the dataset owner's admins,
the decision to the requester (issue 6, decision 0026).

One message per address (colleagues' addresses are not disclosed to each other), in the
platform's language. A failing relay is logged, not raised: the request and its decision are
saved and shown in the portal whatever happens to the e-mail.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from territoria.accounts.models import Role
from territoria.governance.models import AccessRequest, RequestStatus

logger = logging.getLogger(__name__)


def steward_addresses() -> list[str]:
    """Active stewards (a steward membership anywhere, or a superuser)."""
    users = get_user_model().objects.filter(is_active=True)
    users = users.filter(Q(is_superuser=True) | Q(memberships__role=Role.STEWARD))
    return _addresses(users)


def owner_admin_addresses(request: AccessRequest) -> list[str]:
    """Active admins of the organisation that owns the requested dataset, if one matched."""
    if request.dataset_id is None:
        return []
    users = get_user_model().objects.filter(
        is_active=True,
        memberships__organisation_id=request.dataset.organisation_id,
        memberships__role=Role.ADMIN,
    )
    return _addresses(users)


def send_new_request(request: AccessRequest) -> int:
    """Tell the stewards (with the link to decide) and the owner's admins (for information:
    the data office decides). Returns how many messages were sent."""
    stewards = steward_addresses()
    admins = [a for a in owner_admin_addresses(request) if a not in stewards]
    with translation.override(settings.LANGUAGE_CODE):
        values = _values(request)
        subject = _("Access request from %(organisation)s") % values
        intro = _(
            "%(organisation)s asks to read the dataset “%(reference)s”.\n\n"
            "Purpose: %(purpose)s\n"
            "Legal basis: %(legal_basis)s\n"
            "Desired columns and period: %(details)s\n\n"
        )
        intro %= values
        to_stewards = intro + _("Approve or refuse it here:\n%(link)s\n") % values
        to_admins = intro + _(
            "The region's data office decides; you receive this message because your "
            "organisation publishes the dataset.\n"
        )
    messages = [EmailMessage(subject, to_stewards, None, [to]) for to in stewards]
    messages += [EmailMessage(subject, to_admins, None, [to]) for to in admins]
    return _send(messages, request)


def send_decision(request: AccessRequest) -> int:
    """Tell the requester that their request was approved (an agreement is drafted) or
    refused (with the reason). Returns how many messages were sent (0 or 1)."""
    address = request.requester.email
    if not address:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        values = _values(request)
        if request.status == RequestStatus.APPROVED:
            subject = _("Your access request is approved")
            body = _(
                "Your request to read “%(reference)s” for %(organisation)s is approved.\n\n"
                "The data office has drafted the sharing agreement %(agreement)s. Access "
                "opens once the agreement is signed and activated; the data office will "
                "send it to you for signature.\n\n"
                "Your requests: %(mine)s\n"
            )
        else:
            subject = _("Your access request is refused")
            body = _(
                "Your request to read “%(reference)s” for %(organisation)s is refused.\n\n"
                "Reason: %(reason)s\n\n"
                "Your requests: %(mine)s\n"
            )
    return _send([EmailMessage(subject, body % values, None, [address])], request)


def _values(request: AccessRequest) -> dict[str, str]:
    base = settings.PUBLIC_URL
    return {
        "organisation": request.organisation.name,
        "reference": request.reference,
        "purpose": request.purpose,
        "legal_basis": str(request.get_legal_basis_display()),
        "details": request.details or "—",
        "reason": request.reason,
        "agreement": request.agreement.reference if request.agreement_id else "",
        "link": base + reverse("access:request", args=[request.pk]),
        "mine": base + reverse("access:mine"),
    }


def _addresses(users) -> list[str]:
    return sorted({email for email in users.values_list("email", flat=True) if email})


def _send(messages: list[EmailMessage], request: AccessRequest) -> int:
    if not messages:
        logger.warning("access request %s: nobody to tell", request.pk)
        return 0
    try:
        with get_connection() as connection:
            return connection.send_messages(messages) or 0
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("access request %s: e-mail not sent: %s", request.pk, error)
        return 0
