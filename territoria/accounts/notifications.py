"""E-mails to people: the invitation to join an organisation."""

from __future__ import annotations

import logging
import smtplib

from django.core.mail import send_mail
from django.utils.translation import gettext as _

from territoria.accounts.models import Invitation

logger = logging.getLogger(__name__)


def send_invitation(invitation: Invitation, link: str) -> bool:
    """Send the invitation link to the invited address; False if the e-mail failed (the
    inviter has the link on screen and can pass it on)."""
    organisation = invitation.organisation.name
    subject = _("Invitation to join %(organisation)s on Territoria") % {
        "organisation": organisation
    }
    body = _(
        "You are invited to join %(organisation)s on Territoria, the data platform of the "
        "region, as %(role)s.\n\n"
        "To accept, sign in and open this link before %(expires)s:\n%(link)s\n\n"
        "If you did not expect this invitation, ignore this message."
    ) % {
        "organisation": organisation,
        "role": invitation.get_role_display(),
        "expires": invitation.expires_at.strftime("%d/%m/%Y"),
        "link": link,
    }
    try:
        send_mail(subject, body, None, [invitation.email])
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("invitation %s: e-mail not sent: %s", invitation.pk, error)
        return False
    return True
