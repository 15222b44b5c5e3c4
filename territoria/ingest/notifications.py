"""E-mails to producers about their datasets: a URL source that broke or is late."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from territoria.accounts.models import Role
from territoria.catalog.models import Resource

logger = logging.getLogger(__name__)

ALERTED_ROLES = (Role.ADMIN, Role.PRODUCER)


def producer_addresses(resource: Resource) -> list[str]:
    """E-mail addresses of the active admins and producers of the dataset's organisation."""
    users = get_user_model().objects.filter(
        is_active=True,
        memberships__organisation_id=resource.dataset.organisation_id,
        memberships__role__in=ALERTED_ROLES,
    )
    return sorted({email for email in users.values_list("email", flat=True) if email})


def send_source_alert(resource: Resource, kind: str) -> int:
    """Tell the producers that the source of ``resource`` is ``broken`` or ``late``.

    One message per address (colleagues' addresses are not disclosed to each other), in the
    platform's language. Returns how many were sent; a failing relay is logged, not raised:
    the state is on the resource and shown in the portal.
    """
    recipients = producer_addresses(resource)
    if not recipients:
        logger.warning("source of %s: %s, nobody to alert", resource.dataset.slug, kind)
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _message(resource, kind)
    try:
        with get_connection() as connection:
            messages = [EmailMessage(subject, body, None, [to]) for to in recipients]
            return connection.send_messages(messages) or 0
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("source of %s: alert not sent: %s", resource.dataset.slug, error)
        return 0


def _message(resource: Resource, kind: str) -> tuple[str, str]:
    dataset = resource.dataset
    values = {
        "dataset": dataset.title,
        "url": resource.source_url,
        "error": resource.last_error,
        "failures": resource.failure_count,
        "frequency": resource.get_refresh_frequency_display().lower(),
        "link": settings.PUBLIC_URL + reverse("portal:dataset_source", args=[dataset.slug]),
    }
    if kind == "late":
        subject = _("The source of %(dataset)s is late") % values
        body = _(
            "The source of the dataset %(dataset)s has not been fetched successfully for "
            "more than twice its refresh frequency (%(frequency)s).\n\n"
            "Source: %(url)s\n\n"
            "The published version has not changed. Check the source here:\n%(link)s\n"
        )
    else:
        subject = _("The source of %(dataset)s cannot be fetched") % values
        body = _(
            "The source of the dataset %(dataset)s could not be fetched or read:\n"
            "%(error)s\n\n"
            "Source: %(url)s\n\n"
            "The published version has not changed; the source will be tried again. "
            "Check it here:\n%(link)s\n"
        )
    return subject, body % values
