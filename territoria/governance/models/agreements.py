"""Sharing agreements (conventions de partage): who may read which datasets, why, until when,
and under which terms. The terms for one dataset are a ``DatasetGrant`` of the agreement.

The gate grants access only through an agreement that is active today (signed, between its
start and end dates, not revoked) — an expired agreement stops access at the next request.
The terms are compiled into the query engine (``datastore/restriction.py``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("signed and in force")
    REVOKED = "revoked", _("revoked")


class LegalBasis(models.TextChoices):
    """Article 6 GDPR bases, and the public-sector ones of the CRPA."""

    PUBLIC_TASK = "public_task", _("task in the public interest (GDPR art. 6.1.e)")
    LEGAL_OBLIGATION = "legal_obligation", _("legal obligation (GDPR art. 6.1.c)")
    CONTRACT = "contract", _("contract (GDPR art. 6.1.b)")
    CONSENT = "consent", _("consent (GDPR art. 6.1.a)")
    LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest (GDPR art. 6.1.f)")
    RESEARCH = "research", _("scientific research or statistics (GDPR art. 89)")
    NO_PERSONAL_DATA = "no_personal_data", _("no personal data (CRPA L300-2 exchange)")


class StatisticalUnits(models.TextChoices):
    """French statistical secrecy: the minimum cell is 11 persons or 3 businesses."""

    PERSONS = "persons", _("persons (minimum 11 per cell)")
    BUSINESSES = "businesses", _("businesses (minimum 3 per cell)")


class SharingAgreement(models.Model):
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    partner = models.ForeignKey(
        "catalog.Organisation",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("partner organisation"),
    )
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(_("legal basis"), max_length=30, choices=LegalBasis.choices)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    signed_document = models.FileField(_("signed document"), upload_to="agreements/", blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sharing agreement")
        verbose_name_plural = _("sharing agreements")
        ordering = ["-starts_on", "reference"]

    def __str__(self) -> str:
        return f"{self.reference} — {self.partner}"

    def in_force(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == AgreementStatus.ACTIVE and self.starts_on <= today <= self.ends_on


def agreements_in_force(prefix: str = "agreement__"):
    """The Q of grants whose agreement is in force today (see ``SharingAgreement.in_force``)."""
    today = timezone.localdate()
    return models.Q(
        **{
            f"{prefix}status": AgreementStatus.ACTIVE,
            f"{prefix}starts_on__lte": today,
            f"{prefix}ends_on__gte": today,
        }
    )
